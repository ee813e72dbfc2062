// TrainCheckpoint — a resumable snapshot of a Trainer, written to a folder atomically (everything
// goes into a hidden temporary sibling folder, which is then renamed into place; an older
// checkpoint of the same name is moved aside first and deleted after).
//
// Folder layout (format "frugal-trainer-checkpoint", version 1):
//   trainer_state.json  step, micro_batches_consumed, total_tokens, optimizer_step, the dropout
//                       generator's xoshiro256** state (4 × UInt64 as 16-digit hex), the full
//                       TrainOptions, the LoRA configuration (null for full fine-tuning), and the
//                       data fingerprint (Trainer.dataFingerprint: a checksum of every training
//                       micro-batch's ids, labels and positions)
//   tensors.json/.bin   through a TensorStore: "param/<name>", "adam_m/<name>", "adam_v/<name>"
//                       for every trainable tensor (the model's names, e.g.
//                       model.layers.0.self_attn.q_proj.lora_A.weight)
// The learning-rate schedule is a pure function of the step, and the data order of the position
// and seed, so these numbers restore them. Loading into a fresh Trainer built the same way (same
// model, adapter settings, data and options) continues bit-identically. Unknown keys are refused.
// Verified on load: the options field by field, the LoRA configuration, the data fingerprint (other
// data is refused unless `allowDataChange`), and the tensors' checksum (TensorStore).
// The one difference allowed is the run's length (steps and warmup), to extend a run: the trainer
// continues from the saved step under its own schedule, the configured one over the new total (as
// HF Trainer does when max_steps changes on resume; cosine and linear decay are stretched).
import Foundation
import FrugalCore

struct TrainCheckpointState: Codable, Equatable {
    static let format = "frugal-trainer-checkpoint"
    static let file = "trainer_state.json"
    var format: String
    var version: Int
    var step: Int
    var microBatchesConsumed: Int
    var totalTokens: Int
    var optimizerStep: Int
    var dropoutRNG: [String]
    var options: TrainOptions
    var lora: LoRAConfig?
    var dataFingerprint: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, version, step, options, lora, dataFingerprint = "data_fingerprint"
        case microBatchesConsumed = "micro_batches_consumed", totalTokens = "total_tokens"
        case optimizerStep = "optimizer_step", dropoutRNG = "dropout_rng"
    }
}

extension Trainer {
    /// Writes a checkpoint folder at `directory` (replacing one that is there).
    public func saveCheckpoint(to directory: URL, store: TensorStore = RawTensorStore()) throws {
        let s = dropoutRNG.state
        let state = TrainCheckpointState(
            format: TrainCheckpointState.format, version: 1, step: step, microBatchesConsumed: microBatchesConsumed,
            totalTokens: totalTokens, optimizerStep: optimizer.step,
            dropoutRNG: [s.0, s.1, s.2, s.3].map { String(format: "%016llx", $0) },
            options: options, lora: adapter?.config, dataFingerprint: dataFingerprint)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try enc.encode(state)
        let (m, v) = optimizer.moments
        var tensors: [(String, Tensor)] = parameters.map { ("param/\($0.0)", $0.1) }
        tensors += zip(parameters, m).map { ("adam_m/\($0.0.0)", $0.1) }
        tensors += zip(parameters, v).map { ("adam_v/\($0.0.0)", $0.1) }
        try Self.writeAtomically(directory) { tmp in
            try store.write(tensors, into: tmp)
            try json.write(to: tmp.appendingPathComponent(TrainCheckpointState.file))
        }
    }

    /// Restores parameters, optimizer moments and step, data position and dropout generator from a
    /// checkpoint written by `saveCheckpoint` for a trainer built the same way. A checkpoint of
    /// other training data is refused (`CheckpointError.dataChanged`) unless `allowDataChange`.
    /// Nothing is changed unless the whole checkpoint loads.
    public func loadCheckpoint(from directory: URL, store: TensorStore = RawTensorStore(), allowDataChange: Bool = false) throws {
        let stateURL = directory.appendingPathComponent(TrainCheckpointState.file)
        guard FileManager.default.fileExists(atPath: stateURL.path) else { throw CheckpointError.missingFile(stateURL.path) }
        let data = try Data(contentsOf: stateURL)
        guard data.count <= 16 << 20 else { throw CheckpointError.malformed(file: stateURL.path, reason: "\(data.count) bytes is implausibly large") }
        // Frugal's own file: an unknown key is an error, not silently ignored.
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CheckpointError.malformed(file: stateURL.path, reason: "not a JSON object")
        }
        let known = Set(TrainCheckpointState.CodingKeys.allCases.map(\.rawValue))
        let unknown = object.keys.filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else { throw CheckpointError.unknownKeys(file: stateURL.path, keys: unknown) }
        let state: TrainCheckpointState
        do { state = try JSONDecoder().decode(TrainCheckpointState.self, from: data) } catch {
            throw CheckpointError.malformed(file: stateURL.path, reason: "\(error)")
        }
        guard state.format == TrainCheckpointState.format, state.version == 1 else {
            throw CheckpointError.malformed(file: stateURL.path, reason: "format \(state.format) version \(state.version), expected \(TrainCheckpointState.format) version 1")
        }
        // The run's length may change (extending a finished run): steps, and warmup, which finetune
        // derives from the steps. Everything else must match.
        var saved = state.options
        saved.steps = options.steps; saved.warmup = options.warmup
        let differing = Self.differingFields(saved, options)
        guard differing.isEmpty else { throw CheckpointError.optionsDiffer(fields: differing) }
        guard state.step <= options.steps else { throw CheckpointError.pastEnd(step: state.step, steps: options.steps) }
        switch (state.lora, adapter?.config) {
        case (nil, nil): break
        case let (saved?, current?) where saved.isEquivalent(to: current): break
        default: throw CheckpointError.loraConfigDiffers
        }
        if let saved = state.dataFingerprint, saved != dataFingerprint, !allowDataChange {
            throw CheckpointError.dataChanged(expected: saved, found: dataFingerprint)
        }
        let rngWords = state.dropoutRNG.compactMap { UInt64($0, radix: 16) }
        guard rngWords.count == 4 else {
            throw CheckpointError.malformed(file: stateURL.path, reason: "dropout_rng must be 4 hexadecimal 64-bit words")
        }
        let (consumed, overflow) = state.step.multipliedReportingOverflow(by: options.gradAccum)
        guard state.step >= 0, !overflow, state.microBatchesConsumed == consumed,
              state.optimizerStep == state.step, state.totalTokens >= 0 else {
            throw CheckpointError.malformed(file: stateURL.path, reason: "step \(state.step), optimizer step \(state.optimizerStep) and \(state.microBatchesConsumed) micro-batches are inconsistent")
        }
        var expected: [(String, [Int])] = []
        for prefix in ["param/", "adam_m/", "adam_v/"] { expected += parameters.map { (prefix + $0.0, $0.1.shape) } }
        let loaded = try store.read(from: directory, expected: expected)
        for (name, t) in parameters { t.data.update(from: loaded["param/\(name)"]!.data, count: t.count) }
        optimizer.restore(step: state.optimizerStep,
                          m: parameters.map { loaded["adam_m/\($0.0)"]! }, v: parameters.map { loaded["adam_v/\($0.0)"]! })
        dropoutRNG.state = (rngWords[0], rngWords[1], rngWords[2], rngWords[3])
        step = state.step
        microBatchesConsumed = state.microBatchesConsumed
        totalTokens = state.totalTokens
    }

    /// Names of the options fields whose values differ.
    static func differingFields(_ a: TrainOptions, _ b: TrainOptions) -> [String] {
        let fa = Mirror(reflecting: a).children, fb = Array(Mirror(reflecting: b).children)
        var d: [String] = []
        for (x, y) in zip(fa, fb) where String(describing: x.value) != String(describing: y.value) {
            d.append(x.label ?? "?")
        }
        return d.isEmpty && a != b ? ["options"] : d
    }

    /// Builds the folder in a temporary sibling, then renames it into place.
    static func writeAtomically(_ directory: URL, _ fill: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let parent = directory.deletingLastPathComponent()
        let name = directory.lastPathComponent
        do { try fm.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw CheckpointError.writeFailed(path: directory.path, reason: "\(error)")
        }
        let tmp = parent.appendingPathComponent(".\(name).tmp-\(UUID().uuidString)")
        do {
            try fm.createDirectory(at: tmp, withIntermediateDirectories: false)
            try fill(tmp)
        } catch {
            try? fm.removeItem(at: tmp)
            throw CheckpointError.writeFailed(path: directory.path, reason: "\(error)")
        }
        var old: URL?
        if fm.fileExists(atPath: directory.path) {
            let aside = parent.appendingPathComponent(".\(name).old-\(UUID().uuidString)")
            guard rename(directory.path, aside.path) == 0 else {
                try? fm.removeItem(at: tmp)
                throw CheckpointError.writeFailed(path: directory.path, reason: "cannot move the previous checkpoint aside (errno \(errno))")
            }
            old = aside
        }
        guard rename(tmp.path, directory.path) == 0 else {
            let e = errno
            if let old { _ = rename(old.path, directory.path) }
            try? fm.removeItem(at: tmp)
            throw CheckpointError.writeFailed(path: directory.path, reason: "rename failed (errno \(e))")
        }
        if let old { try? fm.removeItem(at: old) }
    }
}
