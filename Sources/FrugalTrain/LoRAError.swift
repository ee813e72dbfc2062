// LoRAError — what can go wrong when configuring, attaching, merging or swapping LoRA adapters.
// Every message names the target, layer or field and says what to do next.
public enum LoRAError: Error, CustomStringConvertible, Equatable {
    /// A target module name that is not one of the projections LoRA can wrap.
    case unknownTarget(String, valid: [String])
    /// No target modules were given.
    case noTargets
    /// A configuration field out of range.
    case invalidConfig(field: String, value: String, expected: String)
    /// The slot already holds a LoRA layer (another adapter is attached).
    case alreadyAdapted(layer: String)
    /// The slot does not hold the base layer this adapter was built on (attach to the model it came from).
    case baseMismatch(layer: String)
    /// The adapter is not attached to a model.
    case notAttached
    /// Merging needs a plain float base weight.
    case cannotMerge(layer: String, reason: String)
    /// Safe merge found NaN or ±Inf in the merged weight; nothing was changed.
    case nonFiniteMerge(layer: String, count: Int)
    /// The operation needs an unmerged adapter (or a merged one, for unmerge).
    case mergeState(expectedMerged: Bool)
    /// An adapter_config.json setting that changes the math and is not implemented.
    case unsupportedSetting(key: String, value: String)
    /// An adapter_config.json that cannot be read.
    case malformedConfig(reason: String)
    /// Loaded adapter tensors that do not fit the adapter the config describes.
    case tensorMissing(String)
    case tensorUnexpected(String)
    case tensorShape(name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .unknownTarget(name, valid):
            return "unknown LoRA target '\(name)'; valid targets are \(valid.joined(separator: ", ")) or all-linear"
        case .noTargets:
            return "no LoRA target modules were given; pass e.g. q_proj,v_proj or all-linear"
        case let .invalidConfig(field, value, expected):
            return "LoRA \(field) = \(value) is invalid: it must be \(expected)"
        case let .alreadyAdapted(layer):
            return "\(layer) already holds a LoRA layer; detach the current adapter before attaching another"
        case let .baseMismatch(layer):
            return "\(layer) is not the base layer this adapter was built on; attach the adapter to the model it was created for"
        case .notAttached:
            return "the LoRA adapter is not attached to a model; attach it first"
        case let .cannotMerge(layer, reason):
            return "cannot merge the adapter into \(layer): \(reason)"
        case let .nonFiniteMerge(layer, count):
            return "merging the adapter into \(layer) would produce \(count) NaN/Inf weights; the weights were left unchanged (the adapter diverged: lower the learning rate or resume from an earlier checkpoint)"
        case let .unsupportedSetting(key, value):
            return "adapter_config.json sets \(key) = \(value), which Frugal does not implement; only plain LoRA adapters (no DoRA, biases, patterns or extra modules) can be loaded"
        case let .malformedConfig(reason):
            return "adapter_config.json is malformed: \(reason)"
        case let .tensorMissing(name):
            return "the adapter weights lack \(name); the weights file does not match adapter_config.json"
        case let .tensorUnexpected(name):
            return "the adapter weights hold \(name), which adapter_config.json does not describe (or the base model has fewer layers)"
        case let .tensorShape(name, expected, found):
            return "adapter tensor \(name) has shape \(found), expected \(expected); the adapter was trained for a different base model or rank"
        case let .mergeState(expectedMerged):
            return expectedMerged ? "the adapter is not merged; there is nothing to unmerge"
                                  : "the adapter is merged into the base weights; unmerge it first"
        }
    }
}
