// ModelConfig validation — the checks every consumer relies on before doing arithmetic with a
// config: positive dimensions, heads that divide the hidden size (unless head_dim is explicit),
// KV heads that divide the query heads (GQA groups), an even head size for RoPE, and the fixed
// bias layout of each architecture. Upper bounds keep every product in the estimator far from
// Int overflow and refuse corrupt files that claim absurd sizes.
//
// Leaves out: checks that need weights (shapes of actual tensors are FrugalIO's business).
extension ModelConfig {
    /// Largest accepted single dimension (vocab, hidden, intermediate, positions): 2^24.
    public static let maxDimension = 1 << 24
    /// Largest accepted layer / head count.
    public static let maxCount = 1 << 16

    /// Throws `ModelConfigError.invalid` naming the first offending field.
    public func validate(source: String = "config") throws {
        func bad(_ field: String, _ reason: String) -> ModelConfigError {
            .invalid(source: source, field: field, reason: reason)
        }
        let dims: [(String, Int, Int)] = [
            ("vocab_size", vocabSize, Self.maxDimension), ("hidden_size", hiddenSize, Self.maxDimension),
            ("intermediate_size", intermediateSize, Self.maxDimension),
            ("num_hidden_layers", numLayers, Self.maxCount), ("num_attention_heads", numHeads, Self.maxCount),
            ("num_key_value_heads", numKVHeads, Self.maxCount), ("head_dim", headDim, Self.maxDimension),
            ("max_position_embeddings", maxPositionEmbeddings, Self.maxDimension),
        ]
        for (name, value, limit) in dims {
            if value <= 0 { throw bad(name, "must be positive, got \(value)") }
            if value > limit { throw bad(name, "\(value) exceeds the supported maximum \(limit)") }
        }
        if hiddenSize % numHeads != 0 && headDim == hiddenSize / numHeads {
            throw bad("num_attention_heads", "\(numHeads) does not divide hidden_size \(hiddenSize); "
                      + "set head_dim explicitly if the model really uses uneven heads")
        }
        if numHeads % numKVHeads != 0 {
            throw bad("num_key_value_heads", "\(numKVHeads) does not divide num_attention_heads \(numHeads) "
                      + "(each KV head serves a whole group of query heads)")
        }
        if queryWidth > Self.maxDimension {
            throw bad("head_dim", "num_attention_heads × head_dim = \(queryWidth) exceeds \(Self.maxDimension)")
        }
        if positionKind == .rope && headDim % 2 != 0 {
            throw bad("head_dim", "RoPE rotates pairs, so head_dim must be even, got \(headDim)")
        }
        if !(ropeTheta > 0) || !ropeTheta.isFinite { throw bad("rope_theta", "must be a positive number") }
        if !(normEps > 0) || !normEps.isFinite { throw bad("rms_norm_eps", "must be a positive number") }
        switch architecture {
        case .gpt2:
            if queryWidth != hiddenSize { throw bad("n_head", "GPT-2 needs n_head × head size == n_embd") }
            if numKVHeads != numHeads { throw bad("num_key_value_heads", "GPT-2 has no grouped-query attention") }
            if !attentionBias || !attentionOutputBias || !mlpBias {
                throw bad("attentionBias", "GPT-2 always has biases on c_attn, c_proj and c_fc")
            }
        case .qwen2:
            if !attentionBias || attentionOutputBias || mlpBias {
                throw bad("attentionBias", "Qwen2 always has q/k/v biases and no o_proj or MLP biases "
                          + "(construct it with attentionBias: true)")
            }
        case .mistral:
            if attentionBias || attentionOutputBias || mlpBias {
                throw bad("attentionBias", "Mistral has no biases")
            }
        case .qwen3, .gemma3:
            if mlpBias || attentionOutputBias != attentionBias {
                throw bad("attentionBias", "\(family.displayName) has attention_bias on q, k, v and o alike and no MLP biases")
            }
        case .llama:
            break
        }
        if let w = slidingWindow, w <= 0 { throw bad("sliding_window", "must be positive, got \(w)") }
        if let types = layerTypes {
            if types.count != numLayers { throw bad("layer_types", "\(types.count) entries for \(numLayers) layers") }
            if types.contains(.sliding) && (slidingWindow == nil || !family.block.slidingWindow) {
                throw bad("layer_types", "sliding layers need sliding_window, and a family that implements them")
            }
        }
        if let t = localRopeTheta, !(t > 0) || !t.isFinite { throw bad("rope_local_base_freq", "must be a positive number") }
        if let s = queryPreAttnScalar, !(s > 0) || !s.isFinite { throw bad("query_pre_attn_scalar", "must be a positive number") }
        if let b = bosTokenId, b < 0 || b >= vocabSize { throw bad("bos_token_id", "\(b) is outside the vocabulary") }
        if let p = padTokenId, p < 0 || p >= vocabSize { throw bad("pad_token_id", "\(p) is outside the vocabulary") }
        if let e = eosTokenId, e < 0 || e >= vocabSize { throw bad("eos_token_id", "\(e) is outside the vocabulary") }
    }
}
