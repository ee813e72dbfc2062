// SweepGrid — the plan of a scaling sweep: model sizes × token budgets, with the training settings
// every run shares (batch, sequence length, peak learning rate with warmup and a cosine decay to the
// run's own end, seed). Each run trains one size for one budget from scratch with Pretrainer, so
// every run gets a schedule matched to its length (Hoffmann et al. 2022's correction of Kaplan).
//
// `standard` is sized to take about 20 minutes on 2 CPU cores in release (4 sizes, ~20K to ~450K
// parameters, × 3 budgets, 0.25M to 1M bytes); `quick` (3 tiny sizes × 2 budgets) under a minute.
// Leaves out: per-size learning rates, batch-size scaling, repeated seeds.
import Foundation

public struct SweepGrid: Codable, Equatable, Sendable {
    public var sizes: [PretrainModelSpec]
    /// Training tokens per run; each is rounded down to whole steps of batch·seqLen.
    public var budgets: [Int]
    public var batch: Int
    public var seqLen: Int
    public var lr: Float
    public var warmup: Int
    public var seed: UInt64
    /// Validation windows (of seqLen bytes, from the held-out last 10%) for each evaluation.
    public var evalWindows: Int
    /// Validation evaluations during a run (the last one is at the final step).
    public var evalsPerRun: Int
    /// Bytes of generated corpus when no corpus file is given.
    public var corpusBytes: Int

    public init(sizes: [PretrainModelSpec], budgets: [Int], batch: Int = 8, seqLen: Int = 128, lr: Float = 3e-3,
                warmup: Int = 20, seed: UInt64 = 0, evalWindows: Int = 64, evalsPerRun: Int = 4, corpusBytes: Int = 2_500_000) {
        self.sizes = sizes; self.budgets = budgets; self.batch = batch; self.seqLen = seqLen; self.lr = lr
        self.warmup = warmup; self.seed = seed; self.evalWindows = evalWindows; self.evalsPerRun = evalsPerRun
        self.corpusBytes = corpusBytes
    }

    static func size(_ hidden: Int, _ layers: Int, heads: Int = 4, kv: Int = 2) -> PretrainModelSpec {
        PretrainModelSpec(hidden: hidden, layers: layers, heads: heads, kvHeads: kv)
    }

    /// About 20 minutes on 2 cores (measured figures in docs/scaling.md).
    public static let standard = SweepGrid(
        sizes: [size(32, 1), size(48, 2), size(64, 3), size(112, 3)],
        budgets: [262_144, 524_288, 1_048_576])

    /// Under a minute: 3 tiny sizes × 2 budgets (6 runs, enough for both fits).
    public static let quick = SweepGrid(
        sizes: [size(16, 1, heads: 2, kv: 1), size(32, 1), size(48, 2)],
        budgets: [32_768, 98_304], batch: 4, seqLen: 64, lr: 3e-3, warmup: 5, evalWindows: 16, evalsPerRun: 2,
        corpusBytes: 300_000)

    /// Steps for a budget (at least 1).
    public func steps(forBudget tokens: Int) -> Int { max(1, tokens / (batch * seqLen)) }

    /// Bytes a corpus needs: held-out 10% must hold two validation windows.
    public var minimumCorpusBytes: Int { 20 * (seqLen + 1) + 4 * (seqLen + 1) }

    public func validate() throws {
        guard !sizes.isEmpty else { throw SweepError.invalid(field: "sizes", value: "[]", expected: "at least one model size") }
        guard !budgets.isEmpty else { throw SweepError.invalid(field: "budgets", value: "[]", expected: "at least one token budget") }
        for b in budgets where b < batch * seqLen {
            throw SweepError.invalid(field: "budgets", value: "\(b)", expected: "at least batch·seq_len = \(batch * seqLen) tokens")
        }
        for (name, v) in [("batch", batch), ("seq_len", seqLen), ("eval_windows", evalWindows), ("evals_per_run", evalsPerRun),
                          ("corpus_bytes", corpusBytes)] where v <= 0 {
            throw SweepError.invalid(field: name, value: "\(v)", expected: "positive")
        }
        guard warmup >= 0 else { throw SweepError.invalid(field: "warmup", value: "\(warmup)", expected: "0 or more") }
        guard lr.isFinite, lr > 0 else { throw SweepError.invalid(field: "lr", value: "\(lr)", expected: "a positive number") }
        for s in sizes {
            var spec = s
            spec.seqLen = seqLen
            try spec.validate()
        }
    }
}
