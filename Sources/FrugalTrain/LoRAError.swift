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
        case let .mergeState(expectedMerged):
            return expectedMerged ? "the adapter is not merged; there is nothing to unmerge"
                                  : "the adapter is merged into the base weights; unmerge it first"
        }
    }
}
