// PEFTAdapterConfig — PEFT's adapter_config.json for a LoRA adapter: written with the keys PEFT
// needs (peft `config.py`; `json.dumps(indent=2, sort_keys=True)`), read back into a LoRAConfig.
//
// Reading a foreign file: irrelevant keys are ignored, but any setting that changes the math and
// is not implemented here (LoRA biases, fan_in_fan_out, rank/alpha patterns, layer subsets,
// modules_to_save, regex targets, …) is refused by name. Leaves out: the adapter weights file
// (adapter_model.safetensors, FrugalIO) — `LoRAAdapter.attach(to:config:tensors:)` takes its tensors.
import Foundation
import FrugalCore
import FrugalModels

public enum PEFTAdapterConfig {
    public static let fileName = "adapter_config.json"

    /// adapter_config.json bytes for `config` (targets as PEFT module names, sorted).
    public static func json(for config: LoRAConfig, baseModel: String?) throws -> Data {
        let targets = try config.validated().map(\.rawValue).sorted()
        func number(_ x: Float) -> Any { x == x.rounded() && abs(x) < 1e9 ? Int(x) as Any : Double("\(x)")! as Any }
        let object: [String: Any] = [
            "alpha_pattern": [String: Any](), "base_model_name_or_path": baseModel ?? NSNull(), "bias": "none",
            "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true, "layers_pattern": NSNull(),
            "layers_to_transform": NSNull(), "lora_alpha": number(config.alpha), "lora_bias": false,
            "lora_dropout": number(config.dropout), "modules_to_save": NSNull(), "peft_type": "LORA", "r": config.rank,
            "rank_pattern": [String: Any](), "target_modules": targets, "task_type": "CAUSAL_LM",
            "use_dora": config.method == .dora,
            "use_rslora": config.useRSLoRA,
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The LoRAConfig an adapter_config.json describes.
    public static func loraConfig(from data: Data) throws -> LoRAConfig {
        guard data.count <= 1 << 20, let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LoRAError.malformedConfig(reason: "not a JSON object of at most 1 MiB")
        }
        func isNullOrEmpty(_ v: Any?) -> Bool {
            switch v {
            case nil, is NSNull: return true
            case let d as [String: Any]: return d.isEmpty
            case let a as [Any]: return a.isEmpty
            default: return false
            }
        }
        func describe(_ v: Any?) -> String { v.map { "\($0)" } ?? "null" }
        guard let type = o["peft_type"] as? String else { throw LoRAError.malformedConfig(reason: "peft_type is missing") }
        guard type == "LORA" else { throw LoRAError.unsupportedSetting(key: "peft_type", value: type) }
        for key in ["fan_in_fan_out", "lora_bias", "use_qalora"] {
            if let b = o[key] as? Bool, b { throw LoRAError.unsupportedSetting(key: key, value: "true") }
        }
        if let bias = o["bias"] as? String, bias != "none" { throw LoRAError.unsupportedSetting(key: "bias", value: bias) }
        for key in ["rank_pattern", "alpha_pattern", "layers_to_transform", "layers_pattern", "modules_to_save",
                    "layer_replication", "target_parameters", "exclude_modules", "trainable_token_indices",
                    "alora_invocation_tokens"] where !isNullOrEmpty(o[key]) {
            throw LoRAError.unsupportedSetting(key: key, value: describe(o[key]))
        }
        // r is checked as a Double first: a huge or fractional number must not reach Int(…).
        guard let rd = (o["r"] as? NSNumber)?.doubleValue else {
            throw LoRAError.malformedConfig(reason: "r is missing or not a number")
        }
        guard rd >= 1, rd <= Double(LoRAConfig.maxRank), rd == rd.rounded() else {
            throw LoRAError.invalidConfig(field: "r", value: "\(rd)", expected: "a whole number from 1 to \(LoRAConfig.maxRank)")
        }
        let r = Int(rd)
        let alpha = (o["lora_alpha"] as? NSNumber)?.floatValue ?? 8
        let dropout = (o["lora_dropout"] as? NSNumber)?.floatValue ?? 0
        let rslora = (o["use_rslora"] as? Bool) ?? false
        var targets: [String]
        switch o["target_modules"] {
        case let list as [String]: targets = list
        case let s as String where s == "all-linear": targets = [s]
        case let s as String: throw LoRAError.unsupportedSetting(key: "target_modules", value: "regex \"\(s)\"")
        case nil, is NSNull: targets = ["q_proj", "v_proj"]   // PEFT's default for Llama
        default: throw LoRAError.malformedConfig(reason: "target_modules is neither a list nor a string")
        }
        // PEFT also accepts a module path suffix such as "self_attn.q_proj".
        targets = targets.map { $0.split(separator: ".").last.map(String.init) ?? $0 }
        // target_modules is a set in PEFT (written in arbitrary order): keep block order.
        targets = try LoRATarget.resolve(targets).map(\.rawValue)
        let dora = (o["use_dora"] as? Bool) ?? false
        let config = LoRAConfig(rank: r, alpha: alpha, dropout: dropout, useRSLoRA: rslora, targets: targets,
                                method: dora ? .dora : .lora)
        _ = try config.validated()
        return config
    }
}

extension LoRAAdapter {
    /// Attaches an adapter with `config` whose tensors (A and B, DoRA's magnitudes) come from `tensors`, keyed by PEFT file names
    /// ("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight") or the model's names. Every
    /// expected tensor must be present with its shape, and nothing else. Tensors must be float32
    /// (FrugalIO converts 16-bit adapter files when it reads them).
    public static func attach(to model: DecoderModel, config: LoRAConfig, tensors: [String: Tensor]) throws -> LoRAAdapter {
        var byName: [String: Tensor] = [:]
        for (k, t) in tensors {
            let name = k.hasPrefix(peftPrefix) ? String(k.dropFirst(peftPrefix.count)) : k
            byName[name] = t
        }
        let adapter = try attach(to: model, config: config, seed: 0)
        do {
            let expected = adapter.namedTensors
            let known = Set(expected.map(\.0))
            if let extra = byName.keys.sorted().first(where: { !known.contains($0) }) { throw LoRAError.tensorUnexpected(peftPrefix + extra) }
            for (name, t) in expected {
                guard let src = byName[name] else { throw LoRAError.tensorMissing(peftPrefix + name) }
                guard src.shape == t.shape else { throw LoRAError.tensorShape(name: peftPrefix + name, expected: t.shape, found: src.shape) }
                t.data.update(from: src.data, count: t.count)
            }
        } catch {
            adapter.detach()
            throw error
        }
        return adapter
    }
}
