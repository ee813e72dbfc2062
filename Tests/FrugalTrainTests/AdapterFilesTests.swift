// A trained adapter saved by Frugal and loaded back gives the same model output; and an adapter
// PEFT saved (the FrugalIO fixture's tiny Llama) applied by Frugal gives PEFT's logits.
import XCTest
import Foundation
import FrugalCore
import FrugalIO
import FrugalModels
@testable import FrugalTrain

final class AdapterFilesTests: XCTestCase {
    /// Tests/FrugalIOTests/Fixtures/peft, found from this file's path (the fixture belongs to FrugalIOTests).
    var peftFixture: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FrugalIOTests/Fixtures/peft")
    }

    struct Logits: Decodable { let ids: [Int32]; let adapted_logits: [Float]; let base_logits: [Float]; let merged_logits: [Float] }

    func testPEFTAdapterAppliedByFrugalGivesPEFTLogits() throws {
        let expected = try JSONDecoder().decode(Logits.self, from: Data(contentsOf: peftFixture.appendingPathComponent("logits.json")))
        let model = try DecoderModel.load(peftFixture.appendingPathComponent("base").path)
        let base = withoutGrad { model.logits(ids: expected.ids, batch: 1) }.scalars
        for (x, y) in zip(base, expected.base_logits) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        let adapter = try LoRAAdapter.load(from: peftFixture.appendingPathComponent("adapter").path, into: model)
        let adapted = withoutGrad { model.logits(ids: expected.ids, batch: 1) }.scalars
        for (x, y) in zip(adapted, expected.adapted_logits) { XCTAssertEqual(x, y, accuracy: 1e-4) }
        XCTAssertGreaterThan(zip(adapted, base).map { abs($0 - $1) }.max()!, 1e-2, "the adapter changes the output")
        try adapter.merge()
        let merged = withoutGrad { model.logits(ids: expected.ids, batch: 1) }.scalars
        for (x, y) in zip(merged, expected.merged_logits) { XCTAssertEqual(x, y, accuracy: 1e-4) }
    }

    func testSaveThenLoadRoundTrips() throws {
        let base = peftFixture.appendingPathComponent("base").path
        let model = try DecoderModel.load(base)
        let adapter = try LoRAAdapter.load(from: peftFixture.appendingPathComponent("adapter").path, into: model)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("adapter-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try adapter.save(to: out, baseModel: base)
        // The tensors file is byte-identical to PEFT's.
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("adapter_model.safetensors")),
                       try Data(contentsOf: peftFixture.appendingPathComponent("adapter/adapter_model.safetensors")))
        let fresh = try DecoderModel.load(base)
        let again = try LoRAAdapter.load(from: out, into: fresh)
        XCTAssertEqual(again.config, adapter.config)
        let ids: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
        XCTAssertEqual(withoutGrad { fresh.logits(ids: ids, batch: 1) }.scalars, withoutGrad { model.logits(ids: ids, batch: 1) }.scalars)
    }
}
