// SweepRunner — runs a SweepGrid: for every size × budget, trains a fresh byte-level model with
// Pretrainer on the training split of one corpus, evaluates on its held-out last 10%, records a
// SweepRecord; then reads the runs back through ScalingRun (the runs.jsonl format) and fits them
// with ScalingFitter (L = E + A·C^−α always, L = E + A/N^α + B/D^β with ≥ 5 runs varying N and D
// independently). Progress goes to a callback; `SweepFiles` writes the folder. Runs go smallest
// first so a slow machine shows results early.
// Leaves out: running sizes in parallel (each run already uses every core), repeated seeds.
import Foundation
import FrugalEstimate

public enum SweepEvent: Sendable {
    /// Run `index` of `count` (0-based) is starting.
    case started(index: Int, count: Int, name: String, params: Int, tokens: Int, steps: Int)
    /// A validation evaluation inside the current run.
    case evaluated(index: Int, step: PretrainStep)
    case finished(index: Int, count: Int, record: SweepRecord)
    /// A run taken from an earlier, interrupted sweep (`run(reusing:)`).
    case reused(index: Int, count: Int, record: SweepRecord)
}

public struct SweepResult: Sendable {
    public var grid: SweepGrid
    public var records: [SweepRecord]
    /// Per-run training logs, parallel to `records`.
    public var metrics: [[PretrainStep]]
    /// The runs as ScalingRun parsed them back from the runs.jsonl text.
    public var runs: [ScalingRun]
    public var fit: ScalingFit
    public var seconds: Double
    /// Training bytes available, and the most any run reads (more means some text repeats).
    public var trainingBytes: Int
    public var corpusBytes: Int

    /// runs.jsonl text (ScalingRun's keys).
    public var runsJSONL: String { records.map(\.runsLine).joined(separator: "\n") + "\n" }
    public var detailJSONL: String { records.map(\.detailLine).joined(separator: "\n") + "\n" }
}

public final class SweepRunner {
    public let grid: SweepGrid
    public let corpus: [UInt8]
    public var fitOptions = ScalingFitOptions()

    /// `corpus` is the whole text; Pretrainer splits it 90/10 into training and held-out validation.
    /// `source` names it in errors.
    public init(grid: SweepGrid, corpus: [UInt8], source: String) throws {
        try grid.validate()
        guard corpus.count >= grid.minimumCorpusBytes else {
            throw SweepError.corpusTooSmall(path: source, bytes: corpus.count, needed: grid.minimumCorpusBytes)
        }
        self.grid = grid
        self.corpus = corpus
    }

    /// Reads a corpus file: must exist, be non-empty UTF-8 text without NUL bytes.
    public static func readCorpus(path: String) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw SweepError.unreadable(path: path, reason: "no such file")
        }
        guard !isDir.boolValue else { throw SweepError.unreadable(path: path, reason: "is a directory, not a text file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SweepError.unreadable(path: path, reason: "cannot read it")
        }
        guard !data.isEmpty else { throw SweepError.corpusNotText(path: path, reason: "it is empty") }
        if data.contains(0) { throw SweepError.corpusNotText(path: path, reason: "it contains NUL bytes (a binary file?)") }
        guard String(data: data, encoding: .utf8) != nil else {
            throw SweepError.corpusNotText(path: path, reason: "it is not valid UTF-8")
        }
        return [UInt8](data)
    }

    /// The grid's (size, budget) pairs in run order: budgets ascending within sizes ascending.
    public var plan: [(size: PretrainModelSpec, budget: Int)] {
        grid.sizes.flatMap { s -> [(size: PretrainModelSpec, budget: Int)] in
            var spec = s
            spec.seqLen = grid.seqLen
            return grid.budgets.sorted().map { (spec, $0) }
        }
    }

    /// Runs the plan. A run whose name is in `finished` (from an interrupted sweep of the same grid
    /// and corpus) is not trained again: its record is reused and its log left empty.
    public func run(reusing finished: [SweepRecord] = [], _ progress: (SweepEvent) -> Void = { _ in }) throws -> SweepResult {
        let start = Date()
        var records: [SweepRecord] = [], logs: [[PretrainStep]] = []
        let plan = self.plan
        for (i, item) in plan.enumerated() {
            if let old = finished.first(where: { $0.name == runName(item.size, budget: item.budget) }) {
                records.append(old); logs.append([])
                progress(.reused(index: i, count: plan.count, record: old))
                continue
            }
            let (record, log) = try runOne(item.size, budget: item.budget, index: i, count: plan.count, progress)
            records.append(record); logs.append(log)
            progress(.finished(index: i, count: plan.count, record: record))
        }
        let text = records.map(\.runsLine).joined(separator: "\n") + "\n"
        let runs = try ScalingRun.parse(text, file: "runs.jsonl")
        let fit = try ScalingFitter(options: fitOptions).fit(runs, file: "runs.jsonl")
        return SweepResult(grid: grid, records: records, metrics: logs, runs: runs, fit: fit,
                           seconds: Date().timeIntervalSince(start), trainingBytes: corpus.count * 9 / 10, corpusBytes: corpus.count)
    }

    /// "h<hidden>-l<layers>-t<tokens actually trained>".
    public func runName(_ spec: PretrainModelSpec, budget: Int) -> String {
        "h\(spec.hidden)-l\(spec.layers)-t\(grid.steps(forBudget: budget) * grid.batch * grid.seqLen)"
    }

    /// FNV-1a 64 of the corpus bytes: `--resume` refuses a different corpus.
    public static func checksum(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    func runOne(_ spec: PretrainModelSpec, budget: Int, index: Int, count: Int,
                _ progress: (SweepEvent) -> Void) throws -> (SweepRecord, [PretrainStep]) {
        var o = PretrainOptions()
        o.steps = grid.steps(forBudget: budget)
        o.batch = grid.batch; o.seqLen = grid.seqLen; o.lr = grid.lr; o.warmup = min(grid.warmup, o.steps)
        o.seed = grid.seed; o.evalWindows = grid.evalWindows
        o.evalEvery = max(1, o.steps / grid.evalsPerRun)
        let config = spec.modelConfig
        let breakdown = ParameterBreakdown(config)
        let trainer = try Pretrainer(config: config, corpus: corpus, options: o)
        let tokens = o.steps * o.batch * o.seqLen
        let name = runName(spec, budget: budget)
        progress(.started(index: index, count: count, name: name, params: trainer.model.parameterCount, tokens: tokens, steps: o.steps))
        var log: [PretrainStep] = []
        log.reserveCapacity(o.steps)
        var bad: Int?
        trainer.run { s in
            log.append(s)
            if bad == nil, !s.loss.isFinite { bad = s.step }
            if s.validLoss != nil { progress(.evaluated(index: index, step: s)) }
        }
        if let step = bad { throw SweepError.nonFiniteLoss(run: name, step: step) }
        guard let last = log.last, let valid = last.validLoss, valid.isFinite else {
            throw SweepError.nonFiniteLoss(run: name, step: o.steps)
        }
        let tail = log.suffix(max(1, log.count / 10))
        let trainLoss = tail.reduce(0.0) { $0 + Double($1.loss) } / Double(tail.count)
        let params = trainer.model.parameterCount
        let record = SweepRecord(
            name: name, params: params, nonEmbeddingParams: breakdown.nonEmbedding, tokens: tokens,
            compute: trainer.flopsPerToken * Double(tokens), compute6ND: 6 * Double(params) * Double(tokens),
            loss: Double(valid), trainLoss: trainLoss, hidden: spec.hidden, layers: spec.layers, heads: spec.heads,
            kvHeads: spec.kvHeads, intermediate: spec.resolvedIntermediate, steps: o.steps, seconds: last.seconds)
        return (record, log)
    }
}
