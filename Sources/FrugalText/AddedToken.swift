// AddedToken — a token matched verbatim in the input before pre-tokenization (special tokens such
// as "<|im_start|>", and user-added tokens), with HF tokenizers' `AddedToken` flags.
//
// Follows HF tokenizers `tokenizer/added_vocabulary.rs`. `normalized` decides the matching pass:
// non-normalized tokens are matched in the raw text first, normalized ones in each remaining
// segment after the normalizer has run (`BPETokenizer.encodeSegment`).
public struct AddedToken: Sendable, Equatable {
    public var id: Int
    public var content: String
    /// Skipped by `decode(skipSpecialTokens: true)`.
    public var special: Bool
    /// Match only when not preceded or followed by a word character (regex `\w`).
    public var singleWord: Bool
    /// Absorb the whitespace to the left / right of the match.
    public var lstrip: Bool
    public var rstrip: Bool
    public var normalized: Bool

    public init(id: Int, content: String, special: Bool, singleWord: Bool = false,
                lstrip: Bool = false, rstrip: Bool = false, normalized: Bool? = nil) {
        self.id = id
        self.content = content
        self.special = special
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized ?? !special
    }
}
