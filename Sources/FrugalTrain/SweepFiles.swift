// SweepFiles — writes a finished sweep to a folder, each file atomically (temporary file, then
// rename): runs.jsonl (ScalingRun's keys: `frugal scaling fit DIR/runs.jsonl` reads it),
// sweep.jsonl (every recorded field), grid.json (the plan that produced them) and
// runs/<name>/metrics.jsonl (each run's per-step log, as `frugal pretrain` writes it, for
// `frugal plot metrics`). The fit and the chart are the caller's (the CLI writes scaling.svg).
import Foundation

public enum SweepFiles {
    public static func write(_ result: SweepResult, to dir: URL) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(result.runsJSONL.utf8).write(to: dir.appendingPathComponent("runs.jsonl"), options: .atomic)
            try Data(result.detailJSONL.utf8).write(to: dir.appendingPathComponent("sweep.jsonl"), options: .atomic)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(result.grid).write(to: dir.appendingPathComponent("grid.json"), options: .atomic)
            for (record, log) in zip(result.records, result.metrics) {
                let runDir = dir.appendingPathComponent("runs").appendingPathComponent(record.name)
                try fm.createDirectory(at: runDir, withIntermediateDirectories: true)
                let text = log.map(SweepJSON.metricsLine).joined(separator: "\n") + "\n"
                try Data(text.utf8).write(to: runDir.appendingPathComponent("metrics.jsonl"), options: .atomic)
            }
        } catch let e as SweepError {
            throw e
        } catch {
            throw SweepError.unreadable(path: dir.path, reason: "cannot write the sweep's files (\(error.localizedDescription))")
        }
    }
}
