// PlotMetricsLog — the per-step log a pretrain or finetune run writes as DIR/metrics.jsonl,
// one JSON object per line: {"step": 10, "tokens": 40960, "train_loss": 3.1, "valid_loss": 3.3}.
// `step` is required; train_loss and valid_loss are each optional per line (validation runs
// less often); other keys (lr, grad_norm, …) belong to the trainer and are ignored here.
// Finetune's lines (FrugalTrain's TrainMetrics as written) name them differently and are read too:
// {"step": 3, "loss": 2.7, "eval_loss": 2.9, "tokens": 48, "total_tokens": 144, …}, where `tokens`
// counts one step and `total_tokens` the run so far (runs written before snake_case: evalLoss,
// totalTokens).
import Foundation

public struct PlotMetricsLog: Sendable, Equatable {
    public struct Record: Sendable, Equatable {
        public var step: Double
        public var tokens: Double?
        public var trainLoss: Double?
        public var validLoss: Double?
    }

    public var records: [Record]

    public static let fileName = "metrics.jsonl"

    /// Reads `dir/metrics.jsonl` (or `dir` itself when it is a file).
    public static func read(at url: URL) throws -> PlotMetricsLog {
        var isDir: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
            ? url.appendingPathComponent(fileName) : url
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw PlotError.unreadable(file: file.path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw PlotError.unreadable(file: file.path, reason: "not UTF-8 text") }
        return try parse(text, file: file.path)
    }

    public static func parse(_ text: String, file: String) throws -> PlotMetricsLog {
        var records: [Record] = []
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)), let d = obj as? [String: Any] else {
                throw PlotError.malformedLine(file: file, line: n, reason: "not a JSON object")
            }
            func num(_ k: String) throws -> Double? {
                guard let v = d[k], !(v is NSNull) else { return nil }
                guard let x = v as? NSNumber, !(v is String), x.doubleValue.isFinite else {
                    throw PlotError.malformedLine(file: file, line: n, reason: "\"\(k)\" is not a finite number")
                }
                return x.doubleValue
            }
            guard let step = try num("step") else { throw PlotError.malformedLine(file: file, line: n, reason: "missing \"step\"") }
            records.append(Record(step: step, tokens: try num("total_tokens") ?? num("totalTokens") ?? num("tokens"),
                                  trainLoss: try num("train_loss") ?? num("loss"),
                                  validLoss: try num("valid_loss") ?? num("eval_loss") ?? num("evalLoss")))
        }
        guard records.contains(where: { $0.trainLoss != nil || $0.validLoss != nil }) else {
            throw PlotError.noData(what: "\(file) has no train_loss or valid_loss values")
        }
        return PlotMetricsLog(records: records)
    }
}
