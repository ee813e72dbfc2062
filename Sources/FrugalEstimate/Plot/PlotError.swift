// PlotError — what can go wrong building a chart or reading a training-metrics log.
import Foundation

public enum PlotError: Error, CustomStringConvertible, Equatable {
    /// The metrics log is missing or unreadable.
    case unreadable(file: String, reason: String)
    /// A metrics line is not a JSON object or has a bad field.
    case malformedLine(file: String, line: Int, reason: String)
    /// Nothing to draw (no finite points on the chosen axes).
    case noData(what: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read (\(reason)); pass the output folder of a pretrain or finetune run, which holds metrics.jsonl."
        case let .malformedLine(file, line, reason):
            return "\(file):\(line): \(reason); each line must be a JSON object like {\"step\": 10, \"tokens\": 40960, \"train_loss\": 3.1, \"valid_loss\": 3.3}."
        case let .noData(what):
            return "nothing to plot: \(what)."
        }
    }
}
