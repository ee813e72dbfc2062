// BPETokenizer from GGUF tokenizer metadata (GGML `docs/gguf.md`, llama.cpp `src/llama-vocab.cpp`).
//
// `tokenizer.ggml.model`:
//   "gpt2"   byte-level BPE: `tokens` are byte-level strings in id order, `merges` "left right" in
//            rank order. `tokenizer.ggml.pre` picks the pre-tokenizer as llama.cpp does:
//            nil / "default" / "gpt2" / "gpt-2"   the GPT-2 regex;
//            "smollm" / "starcoder" / "refact"    digits isolated, then the GPT-2 regex;
//            "llama-bpe" / "llama3" / "dbrx" / "smaug-bpe"   the Llama 3 regex (and, as in
//                     llama.cpp's LLAMA3 pre type, ignore_merges; BOS added by default);
//            "qwen2"  the Qwen2 regex (Qwen2, Qwen2.5, Qwen3).
//            Any other name uses a regex Frugal does not implement and is refused by name.
//   "llama"  SentencePiece BPE (Llama 2, Mistral, Gemma): no merges; llama.cpp merges by the
//            `scores` of the merged token (`SentencePieceBPEModel`), a space prefix per text segment
//            (`add_space_prefix`, default true), spaces as ▁, "<0xNN>" byte fallback; decoding
//            turns ▁ back into spaces, bytes into bytes, and drops the prefix space.
// `token_type` marks control (3) and user-defined (4) tokens, which are matched verbatim before
// normalization (control tokens are special: `decode(skipSpecialTokens:)` drops them).
// Defaults for an absent `add_bos_token` follow llama.cpp: true for "llama" and the Llama 3 pre
// types, false otherwise. The GGUF reader itself lives in FrugalIO.
extension BPETokenizer {
    /// GGUF token types (`tokenizer.ggml.token_type`).
    public enum GGUFTokenType: Int32 {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// Builds the tokenizer from a GGUF's `tokenizer.ggml.*` values.
    /// - Parameters:
    ///   - tokens: `tokenizer.ggml.tokens`.
    ///   - merges: `tokenizer.ggml.merges`, each "left right" (model "gpt2").
    ///   - tokenTypes: `tokenizer.ggml.token_type` (nil: all normal).
    ///   - scores: `tokenizer.ggml.scores` (model "llama"; required there).
    ///   - addBOS / addEOS: `tokenizer.ggml.add_bos_token` / `add_eos_token` (nil: llama.cpp's default).
    ///   - addSpacePrefix: `tokenizer.ggml.add_space_prefix` (model "llama"; nil: true).
    ///   - model: `tokenizer.ggml.model`, "gpt2" or "llama".
    ///   - pre: `tokenizer.ggml.pre`.
    ///   - source: the file name for error messages.
    public convenience init(tokens: [String], merges: [String], tokenTypes: [Int32]? = nil, scores: [Float]? = nil,
                            bosID: Int? = nil, eosID: Int? = nil, unkID: Int? = nil, padID: Int? = nil,
                            addBOS: Bool? = nil, addEOS: Bool = false, addSpacePrefix: Bool? = nil,
                            model: String = "gpt2", pre: String? = nil,
                            source: String = "GGUF tokenizer") throws {
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
        let bosPrefix = bosID.map { [$0] } ?? []
        let eosSuffix = addEOS ? eosID.map { [$0] } ?? [] : []
        switch model {
        case "gpt2":
            let preTokenizer: PreTokenizer
            var llama3 = false
            switch pre {
            case nil, "default", "gpt2", "gpt-2":
                preTokenizer = ByteLevelPreTokenizer(splitDigits: false).preTokenizer
            case "smollm", "starcoder", "refact":
                preTokenizer = ByteLevelPreTokenizer(splitDigits: true).preTokenizer
            case "llama-bpe", "llama3", "dbrx", "smaug-bpe":
                preTokenizer = .sequence([.split(pattern: .llama3, behavior: .isolated, invert: false),
                                          .byteLevel(addPrefixSpace: false, useRegex: false)])
                llama3 = true
            case "qwen2":
                preTokenizer = .sequence([.split(pattern: .qwen2, behavior: .isolated, invert: false),
                                          .byteLevel(addPrefixSpace: false, useRegex: false)])
            case let other?:
                throw TokenizerError.unsupported(source: source, field: "tokenizer.ggml.pre", value: "\"\(other)\" (known: default, gpt2, smollm, starcoder, refact, llama-bpe, llama3, dbrx, smaug-bpe, qwen2)")
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
            try self.init(source: source, vocab: vocab, merges: pairs, addedTokens: added, tokensByID: tokens,
                          preTokenizer: preTokenizer, decoder: .byteLevel,
                          unkToken: nil, declaredUnkID: unkID, ignoreMerges: llama3,
                          bosID: bosID, eosID: eosID, padID: padID,
                          prefixIDs: (addBOS ?? llama3) ? bosPrefix : [], suffixIDs: eosSuffix)
        case "llama":
            guard let scores, !scores.isEmpty else {
                throw TokenizerError.missingField(source: source, field: "tokenizer.ggml.scores", expected: "one score per token (the \"llama\" tokenizer merges by score)")
            }
            guard scores.count == tokens.count else {
                throw TokenizerError.inconsistent(source: source, detail: "tokenizer.ggml.scores has \(scores.count) entries but tokenizer.ggml.tokens has \(tokens.count)")
            }
            let spacePrefix = addSpacePrefix ?? true
            let escape = Normalizer.replace(pattern: " ", content: "▁")
            var decoders: [TokenDecoder] = [.replace(pattern: "▁", content: " "), .byteFallback, .fuse]
            if spacePrefix { decoders.append(.strip(content: " ", start: 1, stop: 0)) }
            try self.init(source: source, vocab: vocab, merges: [], addedTokens: added, tokensByID: tokens,
                          normalizer: spacePrefix ? .sequence([.prepend("▁"), escape]) : escape,
                          preTokenizer: nil, decoder: .sequence(decoders),
                          unkToken: nil, declaredUnkID: unkID, sentencePieceScores: scores,
                          bosID: bosID, eosID: eosID, padID: padID,
                          prefixIDs: (addBOS ?? true) ? bosPrefix : [], suffixIDs: eosSuffix)
        default:
            throw TokenizerError.unsupported(source: source, field: "tokenizer.ggml.model", value: "\"\(model)\" (known: gpt2, llama)")
        }
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
