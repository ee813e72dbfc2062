// Shared by the tests on Fixtures/families/<family>/ (the tiny models of reference/family_fixtures.py
// and the adapters of reference/adapter_fixtures.py): where a family's folder is, and the relative
// error the tests hold results to, and the check of an adapter against PEFT's logits, loss and
// gradients on a fixture batch.
import Foundation
import XCTest
import FrugalCore
import FrugalIO
import FrugalModels
import FrugalTrain

enum FamilyFixtures {
    static func folder(_ family: String) -> URL {
        Bundle.module.url(forResource: "families", withExtension: nil, subdirectory: "Fixtures")!.appendingPathComponent(family)
    }

    /// max |a − b| / max |b| — the relative error of a whole tensor.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max()! / Swift.max(scale, 1e-12)
    }

    /// `adapter` (attached to `model`) against PEFT: its tensor names, the adapted logits of `ids`,
    /// one step's mean loss on `labels` (transformers' unshifted layout) and every tensor's gradient
    /// (`gradsFile`, under PEFT's names), each within 1e-3 relative.
    static func checkAgainstPEFT(model: DecoderModel, adapter: LoRAAdapter, ids: [[Int32]], labels: [[Int32]],
                                 adaptedLogits: [Float], loss expectedLoss: Double, tensors: [String], gradsFile: URL,
                                 _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let flat = ids.flatMap { $0 }
        XCTAssertEqual(Set(adapter.peftNamedTensors.map(\.0)), Set(tensors), label, file: file, line: line)
        let adapted = withoutGrad { model.logits(ids: flat, batch: ids.count) }
        XCTAssertLessThan(relativeError(adapted.scalars, adaptedLogits), 1e-3, "\(label): adapted logits", file: file, line: line)
        // transformers shifts labels inside the loss: position t predicts labels[t + 1].
        let targets: [Int32] = labels.flatMap { row in Array(row.dropFirst()) + [-100] }
        let loss = model.crossEntropy(ids: flat, batch: ids.count, targets: targets, reduction: .mean)
        XCTAssertEqual(Double(loss.scalars[0]), expectedLoss, accuracy: 1e-4 * abs(expectedLoss), label, file: file, line: line)
        loss.backward()
        let grads = try SafetensorsFile(path: gradsFile.path)
        for (name, t) in adapter.peftNamedTensors {
            let expected = try grads.loadFloat32(name).data
            guard let grad = t.grad?.scalars else { XCTFail("\(label): no gradient for \(name)", file: file, line: line); continue }
            let err = relativeError(grad, expected)
            XCTAssertLessThan(err, 1e-3, "\(label) \(name): gradient relative error \(err)", file: file, line: line)
        }
    }
}
