// ModelConfigError — why a model description was refused: a config.json that cannot be read, a
// key that changes the math and is not implemented (refused by name, never silently ignored), a
// dimension that makes no sense, or an unknown preset. Every message names the file (`source`),
// the key and what to do next.
public enum ModelConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The bytes are not a JSON object.
    case notJSON(source: String, detail: String)
    /// `model_type` is missing or names no family in the registry.
    case unsupportedModelType(source: String, modelType: String?)
    /// A required key is absent.
    case missingKey(source: String, key: String)
    /// A key is present with the wrong JSON type.
    case wrongType(source: String, key: String, expected: String)
    /// A key that changes the computation and that Frugal does not implement.
    case unsupportedFeature(source: String, key: String, value: String, reason: String)
    /// A dimension or combination of dimensions is invalid.
    case invalid(source: String, field: String, reason: String)
    /// `--preset NAME` names no known preset.
    case unknownPreset(name: String, known: [String])

    public var description: String {
        switch self {
        case let .notJSON(source, detail):
            return "\(source): not a JSON object (\(detail)); pass an HF config.json"
        case let .unsupportedModelType(source, modelType):
            let shown = modelType.map { "model_type \"\($0)\"" } ?? "no model_type key"
            return "\(source): \(shown) is not supported; Frugal knows \(ModelFamily.knownHFModelTypes.joined(separator: ", ")) "
                + "(set model_type to one of them only if the architecture really is identical)"
        case let .missingKey(source, key):
            return "\(source): required key \"\(key)\" is missing; add it from the model's published config"
        case let .wrongType(source, key, expected):
            return "\(source): key \"\(key)\" must be \(expected)"
        case let .unsupportedFeature(source, key, value, reason):
            return "\(source): \"\(key)\": \(value) is not implemented (\(reason)); "
                + "Frugal refuses rather than compute a different model"
        case let .invalid(source, field, reason):
            return "\(source): \(field): \(reason)"
        case let .unknownPreset(name, known):
            return "unknown preset \"\(name)\"; known presets: \(known.joined(separator: ", ")) "
                + "(frugal estimate --list-presets)"
        }
    }
}
