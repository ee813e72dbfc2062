// The Llama family (transformers `LlamaConfig` / `LlamaForCausalLM`; llama.cpp arch "llama"):
// Llama 1/2/3/3.1/3.2, SmolLM2, and Mistral (`MistralConfig`, same block, no biases). Pre-norm
// RMSNorm, RoPE (Llama 3.1's "llama3" frequency scaling included), grouped-query attention,
// SwiGLU MLP; optional attention / MLP biases (Llama `attention_bias`, `mlp_bias`). llama.cpp's
// converter stores q/k rows permuted for interleaved RoPE.
// Refused: other RoPE scaling types; Mistral's `sliding_window` below max_position_embeddings.
import Foundation

extension ModelFamily {
    public static let llama = ModelFamily(
        architecture: .llama, displayName: "Llama", hfModelTypes: ["llama"], hfClassName: "LlamaForCausalLM",
        ggufArchitecture: "llama", ggufPermutesQK: true, block: BlockLayout(),
        globalModules: decoderGlobals, layerModules: attentionModules + mlpModules + llamaNorms, runnable: true,
        readHF: { r in
            var c = try decoderConfig(r, architecture: .llama, kvHeadsDefault: nil, positionsDefault: 2048,
                                      epsDefault: 1e-6, tiedDefault: false)
            c.ropeScaling = try ModelConfig.ropeParameters(r, allowLlama3: true).scaling
            c.attentionBias = try r.optionalBool("attention_bias") ?? false
            c.attentionOutputBias = c.attentionBias
            c.mlpBias = try r.optionalBool("mlp_bias") ?? false
            return c
        },
        writeHF: { c, o in
            o["attention_bias"] = c.attentionBias; o["mlp_bias"] = c.mlpBias
            if let s = c.ropeScaling {
                o["rope_scaling"] = ["rope_type": "llama3", "factor": s.factor, "low_freq_factor": s.lowFreqFactor,
                                     "high_freq_factor": s.highFreqFactor,
                                     "original_max_position_embeddings": s.originalMaxPositions] as [String: Any]
            }
        },
        readGGUF: { _, _, _ in }, ggufExport: .llama)

    public static let mistral = ModelFamily(
        architecture: .mistral, displayName: "Mistral", hfModelTypes: ["mistral"], hfClassName: "MistralForCausalLM",
        ggufArchitecture: nil, ggufPermutesQK: true, block: BlockLayout(),
        globalModules: decoderGlobals, layerModules: attentionModules + mlpModules + llamaNorms, runnable: true,
        readHF: { r in
            let c = try decoderConfig(r, architecture: .mistral, kvHeadsDefault: 8, positionsDefault: 4096 * 32,
                                      epsDefault: 1e-6, tiedDefault: false)
            if let window = try r.optionalInt("sliding_window"), window < c.maxPositionEmbeddings {
                throw ModelConfigError.unsupportedFeature(
                    source: r.source, key: "sliding_window", value: String(window),
                    reason: "Mistral's sliding window is not implemented (Gemma 3's is); set it to null only "
                        + "if you will never use contexts longer than \(window) tokens")
            }
            return c
        },
        writeHF: { _, o in o["sliding_window"] = NSNull() },
        readGGUF: { _, _, _ in }, ggufExport: .llama)
}
