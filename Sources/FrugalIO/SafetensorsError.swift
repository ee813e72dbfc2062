// SafetensorsError — problems with a safetensors file, a sharded index, or a write. Each message
// names the file and the tensor or field, and says what to do.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case truncated(path: String, what: String, needed: UInt64, available: Int)
    case headerTooLarge(path: String, length: UInt64)
    case badHeader(path: String, reason: String)
    case unknownDType(path: String, tensor: String, dtype: String)
    case badShape(path: String, tensor: String, reason: String)
    case badOffsets(path: String, tensor: String, reason: String)
    case overlappingTensors(path: String, first: String, second: String)
    case bufferNotCovered(path: String, reason: String)
    case tensorNotFound(path: String, tensor: String)
    case notAFloatType(path: String, tensor: String, dtype: String)
    case badIndex(path: String, reason: String)
    case duplicateTensor(path: String, tensor: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let p, let r): return "\(p): cannot open safetensors file: \(r)"
        case .truncated(let p, let w, let n, let a):
            return "\(p): truncated or not a safetensors file: \(w) needs \(n) bytes but only \(a) are there; re-download the file"
        case .headerTooLarge(let p, let n):
            return "\(p): header length \(n) exceeds the 100 MB limit of the format; the file is corrupt"
        case .badHeader(let p, let r): return "\(p): bad safetensors header: \(r)"
        case .unknownDType(let p, let t, let d):
            return "\(p): tensor \(SafeText.quoted(t)) has unknown dtype \(SafeText.quoted(d)) (known: \(SafetensorsDType.allCases.map(\.rawValue).joined(separator: " ")))"
        case .badShape(let p, let t, let r): return "\(p): tensor \(SafeText.quoted(t)): bad shape: \(r); the file is corrupt"
        case .badOffsets(let p, let t, let r): return "\(p): tensor \(SafeText.quoted(t)): bad data_offsets: \(r); the file is corrupt or truncated"
        case .overlappingTensors(let p, let a, let b): return "\(p): tensors \(SafeText.quoted(a)) and \(SafeText.quoted(b)) overlap; the file is corrupt"
        case .bufferNotCovered(let p, let r): return "\(p): the data buffer is not exactly covered by the tensors (\(r)); the file is corrupt"
        case .tensorNotFound(let p, let t): return "\(p): no tensor named \(SafeText.quoted(t)); run `frugal info` to list the tensors"
        case .notAFloatType(let p, let t, let d):
            return "\(p): tensor \(SafeText.quoted(t)) has dtype \(d), which is not a floating-point type; read its raw bytes instead"
        case .badIndex(let p, let r): return "\(p): bad sharded-checkpoint index: \(r)"
        case .duplicateTensor(let p, let t): return "\(p): tensor \(SafeText.quoted(t)) appears more than once"
        case .writeFailed(let p, let r): return "\(p): cannot write: \(r)"
        }
    }
}
