// Loading a LlamaModel from weights by name: an HF directory (config.json + safetensors), a GGUF
// file (dequantized, Q/K rows un-permuted by FrugalIO), or `default`. The names and shapes to load
// are the config's parameter inventory — transformers' names — so one loader serves every format.
// Loaded tensors are frozen (requiresGrad false); a trainer unfreezes what it trains.
import Foundation
import FrugalCore
import FrugalIO
import FrugalSpec

public enum ModelLoadError: Error, CustomStringConvertible {
    case unsupportedArchitecture(String, source: String)
    case missingTensor(String, source: String)
    case shapeMismatch(String, expected: [Int], found: [Int], source: String)

    public var description: String {
        switch self {
        case let .unsupportedArchitecture(a, source):
            return "\(source): architecture '\(a)' cannot be run by Frugal's Llama-family decoder (llama, mistral, qwen2 can)"
        case let .missingTensor(n, source):
            return "\(source): tensor '\(n)' is missing; the file does not hold a complete model of its configuration"
        case let .shapeMismatch(n, e, f, source):
            return "\(source): tensor '\(n)' has shape \(f), but the configuration needs \(e)"
        }
    }
}

extension LlamaModel {
    /// Builds a model of `config` from tensors fetched by transformers name.
    public convenience init(config: ModelConfig, source: String,
                            fetch: (String) throws -> (shape: [Int], data: [Float])?) throws {
        guard config.architecture != .gpt2 else {
            throw ModelLoadError.unsupportedArchitecture(config.architecture.rawValue, source: source)
        }
        var tensors: [String: Tensor] = [:]
        for entry in config.parameterInventory {
            guard let (shape, data) = try fetch(entry.name) else {
                throw ModelLoadError.missingTensor(entry.name, source: source)
            }
            guard shape == entry.shape else {
                throw ModelLoadError.shapeMismatch(entry.name, expected: entry.shape, found: shape, source: source)
            }
            tensors[entry.name] = Tensor(data, shape: shape)
        }
        func t(_ n: String) -> Tensor { tensors[n]! }
        func linear(_ p: String) -> Linear { Linear(weight: t("\(p).weight"), bias: tensors["\(p).bias"]) }
        let blocks = (0..<config.numLayers).map { i -> LlamaBlock in
            let p = "model.layers.\(i)"
            return LlamaBlock(config: config, q: linear("\(p).self_attn.q_proj"), k: linear("\(p).self_attn.k_proj"),
                              v: linear("\(p).self_attn.v_proj"), o: linear("\(p).self_attn.o_proj"),
                              gate: linear("\(p).mlp.gate_proj"), up: linear("\(p).mlp.up_proj"),
                              down: linear("\(p).mlp.down_proj"),
                              inputNorm: t("\(p).input_layernorm.weight"),
                              postAttentionNorm: t("\(p).post_attention_layernorm.weight"))
        }
        self.init(config: config, embedding: t("model.embed_tokens.weight"), blocks: blocks,
                  finalNorm: t("model.norm.weight"), lmHead: tensors["lm_head.weight"])
    }

    /// Loads a GGUF file, an HF directory, or `default` (the model scripts/setup fetched).
    public static func load(_ argument: String) throws -> LlamaModel {
        switch try ModelSource.resolve(argument) {
        case let .gguf(path):
            let g = try GGUFModel(path: path)
            return try LlamaModel(config: g.config, source: path) { name in
                g.hfTensorNames.contains(name) ? try g.loadFloat32(hf: name) : nil
            }
        case let .hfDirectory(path):
            let d = try HFModelDirectory(path: path)
            return try LlamaModel(config: d.config, source: path) { name in
                d.weights.info(name) == nil ? nil : try d.weights.loadFloat32(name)
            }
        }
    }
}
