// Finetune — one `frugal finetune` run from its resolved configuration: tokenizer and data (all
// lines checked before anything trains), the base model (NF4 + double quantization for QLoRA,
// Float32 for LoRA, trainable for full), the LoRA adapter, the Trainer, and the output folder:
//   DIR/finetune_config.json       the resolved configuration
//   DIR/metrics.jsonl              one line per optimizer step (and eval results)
//   DIR/checkpoints/step-N/        resumable state every --save-every steps (and at the end)
//   DIR/adapter_config.json, DIR/adapter_model.safetensors   the final PEFT adapter (LoRA/QLoRA)
//   DIR/model/                     the final HF model (full fine-tuning)
// A folder holding another run's files is refused unless the run resumes it or was asked to
// overwrite it (its files are then deleted first): a user's run is never replaced unasked.
// Resuming may change the length of the run (--steps, and so the default warmup): a finished run
// continues from its last checkpoint to the new step count. The learning-rate schedule is then the
// configured one over the new total, evaluated from the restored step on, as HF Trainer does when
// max_steps changes on resume: the constant schedule (the default) is unchanged, while cosine and
// linear decay are stretched, so the learning rate at the resume point rises to the longer
// schedule's value there.
// Run folders cannot be corrupted by the usual accidents: a lock (RunFolderLock) keeps a second
// run out of the folder; on resume the newest checkpoint that loads intact is used (a damaged
// newer one is skipped with a warning), a checkpoint of other data is refused unless
// `allowDataChange`, metrics.jsonl is cut back to the resumed step (so each step appears once),
// and the hidden temporary folders of checkpoint writes that were killed are removed.
// The library reports through `FinetuneEvent`s; the CLI prints.
import Foundation
import FrugalCore
import FrugalIO
import FrugalModels
import FrugalText

public struct FinetunePlan: Codable, Sendable {
    public var trainExamples: Int
    public var validExamples: Int
    public var droppedExamples: [String]
    public var truncatedExamples: Int
    public var microBatches: Int
    public var steps: Int
    public var warmup: Int
    public var trainableParameters: Int
    public var totalParameters: Int
    public var supervisedTokens: Int
}

public enum FinetuneEvent {
    case prepared(FinetunePlan)
    case resumed(step: Int, from: String)
    case step(TrainMetrics)
    case evaluated(step: Int, loss: Float)
    case saved(String)
    /// `shouldStop` asked to stop: a checkpoint was saved at `step`; `--resume` continues from it.
    case interrupted(step: Int)
    /// Something the person should know that does not stop the run (a damaged checkpoint skipped).
    case warning(String)
}

public final class Finetune {
    public let config: FinetuneConfig
    public let plan: FinetunePlan
    public let model: DecoderModel
    public let adapter: LoRAAdapter?
    public let trainer: Trainer
    let valid: [TokenBatch]

    /// Prepares a run. `files`: MODEL already opened by the caller (the CLI opens it once for its
    /// pre-flight); nil opens `config.model`.
    public init(config input: FinetuneConfig, files opened: ModelFiles? = nil) throws {
        try input.validate()
        var config = input
        let files = try opened ?? ModelFiles.open(config.model)
        let tok = try ModelTokenizer.load(files, chatTemplateFile: config.chatTemplate)
        let folder = try DatasetFolder(path: config.data)
        let encoder = ExampleEncoder(tokenizer: tok.tokenizer, chatTemplate: tok.chatTemplate,
                                     maxSeqLen: config.maxSeqLen, trainOnPrompt: config.trainOnPrompt)
        let trainSet = try TokenizedDataset(records: folder.train, encoder: encoder)
        guard !trainSet.examples.isEmpty else { throw TrainError.noTrainingData }
        let validSet = try folder.valid.map { try TokenizedDataset(records: $0, encoder: encoder) }
        let pad = tok.tokenizer.padID ?? tok.tokenizer.eosID ?? 0
        func batches(_ set: TokenizedDataset, shuffle: Bool) -> [TokenBatch] {
            Batcher(dataset: set, batchSize: config.batchSize, maxSeqLen: config.maxSeqLen,
                    mode: config.pack ? .packed : .padded(padToMultipleOf: 8), padID: pad, shuffle: shuffle, seed: config.seed)
                .batches(epoch: 0).map(TokenBatch.init(shifting:))
        }
        let train = batches(trainSet, shuffle: true)
        valid = validSet.map { batches($0, shuffle: false) } ?? []
        let steps: Int
        if let s = config.steps { steps = s } else {
            // Bounded in Double before the conversion (epochs ≤ 1e6, validated).
            let s = (config.epochs * Double(train.count) / Double(config.gradAccum)).rounded(.up)
            guard s <= Double(FinetuneConfig.maxSteps) else {
                throw TrainError.invalidOption(field: "epochs", value: "\(config.epochs)",
                                               expected: "few enough passes for at most \(FinetuneConfig.maxSteps) steps")
            }
            steps = max(1, Int(s))
        }
        config.steps = steps
        config.warmup = config.warmup ?? Int((0.03 * Double(steps)).rounded())

        // QLoRA quantizes each block linear as it is read: the Float32 model is never whole in memory.
        model = config.method.quantizesBase
            ? try DecoderModel.load4Bit(files, type: .nf4, blockSize: config.blockSize, doubleQuant: true)
            : try DecoderModel.load(files)
        if let method = config.method.adapter {
            let lora = LoRAConfig(rank: config.rank, alpha: config.alpha, dropout: config.dropout, useRSLoRA: config.rslora,
                                  targets: config.targets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                                  method: method)
            adapter = try LoRAAdapter.attach(to: model, config: lora, seed: config.seed)
        } else {
            for (_, t) in model.namedTensors { t.requiresGrad = true }
            adapter = nil
        }
        var o = TrainOptions()
        o.steps = steps; o.gradAccum = config.gradAccum; o.lr = config.lr; o.schedule = config.schedule
        o.warmup = min(config.warmup!, steps); o.weightDecay = config.weightDecay; o.maxGradNorm = config.maxGradNorm
        o.checkpointing = config.gradCheckpointing; o.seed = config.seed; o.evalEvery = config.evalEvery
        trainer = try Trainer(model: model, adapter: adapter, train: train, options: o)
        self.config = config
        plan = FinetunePlan(trainExamples: trainSet.examples.count, validExamples: validSet?.examples.count ?? 0,
                            droppedExamples: trainSet.dropped, truncatedExamples: trainSet.truncatedCount,
                            microBatches: train.count, steps: steps, warmup: o.warmup,
                            trainableParameters: trainer.parameters.reduce(0) { $0 + $1.1.count },
                            totalParameters: model.config.parameterInventory.reduce(0) { $0 + $1.count },
                            supervisedTokens: train.reduce(0) { $0 + $1.supervisedCount })
    }

    var outputURL: URL { URL(fileURLWithPath: config.output) }
    var checkpointsURL: URL { outputURL.appendingPathComponent("checkpoints") }

    /// The newest step-N checkpoint folder in the output folder, if any.
    public func latestCheckpoint() -> URL? { checkpoints().first }

    /// The step-N checkpoint folders in the output folder, newest first.
    public func checkpoints() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpointsURL.path)) ?? []
        let steps = names.compactMap { $0.hasPrefix("step-") ? Int($0.dropFirst(5)) : nil }
        return steps.sorted(by: >).map { checkpointsURL.appendingPathComponent("step-\($0)") }
    }

    /// Loads the newest checkpoint that is intact. A damaged one (malformed, missing a file,
    /// failing its checksum) is skipped with a warning; any other refusal (other options, other
    /// data, past the end) is thrown as it is. Returns the folder loaded, or nil when there is none.
    func resumeFromNewestIntact(allowDataChange: Bool, _ report: (FinetuneEvent) -> Void) throws -> URL? {
        var firstDamage: Error?
        for url in checkpoints() {
            do {
                try trainer.loadCheckpoint(from: url, allowDataChange: allowDataChange)
                return url
            } catch let e as CheckpointError {
                switch e {
                case .malformed, .missingFile, .checksumMismatch, .unknownKeys:
                    report(.warning("skipping damaged checkpoint \(url.path): \(e)"))
                    firstDamage = firstDamage ?? e
                default: throw e
                }
            }
        }
        if let firstDamage { throw firstDamage }
        return nil
    }

    /// Removes what killed writes leave behind: checkpoint temporaries (`.step-N.tmp-…`), a
    /// previous checkpoint moved aside (`.step-N.old-…`, renamed back if step-N itself is missing),
    /// and the final adapter's staging folders. Only called while holding the folder's lock.
    func removeStaleTemporaries() {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: checkpointsURL.path)) ?? [] where name.hasPrefix(".step-") {
            let url = checkpointsURL.appendingPathComponent(name)
            if let r = name.range(of: ".old-") {
                let target = checkpointsURL.appendingPathComponent(String(name[name.index(after: name.startIndex)..<r.lowerBound]))
                if !fm.fileExists(atPath: target.path), rename(url.path, target.path) == 0 { continue }
            }
            try? fm.removeItem(at: url)
        }
        for name in (try? fm.contentsOfDirectory(atPath: outputURL.path)) ?? []
        where name == ".adapter" || name.hasPrefix("..adapter.tmp-") {
            try? fm.removeItem(at: outputURL.appendingPathComponent(name))
        }
    }

    /// Keeps the lines of metrics.jsonl for steps up to `step` (a killed run may have logged steps
    /// after its last checkpoint; the resumed run logs them again), dropping any torn last line.
    func trimMetrics(_ url: URL, toStep step: Int) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else { try Data().write(to: url); return }
        var kept = Data()
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let s = (o["step"] as? NSNumber)?.intValue, s <= step else { continue }
            kept.append(contentsOf: line); kept.append(UInt8(ascii: "\n"))
        }
        try kept.write(to: url, options: .atomic)
    }

    /// The files and folders a run writes into its output folder (what `overwrite` deletes).
    public static let runFiles = ["finetune_config.json", "metrics.jsonl", "checkpoints", "adapter_config.json",
                                  "adapter_model.safetensors", "model", ".adapter"]

    /// Throws `TrainError.outputHoldsRun` when `output` holds another run's files and the caller
    /// neither resumes it nor asked to overwrite it. Cheap: the CLI calls it before loading a model.
    public static func checkOutput(_ output: String, resume: Bool, overwrite: Bool) throws {
        guard !resume && !overwrite else { return }
        let dir = URL(fileURLWithPath: output)
        let found = runFiles.filter { FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path) }
        if !found.isEmpty { throw TrainError.outputHoldsRun(folder: output, files: found) }
    }

    /// Trains to the end (continuing from the newest checkpoint when `resume`), saving as configured.
    /// The output folder must not hold another run unless `resume`, or `overwrite` (which deletes
    /// that run's files first). `shouldStop` is polled after every step (the CLI sets it on Ctrl-C):
    /// the run then saves a checkpoint and returns early. The output folder is locked for the run
    /// (pass `lock` when the caller already holds it); a checkpoint of other data is refused
    /// unless `allowDataChange`.
    public func run(resume: Bool = false, overwrite: Bool = false, allowDataChange: Bool = false, lock: RunFolderLock? = nil,
                    shouldStop: () -> Bool = { false }, report: (FinetuneEvent) -> Void) throws {
        precondition(!(resume && overwrite), "resume and overwrite exclude each other")
        let fm = FileManager.default
        let held = try lock ?? RunFolderLock(folder: config.output)
        defer { if lock == nil { held.release() } }
        try Self.checkOutput(config.output, resume: resume, overwrite: overwrite)
        if overwrite {
            for f in Self.runFiles where fm.fileExists(atPath: outputURL.appendingPathComponent(f).path) {
                try fm.removeItem(at: outputURL.appendingPathComponent(f))
            }
        }
        try fm.createDirectory(at: outputURL, withIntermediateDirectories: true)
        removeStaleTemporaries()
        report(.prepared(plan))
        if resume, let ckpt = try resumeFromNewestIntact(allowDataChange: allowDataChange, report) {
            report(.resumed(step: trainer.step, from: ckpt.path))
        }
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(config).write(to: outputURL.appendingPathComponent("finetune_config.json"), options: .atomic)
        let metricsURL = outputURL.appendingPathComponent("metrics.jsonl")
        if resume { try trimMetrics(metricsURL, toStep: trainer.step) } else { try Data().write(to: metricsURL) }
        let log = try FileHandle(forWritingTo: metricsURL)
        defer { try? log.close() }
        log.seekToEndOfFile()
        let lineEncoder = JSONEncoder(); lineEncoder.outputFormatting = [.sortedKeys]
        while !trainer.isFinished {
            var m = try trainer.trainStep()
            if config.evalEvery > 0 && !valid.isEmpty && (m.step % config.evalEvery == 0 || trainer.isFinished) {
                m.evalLoss = trainer.evaluate(valid)
                report(.evaluated(step: m.step, loss: m.evalLoss!))
            }
            log.write(try lineEncoder.encode(m) + Data("\n".utf8))
            report(.step(m))
            if config.saveEvery > 0 && m.step % config.saveEvery == 0 && !trainer.isFinished {
                try saveCheckpoint(report)
            }
            if shouldStop() && !trainer.isFinished {
                try saveCheckpoint(report)
                report(.interrupted(step: trainer.step))
                return
            }
        }
        try saveCheckpoint(report)
        try saveFinal(report)
    }

    func saveCheckpoint(_ report: (FinetuneEvent) -> Void) throws {
        let dir = checkpointsURL.appendingPathComponent("step-\(trainer.step)")
        try FileManager.default.createDirectory(at: checkpointsURL, withIntermediateDirectories: true)
        try trainer.saveCheckpoint(to: dir)
        report(.saved(dir.path))
    }

    func saveFinal(_ report: (FinetuneEvent) -> Void) throws {
        if let adapter {
            try adapter.save(to: outputURL.appendingPathComponent(".adapter").path, baseModel: config.model)
            for f in ["adapter_config.json", "adapter_model.safetensors"] {
                let from = outputURL.appendingPathComponent(".adapter/\(f)"), to = outputURL.appendingPathComponent(f)
                // rename(2) replaces the old file in one step (FileManager.replaceItemAt is unreliable on Linux).
                guard rename(from.path, to.path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: to.path]) }
            }
            try? FileManager.default.removeItem(at: outputURL.appendingPathComponent(".adapter"))
            report(.saved(outputURL.path))
        } else {
            let dir = outputURL.appendingPathComponent("model")
            try? FileManager.default.removeItem(at: dir)
            try model.saveHF(to: dir.path)
            report(.saved(dir.path))
        }
    }
}

extension TokenBatch {
    /// From FrugalText's layout (labels aligned with inputs: logits[t−1] predict labels[t]) to the
    /// trainer's (labels[t] is the target of position t): shift left by one, last position ignored.
    /// Position ids are kept when a row holds more than one example (a real token at position 0
    /// after the row's start: packing), so the examples do not attend to each other; the last token
    /// of an example gets no target (the next token starts another example), as transformers'
    /// DataCollatorWithFlattening masks it.
    public init(shifting b: FrugalText.TokenBatch) {
        let t = b.sequenceLength
        var labels = [Int32](repeating: TokenBatch.ignoreIndex, count: b.labels.count)
        var packed = false
        for r in 0..<b.batchSize {
            for i in 0..<(t - 1) where b.positionIDs[r * t + i + 1] != 0 { labels[r * t + i] = Int32(b.labels[r * t + i + 1]) }
            for i in 1..<Swift.max(t, 1) where b.attentionMask[r * t + i] == 1 && b.positionIDs[r * t + i] == 0 { packed = true }
        }
        self.init(ids: b.inputIDs.map { Int32($0) }, labels: labels, batch: b.batchSize,
                  positions: packed ? b.positionIDs.map { Int32($0) } : nil)
    }
}
