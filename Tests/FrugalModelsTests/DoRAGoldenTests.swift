// DoRA against PEFT (use_dora=True) on the tiny Llama and Qwen2 models (reference/adapter_fixtures.py;
// Fixtures/families/<family>/dora/): a PEFT adapter loads as DoRA (A, B, magnitudes), gives PEFT's
// adapted logits and, for one training step, PEFT's loss and the gradients of A, B and the magnitude
// vectors within 1e-3 relative; Frugal writes PEFT's adapter file byte for byte; merging gives
// merge_and_unload's weights and logits. Qwen2's q/k/v biases exercise the bias path. Over a 4-bit
// base a fresh DoRA adapter starts equal to the base and trains.
import XCTest
import FrugalCore
import FrugalIO
@testable import FrugalModels
@testable import FrugalTrain

final class DoRAGoldenTests: XCTestCase {
    struct Golden: Decodable {
        let loss: Double
        let labels: [[Int32]]
        let adapted_logits: [Float]
        let merged_logits: [Float]
        let merged_q_proj_layer0: [Float]
        let tensors: [String]
    }
    struct Inputs: Decodable { let input_ids: [[Int32]] }

    func folder(_ family: String) -> URL { FamilyFixtures.folder(family) }

    func relativeError(_ a: [Float], _ b: [Float]) -> Float { FamilyFixtures.relativeError(a, b) }

    func testPEFTDoRAAdapters() throws {
        for f in ["llama", "qwen2"] {
            let dora = folder(f).appendingPathComponent("dora")
            let g = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: dora.appendingPathComponent("golden.json")))
            let ids = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: folder(f).appendingPathComponent("golden.json")))
                .input_ids
            let flat = ids.flatMap { $0 }
            let model = try DecoderModel.load(folder(f).path)
            let adapter = try LoRAAdapter.load(from: dora.appendingPathComponent("adapter").path, into: model)
            XCTAssertEqual(adapter.config.method, .dora, f)
            XCTAssertTrue(adapter.entries.allSatisfy { $0.layer is DoRALinear }, f)
            try FamilyFixtures.checkAgainstPEFT(model: model, adapter: adapter, ids: ids, labels: g.labels,
                                                adaptedLogits: g.adapted_logits, loss: g.loss, tensors: g.tensors,
                                                gradsFile: dora.appendingPathComponent("grads.safetensors"), f)

            // Written back: PEFT's own bytes.
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("dora-\(f)-\(getpid())")
            defer { try? FileManager.default.removeItem(at: out) }
            try adapter.save(to: out.path, baseModel: nil)
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("adapter_model.safetensors")),
                           try Data(contentsOf: dora.appendingPathComponent("adapter/adapter_model.safetensors")), f)
            XCTAssertEqual(try LoRAAdapter.load(from: out.path, into: DecoderModel.load(folder(f).path)).config.method, .dora)

            // Merged: merge_and_unload's weights and logits; unmerged again: the adapted logits.
            try adapter.merge()
            let q = model.blocks[0].linear(.q) as! DoRALinear
            XCTAssertLessThan(relativeError((q.base as! Linear).weight.scalars, g.merged_q_proj_layer0), 1e-5, f)
            let merged = withoutGrad { model.logits(ids: flat, batch: ids.count) }
            XCTAssertLessThan(relativeError(merged.scalars, g.merged_logits), 1e-3, "\(f): merged logits")
            try adapter.unmerge()
            let again = withoutGrad { model.logits(ids: flat, batch: ids.count) }
            XCTAssertLessThan(relativeError(again.scalars, g.adapted_logits), 1e-3, "\(f): unmerged logits")
        }
    }

    func testDoRAOverA4BitBaseStartsAtTheBaseAndTrains() throws {
        let path = folder("qwen2").path
        let model = try DecoderModel.load4Bit(path)
        let ids: [Int32] = [3, 9, 27, 81, 115, 17, 51, 25]
        let before = withoutGrad { model.logits(ids: ids, batch: 2) }.scalars
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 4, alpha: 8, targets: ["all-linear"], method: .dora),
                                             seed: 3)
        XCTAssertTrue(adapter.entries.allSatisfy { ($0.layer as? DoRALinear)?.base is QuantizedLinear })
        let after = withoutGrad { model.logits(ids: ids, batch: 2) }.scalars
        XCTAssertLessThan(relativeError(after, before), 1e-5, "B = 0 and m = ‖W‖: the adapter starts as the base")
        let loss = model.crossEntropy(ids: ids, batch: 2, targets: Array(ids.dropFirst()) + [-100], reduction: .mean)
        loss.backward()
        for (name, t) in adapter.namedTensors where name.hasSuffix("lora_magnitude_vector") || name.hasSuffix("lora_B.weight") {
            let grad = try XCTUnwrap(t.grad, name).scalars
            XCTAssertTrue(grad.allSatisfy(\.isFinite), name)
            XCTAssertGreaterThan(grad.map(abs).max()!, 0, name)
        }
        XCTAssertThrowsError(try adapter.merge(), "a 4-bit base cannot take a merge")
    }
}
