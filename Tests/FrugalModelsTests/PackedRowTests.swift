// Packed rows: examples laid side by side in one row, with position ids that restart at 0 for each,
// give every example its own logits and, summed, the gradients of the examples run one by one (RoPE
// restarts, attention is block-diagonal causal) — also with gradient checkpointing and in a batch of
// rows packed differently. Without the positions the later examples' logits change (they would see
// the earlier ones), so the comparison can fail.
import XCTest
import FrugalCore
import FrugalSpec
@testable import FrugalModels

final class PackedRowTests: XCTestCase {
    static let a: [Int32] = [70, 114, 117, 103, 97]
    static let b: [Int32] = [108, 33, 10, 5, 250, 99, 1]
    static let c: [Int32] = [12, 200, 31]

    func model(_ seed: UInt64) -> DecoderModel {
        DecoderModel(randomlyInitialized: TinyLlamaTrainingTests.config, rng: RandomGenerator(seed: seed))
    }

    func assertClose(_ x: [Float], _ y: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(x.count, y.count, what, file: file, line: line)
        var worst: Float = 0
        for (p, q) in zip(x, y) { worst = max(worst, abs(p - q) / (1e-4 + abs(q))) }
        XCTAssertLessThan(worst, 1e-3, "\(what): largest relative difference \(worst)", file: file, line: line)
    }

    func testPackedRowGivesEachExampleItsOwnLogits() {
        let m = model(4)
        let v = TinyLlamaTrainingTests.config.vocabSize
        let alone = withoutGrad { [Self.a, Self.b, Self.c].flatMap { m.logits(ids: $0, batch: 1).scalars } }
        let ids = Self.a + Self.b + Self.c
        let positions = Array(0..<5) + Array(0..<7) + Array(0..<3)
        let packed = withoutGrad { m.logits(ids: ids, batch: 1, positions: positions).scalars }
        assertClose(packed, alone, "packed row against each example alone")
        // without the positions the first example is unchanged, the later ones are not
        let unmasked = withoutGrad { m.logits(ids: ids, batch: 1).scalars }
        assertClose(Array(unmasked[0..<(5 * v)]), Array(alone[0..<(5 * v)]), "first example, unmasked")
        let later = zip(unmasked[(5 * v)...], alone[(5 * v)...]).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(later, 1e-2, "the later examples must see the earlier ones when unmasked")
    }

    func testPackedBatchGradientsEqualExamplesOneByOne() {
        // two rows of 15 tokens packed in different orders, summed losses, against each example's
        // summed loss run alone (each example twice)
        let rows: [[[Int32]]] = [[Self.a, Self.b, Self.c], [Self.c, Self.a, Self.b]]
        func targets(_ e: [Int32]) -> [Int32] { Array(e.dropFirst()) + [-100] }
        let ids = rows.flatMap { $0.flatMap { $0 } }
        let tg = rows.flatMap { $0.flatMap(targets) }
        let positions = rows.flatMap { $0.flatMap { Array(0..<$0.count) } }
        for ckpt in [false, true] {
            let m = model(5)
            for (_, t) in m.namedTensors { t.requiresGrad = true; t.zeroGrad() }
            let packedLoss = m.crossEntropy(ids: ids, batch: 2, targets: tg, reduction: .sum, positions: positions,
                                            checkpointing: ckpt)
            packedLoss.backward()
            let packedGrads = m.namedTensors.map { $0.1.grad!.scalars }
            for (_, t) in m.namedTensors { t.zeroGrad() }
            var aloneLoss: Float = 0
            for row in rows {
                for e in row {
                    let l = m.crossEntropy(ids: e, batch: 1, targets: targets(e), reduction: .sum)
                    aloneLoss += l.item
                    l.backward()
                }
            }
            XCTAssertEqual(packedLoss.item, aloneLoss, accuracy: 1e-4 * abs(aloneLoss), "checkpointing \(ckpt)")
            for ((name, t), g) in zip(m.namedTensors, packedGrads) {
                assertClose(g, t.grad!.scalars, "\(name), checkpointing \(ckpt)")
            }
        }
    }

    func testFirstKeysFollowPositions() {
        // shared positions counting up (also after a cache) narrow nothing; restarts do
        XCTAssertNil(DecoderBlock.firstKeys([0, 1, 2, 3], batch: 2, queries: 4, keys: 4))
        XCTAssertNil(DecoderBlock.firstKeys([6, 7], batch: 1, queries: 2, keys: 8))
        XCTAssertEqual(DecoderBlock.firstKeys([0, 1, 0, 1, 2, 0, 1, 2, 3, 4], batch: 2, queries: 5, keys: 5),
                       [0, 0, 2, 2, 2, 0, 0, 0, 0, 0])
    }
}
