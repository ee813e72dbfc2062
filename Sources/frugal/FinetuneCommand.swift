// `frugal finetune MODEL --data PATH --output DIR` — LoRA / QLoRA / full fine-tuning with gradient
// accumulation and checkpointing, PEFT-compatible adapters, exact resume. Configuration: defaults <
// --config FILE (YAML or JSON, snake_case keys as in finetune_config.json) < flags. Before training
// the memory estimate is printed (and enforced with --memory-limit; --auto picks the largest
// micro-batch, with checkpointing if needed, that fits). An output folder holding another run is
// refused unless --resume (continue it; a larger --steps extends it) or --overwrite (replace it).
import ArgumentParser
import Foundation
import FrugalCore
import FrugalEstimate
import FrugalIO
import FrugalModels
import FrugalSpec
import FrugalTrain
import Yams

extension FinetuneConfig.Method: ExpressibleByArgument {}
extension LRSchedule.Kind: ExpressibleByArgument {}

struct FinetuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "finetune",
        abstract: "Fine-tune a model on your data with QLoRA, LoRA or full training.")

    @Argument(help: "A GGUF file, an HF model directory, or `default`.") var model: String?
    @Option(help: "A JSONL file, or a folder with train.jsonl (and optional valid.jsonl).") var data: String?
    @Option(help: "Output folder: adapter, checkpoints, metrics, resolved config.") var output: String?
    @Option(help: "YAML or JSON file of options (flags override it).") var config: String?
    @Option(help: "qlora (LoRA over a 4-bit NF4 base), lora (Float32 base), qdora / dora (DoRA over a 4-bit / Float32 base) or full.")
    var method: FinetuneConfig.Method?
    @Option(help: "LoRA rank r.") var rank: Int?
    @Option(help: "LoRA alpha (scaling alpha/r).") var alpha: Float?
    @Option(help: "Dropout on the LoRA branch input.") var dropout: Float?
    @Option(help: "Layers to adapt: q,k,v,o,gate,up,down (or full names), or all-linear.") var targets: String?
    @Flag(help: "rsLoRA scaling alpha/√r.") var rslora = false
    @Option(help: "Peak learning rate.") var lr: Float?
    @Option(help: "Optimizer steps (default: --epochs passes over the data).") var steps: Int?
    @Option(help: "Passes over the training data.") var epochs: Double?
    @Option(help: "Warmup steps (default 3% of the steps).") var warmup: Int?
    @Option(help: "constant, cosine or linear.") var schedule: LRSchedule.Kind?
    @Option(name: .customLong("weight-decay"), help: "AdamW decoupled weight decay.") var weightDecay: Float?
    @Option(name: .customLong("max-grad-norm"), help: "Clip the gradient norm (0: off).") var maxGradNorm: Float?
    @Option(name: .customLong("batch-size"), help: "Sequences per micro-batch.") var batchSize: Int?
    @Option(name: .customLong("grad-accum"), help: "Micro-batches per optimizer step.") var gradAccum: Int?
    @Flag(name: .customLong("grad-checkpointing"), help: "Keep only block inputs; recompute in backward.") var gradCheckpointing = false
    @Option(name: .customLong("max-seq-len"), help: "Truncate examples to this many tokens.") var maxSeqLen: Int?
    @Flag(help: "Pack several examples into each sequence (positions restart and attention stays within each example).") var pack = false
    @Flag(name: .customLong("train-on-prompt"), help: "Also train on prompt/user tokens.") var trainOnPrompt = false
    @Option(name: .customLong("eval-every"), help: "Validation loss every N steps (needs valid.jsonl).") var evalEvery: Int?
    @Option(name: .customLong("save-every"), help: "Resumable checkpoint every N steps.") var saveEvery: Int?
    @Flag(help: "Continue from the newest checkpoint in the output folder (a larger --steps extends a finished run; the LR schedule then spans the new total).") var resume = false
    @Flag(help: "Replace the run in the output folder (its adapter, metrics and checkpoints are deleted first).") var overwrite = false
    @Flag(name: .customLong("allow-data-change"), help: "With --resume: continue even though the training data (or its batching) differs from the checkpoint's.") var allowDataChange = false
    @Option(help: "Random seed.") var seed: UInt64?
    @Option(help: "A Jinja chat template file to use instead of the model's own (for `messages` data).") var chatTemplate: String?
    @Option(name: .customLong("memory-limit"), help: "Refuse to start above this estimated peak (e.g. 4GB, 512MB).") var memoryLimit: String?
    @Flag(help: "Pick micro-batch size and checkpointing to fit --memory-limit (or 80% of RAM).") var auto = false
    @Flag(help: "Start even when the estimated peak exceeds --memory-limit (default: this machine's RAM).") var force = false
    @Flag(help: "Print one JSON object per step instead of a progress display.") var json = false

    func resolved() throws -> FinetuneConfig {
        var c = FinetuneConfig()
        if let path = config {
            guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw ValidationError("cannot read the config file \(path)")
            }
            let object: Any
            do {
                if path.hasSuffix(".json") { object = try JSONSerialization.jsonObject(with: Data(text.utf8)) }
                else { object = try Yams.load(yaml: text) ?? [String: Any]() }
            } catch {
                throw ValidationError("\(path): not valid \(path.hasSuffix(".json") ? "JSON" : "YAML") (\(error.localizedDescription))")
            }
            guard object is [String: Any] else { throw ValidationError("\(path): expected a mapping of option names to values") }
            do {
                c = try JSONDecoder().decode(FinetuneConfig.self, from: JSONSerialization.data(withJSONObject: object))
            } catch let e as UnknownKeyError {
                throw ValidationError("\(path): \(e)")
            } catch let DecodingError.typeMismatch(type, context) {
                throw ValidationError("\(path): '\(context.codingPath.map(\.stringValue).joined(separator: "."))' must be \(type == String.self ? "a string" : type == Bool.self ? "true or false" : "a number")")
            } catch let DecodingError.dataCorrupted(context) {
                throw ValidationError("\(path): '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)")
            }
        }
        if let model { c.model = model }
        if let data { c.data = data }
        if let output { c.output = output }
        if let method { c.method = method }
        if let rank { c.rank = rank }
        if let alpha { c.alpha = alpha }
        if let dropout { c.dropout = dropout }
        if let targets { c.targets = targets }
        if rslora { c.rslora = true }
        if let lr { c.lr = lr }
        if let steps { c.steps = steps }
        if let epochs { c.epochs = epochs }
        if let warmup { c.warmup = warmup }
        if let schedule { c.schedule = schedule }
        if let weightDecay { c.weightDecay = weightDecay }
        if let maxGradNorm { c.maxGradNorm = maxGradNorm }
        if let batchSize { c.batchSize = batchSize }
        if let gradAccum { c.gradAccum = gradAccum }
        if gradCheckpointing { c.gradCheckpointing = true }
        if let maxSeqLen { c.maxSeqLen = maxSeqLen }
        if pack { c.pack = true }
        if trainOnPrompt { c.trainOnPrompt = true }
        if let evalEvery { c.evalEvery = evalEvery }
        if let saveEvery { c.saveEvery = saveEvery }
        if let seed { c.seed = seed }
        if let chatTemplate { c.chatTemplate = chatTemplate }
        if let memoryLimit { c.memoryLimit = try parseBytes(memoryLimit) }
        return c
    }

    func validate() throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other: continue the run in the output folder, or replace it") }
        if allowDataChange && !resume { throw ValidationError("--allow-data-change only applies with --resume") }
    }

    func run() throws {
        var c = try resolved()
        try c.validate()
        // One run per output folder: locked before anything loads, held to the end.
        let lock = try RunFolderLock(folder: c.output)
        defer { lock.release() }
        try Finetune.checkOutput(c.output, resume: resume, overwrite: overwrite)
        // MODEL opened once: pre-flight, tokenizer and weights; released (unmapped) once loaded.
        var files: ModelFiles? = try ModelFiles.open(c.model)
        let modelConfig = files!.config
        // Pre-flight: the estimate of the peak, enforced against the limit; --auto fits the batch to it.
        func predicted(_ c: FinetuneConfig) throws -> Double {
            try TrainingMemory.estimate(modelConfig, c.estimateOptions).memory.total
        }
        // Without --memory-limit the run must fit this machine's RAM: a run estimated past it is
        // refused before anything is allocated (--force starts it anyway).
        let ram = Double(ProcessInfo.processInfo.physicalMemory)
        let limit: Double? = c.memoryLimit.map(Double.init) ?? (auto ? 0.8 * ram : ram)
        if auto, let limit {
            let effective = c.batchSize * c.gradAccum   // ≤ 2^36 (validated bounds)
            // Divisors of the effective batch, largest first, found in O(√n).
            var divisors: [Int] = []
            var d = 1
            while d * d <= effective {
                if effective % d == 0 { divisors.append(d); if d * d != effective { divisors.append(effective / d) } }
                d += 1
            }
            divisors.sort(by: >)
            var chosen: FinetuneConfig? = nil
            search: for ckpt in [false, true] {
                for b in divisors where b <= FinetuneConfig.maxBatchSize {
                    var t = c; t.batchSize = b; t.gradAccum = effective / b; t.gradCheckpointing = ckpt || c.gradCheckpointing
                    if try predicted(t) <= limit { chosen = t; break search }
                }
            }
            guard let chosen else {
                throw ValidationError("even micro-batch 1 with gradient checkpointing is estimated above \(Terminal.bytes(limit)); lower --max-seq-len or use --method qlora")
            }
            c = chosen
            Terminal.note("auto: micro-batch \(c.batchSize) × accumulation \(c.gradAccum)\(c.gradCheckpointing ? ", gradient checkpointing" : "")")
        }
        let estimate = try predicted(c)
        Terminal.note("estimated peak memory: \(Terminal.bytes(estimate)) (\(c.method.rawValue), micro-batch \(c.batchSize) × \(c.maxSeqLen) tokens\(c.gradCheckpointing ? ", checkpointing" : ""))")
        if let limit, estimate > limit, !force {
            let which = c.memoryLimit == nil ? "this machine's memory" : "the limit"
            throw ValidationError("the estimated peak \(Terminal.bytes(estimate)) exceeds \(which) \(Terminal.bytes(limit)); try --grad-checkpointing, a smaller --batch-size (with more --grad-accum), --method qlora, or --auto (--force starts anyway)")
        }
        let run = try Finetune(config: c, files: files!)
        files = nil
        let total = run.plan.steps
        let interrupt = InterruptFlag()
        let started = Date()
        var firstStep: Int?
        try run.run(resume: resume, overwrite: overwrite, allowDataChange: allowDataChange, lock: lock,
                    shouldStop: { interrupt.isSet }) { event in
            switch event {
            case let .prepared(p):
                guard !json else { return }
                print("data: \(p.trainExamples) training examples (\(p.supervisedTokens) supervised tokens) in \(p.microBatches) micro-batches; \(p.validExamples) validation examples")
                if !p.droppedExamples.isEmpty { Terminal.note("dropped \(p.droppedExamples.count) examples with no target left after truncation: \(p.droppedExamples.prefix(5).joined(separator: ", "))") }
                if p.truncatedExamples > 0 { Terminal.note("\(p.truncatedExamples) examples were truncated to \(c.maxSeqLen) tokens") }
                print("model: \(p.totalParameters) parameters, \(p.trainableParameters) trainable (\(String(format: "%.3f", 100 * Double(p.trainableParameters) / Double(p.totalParameters)))%); \(p.steps) steps, warmup \(p.warmup)")
            case let .resumed(step, from):
                if !json { print("resumed at step \(step) from \(from)") }
            case let .step(m):
                if json {
                    print((try? JSONStyle.string(m, pretty: false)) ?? "{}")
                } else {
                    if firstStep == nil { firstStep = m.step - 1 }
                    let done = m.step - firstStep!, left = total - m.step
                    let eta = done > 0 ? Date().timeIntervalSince(started) / Double(done) * Double(left) : 0
                    let line = String(format: "loss %.4f  lr %.2e  grad %.3f  %.0f tok/s  peak %@  ETA %@", m.loss, m.lr, m.gradNorm,
                                      m.tokensPerSecond, Terminal.bytes(Double(m.peakMemoryBytes)), Terminal.duration(eta))
                    if Terminal.isInteractive { Terminal.progress(m.step, total, line) } else { print("step \(m.step)/\(total)  \(line)") }
                }
            case let .evaluated(step, loss):
                if !json { print(String(format: "\nstep %d  validation loss %.4f  perplexity %.3f", step, loss, exp(Double(loss)))) }
            case let .interrupted(step):
                Terminal.note("\ninterrupted: checkpoint saved at step \(step); continue with the same command and --resume")
            case let .saved(path):
                if !json { print("saved \(path)") }
            case let .warning(text):
                Terminal.note("warning: \(text)")
            }
        }
    }
}

extension FinetuneConfig {
    /// The estimator's options for this run on Frugal's own engine (its profile predicts MemoryStats'
    /// peak within a few percent; see docs/estimate.md).
    var estimateOptions: TrainingOptions {
        // DoRA is estimated as LoRA over the same base (its magnitudes are [Out] per layer).
        TrainingOptions(method: method.quantizesBase ? .qlora : method.adapter != nil ? .lora : .full, batch: batchSize, seqLen: maxSeqLen,
                        dtype: .fp32, optimizer: .adamw, rank: rank,
                        targets: targets.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) },
                        gradientCheckpointing: gradCheckpointing, adapterDType: .fp32, engine: .frugal,
                        loraDropout: method == .full ? 0 : Double(dropout))
    }
}

/// "4GB", "512MB", "1.5GiB", "1000000" → bytes (FinetuneConfig.parseByteSize: finite, positive, at most 1 EiB).
func parseBytes(_ s: String) throws -> Int {
    do { return try FinetuneConfig.parseByteSize(s) } catch {
        throw ValidationError("--memory-limit \(s): give a size such as 4GB, 512MB or 2GiB (positive, finite, at most 1 EiB)")
    }
}

/// Set by Ctrl-C (SIGINT): the run saves a checkpoint after the current step and stops.
/// A second Ctrl-C exits at once.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    private let source: DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            self.lock.lock(); let again = self.set; self.set = true; self.lock.unlock()
            if again { exit(130) }
            Terminal.note("\nCtrl-C: finishing this step and saving a checkpoint (Ctrl-C again to quit now)")
        }
        source.resume()
    }

    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return set }
}
