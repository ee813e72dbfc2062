// `frugal estimate --json`'s documented keys (docs/json.md): snake_case, the chosen method's
// parameters, memory and FLOPs at the top, exact integer parameter totals, no escaped slashes.
import XCTest
import Foundation
import FrugalSpec
@testable import FrugalEstimate

final class EstimateJSONTests: XCTestCase {
    func encoded(_ c: ModelConfig, method: TrainingMethod) throws -> [String: Any] {
        let options = { (m: TrainingMethod) in TrainingOptions(method: m, batch: 4, seqLen: 128, rank: 8, targets: ["all-linear"]) }
        let params = ParameterBreakdown(c)
        let training = try TrainingMethod.allCases.map { try TrainingMemory.estimate(c, options($0)) }
        let flops = try TrainingMethod.allCases.map { try FlopsTraining.estimate(c, options($0)) }
        let report = EstimateReport(model: "m", source: "a/b/config.json", config: c, parameters: params,
                                    parameterTotal: params.total, nonEmbeddingParameters: params.nonEmbedding,
                                    inference: [], training: training, flops: flops, flopsPerSecond: nil, tokens: 512,
                                    seconds: nil)
        let i = TrainingMethod.allCases.firstIndex(of: method)!
        let data = try EstimateJSON.encoder.encode(EstimateJSON(report: report, chosen: method, training: training[i], flops: flops[i]))
        XCTAssertFalse(String(decoding: data, as: UTF8.self).contains("\\/"), "paths are written without escaped slashes")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testDocumentedKeys() throws {
        let c = try ModelPreset.named("SmolLM2-135M").config
        let j = try encoded(c, method: .qlora)
        let p = try XCTUnwrap(j["parameters"] as? [String: Any])
        XCTAssertEqual(p["total"] as? Int, 134_515_008)
        let byComponent = try XCTUnwrap(p["by_component"] as? [String: Int])
        XCTAssertEqual(Set(byComponent.keys), ["embedding", "position_embedding", "attention", "mlp", "norms", "head"])
        XCTAssertEqual(byComponent.values.reduce(0, +), 134_515_008)
        let m = try XCTUnwrap(j["memory"] as? [String: Any])
        XCTAssertEqual(m["method"] as? String, "qlora")
        let items = try XCTUnwrap(m["items"] as? [[String: Any]])
        XCTAssertFalse(items.isEmpty)
        let sum = items.compactMap { $0["bytes"] as? Double }.reduce(0, +)
        XCTAssertEqual(Double(try XCTUnwrap(m["total_bytes"] as? Int)), sum, accuracy: 1)
        let f = try XCTUnwrap(j["flops"] as? [String: Any])
        let fwd = try XCTUnwrap(f["forward_per_token"] as? Double), train = try XCTUnwrap(f["train_per_token"] as? Double)
        XCTAssertGreaterThan(train, fwd)
        XCTAssertEqual((j["config"] as? [String: Any])?["vocab_size"] as? Int, 49152, "snake_case throughout")
        XCTAssertNotNil(j["report"])
    }

    func testFamiliesCountExactly() throws {
        // Qwen3-0.6B and Gemma 3 270M as transformers 5.23 instantiates them (reference/param_counts.py):
        // q/k norms, Gemma's four norms per layer.
        let qwen3 = ModelConfig(architecture: .qwen3, vocabSize: 151_936, hiddenSize: 1024, intermediateSize: 3072,
                                numLayers: 28, numHeads: 16, numKVHeads: 8, headDim: 128, tieWordEmbeddings: true)
        XCTAssertEqual(ParameterBreakdown(qwen3).total, qwen3.parameterInventory.reduce(0) { $0 + $1.count })
        XCTAssertEqual(ParameterBreakdown(qwen3).total, 596_049_920)
        var gemma = ModelConfig(architecture: .gemma3, vocabSize: 262_144, hiddenSize: 640, intermediateSize: 2048,
                                numLayers: 18, numHeads: 4, numKVHeads: 1, headDim: 256, tieWordEmbeddings: true)
        gemma.slidingWindow = 512
        XCTAssertEqual(ParameterBreakdown(gemma).total, gemma.parameterInventory.reduce(0) { $0 + $1.count })
        XCTAssertEqual(ParameterBreakdown(gemma).total, 268_098_176)
        let j = try encoded(gemma, method: .lora)
        XCTAssertEqual((j["parameters"] as? [String: Any])?["total"] as? Int, 268_098_176)
    }
}
