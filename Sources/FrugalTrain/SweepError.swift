// SweepError — what can go wrong preparing or running a scaling sweep or reading a pretraining
// model config: every message names the file, field or run and says what to do.
public enum SweepError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case badModelConfig(path: String, reason: String)
    case invalid(field: String, value: String, expected: String)
    case corpusNotText(path: String, reason: String)
    case corpusTooSmall(path: String, bytes: Int, needed: Int)
    case nonFiniteLoss(run: String, step: Int)
    case cannotResume(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): \(reason); check the path"
        case let .unwritable(path, reason):
            return "\(path): cannot write the sweep's files (\(reason)); check the folder is writable or pick another --output"
        case let .badModelConfig(path, reason):
            return "\(path): \(reason); a model config is a JSON object with integer keys hidden, layers, heads, kv_heads, intermediate, seq_len (all optional)"
        case let .invalid(field, value, expected):
            return "\(field) = \(value) is invalid: it must be \(expected)"
        case let .corpusNotText(path, reason):
            return "\(path) is not a text corpus: \(reason); give a UTF-8 text file with --corpus, or leave --corpus out to use the generated corpus"
        case let .corpusTooSmall(path, bytes, needed):
            return "\(path) has \(bytes) bytes; this grid needs at least \(needed) (training and held-out validation windows); give a longer text or leave --corpus out"
        case let .cannotResume(path, reason):
            return "cannot resume from \(path): \(reason); leave out --resume to start over, or pick another --output"
        case let .nonFiniteLoss(run, step):
            return "run \(run): the loss became NaN or infinite at step \(step); lower the grid's learning rate"
        }
    }
}
