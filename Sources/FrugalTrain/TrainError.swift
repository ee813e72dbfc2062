// TrainError — what can go wrong setting up, running, saving or resuming a fine-tuning run.
public enum TrainError: Error, CustomStringConvertible, Equatable {
    case invalidOption(field: String, value: String, expected: String)
    case noTrainingData
    case badBatch(index: Int, reason: String)
    case adapterMerged
    case nothingToTrain
    case nonFiniteLoss(step: Int)
    /// The output folder holds another run's files (named) and neither resume nor overwrite was asked.
    case outputHoldsRun(folder: String, files: [String])
    /// Another run holds the output folder's lock (its PID when the lock file names one).
    case outputLocked(folder: String, pid: Int?)

    public var description: String {
        switch self {
        case let .invalidOption(field, value, expected):
            return "training option \(field) = \(value) is invalid: it must be \(expected)"
        case .noTrainingData:
            return "there are no training batches; check the data file and the sequence length"
        case let .badBatch(index, reason):
            return "training batch \(index): \(reason)"
        case .adapterMerged:
            return "the LoRA adapter is merged into the base weights; unmerge it before training"
        case .nothingToTrain:
            return "no tensor requires a gradient; attach a LoRA adapter or unfreeze the model"
        case let .nonFiniteLoss(step):
            return "the loss became NaN or infinite at step \(step); lower the learning rate or enable gradient clipping, and resume from the last checkpoint"
        case let .outputLocked(folder, pid):
            return "another fine-tune\(pid.map { " (PID \($0))" } ?? "") is using the output folder \(folder); wait for it to finish or stop it, or choose another --output"
        case let .outputHoldsRun(folder, files):
            return "the output folder \(folder) holds another run (\(files.joined(separator: ", "))); pass --resume to continue it, --overwrite to replace it (its files are deleted first), or choose another --output"
        }
    }
}
