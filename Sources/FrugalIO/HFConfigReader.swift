// HFConfigReader — a minimal bridge from an HF `config.json` to ModelConfig, local to FrugalIO so
// the IO layer can open HF directories on its own (the lead may swap it for FrugalSpec's parser).
//
// Fields (transformers `LlamaConfig`, `MistralConfig`, `Qwen2Config`, `GPT2Config`): model_type,
// vocab_size, hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
// num_key_value_heads (default: heads), head_dim (default: hidden/heads), max_position_embeddings,
// rope_theta or rope_parameters.rope_theta (transformers 5), rms_norm_eps, tie_word_embeddings,
// attention_bias (Qwen2: always), bos/eos_token_id (an int or a list: the first). GPT-2 uses
// n_embd, n_layer, n_head, n_inner (default 4·n_embd), n_positions, layer_norm_epsilon.
// Irrelevant keys are ignored; RoPE scaling and active sliding windows are refused by name.
import Foundation
import FrugalSpec

enum HFConfigReader {
    static func read(path: String) throws -> ModelConfig {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw HFModelError.missingFile(path: path, advice: "an HF model directory needs config.json")
        }
        let any: Any
        do { any = try JSONSerialization.jsonObject(with: data) } catch {
            throw HFModelError.badJSON(path: path, reason: "\(error.localizedDescription)")
        }
        guard let obj = any as? [String: Any] else { throw HFModelError.badJSON(path: path, reason: "not a JSON object") }
        return try parse(obj, path: path)
    }

    static func parse(_ j: [String: Any], path: String) throws -> ModelConfig {
        func value(_ k: String) -> Any? { j[k].flatMap { $0 is NSNull ? nil : $0 } }
        func int(_ k: String) throws -> Int? {
            guard let v = value(k) else { return nil }
            guard let n = v as? NSNumber, let i = Int(exactly: n.doubleValue) else {
                throw HFModelError.wrongType(path: path, field: k, expected: "an integer")
            }
            return i
        }
        func positive(_ k: String, default d: Int? = nil) throws -> Int {
            guard let i = try int(k) ?? d else { throw HFModelError.missingField(path: path, field: k) }
            guard i > 0 else { throw HFModelError.invalidValue(path: path, field: k, reason: "must be positive, is \(i)") }
            return i
        }
        func double(_ v: Any?, _ k: String) throws -> Double? {
            guard let v, !(v is NSNull) else { return nil }
            guard let n = v as? NSNumber else { throw HFModelError.wrongType(path: path, field: k, expected: "a number") }
            return n.doubleValue
        }
        func bool(_ k: String, default d: Bool) throws -> Bool {
            guard let v = value(k) else { return d }
            guard let b = v as? Bool else { throw HFModelError.wrongType(path: path, field: k, expected: "true or false") }
            return b
        }
        func tokenId(_ k: String) throws -> Int? {
            guard let v = value(k) else { return nil }
            if let a = v as? [Any] { return (a.first as? NSNumber)?.intValue }
            return try int(k)
        }

        guard let modelType = value("model_type") as? String else { throw HFModelError.missingField(path: path, field: "model_type") }
        guard let arch = ModelConfig.Architecture(rawValue: modelType) else {
            throw HFModelError.unsupportedArchitecture(path: path, modelType: modelType)
        }

        if arch == .gpt2 {
            let hidden = try positive("n_embd"), heads = try positive("n_head")
            return ModelConfig(architecture: .gpt2, vocabSize: try positive("vocab_size"), hiddenSize: hidden,
                               intermediateSize: try positive("n_inner", default: 4 * hidden), numLayers: try positive("n_layer"),
                               numHeads: heads, maxPositionEmbeddings: try positive("n_positions", default: 1024),
                               normEps: try double(value("layer_norm_epsilon"), "layer_norm_epsilon") ?? 1e-5,
                               tieWordEmbeddings: try bool("tie_word_embeddings", default: true), attentionBias: true,
                               bosTokenId: try tokenId("bos_token_id"), eosTokenId: try tokenId("eos_token_id"))
        }

        // RoPE: transformers 5 nests theta and type under rope_parameters; older files use
        // rope_theta and rope_scaling.
        var theta = try double(value("rope_theta"), "rope_theta")
        if let rp = value("rope_parameters") as? [String: Any] {
            theta = try double(rp["rope_theta"], "rope_parameters.rope_theta") ?? theta
            if let t = rp["rope_type"] as? String, t != "default" {
                throw HFModelError.unsupportedFeature(path: path, feature: "RoPE scaling", detail: "rope_parameters.rope_type = \"\(t)\"")
            }
        }
        if let rs = value("rope_scaling") {
            let type = (rs as? [String: Any]).flatMap { ($0["rope_type"] ?? $0["type"]) as? String } ?? "\(rs)"
            if type != "default" {
                throw HFModelError.unsupportedFeature(path: path, feature: "RoPE scaling", detail: "rope_scaling type \"\(type)\"")
            }
        }
        let maxPos = try positive("max_position_embeddings", default: 2048)
        if try bool("use_sliding_window", default: false) {
            throw HFModelError.unsupportedFeature(path: path, feature: "sliding-window attention", detail: "use_sliding_window = true")
        }
        if arch == .mistral, let w = try int("sliding_window"), w < maxPos {
            throw HFModelError.unsupportedFeature(path: path, feature: "sliding-window attention",
                                                  detail: "sliding_window = \(w) < max_position_embeddings = \(maxPos)")
        }

        let hidden = try positive("hidden_size"), heads = try positive("num_attention_heads")
        let kv = try positive("num_key_value_heads", default: heads)
        if heads % kv != 0 {
            throw HFModelError.invalidValue(path: path, field: "num_key_value_heads", reason: "\(kv) does not divide \(heads) attention heads")
        }
        let headDim = try int("head_dim") ?? hidden / heads
        return ModelConfig(architecture: arch, vocabSize: try positive("vocab_size"), hiddenSize: hidden,
                           intermediateSize: try positive("intermediate_size"), numLayers: try positive("num_hidden_layers"),
                           numHeads: heads, numKVHeads: kv, headDim: headDim, maxPositionEmbeddings: maxPos,
                           ropeTheta: theta ?? 10_000, normEps: try double(value("rms_norm_eps"), "rms_norm_eps") ?? 1e-6,
                           tieWordEmbeddings: try bool("tie_word_embeddings", default: false),
                           attentionBias: arch == .qwen2 ? true : try bool("attention_bias", default: false),
                           bosTokenId: try tokenId("bos_token_id"), eosTokenId: try tokenId("eos_token_id"))
    }
}
