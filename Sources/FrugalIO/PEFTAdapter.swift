// PEFTAdapter — LoRA adapters in Hugging Face PEFT's on-disk form, so an adapter Frugal trains loads
// with `PeftModel.from_pretrained(base, DIR)` and one PEFT trained loads in Frugal:
//   adapter_config.json          json.dumps(indent=2, sort_keys=True) of the LoraConfig
//   adapter_model.safetensors    F32 tensors `base_model.model.<module>.lora_A.weight` [r, in] and
//                                `…lora_B.weight` [out, r], metadata {"format": "pt"}
// (PEFT tuners/lora/config.py, utils/save_and_load.py). Written atomically: both files go into a
// temporary folder that is renamed into place.
// Leaves out: DoRA magnitudes, modules_to_save, rank/alpha patterns (refused on read).
import Foundation

public struct PEFTLoraConfig: Equatable, Sendable {
    public var r: Int
    public var loraAlpha: Double
    public var loraDropout: Double
    public var targetModules: [String]
    public var useRslora: Bool
    public var baseModelNameOrPath: String?

    public init(r: Int, loraAlpha: Double, loraDropout: Double = 0, targetModules: [String], useRslora: Bool = false,
                baseModelNameOrPath: String? = nil) {
        self.r = r; self.loraAlpha = loraAlpha; self.loraDropout = loraDropout
        self.targetModules = targetModules; self.useRslora = useRslora; self.baseModelNameOrPath = baseModelNameOrPath
    }

    /// alpha / r, or alpha / √r with rsLoRA (PEFT update_layer).
    public var scaling: Double { useRslora ? loraAlpha / Double(r).squareRoot() : loraAlpha / Double(r) }

    /// The JSON PEFT writes: every key of LoraConfig we set, sorted, two-space indent.
    public func jsonData() -> Data {
        func num(_ x: Double) -> Any { x == x.rounded() && abs(x) < 1e15 ? Int(x) as Any : x as Any }
        let object: [String: Any] = [
            "alpha_pattern": [String: Any](), "auto_mapping": NSNull(),
            "base_model_name_or_path": baseModelNameOrPath.map { $0 as Any } ?? NSNull(),
            "bias": "none", "exclude_modules": NSNull(), "fan_in_fan_out": false, "inference_mode": true,
            "init_lora_weights": true, "layer_replication": NSNull(), "layers_pattern": NSNull(),
            "layers_to_transform": NSNull(), "lora_alpha": num(loraAlpha), "lora_bias": false,
            "lora_dropout": loraDropout, "modules_to_save": NSNull(), "peft_type": "LORA", "r": r,
            "rank_pattern": [String: Any](), "revision": NSNull(), "target_modules": targetModules,
            "task_type": "CAUSAL_LM", "use_dora": false, "use_rslora": useRslora,
        ]
        return try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// Parses adapter_config.json; refuses what Frugal cannot apply, by key.
    public init(json data: Data, source: String) throws {
        guard let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw PEFTAdapterError.badConfig(source, "not a JSON object")
        }
        guard (o["peft_type"] as? String) == "LORA" else {
            throw PEFTAdapterError.badConfig(source, "peft_type is \(o["peft_type"] ?? "missing"), only LORA adapters are supported")
        }
        guard let r = o["r"] as? Int, r > 0 else { throw PEFTAdapterError.badConfig(source, "\"r\" must be a positive integer") }
        guard let alpha = (o["lora_alpha"] as? NSNumber)?.doubleValue else { throw PEFTAdapterError.badConfig(source, "\"lora_alpha\" is missing") }
        for key in ["use_dora"] where (o[key] as? Bool) == true {
            throw PEFTAdapterError.unsupported(source, "\(key) = true")
        }
        for key in ["rank_pattern", "alpha_pattern"] {
            if let d = o[key] as? [String: Any], !d.isEmpty { throw PEFTAdapterError.unsupported(source, "a non-empty \(key)") }
        }
        if let m = o["modules_to_save"] as? [Any], !m.isEmpty { throw PEFTAdapterError.unsupported(source, "modules_to_save") }
        if let b = o["bias"] as? String, b != "none" { throw PEFTAdapterError.unsupported(source, "bias = \"\(b)\"") }
        if (o["fan_in_fan_out"] as? Bool) == true { throw PEFTAdapterError.unsupported(source, "fan_in_fan_out = true") }
        let targets: [String]
        if let list = o["target_modules"] as? [String] { targets = list.sorted() }
        else if let s = o["target_modules"] as? String { targets = [s] }
        else { throw PEFTAdapterError.badConfig(source, "\"target_modules\" is missing") }
        self.init(r: r, loraAlpha: alpha, loraDropout: (o["lora_dropout"] as? NSNumber)?.doubleValue ?? 0,
                  targetModules: targets, useRslora: (o["use_rslora"] as? Bool) ?? false,
                  baseModelNameOrPath: o["base_model_name_or_path"] as? String)
    }
}

public enum PEFTAdapterError: Error, CustomStringConvertible {
    case badConfig(String, String)
    case unsupported(String, String)
    case missingFile(String)
    case badTensor(String, String)

    public var description: String {
        switch self {
        case let .badConfig(s, why): return "\(s): \(why)"
        case let .unsupported(s, what): return "\(s): the adapter uses \(what), which Frugal does not apply; retrain without it"
        case let .missingFile(p): return "\(p) is missing: a PEFT adapter folder holds adapter_config.json and adapter_model.safetensors"
        case let .badTensor(s, why): return "\(s): \(why)"
        }
    }
}

/// One LoRA pair for the module at `module` (an HF module path such as
/// "model.layers.0.self_attn.q_proj"): A [r, in], B [out, r], row-major Float32.
public struct LoRAPair: Equatable, Sendable {
    public var module: String
    public var a: [Float], aShape: [Int]
    public var b: [Float], bShape: [Int]
    public init(module: String, a: [Float], aShape: [Int], b: [Float], bShape: [Int]) {
        self.module = module; self.a = a; self.aShape = aShape; self.b = b; self.bShape = bShape
    }
}

public enum PEFTAdapter {
    static let prefix = "base_model.model."

    /// Writes adapter_config.json and adapter_model.safetensors into `directory` (created; replaced
    /// atomically if it exists as an adapter folder).
    public static func write(config: PEFTLoraConfig, pairs: [LoRAPair], to directory: String) throws {
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: directory)
        let tmp = dir.deletingLastPathComponent().appendingPathComponent(".\(dir.lastPathComponent).tmp-\(getpid())")
        try? fm.removeItem(at: tmp)
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        var tensors: [SafetensorsTensor] = []
        for p in pairs {
            tensors.append(SafetensorsTensor(name: "\(prefix)\(p.module).lora_A.weight", shape: p.aShape, float32: p.a))
            tensors.append(SafetensorsTensor(name: "\(prefix)\(p.module).lora_B.weight", shape: p.bShape, float32: p.b))
        }
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: tmp.appendingPathComponent("adapter_model.safetensors").path)
        try config.jsonData().write(to: tmp.appendingPathComponent("adapter_config.json"))
        if fm.fileExists(atPath: dir.path) { try fm.removeItem(at: dir) }
        try fm.moveItem(at: tmp, to: dir)
    }

    /// Reads an adapter folder: its config and LoRA pairs by module, in file order.
    public static func read(_ directory: String) throws -> (PEFTLoraConfig, [LoRAPair]) {
        let dir = URL(fileURLWithPath: directory)
        let cfgURL = dir.appendingPathComponent("adapter_config.json")
        let stURL = dir.appendingPathComponent("adapter_model.safetensors")
        guard let data = FileManager.default.contents(atPath: cfgURL.path) else { throw PEFTAdapterError.missingFile(cfgURL.path) }
        guard FileManager.default.fileExists(atPath: stURL.path) else { throw PEFTAdapterError.missingFile(stURL.path) }
        let config = try PEFTLoraConfig(json: data, source: cfgURL.path)
        let file = try SafetensorsFile(path: stURL.path)
        var modules: [String] = []
        var a: [String: ([Int], [Float])] = [:], b: [String: ([Int], [Float])] = [:]
        for t in file.tensors {
            var name = t.name
            guard name.hasPrefix(prefix) else { throw PEFTAdapterError.badTensor(stURL.path, "tensor '\(t.name)' does not start with \(prefix)") }
            name.removeFirst(prefix.count)
            let loaded = try file.loadFloat32(t.name)
            if name.hasSuffix(".lora_A.weight") {
                let m = String(name.dropLast(".lora_A.weight".count))
                if a[m] == nil && b[m] == nil { modules.append(m) }
                a[m] = (loaded.shape, loaded.data)
            } else if name.hasSuffix(".lora_B.weight") {
                let m = String(name.dropLast(".lora_B.weight".count))
                if a[m] == nil && b[m] == nil { modules.append(m) }
                b[m] = (loaded.shape, loaded.data)
            } else {
                throw PEFTAdapterError.unsupported(stURL.path, "tensor '\(t.name)' (only lora_A/lora_B weights are applied)")
            }
        }
        let pairs = try modules.map { m -> LoRAPair in
            guard let (sa, da) = a[m], let (sb, db) = b[m] else {
                throw PEFTAdapterError.badTensor(stURL.path, "module \(m) has only one of lora_A / lora_B")
            }
            guard sa.count == 2, sb.count == 2, sa[0] == config.r, sb[1] == config.r else {
                throw PEFTAdapterError.badTensor(stURL.path, "module \(m): lora_A \(sa) and lora_B \(sb) do not have rank r = \(config.r)")
            }
            return LoRAPair(module: m, a: da, aShape: sa, b: db, bShape: sb)
        }
        return (config, pairs)
    }
}
