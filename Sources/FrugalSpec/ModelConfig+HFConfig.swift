// ModelConfig from an HF `config.json` — the one config.json parser. The `model_type` picks the
// family (ModelFamily registry), whose descriptor reads its keys with its transformers class
// defaults. Keys that do not change the computation (architectures, torch_dtype,
// initializer_range, use_cache, dropout rates, quantization_config, ...) are ignored; keys that
// change the math and are not implemented are refused by name (each family's file lists them);
// here: RoPE scaling other than Llama 3's "llama3", a hidden_act other than silu/swish, gelu,
// gelu_new/gelu_pytorch_tanh, and any model_type without a family.
// Leaves out: reading GGUF metadata (FrugalIO) and tokenizer files.
import Foundation

extension ModelConfig {
    /// Parses and validates an HF config.json. `source` names the file in error messages.
    public init(hfConfigJSON data: Data, source: String) throws {
        let root: [String: HFConfigJSON]
        do {
            guard case .object(let o) = try JSONDecoder().decode(HFConfigJSON.self, from: data) else {
                throw ModelConfigError.notJSON(source: source, detail: "the top level is not an object")
            }
            root = o
        } catch let e as ModelConfigError {
            throw e
        } catch {
            throw ModelConfigError.notJSON(source: source, detail: "\(error)")
        }
        let r = HFConfigReader(source: source, keys: root)
        guard case .string(let modelType)? = root["model_type"], let family = ModelFamily.forHFModelType(modelType) else {
            throw ModelConfigError.unsupportedModelType(source: source, modelType: root["model_type"].map {
                if case .string(let s) = $0 { return s } else { return $0.shown } })
        }
        self = try family.readHF(r)
        try validate(source: source)
    }

    /// Largest config.json read: 16 MiB.
    public static let maxConfigJSONBytes = 16 << 20

    /// Reads an HF config.json file; errors name the file.
    public init(hfConfigFile path: String) throws {
        // A config.json is a few KB; a huge one is refused before it is read.
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= Self.maxConfigJSONBytes else {
            throw ModelConfigError.notJSON(source: path, detail: "\(size) bytes is more than the \(Self.maxConfigJSONBytes >> 20) MiB a config.json may have")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ModelConfigError.notJSON(source: path, detail: "cannot be read (\(error.localizedDescription)); an HF model directory needs config.json")
        }
        try self.init(hfConfigJSON: data, source: path)
    }

    /// RoPE base and scaling from `rope_parameters` (transformers 5) or rope_theta / rope_scaling
    /// (4.x). Llama 3's "llama3" scaling is read where `allowLlama3`; any other type is refused.
    static func ropeParameters(_ r: HFConfigReader, allowLlama3: Bool,
                               defaultTheta: Double = 10_000) throws -> (theta: Double, scaling: RoPEScaling?) {
        var theta = try r.optionalDouble("rope_theta") ?? defaultTheta
        var scaling: RoPEScaling? = nil
        for key in ["rope_scaling", "rope_parameters"] {
            guard let value = r.keys[key], value != .null else { continue }
            guard case .object(let o) = value else {
                throw ModelConfigError.wrongType(source: r.source, key: key, expected: "an object or null")
            }
            var kind = "default"
            if case .string(let s)? = o["rope_type"] ?? o["type"] { kind = s }
            if kind == "llama3" && allowLlama3 {
                let sub = HFConfigReader(source: r.source + " \(key)", keys: o)
                scaling = RoPEScaling(factor: try sub.double("factor"), lowFreqFactor: try sub.double("low_freq_factor"),
                                      highFreqFactor: try sub.double("high_freq_factor"),
                                      originalMaxPositions: try sub.int("original_max_position_embeddings"))
                guard let s = scaling, s.factor > 0, s.lowFreqFactor > 0, s.highFreqFactor > s.lowFreqFactor,
                      s.originalMaxPositions > 0 else {
                    throw ModelConfigError.invalid(source: r.source, field: key,
                                                   reason: "llama3 scaling needs factor > 0 and high_freq_factor > low_freq_factor > 0")
                }
            } else {
                try refuseRoPEType(o, key: key, r)
            }
            switch o["rope_theta"] {
            case .int(let i)?: theta = Double(i)
            case .double(let d)?: theta = d
            default: break
            }
        }
        return (theta, scaling)
    }

    static func refuseRoPEType(_ o: [String: HFConfigJSON], key: String, _ r: HFConfigReader) throws {
        var kind = "default"
        if case .string(let s)? = o["rope_type"] ?? o["type"] { kind = s }
        if kind != "default" {
            throw ModelConfigError.unsupportedFeature(
                source: r.source, key: key, value: HFConfigJSON.object(o).shown,
                reason: "RoPE scaling changes the rotary frequencies; plain RoPE and Llama 3's \"llama3\" are implemented")
        }
    }

    static func activation(_ r: HFConfigReader, key: String, default fallback: String) throws -> Activation {
        let name = try r.optionalString(key) ?? fallback
        switch name {
        case "silu", "swish": return .silu
        case "gelu": return .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": return .geluTanh
        default:
            throw ModelConfigError.unsupportedFeature(source: r.source, key: key, value: "\"\(name)\"",
                                                      reason: "supported activations: silu, gelu, gelu_new, gelu_pytorch_tanh")
        }
    }
}

/// Typed access to the keys of one config.json, with errors that name the key.
public struct HFConfigReader: ConfigValues {
    public let source: String
    let keys: [String: HFConfigJSON]

    func isNull(_ key: String) -> Bool { keys[key] == .null }
    public func contains(_ key: String) -> Bool { keys[key] != nil }
    func shown(_ key: String) -> String { keys[key]?.shown ?? "absent" }
    func double(_ key: String) throws -> Double {
        guard let v = try optionalDouble(key) else { throw ModelConfigError.missingKey(source: source, key: key) }
        return v
    }

    func int(_ key: String) throws -> Int {
        guard let v = try optionalInt(key) else { throw ModelConfigError.missingKey(source: source, key: key) }
        return v
    }
    public func optionalInt(_ key: String) throws -> Int? {
        switch keys[key] {
        case nil, .null?: return nil
        case .int(let i)?: return i
        case .double(let d)? where d == d.rounded() && abs(d) < 1e15: return Int(d)
        default: throw ModelConfigError.wrongType(source: source, key: key, expected: "an integer")
        }
    }
    public func optionalDouble(_ key: String) throws -> Double? {
        switch keys[key] {
        case nil, .null?: return nil
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        default: throw ModelConfigError.wrongType(source: source, key: key, expected: "a number")
        }
    }
    public func optionalBool(_ key: String) throws -> Bool? {
        switch keys[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        default: throw ModelConfigError.wrongType(source: source, key: key, expected: "true or false")
        }
    }
    public func optionalString(_ key: String) throws -> String? {
        switch keys[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw ModelConfigError.wrongType(source: source, key: key, expected: "a string")
        }
    }
    /// A token id, or the first of a list (Llama 3 Instruct lists several eos ids).
    func tokenId(_ key: String) throws -> Int? {
        switch keys[key] {
        case nil, .null?: return nil
        case .int(let i)?: return i
        case .array(let a)?:
            if a.isEmpty { return nil }
            if case .int(let i) = a[0] { return i }
            fallthrough
        default: throw ModelConfigError.wrongType(source: source, key: key, expected: "an integer or a list of integers")
        }
    }
}
