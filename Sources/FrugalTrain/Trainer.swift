// Trainer — fine-tunes a DecoderModel on already-tokenized micro-batches: LoRA (only the adapter's A
// and B train) or, without an adapter, every tensor that requires a gradient.
//
// One optimizer step = `gradAccum` micro-batches. Loss normalization: each micro-batch's loss is
// its SUM of token cross-entropies divided by N, the number of supervised tokens across ALL the
// step's micro-batches, and gradients add up over the micro-batches; so k micro-batches give the
// gradient of one batch k× as large (the mean over its supervised tokens), however the supervised
// tokens fall among them. Then: global-norm clipping, AdamW (decoupled weight decay) at the
// schedule's learning rate (warmup, then cosine / linear / constant).
// Data order: micro-batch positions 0, 1, 2, … map to batches through a seeded permutation per
// epoch, so the position alone (saved in a checkpoint) determines what comes next.
// Determinism: everything random is seeded (adapter init, dropout, data order); resuming from a
// checkpoint continues bit-identically (see TrainCheckpoint).
// The library never prints: each step is reported through the caller's callback.
// Leaves out: mixed precision, 8-bit optimizers, multiple devices.
import Foundation
import FrugalCore
import FrugalModels

public final class Trainer {
    public let model: DecoderModel
    public let adapter: LoRAAdapter?
    public let options: TrainOptions
    /// The tensors that train, by name (the model's names, adapter tensors included).
    public let parameters: [(String, Tensor)]
    public let optimizer: AdamW
    public let schedule: LRSchedule
    let train: [TokenBatch]
    /// Dropout generator (the adapter's), or a private seeded one.
    let dropoutRNG: RandomGenerator

    /// Optimizer steps taken.
    public internal(set) var step = 0
    /// Micro-batches consumed (the data-order position).
    public internal(set) var microBatchesConsumed = 0
    /// Input tokens trained on so far.
    public internal(set) var totalTokens = 0

    private var orderEpoch = -1
    private var order: [Int] = []
    private var runStart: Date?
    private var runTokens = 0

    /// `train` holds the micro-batches (each of the size one forward pass can afford).
    public init(model: DecoderModel, adapter: LoRAAdapter?, train: [TokenBatch], options: TrainOptions) throws {
        try options.validate()
        guard !train.isEmpty else { throw TrainError.noTrainingData }
        let v = model.config.vocabSize
        for (i, b) in train.enumerated() {
            guard b.batch > 0, !b.ids.isEmpty, b.ids.count % b.batch == 0, b.labels.count == b.ids.count else {
                throw TrainError.badBatch(index: i, reason: "\(b.ids.count) ids and \(b.labels.count) labels do not form \(b.batch) equal rows")
            }
            if let id = b.ids.first(where: { $0 < 0 || Int($0) >= v }) {
                throw TrainError.badBatch(index: i, reason: "token id \(id) is outside the vocabulary of \(v)")
            }
            if let l = b.labels.first(where: { $0 != TokenBatch.ignoreIndex && ($0 < 0 || Int($0) >= v) }) {
                throw TrainError.badBatch(index: i, reason: "label \(l) is outside the vocabulary of \(v) (use -100 to ignore a position)")
            }
        }
        if let adapter {
            guard !adapter.isMerged else { throw TrainError.adapterMerged }
            guard adapter.model === model else { throw LoRAError.notAttached }
            parameters = adapter.namedTensors
            dropoutRNG = adapter.dropoutRNG
        } else {
            parameters = model.trainableTensors
            dropoutRNG = RandomGenerator(seed: options.seed ^ 0xD80F_0D80_F0D8_0F0D)
        }
        guard !parameters.isEmpty else { throw TrainError.nothingToTrain }
        self.model = model
        self.adapter = adapter
        self.options = options
        self.train = train
        optimizer = AdamW(parameters.map(\.1), options: options.adamW)
        schedule = options.lrSchedule
    }

    /// A checksum of the training micro-batches (ids, labels, rows, positions, in order): saved
    /// in checkpoints so a resume on other data is noticed.
    public private(set) lazy var dataFingerprint: String = {
        var c = Checksum64()
        c.combine(train.count)
        for b in train {
            c.combine(b.batch); c.combine(b.ids.count); c.combine(b.ids); c.combine(b.labels)
            c.combine(b.positions?.count ?? -1)
            if let p = b.positions { c.combine(p) }
        }
        return c.finalize()
    }()

    /// Whether all `options.steps` have been taken.
    public var isFinished: Bool { step >= options.steps }

    /// The training batch at data-order position `position`.
    func batchIndex(at position: Int) -> Int {
        let n = train.count
        let epoch = position / n
        guard options.shuffle else { return position % n }
        if epoch != orderEpoch {
            let rng = RandomGenerator(seed: options.seed &+ 0x5851_F42D_4C95_7F2D &* UInt64(epoch + 1))
            order = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
            orderEpoch = epoch
        }
        return order[position % n]
    }

    /// Adds the gradients of `batches`, taken as ONE optimizer step, into the parameters' `grad`:
    /// each micro-batch contributes (sum of its token losses) / (supervised tokens of all `batches`).
    /// Returns the step's loss (mean per supervised token) and its token counts.
    @discardableResult
    public func accumulateGradients(_ batches: [TokenBatch]) -> (loss: Float, supervised: Int, tokens: Int) {
        let supervised = batches.reduce(0) { $0 + $1.supervisedCount }
        let scale = 1 / Float(max(supervised, 1))
        var loss: Float = 0
        var tokens = 0
        for b in batches {
            let micro = model.crossEntropy(ids: b.ids, batch: b.batch, targets: b.labels, ignoreIndex: TokenBatch.ignoreIndex,
                                           reduction: .sum, positions: b.positionIDs, checkpointing: options.checkpointing,
                                           rng: dropoutRNG) * scale
            loss += micro.item
            if micro.requiresGrad { micro.backward() }
            tokens += b.tokenCount
        }
        return (loss, supervised, tokens)
    }

    /// Takes one optimizer step on the next `gradAccum` micro-batches.
    public func trainStep() throws -> TrainMetrics {
        MemoryStats.resetPeak()
        if runStart == nil { runStart = Date() }
        adapter?.setTraining(true)
        let batches = (0..<options.gradAccum).map { train[batchIndex(at: microBatchesConsumed + $0)] }
        optimizer.zeroGrad()
        let (loss, supervised, tokens) = accumulateGradients(batches)
        guard loss.isFinite else { optimizer.zeroGrad(); throw TrainError.nonFiniteLoss(step: step + 1) }
        // Clipping is folded into the update (the gradients are scaled as they are read, the same
        // single rounding as scaling them first), saving a pass over every gradient.
        let norm = optimizer.gradientNorm()
        let clip = options.maxGradNorm > 0 ? AdamW.clipScale(norm: norm, maxNorm: options.maxGradNorm) : 1
        let lr = schedule.lr(at: step)
        optimizer.update(lr: lr, gradientScale: clip)
        optimizer.zeroGrad()
        step += 1
        microBatchesConsumed += options.gradAccum
        totalTokens += tokens
        runTokens += tokens
        let elapsed = Date().timeIntervalSince(runStart!)
        return TrainMetrics(step: step, loss: loss, lr: lr, gradNorm: norm, tokens: tokens, supervisedTokens: supervised,
                            totalTokens: totalTokens, tokensPerSecond: elapsed > 0 ? Double(runTokens) / elapsed : 0,
                            peakMemoryBytes: MemoryStats.peak, evalLoss: nil)
    }

    /// Trains until step `until` (default: options.steps), evaluating on `eval` every
    /// `options.evalEvery` steps and after the last step, and reports every step.
    public func run(until: Int? = nil, eval: [TokenBatch] = [], report: (TrainMetrics) -> Void = { _ in }) throws {
        let end = min(until ?? options.steps, options.steps)
        while step < end {
            var m = try trainStep()
            if !eval.isEmpty && options.evalEvery > 0 && (step % options.evalEvery == 0 || step == options.steps) {
                m.evalLoss = evaluate(eval)
            }
            report(m)
        }
    }

    /// Mean cross-entropy per supervised token over `batches`, without dropout or gradients.
    public func evaluate(_ batches: [TokenBatch]) -> Float {
        adapter?.setTraining(false)
        defer { adapter?.setTraining(true) }
        var total = 0.0
        var count = 0
        withoutGrad {
            for b in batches {
                total += Double(model.crossEntropy(ids: b.ids, batch: b.batch, targets: b.labels,
                                                   ignoreIndex: TokenBatch.ignoreIndex, reduction: .sum,
                                                   positions: b.positionIDs).item)
                count += b.supervisedCount
            }
        }
        return Float(total / Double(max(count, 1)))
    }
}
