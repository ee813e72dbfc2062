// ScalingError — what can go wrong reading runs, fitting laws and asking for allocations.
// Each message names the file, line or field and says what to do next. Plot errors live in
// PlotError; the parameter/memory/FLOPs estimator has its own errors.
import Foundation

public enum ScalingError: Error, CustomStringConvertible, Equatable {
    /// The runs file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The runs file holds no runs (empty or only blank lines).
    case emptyRuns(file: String)
    /// A line is not a JSON object or lacks a required field.
    case malformedLine(file: String, line: Int, reason: String)
    /// A field that must be positive (compute, loss, params, tokens) is zero or negative or not finite.
    case nonPositive(file: String, line: Int, field: String, value: Double)
    /// A key that a runs file does not define (a typo must not pass silently).
    case unknownKey(file: String, line: Int, key: String)
    /// Fewer runs than the model has free parameters.
    case tooFewRuns(file: String, count: Int, needed: Int, model: String)
    /// A budget given to `optimal` (compute, params or tokens) is not positive.
    case nonPositiveBudget(name: String, value: Double)
    /// The optimizer found no finite fit.
    case fitFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the runs file (\(reason)); check the path."
        case let .emptyRuns(file):
            return "\(file): no runs found; write one JSON object per line, e.g. {\"compute\": 1e18, \"loss\": 3.2}."
        case let .malformedLine(file, line, reason):
            return "\(file):\(line): \(reason); each line must be a JSON object like {\"compute\": 1e18, \"loss\": 3.2, \"params\": 1e7, \"tokens\": 2e8}."
        case let .nonPositive(file, line, field, value):
            return "\(file):\(line): \(field) must be a positive finite number, got \(value); fix or remove the line."
        case let .unknownKey(file, line, key):
            return "\(file):\(line): unknown key \"\(key)\"; a run may hold only \(ScalingRun.allowedKeys.sorted().joined(separator: ", "))."
        case let .tooFewRuns(file, count, needed, model):
            return "\(file): \(count) run\(count == 1 ? "" : "s") cannot fit \(model), which has \(needed) free parameters; add at least \(needed - count) more run\(needed - count == 1 ? "" : "s")."
        case let .nonPositiveBudget(name, value):
            return "--\(name) must be a positive number such as 1e21, got \(value)."
        case let .fitFailed(file, reason):
            return "\(file): the fit failed (\(reason)); check that the losses fall as compute grows."
        }
    }
}
