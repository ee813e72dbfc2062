// BPETokenizer from a Hugging Face `tokenizer.json` (the `tokenizers` library's serialization).
//
// Understood: model {type "BPE", vocab, merges as "a b" strings or ["a","b"] arrays, unk_token,
// fuse_unk, byte_fallback, ignore_merges}; added_tokens; the normalizer, pre_tokenizer, decoder and
// post_processor variants `TokenizerJSONParser` reads (NFC/NFKC/…, Replace, Prepend, Lowercase;
// ByteLevel, Split with the GPT-2 / Llama 3 / Qwen2 regex or a string, Metaspace, Digits;
// ByteLevel, ByteFallback, Metaspace, Replace, Strip, Fuse; TemplateProcessing, ByteLevel; and
// Sequences of them). Anything else that would change the ids (another regex, dropout, a
// WordPiece model, …) is refused by name instead of being silently ignored. Irrelevant keys are
// ignored.
import Foundation

extension BPETokenizer {
    /// Loads `tokenizer.json` from a file. BOS/EOS/PAD are not part of tokenizer.json (they live in
    /// tokenizer_config.json / config.json): pass their token strings; by default BOS is the
    /// post-processor's first prefix token and EOS its last suffix token, if any.
    public convenience init(tokenizerJSON url: URL, bosToken: String? = nil, eosToken: String? = nil,
                            padToken: String? = nil) throws {
        // Real tokenizer.json files are ≤ ~35 MB (Gemma 3); a larger one is refused before it is read.
        let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= Self.maxTokenizerJSONBytes else {
            throw TokenizerError.unreadable(source: url.path, detail: "\(size) bytes is more than the \(Self.maxTokenizerJSONBytes >> 20) MiB a tokenizer.json may have")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.unreadable(source: url.path, detail: error.localizedDescription)
        }
        try self.init(tokenizerJSONData: data, source: url.path, bosToken: bosToken, eosToken: eosToken, padToken: padToken)
    }

    /// Largest tokenizer.json read: 256 MiB.
    public static let maxTokenizerJSONBytes = 256 << 20

    /// Parses the contents of a `tokenizer.json` (see `init(tokenizerJSON:)`).
    public convenience init(tokenizerJSONData data: Data, source: String = "tokenizer.json", bosToken: String? = nil,
                            eosToken: String? = nil, padToken: String? = nil) throws {
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TokenizerError.unreadable(source: source, detail: "the top level is not a JSON object")
            }
            root = object
        } catch let e as TokenizerError { throw e } catch {
            throw TokenizerError.unreadable(source: source, detail: "not valid JSON (\(error.localizedDescription))")
        }
        let p = TokenizerJSONParser(source: source)

        // model
        guard let model = root["model"] as? [String: Any] else {
            throw TokenizerError.missingField(source: source, field: "model", expected: "an object")
        }
        if let type = model["type"] as? String, type != "BPE" {
            throw TokenizerError.unsupported(source: source, field: "model.type", value: "\"\(type)\"")
        }
        guard let rawVocab = model["vocab"] as? [String: Any] else {
            throw TokenizerError.missingField(source: source, field: "model.vocab", expected: "an object of token → id")
        }
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(rawVocab.count)
        for (token, value) in rawVocab {
            guard let id = p.int(value) else {
                throw TokenizerError.missingField(source: source, field: "model.vocab[\"\(token)\"]", expected: "an integer id")
            }
            vocab[token] = id
        }
        guard let rawMerges = model["merges"] as? [Any] else {
            throw TokenizerError.missingField(source: source, field: "model.merges", expected: "an array")
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(rawMerges.count)
        for (i, m) in rawMerges.enumerated() {
            if let s = m as? String {
                guard let pair = BPETokenizer.splitMerge(s) else {
                    throw TokenizerError.badMerge(source: source, index: i, merge: s, detail: "expected two tokens separated by one space")
                }
                merges.append(pair)
            } else if let a = m as? [Any], a.count == 2, let l = a[0] as? String, let r = a[1] as? String {
                merges.append((l, r))
            } else {
                throw TokenizerError.badMerge(source: source, index: i, merge: "\(m)", detail: "expected \"a b\" or [\"a\", \"b\"]")
            }
        }
        if let dropout = model["dropout"], !(dropout is NSNull), p.double(dropout) != 0 {
            throw TokenizerError.unsupported(source: source, field: "model.dropout", value: "\(dropout)")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = model[key] as? String, !v.isEmpty {
                throw TokenizerError.unsupported(source: source, field: "model.\(key)", value: "\"\(v)\"")
            }
        }
        let unkToken = model["unk_token"] as? String

        // added tokens
        var added: [AddedToken] = []
        for (i, item) in ((root["added_tokens"] as? [Any]) ?? []).enumerated() {
            guard let t = item as? [String: Any], let id = p.int(t["id"]), let content = t["content"] as? String else {
                throw TokenizerError.missingField(source: source, field: "added_tokens[\(i)]", expected: "an object with \"id\" and \"content\"")
            }
            let special = (t["special"] as? Bool) ?? false
            added.append(AddedToken(id: id, content: content, special: special,
                                    singleWord: (t["single_word"] as? Bool) ?? false,
                                    lstrip: (t["lstrip"] as? Bool) ?? false,
                                    rstrip: (t["rstrip"] as? Bool) ?? false,
                                    normalized: (t["normalized"] as? Bool) ?? !special))
        }

        let normalizer = try p.normalizer(root["normalizer"])
        let pre = try p.preTokenizer(root["pre_tokenizer"])
        let decoder = try p.decoder(root["decoder"])
        // post-processor
        var tokenIDs = vocab
        for t in added { tokenIDs[t.content] = t.id }
        let (prefix, suffix) = try p.postProcessor(root["post_processor"], tokenIDs: tokenIDs)

        func specialID(_ name: String?, _ field: String) throws -> Int? {
            guard let name else { return nil }
            guard let id = tokenIDs[name] else {
                throw TokenizerError.inconsistent(source: source, detail: "\(field) \"\(name)\" is not in the vocabulary")
            }
            return id
        }
        let bos = try specialID(bosToken, "bos_token") ?? prefix.first
        let eos = try specialID(eosToken, "eos_token") ?? suffix.last
        let pad = try specialID(padToken, "pad_token")
        try self.init(source: source, vocab: vocab, merges: merges, addedTokens: added,
                      normalizer: normalizer, preTokenizer: pre, decoder: decoder, unkToken: unkToken,
                      fuseUnk: (model["fuse_unk"] as? Bool) ?? false,
                      byteFallback: (model["byte_fallback"] as? Bool) ?? false,
                      ignoreMerges: (model["ignore_merges"] as? Bool) ?? false,
                      bosID: bos, eosID: eos, padID: pad,
                      prefixIDs: prefix, suffixIDs: suffix)
    }
}
