// `--method qdora` end to end on the default model: DoRA over the 4-bit base through the adapter
// seam, a PEFT adapter with use_dora and magnitude vectors that loads back as DoRA, a falling loss on
// a repeated example, and the trained adapter's output reproduced after reloading it.
import XCTest
import Foundation
import FrugalCore
import FrugalIO
import FrugalModels
@testable import FrugalTrain

final class DoRAFinetuneTests: XCTestCase {
    func testQDoRARunWritesAPEFTDoRAAdapter() throws {
        guard FileManager.default.fileExists(atPath: DefaultModel.path()) else {
            return XCTFail("the default model is missing at \(DefaultModel.path()): \(DefaultModel.advice)")
        }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("qdora-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let data = tmp.appendingPathComponent("train.jsonl")
        try Data(String(repeating: #"{"prompt": "The password is", "completion": " swordfish"}"# + "\n", count: 4).utf8).write(to: data)
        var c = FinetuneConfig()
        c.data = data.path; c.output = tmp.appendingPathComponent("out").path
        c.method = .qdora; c.rank = 4; c.alpha = 8; c.dropout = 0; c.targets = "q,v"
        c.steps = 6; c.batchSize = 1; c.gradAccum = 1; c.maxSeqLen = 24; c.lr = 5e-3
        let run = try Finetune(config: c)
        XCTAssertTrue(run.adapter!.entries.allSatisfy { ($0.layer as? DoRALinear)?.base is QuantizedLinear })
        var losses: [Float] = []
        try run.run { if case let .step(m) = $0 { losses.append(m.loss) } }
        XCTAssertEqual(losses.count, 6)
        XCTAssertLessThan(losses.last!, losses.first!, "\(losses)")

        let out = tmp.appendingPathComponent("out")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        XCTAssertEqual(config["use_dora"] as? Bool, true)
        let file = try SafetensorsFile(path: out.appendingPathComponent("adapter_model.safetensors").path)
        XCTAssertEqual(file.tensors.filter { $0.name.hasSuffix("lora_magnitude_vector") }.count, 2 * 30)

        let ids: [Int32] = [504, 2987, 314]
        let trained = withoutGrad { run.model.logits(ids: ids, batch: 1) }.scalars
        let fresh = try DecoderModel.load4Bit("default")
        let loaded = try LoRAAdapter.load(from: out.path, into: fresh)
        XCTAssertEqual(loaded.config.method, .dora)
        let again = withoutGrad { fresh.logits(ids: ids, batch: 1) }.scalars
        XCTAssertEqual(zip(trained, again).map { abs($0 - $1) }.max()!, 0, accuracy: 1e-4)
    }
}
