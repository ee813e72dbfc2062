// The preset catalog: published configurations, copied from each model's config.json on the HF Hub
// (or, for GPT-3, from Brown et al. 2020, Table 2.1). Parameter totals in the comments are what
// transformers 5.23 instantiates (reference/param_counts.py); tests check them.
//
// Leaves out: GPT-3's alternating locally-banded sparse attention (same parameters, fewer
// attention FLOPs) and Mistral-7B-v0.1's 4096-token sliding window (same parameters; the
// estimator's attention terms assume full attention).
extension ModelPreset {
    public static let catalog: [ModelPreset] = [
        // 134,515,008
        ModelPreset(name: "SmolLM2-135M", aliases: ["smollm2-135m-instruct", "smollm2"],
                    source: "HuggingFaceTB/SmolLM2-135M", note: nil,
                    config: ModelConfig(architecture: .llama, vocabSize: 49152, hiddenSize: 576, intermediateSize: 1536,
                                        numLayers: 30, numHeads: 9, numKVHeads: 3, maxPositionEmbeddings: 8192,
                                        ropeTheta: 100_000, normEps: 1e-5, tieWordEmbeddings: true,
                                        bosTokenId: 0, eosTokenId: 0)),
        // 361,821,120
        ModelPreset(name: "SmolLM2-360M", aliases: ["smollm2-360m-instruct"],
                    source: "HuggingFaceTB/SmolLM2-360M", note: nil,
                    config: ModelConfig(architecture: .llama, vocabSize: 49152, hiddenSize: 960, intermediateSize: 2560,
                                        numLayers: 32, numHeads: 15, numKVHeads: 5, maxPositionEmbeddings: 8192,
                                        ropeTheta: 100_000, normEps: 1e-5, tieWordEmbeddings: true,
                                        bosTokenId: 0, eosTokenId: 0)),
        // 1,711,376,384
        ModelPreset(name: "SmolLM2-1.7B", aliases: ["smollm2-1.7b-instruct"],
                    source: "HuggingFaceTB/SmolLM2-1.7B", note: nil,
                    config: ModelConfig(architecture: .llama, vocabSize: 49152, hiddenSize: 2048, intermediateSize: 8192,
                                        numLayers: 24, numHeads: 32, numKVHeads: 32, maxPositionEmbeddings: 8192,
                                        ropeTheta: 130_000, normEps: 1e-5, tieWordEmbeddings: true,
                                        bosTokenId: 0, eosTokenId: 0)),
        // 6,738,415,616
        ModelPreset(name: "Llama-2-7B", aliases: ["llama2-7b", "meta-llama/Llama-2-7b-hf"],
                    source: "meta-llama/Llama-2-7b-hf", note: nil,
                    config: ModelConfig(architecture: .llama, vocabSize: 32000, hiddenSize: 4096, intermediateSize: 11008,
                                        numLayers: 32, numHeads: 32, numKVHeads: 32, maxPositionEmbeddings: 4096,
                                        ropeTheta: 10_000, normEps: 1e-5, bosTokenId: 1, eosTokenId: 2)),
        // 13,015,864,320
        ModelPreset(name: "Llama-2-13B", aliases: ["llama2-13b", "meta-llama/Llama-2-13b-hf"],
                    source: "meta-llama/Llama-2-13b-hf", note: nil,
                    config: ModelConfig(architecture: .llama, vocabSize: 32000, hiddenSize: 5120, intermediateSize: 13824,
                                        numLayers: 40, numHeads: 40, numKVHeads: 40, maxPositionEmbeddings: 4096,
                                        ropeTheta: 10_000, normEps: 1e-5, bosTokenId: 1, eosTokenId: 2)),
        // 68,976,648,192
        ModelPreset(name: "Llama-2-70B", aliases: ["llama2-70b", "meta-llama/Llama-2-70b-hf"],
                    source: "meta-llama/Llama-2-70b-hf", note: nil,
                    config: ModelConfig(architecture: .llama, vocabSize: 32000, hiddenSize: 8192, intermediateSize: 28672,
                                        numLayers: 80, numHeads: 64, numKVHeads: 8, maxPositionEmbeddings: 4096,
                                        ropeTheta: 10_000, normEps: 1e-5, bosTokenId: 1, eosTokenId: 2)),
        // 65,285,660,672 — the QLoRA paper's 65B model (LLaMA 1)
        ModelPreset(name: "LLaMA-65B", aliases: ["llama1-65b", "huggyllama/llama-65b"],
                    source: "huggyllama/llama-65b (Touvron et al. 2023, Table 2)", note: nil,
                    config: ModelConfig(architecture: .llama, vocabSize: 32000, hiddenSize: 8192, intermediateSize: 22016,
                                        numLayers: 80, numHeads: 64, numKVHeads: 64, maxPositionEmbeddings: 2048,
                                        ropeTheta: 10_000, normEps: 1e-6, bosTokenId: 1, eosTokenId: 2)),
        // 8,030,261,248
        ModelPreset(name: "Llama-3-8B", aliases: ["llama3-8b", "meta-llama/Meta-Llama-3-8B"],
                    source: "meta-llama/Meta-Llama-3-8B", note: nil,
                    config: ModelConfig(architecture: .llama, vocabSize: 128256, hiddenSize: 4096, intermediateSize: 14336,
                                        numLayers: 32, numHeads: 32, numKVHeads: 8, maxPositionEmbeddings: 8192,
                                        ropeTheta: 500_000, normEps: 1e-5, bosTokenId: 128000, eosTokenId: 128001)),
        // 70,553,706,496
        ModelPreset(name: "Llama-3-70B", aliases: ["llama3-70b", "meta-llama/Meta-Llama-3-70B"],
                    source: "meta-llama/Meta-Llama-3-70B", note: nil,
                    config: ModelConfig(architecture: .llama, vocabSize: 128256, hiddenSize: 8192, intermediateSize: 28672,
                                        numLayers: 80, numHeads: 64, numKVHeads: 8, maxPositionEmbeddings: 8192,
                                        ropeTheta: 500_000, normEps: 1e-5, bosTokenId: 128000, eosTokenId: 128001)),
        // 7,241,732,096
        ModelPreset(name: "Mistral-7B", aliases: ["mistral-7b-v0.1", "mistralai/Mistral-7B-v0.1"],
                    source: "mistralai/Mistral-7B-v0.1",
                    note: "its 4096-token sliding window is not modelled (attention terms assume full attention)",
                    config: ModelConfig(architecture: .mistral, vocabSize: 32000, hiddenSize: 4096, intermediateSize: 14336,
                                        numLayers: 32, numHeads: 32, numKVHeads: 8, maxPositionEmbeddings: 32768,
                                        ropeTheta: 10_000, normEps: 1e-5, bosTokenId: 1, eosTokenId: 2)),
        // 494,032,768
        ModelPreset(name: "Qwen2.5-0.5B", aliases: ["qwen2.5-0.5b-instruct", "Qwen/Qwen2.5-0.5B"],
                    source: "Qwen/Qwen2.5-0.5B", note: nil,
                    config: ModelConfig(architecture: .qwen2, vocabSize: 151936, hiddenSize: 896, intermediateSize: 4864,
                                        numLayers: 24, numHeads: 14, numKVHeads: 2, maxPositionEmbeddings: 32768,
                                        ropeTheta: 1_000_000, normEps: 1e-6, tieWordEmbeddings: true,
                                        attentionBias: true, bosTokenId: 151643, eosTokenId: 151643)),
        // 7,615,616,512
        ModelPreset(name: "Qwen2.5-7B", aliases: ["qwen2.5-7b-instruct", "Qwen/Qwen2.5-7B"],
                    source: "Qwen/Qwen2.5-7B", note: nil,
                    config: ModelConfig(architecture: .qwen2, vocabSize: 152064, hiddenSize: 3584, intermediateSize: 18944,
                                        numLayers: 28, numHeads: 28, numKVHeads: 4, maxPositionEmbeddings: 131072,
                                        ropeTheta: 1_000_000, normEps: 1e-6, tieWordEmbeddings: false,
                                        attentionBias: true, bosTokenId: 151643, eosTokenId: 151643)),
        // 124,439,808
        ModelPreset(name: "GPT-2", aliases: ["gpt2", "gpt2-124m", "openai-community/gpt2"],
                    source: "openai-community/gpt2", note: nil,
                    config: ModelConfig(architecture: .gpt2, vocabSize: 50257, hiddenSize: 768, intermediateSize: 3072,
                                        numLayers: 12, numHeads: 12, maxPositionEmbeddings: 1024, normEps: 1e-5,
                                        tieWordEmbeddings: true, attentionBias: true, bosTokenId: 50256, eosTokenId: 50256)),
        // 1,557,611,200
        ModelPreset(name: "GPT-2-XL", aliases: ["gpt2-xl", "gpt2-1.5b", "openai-community/gpt2-xl"],
                    source: "openai-community/gpt2-xl", note: nil,
                    config: ModelConfig(architecture: .gpt2, vocabSize: 50257, hiddenSize: 1600, intermediateSize: 6400,
                                        numLayers: 48, numHeads: 25, maxPositionEmbeddings: 1024, normEps: 1e-5,
                                        tieWordEmbeddings: true, attentionBias: true, bosTokenId: 50256, eosTokenId: 50256)),
        // 174,604,259,328
        ModelPreset(name: "GPT-3-175B", aliases: ["gpt3", "gpt-3", "davinci"],
                    source: "Brown et al. 2020, Table 2.1 (GPT-2 block, n_ctx 2048)",
                    note: "GPT-3 alternates dense and locally banded sparse attention; modelled as dense",
                    config: ModelConfig(architecture: .gpt2, vocabSize: 50257, hiddenSize: 12288, intermediateSize: 49152,
                                        numLayers: 96, numHeads: 96, maxPositionEmbeddings: 2048, normEps: 1e-5,
                                        tieWordEmbeddings: true, attentionBias: true, bosTokenId: 50256, eosTokenId: 50256)),
    ]
}
