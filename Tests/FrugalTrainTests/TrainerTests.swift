// Trainer: the label convention, loss normalization under gradient accumulation, learning with
// LoRA on a memorization task (base untouched), checkpointing (same gradients, replayed dropout),
// schedule and metrics, data order, validation of inputs.
import XCTest
import FrugalCore
import FrugalModels
@testable import FrugalTrain

final class TrainerTests: XCTestCase {
    /// A model with an all-linear adapter whose B is non-zero (so A gets gradients too).
    func adapted(seed: UInt64 = 1, layers: Int = 2, dropout: Float = 0, rank: Int = 4) throws -> (DecoderModel, LoRAAdapter) {
        let model = Tiny.model(seed: seed, layers: layers)
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: rank, alpha: 8, dropout: dropout, targets: ["all-linear"]), seed: seed + 100)
        Tiny.randomizeB(adapter, seed: seed + 200, scale: 0.02)
        return (model, adapter)
    }

    func grads(_ adapter: LoRAAdapter) -> [[Float]] { adapter.tensors.map { $0.grad?.scalars ?? [] } }

    func assertClose(_ a: [[Float]], _ b: [[Float]], rel: Float = 1e-4, abs absTol: Float = 1e-6, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.count, y.count, what, file: file, line: line)
            let scale = x.map(Swift.abs).max() ?? 0
            for (p, q) in zip(x, y) where Swift.abs(p - q) > absTol + rel * scale {
                XCTFail("\(what): \(p) vs \(q) (scale \(scale))", file: file, line: line); return
            }
        }
    }

    func testLabelsAreShiftedOnceAndLossIsMeanOverSupervisedTokens() throws {
        let seq: [[Int32]] = [[10, 11, 12, 13, 14], [20, 21, 22, 23, 24]]
        let mask: [[Bool]] = [[true, false, false, true, true], [true, true, true, true, false]]
        let b = TokenBatch(sequences: seq, supervised: mask)
        XCTAssertEqual(b.ids, [10, 11, 12, 13, 20, 21, 22, 23])
        XCTAssertEqual(b.labels, [-100, -100, 13, 14, 21, 22, 23, -100])
        XCTAssertEqual(b.supervisedCount, 5)
        // The trainer's loss is the mean over supervised positions of −log p(label[t] | ids[..t]).
        let (model, adapter) = try adapted()
        let trainer = try Trainer(model: model, adapter: adapter, train: [b], options: TrainOptions())
        let loss = trainer.accumulateGradients([b]).loss
        let logits = withoutGrad { model.logits(ids: b.ids, batch: 2) }.scalars
        var sum = 0.0
        for (t, label) in b.labels.enumerated() where label != -100 {
            let row = logits[(t * 256)..<((t + 1) * 256)].map(Double.init)
            let m = row.max()!
            sum += (m + log(row.map { exp($0 - m) }.reduce(0, +))) - row[Int(label)]
        }
        XCTAssertEqual(Double(loss), sum / 5, accuracy: 1e-5)
    }

    func testGradientAccumulationEqualsOneLargeBatch() throws {
        let (model, adapter) = try adapted()
        // Four rows with very different numbers of supervised tokens.
        let rows = (0..<4).map { r in Array(Tiny.text.utf8.map { Int32($0) }[(r * 9)..<(r * 9 + 17)]) }
        let masks: [[Bool]] = (0..<4).map { r in (0..<17).map { t in r == 0 ? t > 13 : (r == 1 ? true : t % (r + 1) == 0) } }
        let big = TokenBatch(sequences: rows, supervised: masks)
        let halves = [TokenBatch(sequences: Array(rows[0..<2]), supervised: Array(masks[0..<2])),
                      TokenBatch(sequences: Array(rows[2..<4]), supervised: Array(masks[2..<4]))]
        let quarters = (0..<4).map { TokenBatch(sequences: [rows[$0]], supervised: [masks[$0]]) }
        XCTAssertNotEqual(halves[0].supervisedCount, halves[1].supervisedCount)
        let trainer = try Trainer(model: model, adapter: adapter, train: [big], options: TrainOptions())
        func run(_ batches: [TokenBatch]) -> (Float, [[Float]]) {
            trainer.optimizer.zeroGrad()
            let loss = trainer.accumulateGradients(batches).loss
            return (loss, grads(adapter))
        }
        let (l1, g1) = run([big]), (l2, g2) = run(halves), (l4, g4) = run(quarters)
        XCTAssertEqual(l1, l2, accuracy: 1e-5); XCTAssertEqual(l1, l4, accuracy: 1e-5)
        assertClose(g1, g2, "1 batch vs 2 micro-batches")
        assertClose(g1, g4, "1 batch vs 4 micro-batches")
        // Averaging per micro-batch means instead (the common mistake) gives a different gradient.
        trainer.optimizer.zeroGrad()
        for h in halves {
            (model.logits(ids: h.ids, batch: h.batch)
                .crossEntropy(targets: h.labels) * 0.5).backward()
        }
        let wrong = grads(adapter)
        let diff = zip(wrong.joined(), g1.joined()).map { Swift.abs($0 - $1) }.max()!
        XCTAssertGreaterThan(diff, 1e-3 * g1.joined().map(Swift.abs).max()!)

        // And a whole optimizer step: gradAccum 2 over the halves equals one step on the big batch.
        func stepped(_ train: [TokenBatch], accum: Int) throws -> [[Float]] {
            let (m, a) = try adapted()
            var o = TrainOptions(); o.steps = 1; o.gradAccum = accum; o.lr = 1e-2; o.shuffle = false; o.maxGradNorm = 0.5
            let t = try Trainer(model: m, adapter: a, train: train, options: o)
            _ = try t.trainStep()
            return a.tensors.map(\.scalars)
        }
        assertClose(try stepped([big], accum: 1), try stepped(halves, accum: 2), rel: 1e-4, "one step")
    }

    func testLoRALearnsAMemorizationTaskAndLeavesTheBaseUnchanged() throws {
        let model = Tiny.model(seed: 3)
        // A random init's head (std 0.02) caps logits near ±1 after the final RMSNorm, far from what a
        // pretrained head can express; widen it so that the task is learnable through the blocks alone.
        let head = model.lmHead!
        for i in 0..<head.count { head.data[i] *= 25 }
        let base = Tiny.snapshot(model.namedTensors)
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 8, alpha: 16, targets: ["all-linear"]), seed: 4)
        let train = (0..<4).map { Tiny.textBatch(Tiny.text, rows: 2, t: 24, start: $0 * 11) }
        var o = TrainOptions()
        o.steps = 60; o.lr = 2e-2; o.warmup = 5; o.gradAccum = 2; o.evalEvery = 30; o.seed = 7
        let trainer = try Trainer(model: model, adapter: adapter, train: train, options: o)
        let before = trainer.evaluate(train)
        var metrics: [TrainMetrics] = []
        try trainer.run(eval: train) { metrics.append($0) }
        XCTAssertEqual(metrics.map(\.step), Array(1...60))
        XCTAssertGreaterThan(before, 4, "an untrained adapter knows nothing of the text")
        let after = metrics.last!.evalLoss!
        XCTAssertEqual(metrics.compactMap(\.evalLoss).count, 2)
        XCTAssertLessThan(after, 1.0, "eval loss \(before) → \(after)")
        XCTAssertLessThan(metrics.suffix(5).map(\.loss).reduce(0, +) / 5, 1.0)
        // Only the adapter moved.
        let now = Tiny.snapshot(model.namedTensors)
        for (name, values) in base { XCTAssertTrue(now[name] == values, "base tensor \(name) changed") }
        XCTAssertNotEqual(adapter.entries[0].layer.loraB.scalars, [Float](repeating: 0, count: adapter.entries[0].layer.loraB.count))
    }

    func testCheckpointingGivesTheSameGradientsWithDropout() throws {
        let batch = Tiny.textBatch(Tiny.text, rows: 2, t: 20)
        func run(checkpointing: Bool) throws -> (Float, [[Float]]) {
            let (model, adapter) = try adapted(seed: 5, dropout: 0.2)
            var o = TrainOptions(); o.checkpointing = checkpointing
            let t = try Trainer(model: model, adapter: adapter, train: [batch], options: o)
            let loss = t.accumulateGradients([batch]).loss
            return (loss, grads(adapter))
        }
        let (l0, g0) = try run(checkpointing: false), (l1, g1) = try run(checkpointing: true)
        XCTAssertEqual(l0, l1)
        assertClose(g0, g1, rel: 1e-5, "checkpointed vs plain gradients")
        // Dropout really acted: without it the loss differs.
        let (model, adapter) = try adapted(seed: 5, dropout: 0.2)
        adapter.setTraining(false)
        let plain = withoutGrad { model.logits(ids: batch.ids, batch: 2).crossEntropy(targets: batch.labels) }.item
        XCTAssertNotEqual(plain, l0)
    }

    /// One forward + backward of a 2-layer tiny model (4-bit base when `quantized`) with an
    /// all-linear LoRA adapter whose B starts random: the loss and the adapter's gradients.
    func adaptedLossAndGradients(_ batch: TokenBatch, quantized: Bool, dropout: Float = 0,
                                 checkpointing: Bool = false) throws -> (Float, [[Float]]) {
        let model = Tiny.model(seed: 6, layers: 2)
        if quantized { try model.quantizeBlockLinears(type: .nf4, blockSize: 64, doubleQuant: true) }
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 4, alpha: 8, dropout: dropout, targets: ["all-linear"]), seed: 7)
        Tiny.randomizeB(adapter, seed: 8, scale: 0.02)
        var o = TrainOptions(); o.checkpointing = checkpointing
        let t = try Trainer(model: model, adapter: adapter, train: [batch], options: o)
        return (t.accumulateGradients([batch]).loss, grads(adapter))
    }

    func testCheckpointingGivesTheSameGradientsOnAQuantizedBase() throws {
        // QLoRA: the recomputation skips down_proj's 4-bit product and the residual add (their
        // values are never read); the gradients must not notice.
        let batch = Tiny.textBatch(Tiny.text, rows: 2, t: 20)
        let (l0, g0) = try adaptedLossAndGradients(batch, quantized: true)
        let (l1, g1) = try adaptedLossAndGradients(batch, quantized: true, checkpointing: true)
        XCTAssertEqual(l0, l1)
        assertClose(g0, g1, rel: 1e-5, "checkpointed vs plain gradients, 4-bit base")
    }

    func testGroupedLoRABranchesGiveTheSameLossAndGradients() throws {
        // q/k/v and gate/up branches in grouped products (DecoderBlock.project) against each branch on
        // its own, through a whole model (a 4-bit base and a float one).
        let batch = Tiny.textBatch(Tiny.text, rows: 2, t: 20)
        let saved = DecoderBlock.groupsLowRankBranches
        defer { DecoderBlock.groupsLowRankBranches = saved }
        for quantized in [false, true] {
            func run(grouped: Bool) throws -> (Float, [[Float]]) {
                DecoderBlock.groupsLowRankBranches = grouped
                return try adaptedLossAndGradients(batch, quantized: quantized)
            }
            let (l0, g0) = try run(grouped: true), (l1, g1) = try run(grouped: false)
            XCTAssertEqual(l0, l1, accuracy: 1e-5 * abs(l1))
            assertClose(g0, g1, rel: 1e-4, "grouped vs per-branch gradients (4-bit base: \(quantized))")
        }
    }

    func testInPlaceGradientSumsGiveTheSameLossAndGradients() throws {
        // The autograd's offered gradient sums (q/k/v, gate/up and their LoRA branch add their input
        // gradients into one tensor) against every op returning its own and the engine adding them:
        // float, 4-bit and full fine-tuning, with and without checkpointing, LoRA dropout on and off.
        let batch = Tiny.textBatch(Tiny.text, rows: 2, t: 20)
        let saved = Tensor.accumulatesInPlace
        defer { Tensor.accumulatesInPlace = saved }
        for (quantized, checkpointing, dropout) in [(false, false, Float(0)), (true, false, 0), (true, true, 0), (false, true, 0.1)] {
            func run(inPlace: Bool) throws -> (Float, [[Float]]) {
                Tensor.accumulatesInPlace = inPlace
                return try adaptedLossAndGradients(batch, quantized: quantized, dropout: dropout, checkpointing: checkpointing)
            }
            let (l0, g0) = try run(inPlace: true), (l1, g1) = try run(inPlace: false)
            XCTAssertEqual(l0, l1)
            assertClose(g0, g1, rel: 1e-5, "in-place vs returned gradient sums (4-bit \(quantized), ckpt \(checkpointing), dropout \(dropout))")
        }
        // full fine-tuning: every weight's gradient
        func full(inPlace: Bool) throws -> [[Float]] {
            Tensor.accumulatesInPlace = inPlace
            let model = Tiny.model(seed: 3, layers: 2)
            for (_, t) in model.namedTensors { t.requiresGrad = true }
            let t = try Trainer(model: model, adapter: nil, train: [batch], options: TrainOptions())
            t.accumulateGradients([batch])
            return model.namedTensors.map { $0.1.grad?.scalars ?? [] }
        }
        assertClose(try full(inPlace: true), try full(inPlace: false), rel: 1e-5, "in-place vs returned gradient sums, full fine-tuning")
    }

    /// Peak tensor bytes of one forward+backward above what was live before it.
    func peakOfStep(layers: Int, checkpointing: Bool, batch: TokenBatch) throws -> Int {
        let (model, adapter) = try adapted(seed: 2, layers: layers)
        var o = TrainOptions(); o.checkpointing = checkpointing
        let trainer = try Trainer(model: model, adapter: adapter, train: [batch], options: o)
        let live = MemoryStats.current
        MemoryStats.resetPeak()
        trainer.accumulateGradients([batch])
        return MemoryStats.peak - live
    }

    func testCheckpointingLowersPeakMemoryToAboutOneHiddenStatePerLayer() throws {
        let (b, t, c) = (2, 64, 48)
        let batch = TokenBatch(sequences: (0..<b).map { r in Tiny.ids(t + 1, seed: r) })
        let plain2 = try peakOfStep(layers: 2, checkpointing: false, batch: batch)
        let plain4 = try peakOfStep(layers: 4, checkpointing: false, batch: batch)
        let ckpt2 = try peakOfStep(layers: 2, checkpointing: true, batch: batch)
        let ckpt4 = try peakOfStep(layers: 4, checkpointing: true, batch: batch)
        let hidden = b * t * c * 4
        // LoRA gradients of one layer (all 7 projections, r = 4) stay live after backward.
        let loraGrads = 4 * 4 * ((48 + 48) + (48 + 16) * 2 + (48 + 48) + (48 + 96) * 3)
        let plainPerLayer = (plain4 - plain2) / 2, ckptPerLayer = (ckpt4 - ckpt2) / 2
        XCTAssertLessThan(ckpt4, plain4 / 2, "checkpointing: \(ckpt4) vs \(plain4) bytes")
        XCTAssertGreaterThan(plainPerLayer, 8 * hidden, "without checkpointing each layer keeps all its activations")
        XCTAssertGreaterThanOrEqual(ckptPerLayer, hidden, "each block input is kept")
        XCTAssertLessThanOrEqual(ckptPerLayer, hidden + loraGrads + hidden / 4,
                                 "per layer \(ckptPerLayer) bytes, hidden state \(hidden), LoRA grads \(loraGrads)")
    }

    func testScheduleMetricsAndClipping() throws {
        let (model, adapter) = try adapted()
        let train = (0..<3).map { Tiny.textBatch(Tiny.text, rows: 2, t: 16, start: $0 * 7) }
        var o = TrainOptions()
        o.steps = 8; o.warmup = 3; o.lr = 1e-3; o.schedule = .cosine; o.minLRRatio = 0.1; o.maxGradNorm = 1e-3; o.gradAccum = 2
        let trainer = try Trainer(model: model, adapter: adapter, train: train, options: o)
        var metrics: [TrainMetrics] = []
        try trainer.run(until: 5) { metrics.append($0) }
        XCTAssertEqual(trainer.step, 5)
        XCTAssertFalse(trainer.isFinished)
        for m in metrics {
            XCTAssertEqual(m.lr, o.lrSchedule.lr(at: m.step - 1))
            XCTAssertEqual(m.tokens, 2 * 2 * 16)
            XCTAssertEqual(m.supervisedTokens, 2 * 2 * 16)
            XCTAssertEqual(m.totalTokens, m.step * 64)
            XCTAssertGreaterThan(m.gradNorm, 1e-3, "reported before clipping")
            XCTAssertGreaterThan(m.peakMemoryBytes, 0)
            XCTAssertGreaterThan(m.tokensPerSecond, 0)
            XCTAssertNil(m.evalLoss)
        }
        XCTAssertEqual(metrics[0].lr, 1e-3 / 3)
        XCTAssertEqual(metrics[2].lr, 1e-3)
        // Clipping: recompute the next step's gradient and check the update direction was scaled to norm 1e-3.
        trainer.optimizer.zeroGrad()
        let next = (0..<2).map { train[trainer.batchIndex(at: trainer.microBatchesConsumed + $0)] }
        trainer.accumulateGradients(next)
        let raw = trainer.optimizer.gradientNorm()
        trainer.optimizer.clipGradientNorm(1e-3)
        XCTAssertEqual(trainer.optimizer.gradientNorm(), 1e-3, accuracy: 1e-6)
        XCTAssertGreaterThan(raw, 1e-3)
    }

    func testDataOrderVisitsEveryBatchOncePerEpoch() throws {
        let (model, adapter) = try adapted()
        let train = (0..<8).map { Tiny.textBatch(Tiny.text, rows: 1, t: 8, start: $0) }
        var o = TrainOptions(); o.seed = 3
        let t = try Trainer(model: model, adapter: adapter, train: train, options: o)
        let e0 = (0..<8).map { t.batchIndex(at: $0) }, e1 = (8..<16).map { t.batchIndex(at: $0) }
        XCTAssertEqual(e0.sorted(), Array(0..<8)); XCTAssertEqual(e1.sorted(), Array(0..<8))
        XCTAssertNotEqual(e0, e1); XCTAssertNotEqual(e0, Array(0..<8))
        XCTAssertEqual(e0, (0..<8).map { t.batchIndex(at: $0) }, "a position always maps to the same batch")
        o.shuffle = false
        let u = try Trainer(model: model, adapter: adapter, train: train, options: o)
        XCTAssertEqual((0..<10).map { u.batchIndex(at: $0) }, [0, 1, 2, 3, 4, 5, 6, 7, 0, 1])
    }

    func testInvalidInputsAreTypedErrors() throws {
        let (model, adapter) = try adapted()
        let good = Tiny.textBatch(Tiny.text, rows: 1, t: 8)
        XCTAssertThrowsError(try Trainer(model: model, adapter: adapter, train: [], options: TrainOptions())) {
            XCTAssertEqual($0 as? TrainError, .noTrainingData)
        }
        var bad = good; bad.ids[2] = 300
        XCTAssertThrowsError(try Trainer(model: model, adapter: adapter, train: [good, bad], options: TrainOptions())) {
            guard case .badBatch(1, _) = $0 as? TrainError else { return XCTFail("\($0)") }
        }
        var badLabel = good; badLabel.labels[0] = -5
        XCTAssertThrowsError(try Trainer(model: model, adapter: adapter, train: [badLabel], options: TrainOptions()))
        var o = TrainOptions(); o.gradAccum = 0
        XCTAssertThrowsError(try Trainer(model: model, adapter: adapter, train: [good], options: o)) {
            XCTAssertEqual($0 as? TrainError, .invalidOption(field: "gradAccum", value: "0", expected: "at least 1"))
        }
        o = TrainOptions(); o.warmup = 500
        XCTAssertThrowsError(try Trainer(model: model, adapter: adapter, train: [good], options: o))
        try adapter.merge()
        XCTAssertThrowsError(try Trainer(model: model, adapter: adapter, train: [good], options: TrainOptions())) {
            XCTAssertEqual($0 as? TrainError, .adapterMerged)
        }
    }
}
