// DatasetError — a dataset that cannot be used, found while loading (before any training step).
// Messages start with "file:line:" where a line is at fault and say what is wrong, e.g.
//     data/train.jsonl:17: "messages"[2] has no "content"
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, detail: String)
    case missingTrainFile(folder: String)
    case malformedLine(path: String, line: Int, detail: String)
    case empty(path: String)
    /// Conversations need a chat template, and this one was not usable.
    case chatTemplate(path: String, line: Int, detail: String)

    public var description: String {
        switch self {
        case let .unreadable(path, detail):
            return "\(path): cannot read the dataset: \(detail)"
        case let .missingTrainFile(folder):
            return "\(folder): no train.jsonl; a dataset folder holds train.jsonl and optionally valid.jsonl and test.jsonl"
        case let .malformedLine(path, line, detail):
            return "\(path):\(line): \(detail)"
        case let .empty(path):
            return "\(path): no examples (the file is empty or all lines are blank)"
        case let .chatTemplate(path, line, detail):
            return "\(path):\(line): \(detail)"
        }
    }
}
