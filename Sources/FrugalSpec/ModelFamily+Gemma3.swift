// Gemma 3 text models (transformers `Gemma3TextConfig` / `Gemma3ForCausalLM`, model_type
// "gemma3_text"; llama.cpp arch "gemma3"), e.g. Gemma 3 270M and 1B:
//   - layers alternate sliding-window (local) and full (global) attention as `layer_types` says
//     (else every `sliding_window_pattern`-th layer, default 6, is global); local layers take RoPE
//     base `rope_local_base_freq` (10,000), global ones `rope_theta`;
//   - RMSNorm on queries and keys per head (q_norm, k_norm) before RoPE;
//   - norms before and after attention and MLP (input_layernorm, post_attention_layernorm,
//     pre_feedforward_layernorm, post_feedforward_layernorm), every RMSNorm scaling by (1 + w);
//   - a GELU-tanh gated MLP; embeddings multiplied by √C; scores scaled by 1/√query_pre_attn_scalar;
//     a tied head.
// GGUF (llama.cpp `llm_load_hparams`, LLM_ARCH_GEMMA3): the window from
// `gemma3.attention.sliding_window`, the pattern fixed at 6, local base `rope.freq_base_swa` (else
// 10,000), scores by 1/√D;
// norm weights are stored as 1 + w (convert_hf_to_gguf adds the 1), q/k rows unpermuted.
// Refused: logit soft-capping, RoPE scaling, bidirectional attention (EmbeddingGemma).
import Foundation

extension ModelFamily {
    public static let gemma3 = ModelFamily(
        architecture: .gemma3, displayName: "Gemma 3", hfModelTypes: ["gemma3_text"], hfClassName: "Gemma3ForCausalLM",
        ggufArchitecture: "gemma3", ggufPermutesQK: false,
        block: BlockLayout(normWeightOffset: 1, scalesEmbedding: true, slidingWindow: true),
        globalModules: decoderGlobals,
        layerModules: attentionModules + headNormModules + mlpModules + [
            ModuleName(.inputNorm, "input_layernorm", "attn_norm"),
            ModuleName(.postAttentionNorm, "post_attention_layernorm", "post_attention_norm"),
            ModuleName(.mlpNorm, "pre_feedforward_layernorm", "ffn_norm"),
            ModuleName(.postMLPNorm, "post_feedforward_layernorm", "post_ffw_norm"),
        ],
        runnable: true,
        readHF: { r in
            try refuseTrue(r, "use_bidirectional_attention", "only causal attention is implemented")
            for key in ["final_logit_softcapping", "attn_logit_softcapping"] where r.contains(key) && !r.isNull(key) {
                throw ModelConfigError.unsupportedFeature(source: r.source, key: key, value: r.shown(key),
                                                          reason: "logit soft-capping is not implemented")
            }
            var c = try decoderConfig(r, architecture: .gemma3, kvHeadsDefault: 4, headDimDefault: 256,
                                      positionsDefault: 131_072, epsDefault: 1e-6, tiedDefault: true,
                                      activationDefault: "gelu_pytorch_tanh", activationKey: "hidden_activation")
            let rope = try ModelConfig.gemmaRoPE(r)
            c.ropeTheta = rope.global
            c.localRopeTheta = rope.local
            c.attentionBias = try r.optionalBool("attention_bias") ?? false
            c.attentionOutputBias = c.attentionBias
            c.queryPreAttnScalar = try r.optionalDouble("query_pre_attn_scalar") ?? 256
            c.slidingWindow = try r.optionalInt("sliding_window") ?? 4096
            c.layerTypes = try ModelConfig.layerTypes(r, layers: c.numLayers,
                                                      pattern: try r.optionalInt("sliding_window_pattern") ?? 6)
            return c
        },
        writeHF: { c, o in
            o["hidden_activation"] = c.activation.hfName
            o["query_pre_attn_scalar"] = c.queryPreAttnScalar ?? Double(c.headDim)
            o["sliding_window"] = c.slidingWindow ?? 4096
            o["layer_types"] = (0..<c.numLayers).map { c.attention(layer: $0) == .sliding ? "sliding_attention" : "full_attention" }
            o["rope_local_base_freq"] = c.localRopeTheta ?? 10_000
            o["attention_bias"] = c.attentionBias
            o["final_logit_softcapping"] = NSNull(); o["attn_logit_softcapping"] = NSNull()
        },
        readGGUF: { c, g, a in
            guard let window = try g.optionalInt(a + "attention.sliding_window"), window > 0 else {
                throw ModelConfigError.missingKey(source: g.source, key: a + "attention.sliding_window")
            }
            let pattern = try g.optionalInt(a + "attention.sliding_window_pattern") ?? 6
            c.slidingWindow = window
            c.layerTypes = (0..<c.numLayers).map { pattern > 0 && $0 % pattern < pattern - 1 ? .sliding : .full }
            c.localRopeTheta = try g.optionalDouble(a + "rope.freq_base_swa") ?? 10_000
            c.queryPreAttnScalar = Double(c.headDim)
            c.activation = .geluTanh
            c.attentionBias = false; c.attentionOutputBias = false
        },
        // llama.cpp fixes the layer pattern at 6 and the scale at 1/√D; a config that differs
        // (query_pre_attn_scalar ≠ D, other layer types) is exported as the converter does, and
        // the export warns.
        ggufExport: GGUFExport(architecture: "gemma3") { c in
            [("rope.freq_base_swa", .float32(c.localRopeTheta ?? 10_000)),
             ("attention.sliding_window", .uint32(c.slidingWindow ?? 4096))]
        })
}

extension ModelConfig {
    /// Gemma 3's RoPE bases: transformers 5's `rope_parameters` per layer type, or the 4.x keys
    /// rope_theta / rope_local_base_freq / rope_scaling. Only default RoPE is accepted.
    static func gemmaRoPE(_ r: HFConfigReader) throws -> (global: Double, local: Double) {
        var global = 1_000_000.0
        var local = try r.optionalDouble("rope_local_base_freq") ?? 10_000
        if case .object(let p)? = r.keys["rope_parameters"], p["full_attention"] != nil || p["sliding_attention"] != nil {
            for (kind, value) in p {
                guard case .object(let o) = value else { continue }
                try refuseRoPEType(o, key: "rope_parameters.\(kind)", r)
                let theta: Double? = switch o["rope_theta"] {
                    case .int(let i)?: Double(i)
                    case .double(let d)?: d
                    default: nil
                }
                if let theta { if kind == "sliding_attention" { local = theta } else if kind == "full_attention" { global = theta } }
            }
        } else {
            global = try ropeParameters(r, allowLlama3: false, defaultTheta: 1_000_000).theta
        }
        return (global, local)
    }

    /// `layer_types` ("sliding_attention" / "full_attention"), or every `pattern`-th layer full.
    static func layerTypes(_ r: HFConfigReader, layers: Int, pattern: Int) throws -> [LayerAttention] {
        guard case .array(let a)? = r.keys["layer_types"] else {
            guard pattern > 0 else {
                throw ModelConfigError.invalid(source: r.source, field: "sliding_window_pattern", reason: "must be positive")
            }
            return (0..<layers).map { ($0 + 1) % pattern != 0 ? .sliding : .full }
        }
        guard a.count == layers else {
            throw ModelConfigError.invalid(source: r.source, field: "layer_types",
                                           reason: "\(a.count) entries for \(layers) layers")
        }
        return try a.map {
            switch $0 {
            case .string("sliding_attention"): return .sliding
            case .string("full_attention"): return .full
            default:
                throw ModelConfigError.unsupportedFeature(source: r.source, key: "layer_types", value: $0.shown,
                                                          reason: "layers are sliding_attention or full_attention")
            }
        }
    }
}
