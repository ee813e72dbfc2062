// ModelConfig — the one description of a decoder-only transformer that every part of Frugal reads:
// the estimator, the model builder, the adapter writer. It is read from an HF config.json
// (FrugalSpec) or from GGUF metadata (FrugalIO), or taken from a preset.
//
// Dimension letters used across the project: B batch, T tokens, C hidden (channels),
// H query heads, K key/value heads, D head size, F MLP intermediate, V vocabulary, L layers.
//
// Architecture-specific structure (block layout, tensor names, how configs are read) belongs to
// the architecture's `ModelFamily` (ModelFamily.swift and one file per family), never stored twice.
// Validation lives in ModelConfig+Validation.swift, the HF config.json reader in
// ModelConfig+HFConfig.swift, published models in ModelPreset+Catalog.swift, parameter names and
// shapes in ParameterInventory.swift.
//
// Leaves out: encoder-decoder models, MoE, RoPE scaling other than Llama 3's. A config that asks for
// one of those is refused by name where it is parsed, never silently run.
public struct ModelConfig: Codable, Equatable, Hashable, Sendable {
    /// Architecture: the key of its `ModelFamily`. Llama, Mistral, Qwen2, Qwen3 and Gemma 3 run on
    /// the one decoder (FrugalModels); GPT-2 (LayerNorm, learned positions, Conv1D) is known to the
    /// estimator only.
    public enum Architecture: String, Codable, Sendable, CaseIterable {
        case llama, mistral, qwen2, qwen3, gemma3, gpt2
    }

    /// Attention of one layer: over every earlier token, or over the last `slidingWindow` tokens.
    public enum LayerAttention: String, Codable, Sendable { case full, sliding }

    /// Llama 3.1's RoPE frequency scaling (transformers `_compute_llama3_parameters`, rope_type
    /// "llama3"): low frequencies divided by `factor`, high ones kept, a smooth ramp between.
    public struct RoPEScaling: Codable, Equatable, Hashable, Sendable {
        public var factor: Double
        public var lowFreqFactor: Double
        public var highFreqFactor: Double
        public var originalMaxPositions: Int
        public init(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalMaxPositions: Int) {
            self.factor = factor; self.lowFreqFactor = lowFreqFactor
            self.highFreqFactor = highFreqFactor; self.originalMaxPositions = originalMaxPositions
        }
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
    public var attentionBias: Bool       // q/k/v projections carry a bias (Llama attention_bias; always for Qwen2 and GPT-2 c_attn)
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    // Added after the skeleton (defaults keep the original init source-compatible):
    public var activation: Activation    // MLP nonlinearity (hidden_act / activation_function)
    public var attentionOutputBias: Bool // o_proj (GPT-2 attn.c_proj) carries a bias
    public var mlpBias: Bool             // gate/up/down (GPT-2 c_fc, c_proj) carry biases
    // Added with the model families (optional, so configs saved before them still decode):
    public var ropeScaling: RoPEScaling?         // Llama 3.1 "llama3" frequency scaling of global layers
    public var slidingWindow: Int?               // W: a sliding layer's query sees its last W keys (itself included)
    public var layerTypes: [LayerAttention]?     // per layer; nil = every layer full attention
    public var localRopeTheta: Double?           // RoPE base of sliding layers (Gemma 3 rope_local_base_freq)
    public var queryPreAttnScalar: Double?       // attention scores scaled by 1/√scalar (Gemma 3); nil: 1/√D
    public var ropeFrequencyFactors: [Float]?    // [D/2] divisors of RoPE frequencies (GGUF rope_freqs: Llama 3.1's scaling)
    public var padTokenId: Int?                  // the embedding's padding_idx: its row gets no gradient (PyTorch)

    /// The family that describes this architecture's block, names and config keys.
    public var family: ModelFamily { ModelFamily.named(architecture) }
    /// Attention kind of layer `i`.
    public func attention(layer i: Int) -> LayerAttention {
        guard let types = layerTypes, i >= 0, i < types.count else { return .full }
        return types[i]
    }
    /// RoPE base of layer `i` (sliding layers may have their own).
    public func ropeTheta(layer i: Int) -> Double {
        attention(layer: i) == .sliding ? (localRopeTheta ?? ropeTheta) : ropeTheta
    }

    /// MLP nonlinearity. `silu` for the Llama family (SwiGLU: down(silu(gate(x)) * up(x))),
    /// `geluTanh` for GPT-2 (`gelu_new`), `gelu` exact erf GELU.
    public enum Activation: String, Codable, Sendable, CaseIterable {
        case silu, gelu, geluTanh
    }

    /// Normalisation layer: RMSNorm has a weight [C]; LayerNorm a weight and a bias [C].
    public enum NormKind: String, Codable, Sendable { case rmsNorm, layerNorm }
    /// Gated (SwiGLU: gate, up, down) or plain two-matrix MLP (GPT-2: c_fc, c_proj).
    public enum MLPKind: String, Codable, Sendable { case gated, plain }
    /// Rotary position embedding (no parameters) or a learned table wpe [P, C] (GPT-2).
    public enum PositionKind: String, Codable, Sendable { case rope, learned }

    public var normKind: NormKind { architecture == .gpt2 ? .layerNorm : .rmsNorm }
    public var mlpKind: MLPKind { architecture == .gpt2 ? .plain : .gated }
    public var positionKind: PositionKind { architecture == .gpt2 ? .learned : .rope }
    /// Query width H·D (equals C unless head_dim is set explicitly).
    public var queryWidth: Int { numHeads * headDim }
    /// Key/value width K·D.
    public var kvWidth: Int { numKVHeads * headDim }

    public init(architecture: Architecture, vocabSize: Int, hiddenSize: Int, intermediateSize: Int,
                numLayers: Int, numHeads: Int, numKVHeads: Int? = nil, headDim: Int? = nil,
                maxPositionEmbeddings: Int = 2048, ropeTheta: Double = 10_000, normEps: Double = 1e-5,
                tieWordEmbeddings: Bool = false, attentionBias: Bool = false,
                bosTokenId: Int? = nil, eosTokenId: Int? = nil,
                activation: Activation? = nil, attentionOutputBias: Bool? = nil, mlpBias: Bool? = nil) {
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
        // Per-architecture defaults follow transformers' modules: Llama's attention_bias covers
        // q,k,v and o; Qwen2 has q,k,v biases only; Mistral none; GPT-2 biases everywhere.
        self.activation = activation ?? (architecture == .gpt2 || architecture == .gemma3 ? .geluTanh : .silu)
        switch architecture {
        case .llama: self.attentionOutputBias = attentionOutputBias ?? attentionBias
        case .gpt2: self.attentionOutputBias = attentionOutputBias ?? true
        case .mistral, .qwen2, .qwen3, .gemma3: self.attentionOutputBias = attentionOutputBias ?? false
        }
        self.mlpBias = mlpBias ?? (architecture == .gpt2)
    }
}
