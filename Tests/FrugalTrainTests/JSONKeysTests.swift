// The documented keys of what Frugal writes as JSON (docs/json.md): metrics.jsonl lines
// (TrainMetrics) and `frugal info --json` (ModelSummary) in JSONStyle — snake_case, no escaped slashes.
import XCTest
import Foundation
import FrugalIO
import FrugalSpec
@testable import FrugalTrain

final class JSONKeysTests: XCTestCase {
    func keys(_ json: String) throws -> Set<String> {
        Set(try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]).keys)
    }

    func testMetricsLineKeys() throws {
        let m = TrainMetrics(step: 3, loss: 2.5, lr: 2e-4, gradNorm: 1, tokens: 48, supervisedTokens: 10, totalTokens: 144,
                             tokensPerSecond: 90, peakMemoryBytes: 1000, evalLoss: 2.25)
        let line = try JSONStyle.string(m, pretty: false)
        XCTAssertFalse(line.contains("\n"))
        XCTAssertEqual(try keys(line), ["step", "loss", "lr", "grad_norm", "tokens", "supervised_tokens", "total_tokens",
                                        "tokens_per_second", "peak_memory_bytes", "eval_loss"])
        XCTAssertEqual(try JSONDecoder().decode(TrainMetrics.self, from: Data(line.utf8)), m)
    }

    func testInfoKeys() throws {
        guard FileManager.default.fileExists(atPath: DefaultModel.path()) else {
            return XCTFail("the default model is missing at \(DefaultModel.path()): \(DefaultModel.advice)")
        }
        let summary = try ModelSummary(source: ModelSource.resolve("default"))
        let json = try JSONStyle.string(summary)
        XCTAssertFalse(json.contains("\\/"))
        XCTAssertTrue(try keys(json).isSuperset(of: ["path", "format", "name", "config", "tensor_count", "parameters", "components",
                                                     "types", "tensor_bytes", "file_bytes", "bits_per_parameter"]))
        let config = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["config"] as? [String: Any])
        XCTAssertEqual(config["vocab_size"] as? Int, 49152)
        XCTAssertEqual(config["num_kv_heads"] as? Int, 3)
    }
}
