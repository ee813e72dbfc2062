// HFTokenizerFiles — tokenizer.json and tokenizer_config.json built from a GGUF file's byte-level
// BPE tokenizer (tokenizer.ggml.model "gpt2"), so a model merged or converted from a GGUF base is a
// complete HF folder that Frugal (and transformers) load with the same tokenization:
//   model: BPE over tokenizer.ggml.tokens (id order) and .merges (rank order), ignore_merges for
//          the Llama 3 pre types (as llama.cpp's LLAMA3 pre type does);
//   added_tokens: control (3) tokens as special, user-defined (4) as non-special;
//   pre_tokenizer from tokenizer.ggml.pre, the inverse of FrugalText's GGUF reading:
//          default/gpt2/gpt-2 → ByteLevel with the GPT-2 regex; smollm/starcoder/refact →
//          Digits(individual) + ByteLevel; llama-bpe/llama3/dbrx/smaug-bpe → Split(Llama 3 regex) +
//          ByteLevel without regex; qwen2 → Split(Qwen2 regex) + ByteLevel without regex;
//   decoder ByteLevel; post_processor TemplateProcessing with BOS when add_bos_token (absent:
//          llama.cpp's default, true for the Llama 3 pre types) and EOS when add_eos_token;
//   tokenizer_config.json: bos/eos/unk/pad tokens, add_bos_token / add_eos_token, chat_template.
// Left out (nil, with the reason): SentencePiece GGUF tokenizers ("llama": Llama 2, Mistral,
// Gemma — their tokenizer.json needs the Metaspace/byte-fallback pipeline and scores), unknown
// pre-tokenizer names.
import Foundation
import FrugalIO

public enum HFTokenizerFiles {
    /// (tokenizer.json, tokenizer_config.json) for `m`, or the reason they cannot be written.
    public static func fromGGUF(_ m: GGUFTokenizerMetadata) -> Result<(tokenizerJSON: Data, configJSON: Data), Unsupported> {
        guard m.model == "gpt2" else { return .failure(Unsupported("GGUF tokenizer model \"\(m.model)\" (only byte-level BPE, \"gpt2\", is written as tokenizer.json)")) }
        func byteLevel(regex: Bool) -> [String: Any] {
            ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": regex]
        }
        func split(_ r: String) -> [String: Any] {
            ["type": "Split", "pattern": ["Regex": r], "behavior": "Isolated", "invert": false]
        }
        let pre: [String: Any], llama3: Bool
        switch m.pre {
        case nil, "default", "gpt2", "gpt-2": pre = byteLevel(regex: true); llama3 = false
        case "smollm", "starcoder", "refact":
            pre = ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], byteLevel(regex: true)]]
            llama3 = false
        case "llama-bpe", "llama3", "dbrx", "smaug-bpe":
            pre = ["type": "Sequence", "pretokenizers": [split(llama3Regex), byteLevel(regex: false)]]; llama3 = true
        case "qwen2":
            pre = ["type": "Sequence", "pretokenizers": [split(qwen2Regex), byteLevel(regex: false)]]; llama3 = false
        case let other?: return .failure(Unsupported("GGUF pre-tokenizer \"\(other)\""))
        }
        var vocab: [String: Int] = [:]
        for (i, t) in m.tokens.enumerated() where vocab[t] == nil { vocab[t] = i }
        var added: [[String: Any]] = []
        for (i, type) in m.tokenTypes.enumerated() where type == 3 || type == 4 {
            added.append(["id": i, "content": m.tokens[i], "single_word": false, "lstrip": false, "rstrip": false,
                          "normalized": type == 4, "special": type == 3])
        }
        func tok(_ id: Int?) -> String? { id.flatMap { $0 < m.tokens.count ? m.tokens[$0] : nil } }
        let addBOS = m.addBosToken ?? llama3, addEOS = m.addEosToken ?? false
        var post: Any = NSNull()
        var single: [[String: Any]] = [], specials: [String: Any] = [:]
        if addBOS, let b = tok(m.bosTokenId) {
            single.append(["SpecialToken": ["id": b, "type_id": 0]]); specials[b] = ["id": b, "ids": [m.bosTokenId!], "tokens": [b]]
        }
        single.append(["Sequence": ["id": "A", "type_id": 0]])
        if addEOS, let e = tok(m.eosTokenId) {
            single.append(["SpecialToken": ["id": e, "type_id": 0]]); specials[e] = ["id": e, "ids": [m.eosTokenId!], "tokens": [e]]
        }
        if single.count > 1 { post = ["type": "TemplateProcessing", "single": single, "pair": single, "special_tokens": specials] }
        let tokenizer: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added, "normalizer": NSNull(),
            "pre_tokenizer": pre, "post_processor": post,
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": tok(m.unknownTokenId).map { $0 as Any } ?? NSNull(),
                      "continuing_subword_prefix": NSNull(), "end_of_word_suffix": NSNull(), "fuse_unk": false,
                      "byte_fallback": false, "ignore_merges": llama3, "vocab": vocab, "merges": m.merges] as [String: Any],
        ]
        var config: [String: Any] = ["tokenizer_class": "PreTrainedTokenizerFast", "add_bos_token": addBOS,
                                     "add_eos_token": addEOS, "clean_up_tokenization_spaces": false]
        for (key, id) in [("bos_token", m.bosTokenId), ("eos_token", m.eosTokenId), ("unk_token", m.unknownTokenId),
                          ("pad_token", m.paddingTokenId)] {
            if let t = tok(id) { config[key] = t }
        }
        if let t = m.chatTemplate { config["chat_template"] = t }
        do {
            let opts: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
            return .success((try JSONSerialization.data(withJSONObject: tokenizer, options: opts),
                             try JSONSerialization.data(withJSONObject: config, options: opts.union(.prettyPrinted))))
        } catch {
            return .failure(Unsupported("the tokenizer cannot be written as JSON: \(error)"))
        }
    }

    public struct Unsupported: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    static let llama3Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
}
