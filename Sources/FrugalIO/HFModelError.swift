// HFModelError — problems with a Hugging Face model directory's files (config.json's contents are
// FrugalSpec's ModelConfigError).
public enum HFModelError: Error, CustomStringConvertible, Equatable {
    case notADirectory(path: String)
    case missingFile(path: String, advice: String)
    case badJSON(path: String, reason: String)

    public var description: String {
        switch self {
        case .notADirectory(let p): return "\(p): not a directory; pass a .gguf file, an HF model directory, or `default`"
        case .missingFile(let p, let a): return "\(p): missing; \(a)"
        case .badJSON(let p, let r): return "\(p): not valid JSON (\(r))"
        }
    }
}
