// ScalingAllocation — a split of a training budget into parameters N and tokens D under the
// usual dense-transformer approximation C ≈ 6·N·D (2N FLOPs forward + 4N backward per token;
// Kaplan et al. 2020 §2.1). Leaves out attention FLOPs and embeddings.
import Foundation

public struct ScalingAllocation: Sendable, Equatable {
    public var params: Double   // N
    public var tokens: Double   // D

    public init(params: Double, tokens: Double) { self.params = params; self.tokens = tokens }

    /// C = 6·N·D, FLOPs.
    public var compute: Double { 6 * params * tokens }

    /// D / N.
    public var tokensPerParameter: Double { tokens / params }
}
