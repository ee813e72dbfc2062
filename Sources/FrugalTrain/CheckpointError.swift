// CheckpointError — a training checkpoint that cannot be written, read or resumed from. Messages
// name the folder, file, field or tensor and say what to do.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case malformed(file: String, reason: String)
    case unknownKeys(file: String, keys: [String])
    case tensorMismatch(name: String, reason: String)
    case optionsDiffer(fields: [String])
    case loraConfigDiffers
    /// The checkpoint is at a later step than the run is configured to end.
    case pastEnd(step: Int, steps: Int)
    case writeFailed(path: String, reason: String)
    /// The tensors file does not hash to the checksum recorded when it was written.
    case checksumMismatch(file: String, expected: String, found: String)
    /// The checkpoint was trained on other data (fingerprints differ).
    case dataChanged(expected: String, found: String)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "checkpoint file \(path) is missing; point --resume at a folder written by a training run"
        case let .malformed(file, reason):
            return "checkpoint file \(file) is malformed: \(reason); the checkpoint is damaged, resume from another one"
        case let .unknownKeys(file, keys):
            return "checkpoint file \(file) has unknown keys \(keys.joined(separator: ", ")); it was written by a different version of Frugal"
        case let .tensorMismatch(name, reason):
            return "checkpoint tensor \(name): \(reason); the checkpoint belongs to a different model or adapter"
        case let .optionsDiffer(fields):
            return "the checkpoint was trained with different options (\(fields.joined(separator: ", "))); resume with the same options or start a new run"
        case .loraConfigDiffers:
            return "the checkpoint's LoRA configuration (rank, alpha, dropout, rsLoRA, targets) differs from this adapter's; resume with the same LoRA settings"
        case let .pastEnd(step, steps):
            return "the checkpoint is at step \(step), past this run's \(steps) steps; resume with --steps \(step) or more"
        case let .checksumMismatch(file, expected, found):
            return "checkpoint file \(file) is damaged: its checksum is \(found), \(expected) was recorded; resume from another checkpoint"
        case let .dataChanged(expected, found):
            return "the checkpoint was trained on different data (fingerprint \(expected), this data \(found)); resume with the same data, or pass --allow-data-change to continue on the new data"
        case let .writeFailed(path, reason):
            return "could not write checkpoint \(path): \(reason); check the folder's permissions and free space"
        }
    }
}
