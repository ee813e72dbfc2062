// ScalingTokenRule — the rule of thumb that follows from Chinchilla's approaches 1 and 2
// (N_opt ∝ C^0.5, D_opt ∝ C^0.5): train on about 20 tokens per parameter. With C = 6·N·D and
// D = 20·N, N = sqrt(C / 120). Chinchilla itself: 70B parameters, 1.4T tokens, 5.76e23 FLOPs.
import Foundation

public struct ScalingTokenRule: Sendable, Equatable {
    public var tokensPerParameter: Double

    /// ~20 tokens per parameter (Hoffmann et al. 2022, Table 3 and §3).
    public static let chinchilla = ScalingTokenRule(tokensPerParameter: 20)

    public init(tokensPerParameter: Double) { self.tokensPerParameter = tokensPerParameter }

    /// N = sqrt(C / (6·k)), D = k·N.
    public func optimal(compute flops: Double) -> ScalingAllocation {
        let n = (flops / (6 * tokensPerParameter)).squareRoot()
        return ScalingAllocation(params: n, tokens: tokensPerParameter * n)
    }

    public func optimal(params n: Double) -> ScalingAllocation {
        ScalingAllocation(params: n, tokens: tokensPerParameter * n)
    }

    public func optimal(tokens d: Double) -> ScalingAllocation {
        ScalingAllocation(params: d / tokensPerParameter, tokens: d)
    }
}
