// The Qwen families (transformers `Qwen2Config` / `Qwen3Config`; llama.cpp archs "qwen2", "qwen3"):
// Llama's block with q/k/v biases (Qwen2, Qwen2.5), or without biases and with an RMSNorm over
// each query and key head before RoPE (Qwen3: `q_norm`, `k_norm` [D]). llama.cpp stores both with
// NEOX-style RoPE, so their GGUF q/k rows are not permuted.
// Refused: `use_sliding_window: true` (sliding attention on the upper layers).
extension ModelFamily {
    public static let qwen2 = ModelFamily(
        architecture: .qwen2, displayName: "Qwen2 / Qwen2.5", hfModelTypes: ["qwen2"], hfClassName: "Qwen2ForCausalLM",
        ggufArchitecture: "qwen2", ggufPermutesQK: false, block: BlockLayout(),
        globalModules: decoderGlobals, layerModules: attentionModules + mlpModules + llamaNorms, runnable: true,
        readHF: { r in
            try refuseTrue(r, "use_sliding_window", "sliding-window attention on the upper layers is not implemented")
            var c = try decoderConfig(r, architecture: .qwen2, kvHeadsDefault: 32, positionsDefault: 32768,
                                      epsDefault: 1e-6, tiedDefault: false)
            c.attentionBias = true
            return c
        },
        writeHF: { _, o in o["use_sliding_window"] = false },
        readGGUF: { c, _, _ in c.attentionBias = true; c.attentionOutputBias = false },
        ggufExport: GGUFExport(architecture: "qwen2", writesHeadLength: false))

    public static let qwen3 = ModelFamily(
        architecture: .qwen3, displayName: "Qwen3", hfModelTypes: ["qwen3"], hfClassName: "Qwen3ForCausalLM",
        ggufArchitecture: "qwen3", ggufPermutesQK: false, block: BlockLayout(),
        globalModules: decoderGlobals, layerModules: attentionModules + headNormModules + mlpModules + llamaNorms,
        runnable: true,
        readHF: { r in
            try refuseTrue(r, "use_sliding_window", "sliding-window attention on the upper layers is not implemented")
            var c = try decoderConfig(r, architecture: .qwen3, kvHeadsDefault: 32, headDimDefault: 128,
                                      positionsDefault: 32768, epsDefault: 1e-6, tiedDefault: false)
            c.attentionBias = try r.optionalBool("attention_bias") ?? false
            c.attentionOutputBias = c.attentionBias
            return c
        },
        writeHF: { c, o in o["use_sliding_window"] = false; o["attention_bias"] = c.attentionBias },
        readGGUF: { _, _, _ in }, ggufExport: GGUFExport(architecture: "qwen3"))
}
