// EmbeddingLoRA — LoRA on the token embedding, as PEFT's `lora.Embedding` (peft `tuners/lora/layer.py`):
//   e(ids) = E[ids] + scaling · Aᵀ[ids] · Bᵀ
// Shapes: E [V, C]; lora_embedding_A [r, V]; lora_embedding_B [C, r]; ids [B, T] → [B, T, C].
// Init (PEFT init_lora_weights=True): A = 0, B ~ N(0, 1), so the embedding starts unchanged. PEFT
// applies no dropout to embeddings; like the base embedding's padding_idx, the pad token's column
// of A gets no gradient. The branch is added to the wrapped module's output, i.e. after
// an embedding scale (Gemma's √C) — DecoderModel.embeddingBranch. Merging adds scaling·(B·A)ᵀ to E,
// which a tied head shares: refused then (the adapter stays a branch).
import FrugalCore
import FrugalModels

public final class EmbeddingLoRA: EmbeddingBranch {
    public let loraA: Tensor, loraB: Tensor   // [r, V], [C, r]
    public let scaling: Float
    public let paddingIndex: Int?

    public init(vocab: Int, hidden: Int, rank: Int, scaling: Float, paddingIndex: Int?, initRNG: RandomGenerator) {
        precondition(rank > 0, "EmbeddingLoRA: rank \(rank) must be positive")
        loraA = Tensor(zeros: [rank, vocab], requiresGrad: true)
        loraB = Tensor.randn([hidden, rank], std: 1, rng: initRNG, requiresGrad: true)
        self.scaling = scaling
        self.paddingIndex = paddingIndex
    }

    public func callAsFunction(ids: [Int32], shape: [Int]) -> Tensor {
        Tensor.embedding(loraA.transposed(), ids: ids, shape: shape, paddingIndex: paddingIndex).linear(loraB) * scaling
    }

    /// PEFT's names relative to the module.
    public var adapterTensors: [(String, Tensor)] { [("lora_embedding_A", loraA), ("lora_embedding_B", loraB)] }

    /// scaling · (B·A)ᵀ [V, C], outside any graph.
    public func delta() -> Tensor { withoutGrad { loraB.matmul(loraA).transposed() * scaling } }
}
