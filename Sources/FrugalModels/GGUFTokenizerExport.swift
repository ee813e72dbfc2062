// GGUFTokenizerExport — the tokenizer.* keys of an exported GGUF, taken from where the model came
// from:
//   - a GGUF source: its tokenizer.* keys, copied in file order with their types. A byte-level BPE
//     ("gpt2") vocabulary without `tokenizer.ggml.merges` (gguf-py drops empty arrays) gets an
//     empty merges array, which llama.cpp requires to load a "gpt2" vocabulary;
//   - an HF folder with a byte-level BPE tokenizer.json (Llama 3, Qwen2/3, SmolLM2, GPT-2): the keys
//     `convert_hf_to_gguf.py` writes for it (`_set_vocab_gpt2`, `get_vocab_base`, gguf-py's
//     SpecialVocab): model "gpt2"; tokens padded to the config's vocab_size with "[PAD{i}]"
//     (type 5, unused); token types 1 normal, 3 control (special added tokens, or ones that look
//     special: <|…|>, <…>), 4 user-defined (other added tokens); merges "left right"; `pre` from the
//     pre-tokenizer's regex ("llama-bpe", "qwen2", "smollm" for isolated digits before GPT-2's
//     regex, "gpt-2") where the converter picks it by hashing the tokenizer's output; bos / eos /
//     unknown / padding ids and add_bos / add_eos from tokenizer_config.json; and
//     tokenizer.chat_template (chat_template.jinja or tokenizer_config.json's).
// Left out (reported in `notes`): the tokenizer.json normalizer (Qwen2's NFC: GGUF has no key for
// it, llama.cpp tokenizes without it); SentencePiece-style tokenizers (Llama 2, Mistral v0.1, Gemma:
// the converter reads tokenizer.model, which Frugal does not parse); a source without any
// tokenizer gets tokenizer.ggml.model "none" (llama.cpp then loads the model with no vocabulary).
import Foundation
import FrugalIO
import FrugalText

public enum GGUFTokenizerExport {
    public typealias Keys = [(String, GGUFValue)]

    /// The tokenizer keys of a GGUF file.
    public static func keys(fromGGUF file: GGUFFile) -> Keys {
        var out: Keys = file.metadataKeys.filter { $0.hasPrefix("tokenizer.") }.map { ($0, file.metadata[$0]!) }
        if file.metadata["tokenizer.ggml.model"]?.string == "gpt2", file.metadata["tokenizer.ggml.merges"] == nil {
            let at = (out.firstIndex { $0.0 == "tokenizer.ggml.token_type" } ?? out.count - 1) + 1
            out.insert(("tokenizer.ggml.merges", .array(.string, [])), at: min(at, out.count))
        }
        return out
    }

    /// No tokenizer: llama.cpp's "none" vocabulary.
    public static let none: Keys = [("tokenizer.ggml.model", .string("none"))]

    /// The tokenizer keys for an HF folder (tokenizer.json, tokenizer_config.json, chat template);
    /// `notes` says what could not be exported.
    public static func keys(fromHFDirectory path: String, vocabSize: Int) throws -> (keys: Keys, notes: [String]) {
        let dir = URL(fileURLWithPath: path)
        guard let data = try? Data(contentsOf: dir.appendingPathComponent("tokenizer.json")),
              let tj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return (none, ["\(path) has no tokenizer.json: the GGUF gets tokenizer.ggml.model \"none\" (no vocabulary)"])
        }
        var config: [String: Any] = [:]
        if let d = try? Data(contentsOf: dir.appendingPathComponent("tokenizer_config.json")),
           let o = try? JSONSerialization.jsonObject(with: d) as? [String: Any] { config = o }
        guard let model = tj["model"] as? [String: Any], model["type"] as? String == "BPE",
              let vocab = model["vocab"] as? [String: Any], contains(tj["pre_tokenizer"], type: "ByteLevel") else {
            return (none, ["\(path)/tokenizer.json is not a byte-level BPE tokenizer (SentencePiece-style tokenizers are "
                           + "converted from tokenizer.model by llama.cpp, which Frugal does not read): the GGUF gets "
                           + "tokenizer.ggml.model \"none\"; convert the tokenizer with llama.cpp's convert_hf_to_gguf.py"])
        }
        var notes: [String] = []
        if let n = tj["normalizer"] as? [String: Any], let t = n["type"] as? String {
            notes.append("tokenizer.json's \(t) normalizer has no GGUF key: llama.cpp (and Frugal reading the GGUF) tokenize "
                         + "without it, as for any GGUF convert_hf_to_gguf writes; text that the normalizer changes tokenizes differently")
        }
        var byID: [Int: String] = [:]
        for (tok, id) in vocab { if let i = (id as? NSNumber)?.intValue { byID[i] = tok } }
        var added: [Int: (content: String, special: Bool)] = [:]
        for t in tj["added_tokens"] as? [[String: Any]] ?? [] {
            guard let id = (t["id"] as? NSNumber)?.intValue, let content = t["content"] as? String else { continue }
            added[id] = (content, t["special"] as? Bool ?? false)
            byID[id] = content
        }
        let count = max(vocabSize, (byID.keys.max() ?? -1) + 1)
        if count > vocabSize { notes.append("the tokenizer has \(count) tokens, more than the model's vocab_size \(vocabSize)") }
        var tokens: [GGUFValue] = [], types: [GGUFValue] = []
        tokens.reserveCapacity(count); types.reserveCapacity(count)
        for i in 0..<count {
            guard let tok = byID[i] else {
                tokens.append(.string("[PAD\(i)]")); types.append(.int32(5)); continue
            }
            tokens.append(.string(tok))
            if let a = added[i] {
                types.append(.int32(a.special || looksSpecial(tok) ? 3 : 4))
            } else {
                types.append(.int32(1))
            }
        }
        var merges: [GGUFValue] = []
        for m in model["merges"] as? [Any] ?? [] {
            if let s = m as? String { merges.append(.string(s)) }
            else if let p = m as? [String], p.count == 2 { merges.append(.string(p[0] + " " + p[1])) }
        }
        var keys: Keys = [("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.pre", .string(preName(tj["pre_tokenizer"], &notes))),
                          ("tokenizer.ggml.tokens", .array(.string, GGUFArray(tokens))), ("tokenizer.ggml.token_type", .array(.int32, GGUFArray(types)))]
        keys.append(("tokenizer.ggml.merges", .array(.string, GGUFArray(merges))))
        func tokenString(_ key: String) -> String? {
            if let s = config[key] as? String { return s }
            return (config[key] as? [String: Any])?["content"] as? String
        }
        let ids = Dictionary(byID.map { ($1, $0) }, uniquingKeysWith: min)
        for (key, gguf) in [("bos_token", "bos_token_id"), ("eos_token", "eos_token_id"), ("unk_token", "unknown_token_id"),
                            ("pad_token", "padding_token_id")] {
            if let t = tokenString(key), let id = ids[t] { keys.append(("tokenizer.ggml." + gguf, .uint32(UInt32(id)))) }
        }
        for key in ["add_bos_token", "add_eos_token"] {
            if let b = config[key] as? Bool { keys.append(("tokenizer.ggml." + key, .bool(b))) }
        }
        if let t = ModelTokenizer.chatTemplate(in: dir, config: config) { keys.append(("tokenizer.chat_template", .string(t))) }
        return (keys, notes)
    }

    /// gguf-py `does_token_look_special`-like: <|…|>, <…> and […] control-looking tokens.
    static func looksSpecial(_ t: String) -> Bool {
        (t.hasPrefix("<|") && t.hasSuffix("|>")) || (t.hasPrefix("<") && t.hasSuffix(">") && t.count > 2 && !t.contains(" "))
            || ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].contains(t)
    }

    static func contains(_ node: Any?, type: String) -> Bool {
        guard let o = node as? [String: Any] else { return false }
        if o["type"] as? String == type { return true }
        return (o["pretokenizers"] as? [Any] ?? []).contains { contains($0, type: type) }
    }

    /// llama.cpp's pre-tokenizer name for a tokenizer.json pre_tokenizer.
    static func preName(_ node: Any?, _ notes: inout [String]) -> String {
        var regexes: [String] = [], digits = false, byteLevelRegex = false
        func walk(_ n: Any?) {
            guard let o = n as? [String: Any] else { return }
            switch o["type"] as? String {
            case "Split": if let r = (o["pattern"] as? [String: Any])?["Regex"] as? String { regexes.append(r) }
            case "Digits": digits = true
            case "ByteLevel": byteLevelRegex = byteLevelRegex || (o["use_regex"] as? Bool ?? true)
            default: break
            }
            (o["pretokenizers"] as? [Any] ?? []).forEach(walk)
        }
        walk(node)
        if regexes.count == 1, let p = SplitPattern.recognize(regex: regexes[0]) {
            switch p {
            case .llama3: return "llama-bpe"
            case .qwen2: return "qwen2"
            case .gpt2: return digits ? "smollm" : "gpt-2"
            case .string: break
            }
        }
        if regexes.isEmpty && byteLevelRegex { return digits ? "smollm" : "gpt-2" }
        notes.append("the tokenizer's pre-tokenizer is not one llama.cpp names by a known regex; tokenizer.ggml.pre is \"default\"")
        return "default"
    }
}
