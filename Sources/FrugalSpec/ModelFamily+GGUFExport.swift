// ModelFamily+GGUFExport — what llama.cpp's `convert_hf_to_gguf.py` writes for a family beyond the
// keys every `TextModel` writes (reference/family_notes.md, "GGUF: what convert_hf_to_gguf.py
// writes"): the `general.architecture` it uses, whether `ARCH.attention.key_length` /
// `value_length` are written (only when the config names head_dim: not Qwen2), and the family's own
// keys, named relative to "ARCH.". FrugalIO's model export writes the common keys; values here are
// plain numbers and strings so FrugalSpec stays free of GGUF types.
extension ModelFamily {
    public struct GGUFExport: Sendable {
        public enum Value: Sendable, Equatable { case uint32(Int), float32(Double), string(String), bool(Bool) }
        /// `general.architecture` of the exported file (Mistral is written as "llama").
        public var architecture: String
        /// `ARCH.attention.key_length` and `value_length` are written.
        public var writesHeadLength = true
        /// The family's own keys, relative to "ARCH.", in the converter's order.
        public var extraKeys: @Sendable (ModelConfig) -> [(String, Value)] = { _ in [] }

        public init(architecture: String, writesHeadLength: Bool = true,
                    extraKeys: @escaping @Sendable (ModelConfig) -> [(String, Value)] = { _ in [] }) {
            self.architecture = architecture; self.writesHeadLength = writesHeadLength; self.extraKeys = extraKeys
        }

        /// `LlamaModel.set_gguf_parameters`: vocab_size and rope.dimension_count.
        static let llama = GGUFExport(architecture: "llama") { c in
            [("vocab_size", .uint32(c.vocabSize)), ("rope.dimension_count", .uint32(c.headDim))]
        }
    }
}
