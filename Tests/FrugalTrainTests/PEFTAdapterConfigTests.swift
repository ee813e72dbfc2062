// adapter_config.json: PEFT's own file (written by peft 0.21.2 save_pretrained for r=4, alpha=8,
// dropout 0.05, rsLoRA, q_proj+v_proj — the literal below) reads into the same LoRAConfig; ours
// reads back; unsupported settings are refused by name; adapters load from named tensors.
import XCTest
import FrugalCore
import FrugalModels
@testable import FrugalTrain

final class PEFTAdapterConfigTests: XCTestCase {
    static let peftWritten = #"""
{
  "alora_invocation_tokens": null,
  "alpha_pattern": {},
  "arrow_config": null,
  "auto_mapping": null,
  "base_model_name_or_path": null,
  "bias": "none",
  "corda_config": null,
  "ensure_weight_tying": false,
  "eva_config": null,
  "exclude_modules": null,
  "fan_in_fan_out": false,
  "inference_mode": true,
  "init_lora_weights": true,
  "kasa_config": null,
  "layer_replication": null,
  "layers_pattern": null,
  "layers_to_transform": null,
  "loftq_config": {},
  "lora_alpha": 8,
  "lora_bias": false,
  "lora_dropout": 0.05,
  "lora_ga_config": null,
  "megatron_config": null,
  "megatron_core": "megatron.core",
  "modules_to_save": null,
  "monteclora_config": null,
  "peft_type": "LORA",
  "peft_version": "0.21.2",
  "qalora_group_size": 16,
  "r": 4,
  "rank_pattern": {},
  "revision": null,
  "target_modules": [
    "v_proj",
    "q_proj"
  ],
  "target_parameters": null,
  "task_type": "CAUSAL_LM",
  "trainable_token_indices": null,
  "use_bdlora": null,
  "use_dora": false,
  "use_qalora": false,
  "use_rslora": true,
  "velora_config": null
}
"""#

    func testReadsPEFTsOwnFile() throws {
        let c = try PEFTAdapterConfig.loraConfig(from: Data(Self.peftWritten.utf8))
        XCTAssertEqual(c, LoRAConfig(rank: 4, alpha: 8, dropout: 0.05, useRSLoRA: true, targets: ["q_proj", "v_proj"]))
    }

    func testWritesWhatItReadsWithPEFTsKeys() throws {
        let config = LoRAConfig(rank: 16, alpha: 32, dropout: 0.1, targets: ["v", "q", "down"])
        let data = try PEFTAdapterConfig.json(for: config, baseModel: "HuggingFaceTB/SmolLM2-135M-Instruct")
        let o = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        XCTAssertEqual(o["peft_type"] as? String, "LORA")
        XCTAssertEqual(o["r"] as? Int, 16)
        XCTAssertEqual(o["lora_alpha"] as? Int, 32)
        XCTAssertEqual(o["lora_dropout"] as? Double, 0.1)
        XCTAssertEqual(o["target_modules"] as? [String], ["down_proj", "q_proj", "v_proj"])
        XCTAssertEqual(o["bias"] as? String, "none")
        XCTAssertEqual(o["base_model_name_or_path"] as? String, "HuggingFaceTB/SmolLM2-135M-Instruct")
        // Every key we write is one PEFT writes.
        let peftKeys = Set((try JSONSerialization.jsonObject(with: Data(Self.peftWritten.utf8)) as! [String: Any]).keys)
        XCTAssertTrue(Set(o.keys).isSubset(of: peftKeys), "\(Set(o.keys).subtracting(peftKeys))")
        var back = try PEFTAdapterConfig.loraConfig(from: data)
        XCTAssertEqual(back.targets, ["q_proj", "v_proj", "down_proj"], "block order")
        back.targets = config.targets
        XCTAssertEqual(back, config)
    }

    func testRefusesSettingsThatChangeTheMath() throws {
        let base = try JSONSerialization.jsonObject(with: Data(Self.peftWritten.utf8)) as! [String: Any]
        let cases: [(String, Any, String)] = [("fan_in_fan_out", true, "fan_in_fan_out"), ("bias", "all", "bias"),
                                              ("rank_pattern", ["q_proj": 8], "rank_pattern"),
                                              ("modules_to_save", ["lm_head"], "modules_to_save"),
                                              ("target_modules", ".*q_proj", "target_modules"),
                                              ("layers_to_transform", [0], "layers_to_transform")]
        for (key, value, named) in cases {
            var o = base; o[key] = value
            XCTAssertThrowsError(try PEFTAdapterConfig.loraConfig(from: JSONSerialization.data(withJSONObject: o))) { error in
                guard case let .unsupportedSetting(k, _) = error as? LoRAError else { return XCTFail("\(key): \(error)") }
                XCTAssertEqual(k, named)
            }
        }
        var o = base; o["target_modules"] = ["q_proj", "lm_heads"]
        XCTAssertThrowsError(try PEFTAdapterConfig.loraConfig(from: JSONSerialization.data(withJSONObject: o))) {
            guard case .unknownTarget("lm_heads", _) = $0 as? LoRAError else { return XCTFail("\($0)") }
        }
        // DoRA and the embedding / head targets are read (the adapter seam).
        o = base; o["use_dora"] = true; o["target_modules"] = ["q_proj", "embed_tokens", "lm_head"]
        let dora = try PEFTAdapterConfig.loraConfig(from: JSONSerialization.data(withJSONObject: o))
        XCTAssertEqual(dora.method, .dora)
        XCTAssertEqual(try dora.validated(), [.qProj, .embedTokens, .lmHead])
        XCTAssertThrowsError(try PEFTAdapterConfig.loraConfig(from: Data("[1]".utf8)))
        o = base; o["target_modules"] = ["model.layers.0.self_attn.q_proj"]
        XCTAssertEqual(try PEFTAdapterConfig.loraConfig(from: JSONSerialization.data(withJSONObject: o)).targets, ["q_proj"])
    }

    func testAttachFromNamedTensorsReproducesTheAdapter() throws {
        let config = LoRAConfig(rank: 3, alpha: 6, targets: ["q", "o", "up"])
        let trained = Tiny.model(seed: 4)
        let a = try LoRAAdapter.attach(to: trained, config: config, seed: 9)
        Tiny.randomizeB(a, seed: 5, scale: 0.05)
        let ids = Tiny.ids(12, seed: 1)
        let expected = withoutGrad { trained.logits(ids: ids, batch: 1) }.scalars
        let file = Dictionary(uniqueKeysWithValues: a.peftNamedTensors.map { ($0.0, $0.1.copy()) })

        let fresh = Tiny.model(seed: 4)
        let b = try LoRAAdapter.attach(to: fresh, config: config, tensors: file)
        XCTAssertEqual(withoutGrad { fresh.logits(ids: ids, batch: 1) }.scalars, expected)
        b.detach()

        var missing = file; missing.removeValue(forKey: "base_model.model.model.layers.1.mlp.up_proj.lora_B.weight")
        XCTAssertThrowsError(try LoRAAdapter.attach(to: fresh, config: config, tensors: missing)) {
            XCTAssertEqual($0 as? LoRAError, .tensorMissing("base_model.model.model.layers.1.mlp.up_proj.lora_B.weight"))
        }
        var wrong = file; wrong["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"] = Tensor(zeros: [4, 48])
        XCTAssertThrowsError(try LoRAAdapter.attach(to: fresh, config: config, tensors: wrong)) {
            XCTAssertEqual($0 as? LoRAError, .tensorShape(name: "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                                                          expected: [3, 48], found: [4, 48]))
        }
        var extra = file; extra["base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight"] = Tensor(zeros: [3, 48])
        XCTAssertThrowsError(try LoRAAdapter.attach(to: fresh, config: config, tensors: extra)) {
            XCTAssertEqual($0 as? LoRAError, .tensorUnexpected("base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight"))
        }
        // A failed load leaves the model without an adapter, so the next attach works.
        XCTAssertNoThrow(try LoRAAdapter.attach(to: fresh, config: config, tensors: file))
    }
}
