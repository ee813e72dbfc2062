// ModelConfig → an HF config.json (the inverse of ModelConfig+HFConfig), so a model Frugal writes
// (merged, fully fine-tuned, quantized) loads with transformers' AutoModelForCausalLM.
// Writes the keys transformers reads for every runnable family (the common decoder keys, then the
// family's own; rope_theta at the top level, which transformers 5 still accepts). GPT-2 is
// refused: Frugal does not write GPT-2 checkpoints.
import Foundation

extension ModelConfig {
    public func hfConfigObject(torchDtype: String = "float32") throws -> [String: Any] {
        let f = family
        guard f.runnable else { throw ModelConfigError.unsupportedModelType(source: "config.json writer", modelType: f.hfModelTypes[0]) }
        var o: [String: Any] = ["architectures": [f.hfClassName], "model_type": f.hfModelTypes[0],
                                "torch_dtype": torchDtype, "initializer_range": 0.02, "use_cache": true]
        ModelFamily.writeDecoderKeys(self, &o)
        f.writeHF(self, &o)
        if let b = bosTokenId { o["bos_token_id"] = b }
        if let e = eosTokenId { o["eos_token_id"] = e }
        return o
    }

    public func hfConfigJSON(torchDtype: String = "float32") throws -> Data {
        try JSONSerialization.data(withJSONObject: hfConfigObject(torchDtype: torchDtype),
                                   options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
