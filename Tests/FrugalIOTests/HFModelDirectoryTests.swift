// HF model directories: the tiny sharded LlamaForCausalLM written by transformers' save_pretrained
// (reference/io_fixtures.py), config.json parsing and refusals, and bad shard indexes.
import XCTest
import FrugalSpec
@testable import FrugalIO

final class HFModelDirectoryTests: XCTestCase {
    func testShardedTinyLlama() throws {
        let d = try HFModelDirectory(path: Fixture.path("tiny_hf"))
        XCTAssertEqual(d.config, ModelConfig(architecture: .llama, vocabSize: 16, hiddenSize: 32, intermediateSize: 64,
                                             numLayers: 1, numHeads: 4, numKVHeads: 2, headDim: 8,
                                             maxPositionEmbeddings: 128, ropeTheta: 10_000, normEps: 1e-6,
                                             tieWordEmbeddings: true, attentionBias: false, bosTokenId: 1, eosTokenId: 2))
        XCTAssertEqual(d.weights.files.count, 4)
        let exp = try Fixture.json("tiny_hf.json")
        let values = exp["values"] as! [String: Any], shapes = exp["shapes"] as! [String: Any]
        XCTAssertEqual(d.weights.tensorNames, values.keys.sorted())
        for (name, v) in values {
            let (shape, data) = try d.weights.loadFloat32(name)
            XCTAssertEqual(shape, ints(shapes[name]), name)
            XCTAssertEqual(data, floats(v), name)
        }
        XCTAssertNotNil(d.tokenizerJSON)
        XCTAssertNotNil(d.tokenizerConfigJSON)
        XCTAssertNil(d.generationConfigJSON)
        XCTAssertTrue(HFModelDirectory.looksLikeModelDirectory(d.path))
    }

    private lazy var dir = temporaryDirectory(self)

    private func config(_ j: [String: Any]) throws -> ModelConfig {
        var base: [String: Any] = ["model_type": "llama", "vocab_size": 100, "hidden_size": 64, "intermediate_size": 128,
                                   "num_hidden_layers": 2, "num_attention_heads": 4]
        for (k, v) in j { base[k] = v }
        return try ModelConfig(hfConfigJSON: JSONSerialization.data(withJSONObject: base), source: "config.json")
    }

    func testConfigDefaultsAndVariants() throws {
        let c = try config(["rope_theta": 500000.0, "bos_token_id": [7, 8], "eos_token_id": NSNull(), "rope_scaling": NSNull()])
        XCTAssertEqual(c.numKVHeads, 4)
        XCTAssertEqual(c.headDim, 16)
        XCTAssertEqual(c.ropeTheta, 500_000)
        XCTAssertEqual(c.bosTokenId, 7)
        XCTAssertNil(c.eosTokenId)
        XCTAssertEqual(try config(["model_type": "qwen2", "use_sliding_window": false, "sliding_window": 32,
                                    "num_key_value_heads": 4]).attentionBias, true)   // Qwen2Config defaults to 32 KV heads
        let g = try ModelConfig(hfConfigJSON: JSONSerialization.data(withJSONObject: [
            "model_type": "gpt2", "vocab_size": 50257, "n_embd": 768, "n_layer": 12, "n_head": 12]), source: "c")
        XCTAssertEqual(g.intermediateSize, 3072)
        XCTAssertEqual(g.maxPositionEmbeddings, 1024)
        XCTAssertTrue(g.tieWordEmbeddings)
    }

    func testConfigRefusals() {
        func refused(_ j: [String: Any], _ check: (ModelConfigError) -> Bool, line: UInt = #line) {
            XCTAssertThrowsError(try config(j), line: line) { e in
                guard let h = e as? ModelConfigError, check(h) else { return XCTFail("\(e)", line: line) }
            }
        }
        refused(["rope_scaling": ["rope_type": "llama3", "factor": 8.0]]) { if case .missingKey(_, "low_freq_factor") = $0 { return true }; return false }
        refused(["rope_scaling": ["rope_type": "linear", "factor": 8.0]]) { if case .unsupportedFeature = $0 { return true }; return false }
        refused(["rope_parameters": ["rope_type": "yarn", "rope_theta": 1.0]]) { if case .unsupportedFeature = $0 { return true }; return false }
        refused(["model_type": "mistral", "sliding_window": 4096, "max_position_embeddings": 32768]) { if case .unsupportedFeature = $0 { return true }; return false }
        refused(["model_type": "t5"]) { $0 == .unsupportedModelType(source: "config.json", modelType: "t5") }
        refused(["hidden_size": "64"]) { $0 == .wrongType(source: "config.json", key: "hidden_size", expected: "an integer") }
        refused(["num_hidden_layers": 0]) { if case .invalid = $0 { return true }; return false }
        refused(["num_key_value_heads": 3]) { if case .invalid = $0 { return true }; return false }
        refused(["model_type": NSNull()]) { $0 == .unsupportedModelType(source: "config.json", modelType: "null") }
    }

    func testMissingPiecesOfADirectory() throws {
        XCTAssertThrowsError(try HFModelDirectory(path: dir.appendingPathComponent("nope").path)) { e in
            guard case .notADirectory? = e as? HFModelError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try HFModelDirectory(path: dir.path)) { e in
            guard case .missingFile? = e as? HFModelError else { return XCTFail("\(e)") }
        }
        try Data("{\"model_type\":\"llama\",\"vocab_size\":4,\"hidden_size\":8,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":2}".utf8)
            .write(to: dir.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try HFModelDirectory(path: dir.path)) { e in
            guard case .missingFile(let p, _)? = e as? HFModelError else { return XCTFail("\(e)") }
            XCTAssertTrue(p.hasSuffix("model.safetensors"))
        }
        try SafetensorsWriter.write([SafetensorsTensor(name: "model.norm.weight", shape: [8], float32: Array(repeating: 1, count: 8))],
                                    metadata: ["format": "pt"], to: dir.appendingPathComponent("model.safetensors").path)
        let d = try HFModelDirectory(path: dir.path)
        XCTAssertEqual(try d.weights.loadFloat32("model.norm.weight").data, Array(repeating: 1, count: 8))
        XCTAssertNil(d.tokenizerJSON)
    }

    func testBadIndexes() throws {
        let shard = dir.appendingPathComponent("s1.safetensors").path
        try SafetensorsWriter.write([SafetensorsTensor(name: "a", shape: [1], float32: [1])], to: shard)
        func index(_ map: String) -> String {
            let p = dir.appendingPathComponent("i-\(UUID().uuidString).json")
            try! Data("{\"metadata\":{},\"weight_map\":\(map)}".utf8).write(to: p)
            return p.path
        }
        XCTAssertEqual(try SafetensorsCheckpoint(path: index("{\"a\":\"s1.safetensors\"}")).tensorNames, ["a"])
        XCTAssertThrowsError(try SafetensorsCheckpoint(path: index("{\"a\":\"../s1.safetensors\"}"))) { e in
            guard case .badIndex? = e as? SafetensorsError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try SafetensorsCheckpoint(path: index("{\"b\":\"s1.safetensors\"}"))) { e in
            guard case .badIndex(_, let r)? = e as? SafetensorsError else { return XCTFail("\(e)") }
            XCTAssertTrue(r.contains("\"b\""))
        }
        XCTAssertThrowsError(try SafetensorsCheckpoint(path: index("{\"a\":\"missing.safetensors\"}"))) { e in
            guard case .cannotOpen? = e as? SafetensorsError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try SafetensorsCheckpoint(path: index("[]"))) { e in
            guard case .badIndex? = e as? SafetensorsError else { return XCTFail("\(e)") }
        }
    }
}
