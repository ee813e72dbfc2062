// ModelConfig from an HF `config.json` (transformers `LlamaConfig`, `MistralConfig`, `Qwen2Config`,
// `GPT2Config`, as of transformers 5.x). Missing optional keys take the transformers class default
// of that model_type; keys that do not change the computation (architectures, torch_dtype,
// initializer_range, use_cache, dropout rates, quantization_config, ...) are ignored; keys that
// change the math and are not implemented are refused by name:
//   - rope_scaling / rope_parameters with a rope_type other than "default" (Llama 3.1 "llama3",
//     YaRN, linear, dynamic NTK, ...);
//   - Mistral `sliding_window` smaller than max_position_embeddings (Mistral-7B-v0.1 has 4096);
//   - Qwen2 `use_sliding_window: true`;
//   - GPT-2 `add_cross_attention` and `scale_attn_by_inverse_layer_idx`;
//   - a hidden_act other than silu/swish, gelu, gelu_new/gelu_pytorch_tanh;
//   - any other model_type.
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
        guard case .string(let modelType)? = root["model_type"] else {
            throw ModelConfigError.unsupportedModelType(source: source, modelType: root["model_type"]?.shown)
        }
        switch modelType {
        case "llama", "mistral", "qwen2":
            self = try Self.llamaFamily(r, architecture: Architecture(rawValue: modelType)!)
        case "gpt2":
            self = try Self.gpt2(r)
        default:
            throw ModelConfigError.unsupportedModelType(source: source, modelType: modelType)
        }
        try validate(source: source)
    }

    private static func llamaFamily(_ r: HFConfigReader, architecture: Architecture) throws -> ModelConfig {
        let heads = try r.int("num_attention_heads")
        let kvDefault: Int? = switch architecture {
            case .mistral: 8
            case .qwen2: 32
            default: nil
        }
        // A present-but-null num_key_value_heads means "same as heads" in every class.
        let kvHeads: Int? = r.isNull("num_key_value_heads") ? heads : (try r.optionalInt("num_key_value_heads") ?? kvDefault)
        let positionsDefault: Int = switch architecture {
            case .mistral: 4096 * 32
            case .qwen2: 32768
            default: 2048
        }
        let maxPositions = try r.optionalInt("max_position_embeddings") ?? positionsDefault
        let theta = try ropeTheta(r)
        switch architecture {
        case .mistral:
            if let window = try r.optionalInt("sliding_window"), window < maxPositions {
                throw ModelConfigError.unsupportedFeature(
                    source: r.source, key: "sliding_window", value: String(window),
                    reason: "sliding-window attention differs from full attention beyond \(window) tokens; "
                        + "set it to null only if you will never use longer contexts")
            }
        case .qwen2:
            if try r.optionalBool("use_sliding_window") == true {
                throw ModelConfigError.unsupportedFeature(
                    source: r.source, key: "use_sliding_window", value: "true",
                    reason: "sliding-window attention on the upper layers is not implemented")
            }
        default: break
        }
        let attentionBias = architecture == .qwen2 ? true
            : architecture == .llama ? (try r.optionalBool("attention_bias") ?? false) : false
        let mlpBias = architecture == .llama ? (try r.optionalBool("mlp_bias") ?? false) : false
        return ModelConfig(
            architecture: architecture,
            vocabSize: try r.int("vocab_size"), hiddenSize: try r.int("hidden_size"),
            intermediateSize: try r.int("intermediate_size"), numLayers: try r.int("num_hidden_layers"),
            numHeads: heads, numKVHeads: kvHeads, headDim: try r.optionalInt("head_dim"),
            maxPositionEmbeddings: maxPositions, ropeTheta: theta,
            normEps: try r.optionalDouble("rms_norm_eps") ?? 1e-6,
            tieWordEmbeddings: try r.optionalBool("tie_word_embeddings") ?? false,
            attentionBias: attentionBias,
            bosTokenId: try r.tokenId("bos_token_id"), eosTokenId: try r.tokenId("eos_token_id"),
            activation: try activation(r, key: "hidden_act", default: "silu"),
            attentionOutputBias: architecture == .llama ? attentionBias : false,
            mlpBias: mlpBias)
    }

    private static func gpt2(_ r: HFConfigReader) throws -> ModelConfig {
        for key in ["add_cross_attention", "scale_attn_by_inverse_layer_idx"] {
            if try r.optionalBool(key) == true {
                throw ModelConfigError.unsupportedFeature(source: r.source, key: key, value: "true",
                                                          reason: "only the plain GPT-2 decoder block is implemented")
            }
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
            activation: try activation(r, key: "activation_function", default: "gelu_new"),
            attentionOutputBias: true, mlpBias: true)
    }

    /// rope_theta from `rope_parameters` (transformers 5) or the top-level key (4.x); refuses any
    /// RoPE scaling.
    private static func ropeTheta(_ r: HFConfigReader) throws -> Double {
        var theta = try r.optionalDouble("rope_theta") ?? 10_000
        for key in ["rope_scaling", "rope_parameters"] {
            guard let value = r.keys[key], value != .null else { continue }
            guard case .object(let o) = value else {
                throw ModelConfigError.wrongType(source: r.source, key: key, expected: "an object or null")
            }
            var kind = "default"
            if case .string(let s)? = o["rope_type"] ?? o["type"] { kind = s }
            if kind != "default" {
                throw ModelConfigError.unsupportedFeature(
                    source: r.source, key: key, value: value.shown,
                    reason: "RoPE scaling changes the rotary frequencies; only plain RoPE is implemented")
            }
            switch o["rope_theta"] {
            case .int(let i)?: theta = Double(i)
            case .double(let d)?: theta = d
            default: break
            }
        }
        return theta
    }

    private static func activation(_ r: HFConfigReader, key: String, default fallback: String) throws -> Activation {
        let name = try r.optionalString(key) ?? fallback
        switch name {
        case "silu", "swish": return .silu
        case "gelu": return .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": return .geluTanh
        default:
            throw ModelConfigError.unsupportedFeature(source: r.source, key: key, value: "\"\(name)\"",
                                                      reason: "supported activations: silu, gelu, gelu_new")
        }
    }
}

/// Typed access to the keys of one config.json, with errors that name the key.
struct HFConfigReader {
    let source: String
    let keys: [String: HFConfigJSON]

    func isNull(_ key: String) -> Bool { keys[key] == .null }

    func int(_ key: String) throws -> Int {
        guard let v = try optionalInt(key) else { throw ModelConfigError.missingKey(source: source, key: key) }
        return v
    }
    func optionalInt(_ key: String) throws -> Int? {
        switch keys[key] {
        case nil, .null?: return nil
        case .int(let i)?: return i
        case .double(let d)? where d == d.rounded() && abs(d) < 1e15: return Int(d)
        default: throw ModelConfigError.wrongType(source: source, key: key, expected: "an integer")
        }
    }
    func optionalDouble(_ key: String) throws -> Double? {
        switch keys[key] {
        case nil, .null?: return nil
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        default: throw ModelConfigError.wrongType(source: source, key: key, expected: "a number")
        }
    }
    func optionalBool(_ key: String) throws -> Bool? {
        switch keys[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        default: throw ModelConfigError.wrongType(source: source, key: key, expected: "true or false")
        }
    }
    func optionalString(_ key: String) throws -> String? {
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
