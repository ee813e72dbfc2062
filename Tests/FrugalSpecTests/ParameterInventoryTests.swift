// ParameterInventory against transformers: the exact names, shapes and order that
// `model.named_parameters()` yields for tiny configs (GQA, biases, explicit head_dim, tied and
// untied heads, GPT-2 Conv1D), and the totals of every preset (TransformersReference.swift,
// produced by reference/param_counts.py). The tiny configs are read through the config.json
// reader with the same keys the Python script passes to AutoConfig.for_model.
import Foundation
import XCTest
@testable import FrugalSpec

final class ParameterInventoryTests: XCTestCase {
    static let tinyConfigs: [String: String] = [
        "tiny-llama-gqa-bias": #"{"model_type": "llama", "vocab_size": 64, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "attention_bias": true, "mlp_bias": true, "tie_word_embeddings": false}"#,
        "tiny-llama-headdim-tied": #"{"model_type": "llama", "vocab_size": 64, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 12, "tie_word_embeddings": true}"#,
        "tiny-mistral": #"{"model_type": "mistral", "vocab_size": 64, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2, "sliding_window": null}"#,
        "tiny-qwen2": #"{"model_type": "qwen2", "vocab_size": 64, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2, "tie_word_embeddings": true}"#,
        "tiny-gpt2": #"{"model_type": "gpt2", "vocab_size": 64, "n_embd": 16, "n_layer": 1, "n_head": 4, "n_positions": 32, "n_inner": null}"#,
    ]

    func testTinyInventoriesMatchTransformersNamesShapesAndOrder() throws {
        XCTAssertEqual(Set(Self.tinyConfigs.keys), Set(TransformersReference.inventories.keys))
        for (name, json) in Self.tinyConfigs {
            let config = try ModelConfig(hfConfigJSON: Data(json.utf8), source: name)
            let mine = config.parameterInventory
            let ref = TransformersReference.inventories[name]!
            XCTAssertEqual(mine.map(\.name), ref.parameters.map(\.0), name)
            XCTAssertEqual(mine.map(\.shape), ref.parameters.map(\.1), name)
            XCTAssertEqual(mine.reduce(0) { $0 + $1.count }, ref.total, name)
        }
    }

    func testPresetInventoryTotalsMatchTransformers() {
        XCTAssertEqual(Set(ModelPreset.catalog.map(\.name)), Set(TransformersReference.totals.keys))
        for p in ModelPreset.catalog {
            let total = p.config.parameterInventory.reduce(0) { $0 + $1.count }
            XCTAssertEqual(total, TransformersReference.totals[p.name], p.name)
        }
        XCTAssertEqual(TransformersReference.totals["SmolLM2-135M"], 134_515_008)
    }

    func testLinearModulesOfSmolLM2() throws {
        let c = try ModelPreset.named("SmolLM2-135M").config
        let m = c.linearModules
        XCTAssertEqual(m.map(\.module), ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
        XCTAssertEqual(m.map(\.inFeatures), [576, 576, 576, 576, 576, 576, 1536])
        XCTAssertEqual(m.map(\.outFeatures), [576, 192, 192, 576, 1536, 1536, 576])
        // 7 projections × 30 layers; formats-and-algorithms §1.7: 106,168,320 linear parameters.
        let linear = c.parameterInventory.filter { $0.layer != nil && $0.linear != nil }
        XCTAssertEqual(linear.count, 210)
        XCTAssertEqual(linear.reduce(0) { $0 + $1.count }, 106_168_320)
        XCTAssertEqual(linear[0].name, "model.layers.0.self_attn.q_proj.weight")
        XCTAssertEqual(linear[0].modulePath, "model.layers.0.self_attn.q_proj")
    }

    func testGPT2ConvWeightsAreInOut() throws {
        let c = try ModelPreset.named("gpt2").config
        let cAttn = try XCTUnwrap(c.parameterInventory.first { $0.name == "transformer.h.0.attn.c_attn.weight" })
        XCTAssertEqual(cAttn.shape, [768, 2304])
        XCTAssertEqual(cAttn.linear, .init(inFeatures: 768, outFeatures: 2304))
        XCTAssertEqual(c.linearModules.map(\.module), ["c_attn", "c_proj", "c_fc", "c_proj"])
        XCTAssertFalse(c.parameterInventory.contains { $0.name == "lm_head.weight" })
    }
}
