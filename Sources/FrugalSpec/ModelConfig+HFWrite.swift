// ModelConfig → an HF config.json (the inverse of ModelConfig+HFConfig), so a model Frugal writes
// (merged, fully fine-tuned, quantized) loads with transformers' AutoModelForCausalLM.
// Writes the keys transformers 5 reads for Llama/Mistral/Qwen2 (rope_theta at the top level, which
// transformers still accepts). GPT-2 is refused: Frugal does not write GPT-2 checkpoints.
import Foundation

extension ModelConfig {
    public func hfConfigObject(torchDtype: String = "float32") throws -> [String: Any] {
        let (arch, type): (String, String)
        switch architecture {
        case .llama: (arch, type) = ("LlamaForCausalLM", "llama")
        case .mistral: (arch, type) = ("MistralForCausalLM", "mistral")
        case .qwen2: (arch, type) = ("Qwen2ForCausalLM", "qwen2")
        case .gpt2: throw ModelConfigError.unsupportedModelType(source: "config.json writer", modelType: "gpt2")
        }
        var o: [String: Any] = [
            "architectures": [arch], "model_type": type, "vocab_size": vocabSize, "hidden_size": hiddenSize,
            "intermediate_size": intermediateSize, "num_hidden_layers": numLayers, "num_attention_heads": numHeads,
            "num_key_value_heads": numKVHeads, "head_dim": headDim, "max_position_embeddings": maxPositionEmbeddings,
            "rope_theta": ropeTheta, "rms_norm_eps": normEps, "tie_word_embeddings": tieWordEmbeddings,
            "hidden_act": "silu", "torch_dtype": torchDtype, "initializer_range": 0.02, "use_cache": true,
        ]
        if architecture == .llama { o["attention_bias"] = attentionBias; o["mlp_bias"] = mlpBias }
        if architecture == .mistral { o["sliding_window"] = NSNull() }
        if architecture == .qwen2 { o["use_sliding_window"] = false }
        if let b = bosTokenId { o["bos_token_id"] = b }
        if let e = eosTokenId { o["eos_token_id"] = e }
        return o
    }

    public func hfConfigJSON(torchDtype: String = "float32") throws -> Data {
        try JSONSerialization.data(withJSONObject: hfConfigObject(torchDtype: torchDtype),
                                   options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
