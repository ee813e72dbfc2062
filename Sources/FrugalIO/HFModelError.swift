// HFModelError — problems with a Hugging Face model directory or its config.json.
public enum HFModelError: Error, CustomStringConvertible, Equatable {
    case notADirectory(path: String)
    case missingFile(path: String, advice: String)
    case badJSON(path: String, reason: String)
    case missingField(path: String, field: String)
    case wrongType(path: String, field: String, expected: String)
    case invalidValue(path: String, field: String, reason: String)
    case unsupportedArchitecture(path: String, modelType: String)
    case unsupportedFeature(path: String, feature: String, detail: String)

    public var description: String {
        switch self {
        case .notADirectory(let p): return "\(p): not a directory; pass a .gguf file, an HF model directory, or `default`"
        case .missingFile(let p, let a): return "\(p): missing; \(a)"
        case .badJSON(let p, let r): return "\(p): not valid JSON (\(r))"
        case .missingField(let p, let f): return "\(p): field \"\(f)\" is missing"
        case .wrongType(let p, let f, let e): return "\(p): field \"\(f)\" should be \(e)"
        case .invalidValue(let p, let f, let r): return "\(p): field \"\(f)\": \(r)"
        case .unsupportedArchitecture(let p, let m):
            return "\(p): model_type \"\(m)\" is not supported (supported: llama, mistral, qwen2, gpt2)"
        case .unsupportedFeature(let p, let f, let d):
            return "\(p): \(f) is not implemented (\(d)); Frugal refuses rather than compute something different"
        }
    }
}
