// GGUFError — everything that can be wrong with a GGUF file or with a request made of one.
// Each message names the file and the field or tensor, and says what to do.
public enum GGUFError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case badMagic(path: String, found: [UInt8])
    case unsupportedVersion(path: String, version: UInt32)
    /// A read at `offset` needed `needed` bytes but only `available` were left.
    case truncated(path: String, what: String, offset: Int, needed: UInt64, available: Int)
    case unknownValueType(path: String, key: String, code: UInt32)
    case nestingTooDeep(path: String, key: String)
    case duplicateKey(path: String, key: String)
    case badAlignment(path: String, value: String)
    case tooManyDimensions(path: String, tensor: String, count: UInt32)
    case badShape(path: String, tensor: String, dims: [UInt64], reason: String)
    case unknownGGMLType(path: String, tensor: String, code: UInt32)
    case misalignedOffset(path: String, tensor: String, offset: UInt64, alignment: Int)
    case tensorOutOfBounds(path: String, tensor: String, offset: UInt64, bytes: Int, dataSize: Int)
    case overlappingTensors(path: String, first: String, second: String)
    case duplicateTensor(path: String, tensor: String)
    case tensorNotFound(path: String, tensor: String)
    case cannotDequantize(path: String, tensor: String, type: String)
    case missingKey(path: String, key: String)
    case wrongValueType(path: String, key: String, expected: String, found: String)
    case invalidValue(path: String, key: String, reason: String)
    case unsupportedArchitecture(path: String, architecture: String)
    case unsupportedFeature(path: String, feature: String, detail: String)

    public var description: String {
        switch self {
        case .cannotOpen(let p, let r):
            return "\(p): cannot open GGUF file: \(r)"
        case .badMagic(let p, let m):
            let hex = m.map { String($0, radix: 16) }.joined(separator: " ")
            return "\(p): not a GGUF file (magic bytes \(hex), expected \"GGUF\"); pass a .gguf model or an HF model directory"
        case .unsupportedVersion(let p, let v):
            return "\(p): GGUF version \(v) is not supported (only v3); re-convert the model with a current llama.cpp"
        case .truncated(let p, let what, let off, let need, let avail):
            return "\(p): truncated or corrupt: \(what) at byte \(off) needs \(need) bytes but only \(avail) remain; re-download the file"
        case .unknownValueType(let p, let k, let c):
            return "\(p): metadata key \(SafeText.quoted(k)) has unknown value type \(c); the file is corrupt or from a newer GGUF version"
        case .nestingTooDeep(let p, let k):
            return "\(p): metadata key \(SafeText.quoted(k)) nests arrays too deeply; the file is corrupt"
        case .duplicateKey(let p, let k):
            return "\(p): metadata key \(SafeText.quoted(k)) appears twice; the file is corrupt"
        case .badAlignment(let p, let v):
            return "\(p): general.alignment = \(v) is not a positive power of two; the file is corrupt"
        case .tooManyDimensions(let p, let t, let n):
            return "\(p): tensor \(SafeText.quoted(t)) claims \(n) dimensions (at most 4); the file is corrupt"
        case .badShape(let p, let t, let d, let r):
            return "\(p): tensor \(SafeText.quoted(t)) has shape \(d): \(r); the file is corrupt"
        case .unknownGGMLType(let p, let t, let c):
            return "\(p): tensor \(SafeText.quoted(t)) has unknown ggml type \(c); the file is corrupt or uses a type newer than Frugal knows"
        case .misalignedOffset(let p, let t, let o, let a):
            return "\(p): tensor \(SafeText.quoted(t)) data offset \(o) is not a multiple of the alignment \(a); the file is corrupt"
        case .tensorOutOfBounds(let p, let t, let o, let b, let s):
            return "\(p): tensor \(SafeText.quoted(t)) (offset \(o), \(b) bytes) runs past the end of the data section (\(s) bytes); the file is truncated or corrupt"
        case .overlappingTensors(let p, let a, let b):
            return "\(p): tensors \(SafeText.quoted(a)) and \(SafeText.quoted(b)) overlap in the data section; the file is corrupt"
        case .duplicateTensor(let p, let t):
            return "\(p): tensor \(SafeText.quoted(t)) appears twice; the file is corrupt"
        case .tensorNotFound(let p, let t):
            return "\(p): no tensor named \(SafeText.quoted(t)); run `frugal info` on the file to list its tensors"
        case .cannotDequantize(let p, let t, let ty):
            return "\(p): tensor \(SafeText.quoted(t)) has type \(ty), which Frugal cannot dequantize (supported: F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q4_K Q5_K Q6_K); use a model quantized to one of those"
        case .missingKey(let p, let k):
            return "\(p): metadata key \(SafeText.quoted(k)) is missing; the file was not written by a Llama converter Frugal understands"
        case .wrongValueType(let p, let k, let e, let f):
            return "\(p): metadata key \(SafeText.quoted(k)) should be \(e) but is \(f)"
        case .invalidValue(let p, let k, let r):
            return "\(p): metadata key \(SafeText.quoted(k)): \(r)"
        case .unsupportedArchitecture(let p, let a):
            return "\(p): architecture \(SafeText.quoted(a)) is not supported by the GGUF reader (supported: llama); use a Llama-family GGUF or an HF model directory"
        case .unsupportedFeature(let p, let f, let d):
            return "\(p): \(f) is not implemented (\(d)); Frugal refuses rather than compute something different"
        }
    }
}
