// GGUFTokenizerMetadata — the tokenizer stored in a GGUF file's `tokenizer.*` keys, as plain Swift
// values for FrugalText (which builds the BPE tokenizer; this file only reads).
//
// Keys (GGML `docs/gguf.md`, llama.cpp `src/llama-vocab.cpp`): tokenizer.ggml.model ("gpt2" =
// byte-level BPE, "llama" = SentencePiece), .pre, .tokens, .scores (f32 per token, used by the
// "llama" model's merging), .token_type (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused,
// 6 byte), .merges ("Ġ t": the two parts separated by one
// space), .{bos,eos,unknown,padding}_token_id, .add_bos_token, .add_eos_token, .add_space_prefix,
// and tokenizer.chat_template (Jinja source).
public struct GGUFTokenizerMetadata: Sendable, Equatable {
    public var model: String
    public var pre: String?
    public var tokens: [String]
    /// One per token when present (empty when the file has no token_type array).
    public var tokenTypes: [Int]
    /// One per token when present (empty when the file has no scores array).
    public var scores: [Float] = []
    public var merges: [String]
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    public var unknownTokenId: Int?
    public var paddingTokenId: Int?
    public var addBosToken: Bool?
    public var addEosToken: Bool?
    public var addSpacePrefix: Bool?
    public var chatTemplate: String?
}

extension GGUFFile {
    /// The tokenizer metadata; throws if tokenizer.ggml.model or .tokens is missing or malformed.
    public func tokenizerMetadata() throws -> GGUFTokenizerMetadata {
        func str(_ k: String) throws -> String? {
            guard let v = metadata[k] else { return nil }
            guard let s = v.string else { throw GGUFError.wrongValueType(path: path, key: k, expected: "string", found: "\(v.type)") }
            return s
        }
        func bool(_ k: String) throws -> Bool? {
            guard let v = metadata[k] else { return nil }
            guard let b = v.bool else { throw GGUFError.wrongValueType(path: path, key: k, expected: "bool", found: "\(v.type)") }
            return b
        }
        func strings(_ k: String) throws -> [String]? {
            guard let v = metadata[k] else { return nil }
            guard let a = v.stringArray else { throw GGUFError.wrongValueType(path: path, key: k, expected: "array of strings", found: "\(v.summary)") }
            return a
        }
        guard let model = try str("tokenizer.ggml.model") else { throw GGUFError.missingKey(path: path, key: "tokenizer.ggml.model") }
        guard let tokens = try strings("tokenizer.ggml.tokens") else { throw GGUFError.missingKey(path: path, key: "tokenizer.ggml.tokens") }
        var types = [Int]()
        if let v = metadata["tokenizer.ggml.token_type"] {
            guard let t = v.intArray else {
                throw GGUFError.wrongValueType(path: path, key: "tokenizer.ggml.token_type", expected: "array of integers", found: v.summary)
            }
            guard t.count == tokens.count else {
                throw GGUFError.invalidValue(path: path, key: "tokenizer.ggml.token_type",
                                             reason: "\(t.count) types for \(tokens.count) tokens")
            }
            // Types are small codes (llama.cpp's llama_token_type); a value past Int32 is corrupt.
            if let i = t.firstIndex(where: { Int32(exactly: $0) == nil }) {
                throw GGUFError.invalidValue(path: path, key: "tokenizer.ggml.token_type",
                                             reason: "the type of token \(i) is \(t[i]), outside the 32-bit range of token types")
            }
            types = t
        }
        var scores = [Float]()
        if let v = metadata["tokenizer.ggml.scores"] {
            guard let a = v.array, a.count == tokens.count else {
                throw GGUFError.invalidValue(path: path, key: "tokenizer.ggml.scores",
                                             reason: "expected \(tokens.count) numbers, one per token, found \(v.summary)")
            }
            scores.reserveCapacity(a.count)
            for x in a {
                guard let d = x.double, d.isFinite || d == -.infinity else {
                    throw GGUFError.invalidValue(path: path, key: "tokenizer.ggml.scores", reason: "a score is not a number")
                }
                scores.append(Float(d))
            }
        }
        func tokenId(_ k: String) throws -> Int? {
            guard let i = try optionalInt(k) else { return nil }
            guard i >= 0 && i < tokens.count else {
                throw GGUFError.invalidValue(path: path, key: k, reason: "token id \(i) is outside the vocabulary of \(tokens.count)")
            }
            return i
        }
        return GGUFTokenizerMetadata(
            model: model, pre: try str("tokenizer.ggml.pre"), tokens: tokens, tokenTypes: types, scores: scores,
            merges: try strings("tokenizer.ggml.merges") ?? [],
            bosTokenId: try tokenId("tokenizer.ggml.bos_token_id"),
            eosTokenId: try tokenId("tokenizer.ggml.eos_token_id"),
            unknownTokenId: try tokenId("tokenizer.ggml.unknown_token_id"),
            paddingTokenId: try tokenId("tokenizer.ggml.padding_token_id"),
            addBosToken: try bool("tokenizer.ggml.add_bos_token"),
            addEosToken: try bool("tokenizer.ggml.add_eos_token"),
            addSpacePrefix: try bool("tokenizer.ggml.add_space_prefix"),
            chatTemplate: try str("tokenizer.chat_template"))
    }
}
