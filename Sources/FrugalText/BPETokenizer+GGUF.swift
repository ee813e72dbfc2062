// BPETokenizer from GGUF tokenizer metadata (GGML `docs/gguf.md`, llama.cpp `llama-vocab.cpp`):
// `tokenizer.ggml.model` must be "gpt2" (byte-level BPE), `tokens` are the byte-level strings in
// id order, `merges` are "left right" strings in rank order, `token_type` marks control (3) and
// user-defined (4) tokens, which are matched verbatim before pre-tokenization (control tokens are
// special: `decode(skipSpecialTokens:)` drops them). `tokenizer.ggml.pre` picks the pre-tokenizer:
// "smollm", "starcoder", "refact" isolate digits first, then apply the GPT-2 regex; "gpt2" (or no
// key) applies the GPT-2 regex alone. Other pre-tokenizers (llama-bpe, qwen2, …) use different
// regexes and are refused by name. The GGUF reader itself lives in FrugalIO.
extension BPETokenizer {
    /// GGUF token types (`tokenizer.ggml.token_type`).
    public enum GGUFTokenType: Int32 {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// Builds the tokenizer from a GGUF's `tokenizer.ggml.*` values.
    /// - Parameters:
    ///   - tokens: `tokenizer.ggml.tokens`.
    ///   - merges: `tokenizer.ggml.merges`, each "left right".
    ///   - tokenTypes: `tokenizer.ggml.token_type` (nil: all normal).
    ///   - model: `tokenizer.ggml.model`; only "gpt2" is byte-level BPE.
    ///   - pre: `tokenizer.ggml.pre`.
    ///   - addBOS / addEOS: `tokenizer.ggml.add_bos_token` / `add_eos_token`.
    ///   - source: the file name for error messages.
    public convenience init(tokens: [String], merges: [String], tokenTypes: [Int32]? = nil,
                            bosID: Int? = nil, eosID: Int? = nil, unkID: Int? = nil, padID: Int? = nil,
                            addBOS: Bool = false, addEOS: Bool = false,
                            model: String = "gpt2", pre: String? = nil,
                            source: String = "GGUF tokenizer") throws {
        guard model == "gpt2" else {
            throw TokenizerError.unsupported(source: source, field: "tokenizer.ggml.model", value: "\"\(model)\"")
        }
        let splitDigits: Bool
        switch pre {
        case nil, "gpt2", "default": splitDigits = false
        case "smollm", "starcoder", "refact": splitDigits = true
        case let other?:
            throw TokenizerError.unsupported(source: source, field: "tokenizer.ggml.pre", value: "\"\(other)\"")
        }
        if let tokenTypes, tokenTypes.count != tokens.count {
            throw TokenizerError.inconsistent(source: source, detail: "tokenizer.ggml.token_type has \(tokenTypes.count) entries but tokenizer.ggml.tokens has \(tokens.count)")
        }
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(tokens.count)
        var added: [AddedToken] = []
        for (id, token) in tokens.enumerated() {
            let type = tokenTypes.map { GGUFTokenType(rawValue: $0[id]) ?? .normal } ?? .normal
            switch type {
            case .control:
                added.append(AddedToken(id: id, content: token, special: true, normalized: false))
            case .userDefined:
                added.append(AddedToken(id: id, content: token, special: false, normalized: false))
            default:
                break
            }
            vocab[token] = id  // a duplicated string maps to its last id, as in llama.cpp and transformers
        }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(merges.count)
        for (i, m) in merges.enumerated() {
            guard let pair = Self.splitMerge(m) else {
                throw TokenizerError.badMerge(source: source, index: i, merge: m, detail: "expected two tokens separated by one space")
            }
            pairs.append(pair)
        }
        // The unknown id is metadata only: a byte-level vocabulary has every byte, so BPE never
        // needs it (transformers' GGUF converter also builds the model with unk_token None).
        try self.init(source: source, vocab: vocab, merges: pairs, addedTokens: added,
                      preTokenizer: ByteLevelPreTokenizer(splitDigits: splitDigits),
                      unkToken: nil, declaredUnkID: unkID,
                      bosID: bosID, eosID: eosID, padID: padID,
                      prefixIDs: addBOS ? bosID.map { [$0] } ?? [] : [],
                      suffixIDs: addEOS ? eosID.map { [$0] } ?? [] : [])
    }

    /// "a b" → ("a", "b"); the split is on the first space after the first character (a byte-level
    /// token never contains a literal space, but the first part may be longer than one character).
    static func splitMerge(_ merge: String) -> (String, String)? {
        guard let space = merge.dropFirst().firstIndex(of: " ") else { return nil }
        let left = String(merge[..<space])
        let right = String(merge[merge.index(after: space)...])
        guard !left.isEmpty, !right.isEmpty else { return nil }
        return (left, right)
    }
}
