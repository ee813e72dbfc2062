// ParameterBreakdown — exact parameter counts of a ModelConfig by component, from closed forms
// (not by summing FrugalSpec's inventory, so the two derivations check each other in tests).
//
//   embedding  V·C                       (GPT-2 adds learned positions P·C)
//   attention  L·(C·H·D + 2·C·K·D + H·D·C) weights, plus biases: q,k,v (H·D + 2·K·D), o (C)
//   MLP        L·3·C·F (SwiGLU gate, up, down) or L·2·C·F (GPT-2 c_fc, c_proj), plus biases F + C
//   norms      (n·L + 1)·C for RMSNorm with n norms [C] per layer (2; Gemma 3's sandwich 4), plus
//              2·L·D for per-head q/k norms (Qwen3, Gemma 3); GPT-2's LayerNorm (2·L + 1)·2·C
//              (n and the q/k norms are counted from the family's module table)
//   head       V·C unless tied to the embedding
// A tied head is one tensor and counted once (in `embedding`), as `model.parameters()` counts it.
// `nonEmbedding` is Kaplan et al.'s N: everything except the token and position embeddings
// (an untied head is counted, as it is a real matmul). Leaves out: buffers (rotary tables).
import FrugalSpec

public struct ParameterBreakdown: Codable, Equatable, Sendable {
    public var embedding: Int
    public var positionEmbedding: Int
    public var attentionWeights: Int
    public var attentionBiases: Int
    public var mlpWeights: Int
    public var mlpBiases: Int
    public var norms: Int
    public var head: Int

    public var attention: Int { attentionWeights + attentionBiases }
    public var mlp: Int { mlpWeights + mlpBiases }
    public var total: Int { embedding + positionEmbedding + attention + mlp + norms + head }
    /// Kaplan's N: all parameters except token and position embeddings.
    public var nonEmbedding: Int { total - embedding - positionEmbedding }
    /// Weights of the linear layers inside the decoder blocks: what LoRA can target and
    /// bitsandbytes quantizes (the head and embeddings stay in 16-bit).
    public var blockLinearWeights: Int { attentionWeights + mlpWeights }

    public init(_ c: ModelConfig) {
        let C = c.hiddenSize, V = c.vocabSize, F = c.intermediateSize, L = c.numLayers
        let q = c.queryWidth, kv = c.kvWidth
        embedding = V * C
        positionEmbedding = c.positionKind == .learned ? c.maxPositionEmbeddings * C : 0
        attentionWeights = L * (C * q + 2 * C * kv + q * C)
        attentionBiases = L * ((c.attentionBias ? q + 2 * kv : 0) + (c.attentionOutputBias ? C : 0))
        let matrices = c.mlpKind == .gated ? 3 : 2
        mlpWeights = L * matrices * C * F
        mlpBiases = c.mlpBias ? L * ((matrices - 1) * F + C) : 0
        let roles = c.family.layerModules.map(\.role)
        let perLayer = c.architecture == .gpt2 ? 2 : roles.filter { $0.isNorm && $0 != .qNorm && $0 != .kNorm }.count
        let headNorms = roles.filter { $0 == .qNorm || $0 == .kNorm }.count
        let perNorm = c.normKind == .layerNorm ? 2 * C : C
        norms = (perLayer * L + 1) * perNorm + headNorms * L * c.headDim
        head = c.tieWordEmbeddings ? 0 : V * C
    }

    /// (label, count) rows in display order.
    public var rows: [(String, Int)] {
        var r: [(String, Int)] = [("token embedding", embedding)]
        if positionEmbedding > 0 { r.append(("position embedding", positionEmbedding)) }
        r.append(("attention weights", attentionWeights))
        if attentionBiases > 0 { r.append(("attention biases", attentionBiases)) }
        r.append(("MLP weights", mlpWeights))
        if mlpBiases > 0 { r.append(("MLP biases", mlpBiases)) }
        r.append(("norms", norms))
        r.append((head > 0 ? "LM head" : "LM head (tied to embedding)", head))
        return r
    }
}
