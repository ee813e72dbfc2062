// SweepFiles — writes a finished sweep to a folder, each file atomically (temporary file, then
// rename): runs.jsonl (ScalingRun's keys: `frugal scaling fit DIR/runs.jsonl` reads it),
// sweep.jsonl (every recorded field), grid.json (the plan that produced them) and
// runs/<name>/metrics.jsonl (each run's per-step log, as `frugal pretrain` writes it, for
// `frugal plot metrics`). The fit and the chart are the caller's (the CLI writes scaling.svg).
import Foundation

public enum SweepFiles {
    /// Writes runs.jsonl and sweep.jsonl for the runs finished so far, so an interrupted sweep
    /// keeps them (`frugal scaling sweep` calls this after every run).
    public static func writeRecords(_ records: [SweepRecord], to dir: URL) throws {
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let runs = records.map(\.runsLine).joined(separator: "\n") + "\n"
            let detail = records.map(\.detailLine).joined(separator: "\n") + "\n"
            try Data(runs.utf8).write(to: dir.appendingPathComponent("runs.jsonl"), options: .atomic)
            try Data(detail.utf8).write(to: dir.appendingPathComponent("sweep.jsonl"), options: .atomic)
        } catch {
            throw SweepError.unwritable(path: dir.path, reason: error.localizedDescription)
        }
    }

    /// What a sweep folder was started with; `--resume` continues only the same plan on the same corpus.
    public struct State: Codable, Equatable, Sendable {
        public var grid: SweepGrid
        public var corpusBytes: Int
        public var corpusChecksum: UInt64
        public init(grid: SweepGrid, corpusBytes: Int, corpusChecksum: UInt64) {
            self.grid = grid; self.corpusBytes = corpusBytes; self.corpusChecksum = corpusChecksum
        }
    }

    public static func writeState(_ state: State, to dir: URL) throws {
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(state).write(to: dir.appendingPathComponent("state.json"), options: .atomic)
        } catch {
            throw SweepError.unwritable(path: dir.path, reason: error.localizedDescription)
        }
    }

    /// The finished records of an interrupted sweep in `dir`, if it was started with `state`.
    public static func resumable(in dir: URL, state: State) throws -> [SweepRecord] {
        let stateURL = dir.appendingPathComponent("state.json"), detailURL = dir.appendingPathComponent("sweep.jsonl")
        guard let data = FileManager.default.contents(atPath: stateURL.path) else { return [] }
        guard let old = try? JSONDecoder().decode(State.self, from: data) else {
            throw SweepError.cannotResume(path: stateURL.path, reason: "it is not a sweep state file")
        }
        guard old.grid == state.grid else { throw SweepError.cannotResume(path: stateURL.path, reason: "it was started with another grid") }
        guard old.corpusBytes == state.corpusBytes, old.corpusChecksum == state.corpusChecksum else {
            throw SweepError.cannotResume(path: stateURL.path, reason: "it was started on another corpus")
        }
        guard let text = FileManager.default.contents(atPath: detailURL.path) else { return [] }
        var records: [SweepRecord] = []
        for (i, line) in String(decoding: text, as: UTF8.self).split(separator: "\n").enumerated() {
            guard let r = try? JSONDecoder().decode(SweepRecord.self, from: Data(line.utf8)) else {
                throw SweepError.cannotResume(path: detailURL.path, reason: "line \(i + 1) is not a sweep record")
            }
            records.append(r)
        }
        return records
    }

    public static func write(_ result: SweepResult, to dir: URL) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(result.runsJSONL.utf8).write(to: dir.appendingPathComponent("runs.jsonl"), options: .atomic)
            try Data(result.detailJSONL.utf8).write(to: dir.appendingPathComponent("sweep.jsonl"), options: .atomic)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(result.grid).write(to: dir.appendingPathComponent("grid.json"), options: .atomic)
            for (record, log) in zip(result.records, result.metrics) where !log.isEmpty {
                let runDir = dir.appendingPathComponent("runs").appendingPathComponent(record.name)
                try fm.createDirectory(at: runDir, withIntermediateDirectories: true)
                let text = log.map(SweepJSON.metricsLine).joined(separator: "\n") + "\n"
                try Data(text.utf8).write(to: runDir.appendingPathComponent("metrics.jsonl"), options: .atomic)
            }
        } catch let e as SweepError {
            throw e
        } catch {
            throw SweepError.unwritable(path: dir.path, reason: error.localizedDescription)
        }
    }
}
