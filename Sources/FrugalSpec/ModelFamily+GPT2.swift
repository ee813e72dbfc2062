// GPT-2 (transformers `GPT2Config` / `GPT2LMHeadModel`): LayerNorm, learned positions, a plain GELU
// MLP, biases everywhere, Conv1D weights stored [in, out]. Known to the estimator only: the
// decoder does not run it and Frugal writes no GPT-2 checkpoints.
// Refused: `add_cross_attention`, `scale_attn_by_inverse_layer_idx`.
extension ModelFamily {
    public static let gpt2 = ModelFamily(
        architecture: .gpt2, displayName: "GPT-2 (estimates only)", hfModelTypes: ["gpt2"], hfClassName: "GPT2LMHeadModel",
        ggufArchitecture: nil, ggufPermutesQK: false, block: BlockLayout(),
        globalModules: [ModuleName(.embedding, "transformer.wte", "token_embd"),
                        ModuleName(.finalNorm, "transformer.ln_f", "output_norm")],
        layerModules: [], runnable: false,
        readHF: { r in
            for key in ["add_cross_attention", "scale_attn_by_inverse_layer_idx"] {
                try refuseTrue(r, key, "only the plain GPT-2 decoder block is implemented")
            }
            let hidden = try r.int("n_embd")
            let heads = try r.int("n_head")
            return ModelConfig(
                architecture: .gpt2, vocabSize: try r.int("vocab_size"), hiddenSize: hidden,
                intermediateSize: try r.optionalInt("n_inner") ?? 4 * hidden, numLayers: try r.int("n_layer"),
                numHeads: heads, numKVHeads: heads, headDim: nil,
                maxPositionEmbeddings: try r.optionalInt("n_positions") ?? 1024, ropeTheta: 10_000,
                normEps: try r.optionalDouble("layer_norm_epsilon") ?? 1e-5,
                tieWordEmbeddings: try r.optionalBool("tie_word_embeddings") ?? true, attentionBias: true,
                bosTokenId: try r.tokenId("bos_token_id"), eosTokenId: try r.tokenId("eos_token_id"),
                activation: try ModelConfig.activation(r, key: "activation_function", default: "gelu_new"),
                attentionOutputBias: true, mlpBias: true)
        },
        writeHF: { _, _ in }, readGGUF: { _, _, _ in })
}
