// TrainOptions and LoRAConfig from JSON: missing keys take defaults, unknown keys are refused by
// name, and encoding round-trips exactly (checkpoints compare options after a round trip).
import XCTest
@testable import FrugalTrain

final class OptionsDecodingTests: XCTestCase {
    func testPartialFilesTakeDefaultsAndRoundTrip() throws {
        let o = try JSONDecoder().decode(TrainOptions.self, from: Data(#"{"steps": 50, "lr": 0.0003, "schedule": "constant"}"#.utf8))
        var expected = TrainOptions(); expected.steps = 50; expected.lr = 3e-4; expected.schedule = .constant
        XCTAssertEqual(o, expected)
        var full = TrainOptions(); full.lr = 1.7e-4; full.beta2 = 0.95; full.eps = 1e-6; full.seed = UInt64.max - 3; full.minLRRatio = 0.1
        XCTAssertEqual(try JSONDecoder().decode(TrainOptions.self, from: JSONEncoder().encode(full)), full)
        let l = try JSONDecoder().decode(LoRAConfig.self, from: Data(#"{"rank": 16, "targets": ["all-linear"]}"#.utf8))
        XCTAssertEqual(l, LoRAConfig(rank: 16, alpha: 8, dropout: 0, useRSLoRA: false, targets: ["all-linear"]))
        let l2 = LoRAConfig(rank: 64, alpha: 16, dropout: 0.05, useRSLoRA: true, targets: ["q", "v"])
        XCTAssertEqual(try JSONDecoder().decode(LoRAConfig.self, from: JSONEncoder().encode(l2)), l2)
    }

    func testUnknownKeysAreRefusedByName() {
        XCTAssertThrowsError(try JSONDecoder().decode(TrainOptions.self, from: Data(#"{"steps": 5, "learningRate": 1}"#.utf8))) {
            XCTAssertTrue("\($0)".contains("learningRate"), "\($0)")
        }
        XCTAssertThrowsError(try JSONDecoder().decode(LoRAConfig.self, from: Data(#"{"r": 8}"#.utf8))) {
            XCTAssertTrue("\($0)".contains("'r'"), "\($0)")
        }
    }

    /// `frugal finetune --config FILE` prints "FILE: unknown key 'x' (known: …)": the error is typed
    /// and says only that, not a DecodingError dump.
    func testUnknownFinetuneConfigKeyIsATypedErrorListingTheKnownKeys() {
        XCTAssertThrowsError(try JSONDecoder().decode(FinetuneConfig.self, from: Data(#"{"rank": 8, "learning_rate": 1}"#.utf8))) {
            let e = $0 as? UnknownKeyError
            XCTAssertEqual(e?.key, "learning_rate")
            XCTAssertEqual(e?.known, FinetuneConfig.CodingKeys.allCases.map(\.rawValue).sorted())
            XCTAssertTrue("\($0)".hasPrefix("unknown key 'learning_rate' (known: alpha, batch_size, "), "\($0)")
        }
    }
}
