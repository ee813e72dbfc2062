// ChinchillaLaw — the parametric loss of Hoffmann et al. 2022, "Training Compute-Optimal Large
// Language Models" (arXiv:2203.15556), approach 3: L(N, D) = E + A/N^α + B/D^β, and its
// closed-form compute-optimal split under C ≈ 6·N·D:
//   G = (αA / (βB))^(1/(α+β)),  N_opt = G · (C/6)^(β/(α+β)),  D_opt = (C/6) / N_opt.
// E is the irreducible loss (the entropy of text); L − E is the reducible loss.
// The published constants are E=1.69, A=406.4, B=410.7, α=0.34, β=0.28 (loss in nats on
// MassiveText). The same type holds laws fitted by ScalingFitter.
import Foundation

public struct ChinchillaLaw: Sendable, Equatable {
    public var E: Double
    public var A: Double
    public var B: Double
    public var alpha: Double
    public var beta: Double

    /// Hoffmann et al. 2022, approach 3 (eq. 10 and §D.2).
    public static let hoffmann2022 = ChinchillaLaw(E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28)

    public init(E: Double, A: Double, B: Double, alpha: Double, beta: Double) {
        self.E = E; self.A = A; self.B = B; self.alpha = alpha; self.beta = beta
    }

    /// L(N, D) = E + A/N^α + B/D^β.
    public func loss(params n: Double, tokens d: Double) -> Double {
        E + reducibleLoss(params: n, tokens: d)
    }

    /// L − E = A/N^α + B/D^β.
    public func reducibleLoss(params n: Double, tokens d: Double) -> Double {
        A / pow(n, alpha) + B / pow(d, beta)
    }

    /// G = (αA / (βB))^(1/(α+β)); N_opt = G·(C/6)^a.
    public var G: Double { pow(alpha * A / (beta * B), 1 / (alpha + beta)) }

    /// a = β/(α+β), the exponent of N_opt in C.
    public var paramsExponent: Double { beta / (alpha + beta) }

    /// b = α/(α+β), the exponent of D_opt in C.
    public var tokensExponent: Double { alpha / (alpha + beta) }

    /// The loss-minimizing split of `flops` under C = 6·N·D.
    public func optimal(compute flops: Double) -> ScalingAllocation {
        let n = G * pow(flops / 6, paramsExponent)
        return ScalingAllocation(params: n, tokens: (flops / 6) / n)
    }

    /// The split in which `n` parameters are compute-optimal: C/6 = (N/G)^(1/a).
    public func optimal(params n: Double) -> ScalingAllocation {
        let c6 = pow(n / G, 1 / paramsExponent)
        return ScalingAllocation(params: n, tokens: c6 / n)
    }

    /// The split in which `d` tokens are compute-optimal: D = G⁻¹·(C/6)^b, so C/6 = (D·G)^(1/b).
    public func optimal(tokens d: Double) -> ScalingAllocation {
        let c6 = pow(d * G, 1 / tokensExponent)
        return ScalingAllocation(params: c6 / d, tokens: d)
    }

    /// The lowest loss reachable with `flops`: L at the compute-optimal split (the frontier).
    public func frontierLoss(compute flops: Double) -> Double {
        let s = optimal(compute: flops)
        return loss(params: s.params, tokens: s.tokens)
    }
}
