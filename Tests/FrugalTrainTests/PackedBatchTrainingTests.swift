// Packing through the trainer: a row holding two examples (FrugalText's packed layout) keeps its
// position ids and drops the target that would cross from one example into the next, and trains
// exactly like the same examples padded into rows of their own (loss and LoRA gradients).
import XCTest
import FrugalCore
import FrugalModels
import FrugalText
@testable import FrugalTrain

final class PackedBatchTrainingTests: XCTestCase {
    func testPackedRowTrainsLikeItsExamplesPadded() throws {
        // FrugalText's layout (labels unshifted): examples X (3 tokens) and Y (4), every token
        // supervised; packed into one row of 8 (positions restart, one pad) or padded into two rows of 4
        let x = [10, 11, 12], y = [20, 21, 22, 23]
        let packed = FrugalText.TokenBatch(batchSize: 1, sequenceLength: 8, inputIDs: x + y + [0], labels: x + y + [-100],
                                           attentionMask: [1, 1, 1, 1, 1, 1, 1, 0], positionIDs: [0, 1, 2, 0, 1, 2, 3, 0])
        let padded = FrugalText.TokenBatch(batchSize: 2, sequenceLength: 4, inputIDs: x + [0] + y, labels: x + [-100] + y,
                                           attentionMask: [1, 1, 1, 0, 1, 1, 1, 1], positionIDs: [0, 1, 2, 0, 0, 1, 2, 3])
        let p = FrugalTrain.TokenBatch(shifting: packed), q = FrugalTrain.TokenBatch(shifting: padded)
        XCTAssertEqual(p.positions, [0, 1, 2, 0, 1, 2, 3, 0], "a packed row keeps its position ids")
        XCTAssertNil(q.positions, "padded rows count from 0 anyway")
        // X's last token does not predict Y's first
        XCTAssertEqual(p.labels, [11, 12, -100, 21, 22, 23, -100, -100])
        XCTAssertEqual(p.supervisedCount, q.supervisedCount)
        let model = Tiny.model(seed: 1, layers: 2)
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 4, alpha: 8, dropout: 0, targets: ["all-linear"]), seed: 101)
        Tiny.randomizeB(adapter, seed: 201, scale: 0.02)
        let trainer = try Trainer(model: model, adapter: adapter, train: [p], options: TrainOptions())
        let lp = trainer.accumulateGradients([p]).loss
        let gp = adapter.tensors.map { $0.grad!.scalars }
        trainer.optimizer.zeroGrad()
        let lq = trainer.accumulateGradients([q]).loss
        XCTAssertEqual(lp, lq, accuracy: 1e-5 * abs(lq))
        for (i, (x, y)) in zip(gp, adapter.tensors.map { $0.grad!.scalars }).enumerated() {
            let scale = y.map(abs).max() ?? 0
            let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1e-6 + 1e-3 * scale, "adapter tensor \(i): packed against padded")
        }
    }
}
