// Interop, Frugal → PEFT: an adapter trained by Frugal (on the tiny HF Llama of the FrugalIO
// fixtures) and saved in PEFT's format was loaded by PEFT onto the transformers model
// (reference/peft_fixtures.py); PEFT's logits must equal Frugal's within 1e-3 relative.
// FRUGAL_WRITE_FIXTURES=1 retrains and rewrites the adapter (then rerun the reference script).
import XCTest
import Foundation
import FrugalCore
import FrugalModels
@testable import FrugalTrain

final class PEFTInteropTests: XCTestCase {
    var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FrugalIOTests/Fixtures/peft")
    }

    struct PEFTLogits: Decodable { let ids: [Int32]; let logits: [Float] }

    /// Trains a small adapter deterministically on synthetic token batches.
    func trainAdapter() throws -> (DecoderModel, LoRAAdapter) {
        let model = try DecoderModel.load(fixtures.appendingPathComponent("base").path)
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 4, alpha: 8, dropout: 0, targets: ["all-linear"]), seed: 7)
        let seqs: [[Int32]] = (0..<4).map { r in (0..<12).map { Int32(($0 * 7 + r * 13) % 96) } }
        var o = TrainOptions(); o.steps = 5; o.lr = 1e-2; o.schedule = .constant
        let trainer = try Trainer(model: model, adapter: adapter, train: [TokenBatch(sequences: seqs)], options: o)
        try trainer.run()
        return (model, adapter)
    }

    func testAdapterTrainedByFrugalGivesTheSameLogitsInPEFT() throws {
        let dir = fixtures.appendingPathComponent("frugal_adapter")
        if ProcessInfo.processInfo.environment["FRUGAL_WRITE_FIXTURES"] == "1" {
            let (_, adapter) = try trainAdapter()
            try adapter.save(to: dir.path, baseModel: "tiny-llama (Tests/FrugalIOTests/Fixtures/peft/base)")
        }
        let expected = try JSONDecoder().decode(PEFTLogits.self, from: Data(contentsOf: fixtures.appendingPathComponent("frugal_adapter_peft_logits.json")))
        let model = try DecoderModel.load(fixtures.appendingPathComponent("base").path)
        _ = try LoRAAdapter.load(from: dir.path, into: model)
        let ours = withoutGrad { model.logits(ids: expected.ids, batch: 1) }.scalars
        var diff = 0.0, norm = 0.0
        for (a, b) in zip(ours, expected.logits) { diff += Double(a - b) * Double(a - b); norm += Double(b) * Double(b) }
        XCTAssertEqual(ours.count, expected.logits.count)
        XCTAssertLessThan((diff / norm).squareRoot(), 1e-3, "‖Δ‖/‖ref‖")
        // And the adapter really is trained (B moved away from zero).
        let (_, pairs) = try FrugalIO_read(dir.path)
        XCTAssertTrue(pairs.contains { $0.b.contains { $0 != 0 } })
    }
}

import FrugalIO
private func FrugalIO_read(_ p: String) throws -> (Data, [LoRAPair]) { try PEFTAdapter.read(p) }
