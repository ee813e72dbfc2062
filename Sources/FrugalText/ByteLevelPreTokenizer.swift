// ByteLevelPreTokenizer — the GPT-2/SmolLM2 pre-tokenizer configuration as one value:
// HF tokenizers' `Sequence[Digits(individual_digits=true), ByteLevel(add_prefix_space,
// use_regex=true)]` (`splitDigits`), or plain `ByteLevel(add_prefix_space, use_regex=true)`.
//
// Kept as a convenience for callers that only know byte-level BPE; the pipeline itself runs the
// general `PreTokenizer` (`preTokenizer` below), and the GPT-2 regex lives in `SplitPattern`.
// Leaves out: everything that is not byte-level BPE's default pre-tokenizer (use `PreTokenizer`).
public struct ByteLevelPreTokenizer: Sendable, Equatable {
    public var splitDigits: Bool
    public var addPrefixSpace: Bool

    public init(splitDigits: Bool, addPrefixSpace: Bool = false) {
        self.splitDigits = splitDigits
        self.addPrefixSpace = addPrefixSpace
    }

    /// The same configuration as a pipeline step.
    public var preTokenizer: PreTokenizer {
        let byteLevel = PreTokenizer.byteLevel(addPrefixSpace: addPrefixSpace, useRegex: true)
        return splitDigits ? .sequence([.digits(individual: true), byteLevel]) : byteLevel
    }

    /// The pieces as strings (for tests and inspection).
    public func pieces(of text: String) -> [String] { preTokenizer.pieces(of: text) }
}
