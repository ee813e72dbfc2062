// ModelConfig — the one description of a decoder-only transformer that every part of Frugal reads:
// the estimator, the model builder, the adapter writer. It is read from an HF config.json
// (FrugalSpec) or from GGUF metadata (FrugalIO), or taken from a preset.
//
// Dimension letters used across the project: B batch, T tokens, C hidden (channels),
// H query heads, K key/value heads, D head size, F MLP intermediate, V vocabulary, L layers.
//
// Leaves out: encoder-decoder models, MoE, sliding-window attention, RoPE scaling. A config that
// asks for one of those is refused by name where it is parsed, never silently run.
public struct ModelConfig: Codable, Equatable, Hashable, Sendable {
    /// Architecture family. Llama, Mistral and Qwen2 share one block (RMSNorm, RoPE, GQA, SwiGLU);
    /// GPT-2 (LayerNorm, learned positions, GELU MLP, biases) is known to the estimator only.
    public enum Architecture: String, Codable, Sendable, CaseIterable {
        case llama, mistral, qwen2, gpt2
    }

    public var architecture: Architecture
    public var vocabSize: Int            // V
    public var hiddenSize: Int           // C
    public var intermediateSize: Int     // F
    public var numLayers: Int            // L
    public var numHeads: Int             // H
    public var numKVHeads: Int           // K (== H without grouped-query attention)
    public var headDim: Int              // D (usually C / H)
    public var maxPositionEmbeddings: Int
    public var ropeTheta: Double
    public var normEps: Double           // rms_norm_eps (LayerNorm eps for GPT-2)
    public var tieWordEmbeddings: Bool
    public var attentionBias: Bool       // q/k/v (and for GPT-2 all) projections carry a bias (Qwen2: q,k,v only)
    public var bosTokenId: Int?
    public var eosTokenId: Int?

    public init(architecture: Architecture, vocabSize: Int, hiddenSize: Int, intermediateSize: Int,
                numLayers: Int, numHeads: Int, numKVHeads: Int? = nil, headDim: Int? = nil,
                maxPositionEmbeddings: Int = 2048, ropeTheta: Double = 10_000, normEps: Double = 1e-5,
                tieWordEmbeddings: Bool = false, attentionBias: Bool = false,
                bosTokenId: Int? = nil, eosTokenId: Int? = nil) {
        self.architecture = architecture
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numLayers = numLayers
        self.numHeads = numHeads
        self.numKVHeads = numKVHeads ?? numHeads
        self.headDim = headDim ?? (hiddenSize / max(numHeads, 1))
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.ropeTheta = ropeTheta
        self.normEps = normEps
        self.tieWordEmbeddings = tieWordEmbeddings
        self.attentionBias = attentionBias
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
    }
}
