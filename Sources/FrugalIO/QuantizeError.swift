// QuantizeError — why `frugal quantize` refused or failed. Every message names the file, tensor or
// option and says what to do. A failure never leaves a partial output directory behind.
public enum QuantizeError: Error, CustomStringConvertible, Equatable {
    case badOption(String)
    case outputExists(path: String)
    case outputNotADirectory(path: String)
    case alreadyQuantized(path: String)
    case unsupportedArchitecture(path: String, architecture: String)
    case missingTensor(path: String, tensor: String)
    case unsupportedDType(path: String, tensor: String, dtype: String)
    case shapeMismatch(path: String, tensor: String, shape: [Int], expected: [Int])
    case cannotQuantize(tensor: String, reason: String)
    case writeFailed(path: String, reason: String)
    /// --output is the input folder or a folder above the input: replacing it would destroy the input.
    case outputHoldsInput(output: String, input: String)

    public var description: String {
        switch self {
        case .badOption(let m): return m
        case .outputExists(let p):
            return "\(p): exists and is not empty; choose another --output or pass --force to replace it"
        case .outputNotADirectory(let p): return "\(p): exists and is not a directory; choose another --output"
        case .alreadyQuantized(let p):
            return "\(p): config.json already has a quantization_config; quantize the original (unquantized) weights instead"
        case let .unsupportedArchitecture(p, a):
            return "\(p): architecture \(a) is not supported by `frugal quantize` (supported: llama, mistral, qwen2 — nn.Linear layers)"
        case let .missingTensor(p, t):
            return "\(p): tensor \"\(t)\" (a linear weight the config implies) is missing; check that config.json matches the weights"
        case let .unsupportedDType(p, t, d):
            return "\(p): tensor \"\(t)\" has dtype \(d); only F32, F16 and BF16 linear weights can be quantized"
        case let .shapeMismatch(p, t, s, e):
            return "\(p): tensor \"\(t)\" has shape \(s) but config.json implies \(e); check that config.json matches the weights"
        case let .cannotQuantize(t, r): return "tensor \"\(t)\": \(r)"
        case let .outputHoldsInput(o, i):
            return "--output \(o) is or contains the input \(i); quantizing into it would replace the model being read (even with --force); choose another --output"
        case let .writeFailed(p, r): return "\(p): cannot write the output: \(r); check the directory is writable and has space"
        }
    }
}
