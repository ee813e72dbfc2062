// DecoderModel — the decoder of every runnable model family (Llama, Mistral, SmolLM2, Qwen2, Qwen3,
// Gemma 3) built from one ModelConfig: token embedding (× √C for Gemma) → L × DecoderBlock → RMSNorm
// → head (tied to the embedding, or separate).
//
// Two forward paths: `logits(ids:…)` for training — whole sequences with autograd, optionally
// checkpointing every block (only block inputs are kept; each block's forward is recomputed during
// backward); and the same call with a KVCache for inference — the prompt once, then one token at a
// time. Parameter names are transformers' (`model.layers.0.self_attn.q_proj.weight`), so weights
// from an HF checkpoint or a GGUF file (mapped in FrugalIO) load by name.
import FrugalCore
import FrugalSpec

public final class DecoderModel {
    public let config: ModelConfig
    public let embedding: Tensor          // [V, C]
    public let blocks: [DecoderBlock]
    public let finalNorm: Tensor          // [C]
    public let lmHead: Tensor?            // [V, C], nil when tied
    /// The head `nextTokenLogits` uses when set (an 8-bit copy for decoding: quantizeHeadForDecoding).
    public var decodingHead: (any LinearLayer)? = nil
    /// A trainable addition to the token embeddings (an adapter's embedding branch, e.g. PEFT's
    /// lora_embedding_A/B), added after the family's embedding scale, as PEFT adds it to the
    /// wrapped embedding module's output.
    public var embeddingBranch: (any EmbeddingBranch)? = nil
    /// The head as a layer when an adapter wraps it (LoRA on lm_head); nil: the plain (tied) head.
    /// With it, logits are made whole and the loss is the unfused cross-entropy.
    public var headLayer: (any LinearLayer)? = nil

    public init(config: ModelConfig, embedding: Tensor, blocks: [DecoderBlock], finalNorm: Tensor, lmHead: Tensor?) {
        self.config = config
        self.embedding = embedding
        self.blocks = blocks
        self.finalNorm = finalNorm
        self.lmHead = lmHead
    }

    /// A freshly initialized model (normal(0, 0.02) weights, unit norms; transformers'
    /// `initializer_range` default), for training from scratch.
    /// Built from the parameter inventory: matrices normal(0, std), biases zero, norms one (their
    /// effective weight, whatever the family's offset).
    public convenience init(randomlyInitialized config: ModelConfig, rng: RandomGenerator, std: Float = 0.02) {
        try! self.init(config: config, source: "random initialization") { name in
            let entry = config.parameterInventory.first { $0.name == name }!
            let value: Float? = entry.component == .norm ? 1 - config.family.block.normWeightOffset : entry.isBias ? 0 : nil
            return (entry.shape, { dst in
                if let value { dst.initialize(repeating: value) } else { for i in dst.indices { dst[i] = std * rng.normal() } }
            })
        }
        for (_, t) in namedTensors { t.requiresGrad = true }
    }

    /// Final hidden states [B, T, C] for token ids [B·T]. `positions` [B·T] are transformers'
    /// position_ids, for packed rows: each example restarts at 0, takes its RoPE angles from there
    /// and attends only to itself (default: 0..<T in every row, after the cache). `rng` is the
    /// generator of the dropouts inside the blocks (LoRA): checkpointing saves and restores its
    /// state so a block's recomputation replays the same masks.
    public func hiddenStates(ids: [Int32], batch: Int, positions: [Int]? = nil, checkpointing: Bool = false,
                             cache: KVCache? = nil, rng: RandomGenerator? = nil) -> Tensor {
        precondition(batch > 0 && ids.count % batch == 0, "DecoderModel: \(ids.count) ids do not split into batch \(batch)")
        precondition(positions == nil || positions!.count == ids.count,
                     "DecoderModel: \(positions?.count ?? 0) positions for \(ids.count) ids")
        let t = ids.count / batch
        let start = cache?.length ?? 0
        let positions = positions ?? Array(start..<(start + t))
        var h = Tensor.embedding(embedding, ids: ids, shape: [batch, t], paddingIndex: config.padTokenId)
        if config.family.block.scalesEmbedding { h = h * Float(Double(config.hiddenSize).squareRoot()) }
        if let embeddingBranch { h = h + embeddingBranch(ids: ids, shape: [batch, t]) }
        for (i, block) in blocks.enumerated() {
            if checkpointing && cache == nil {
                h = Tensor.checkpoint([h], rng: rng) { block($0[0], positions: positions) }
            } else {
                h = block(h, positions: positions, cache: cache?.layers[i])
            }
        }
        return h.rmsNorm(weight: finalNorm, eps: Float(config.normEps))
    }

    /// Logits [B, T, V] for token ids [B·T] (see `hiddenStates` for `rng`).
    public func logits(ids: [Int32], batch: Int, positions: [Int]? = nil, checkpointing: Bool = false,
                       cache: KVCache? = nil, rng: RandomGenerator? = nil) -> Tensor {
        head(hiddenStates(ids: ids, batch: batch, positions: positions, checkpointing: checkpointing, cache: cache, rng: rng))
    }

    /// Logits [..., V] of final hidden states [..., C]: the adapted head when there is one.
    public func head(_ h: Tensor) -> Tensor { headLayer.map { $0(h) } ?? h.linear(lmHead ?? embedding) }

    /// Summed (or mean) token cross-entropy of the next-token `targets` [B·T] (ignoreIndex to skip a
    /// position), through the fused head + loss (linearCrossEntropy): logits one chunk of rows at a
    /// time, no [B, T, V] gradient (with an adapted head, the whole logits and the plain loss).
    public func crossEntropy(ids: [Int32], batch: Int, targets: [Int32], ignoreIndex: Int32 = -100,
                             reduction: Tensor.Reduction = .mean, positions: [Int]? = nil, checkpointing: Bool = false,
                             rng: RandomGenerator? = nil) -> Tensor {
        let h = hiddenStates(ids: ids, batch: batch, positions: positions, checkpointing: checkpointing, rng: rng)
        if let headLayer { return headLayer(h).crossEntropy(targets: targets, ignoreIndex: ignoreIndex, reduction: reduction) }
        return h.linearCrossEntropy(weight: lmHead ?? embedding, targets: targets, ignoreIndex: ignoreIndex, reduction: reduction)
    }

    /// Every tensor under its transformers name, in a stable order.
    public var namedTensors: [(String, Tensor)] {
        let f = config.family
        var r: [(String, Tensor)] = [(f.hfName(.embedding, layer: nil)!, embedding)]
        for (i, b) in blocks.enumerated() { r += b.namedTensors.map { ("model.layers.\(i).\($0.0)", $0.1) } }
        r.append((f.hfName(.finalNorm, layer: nil)!, finalNorm))
        if let lmHead { r.append((f.hfName(.head, layer: nil)!, lmHead)) }
        return r
    }

    /// Tensors that receive gradients.
    public var trainableTensors: [(String, Tensor)] { namedTensors.filter { $0.1.requiresGrad } }

    /// Number of parameters (each tied tensor counted once).
    public var parameterCount: Int { namedTensors.reduce(0) { $0 + $1.1.count } }
}
