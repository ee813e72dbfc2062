// KaplanLaw — the power laws of Kaplan et al. 2020, "Scaling Laws for Neural Language Models"
// (arXiv:2001.08361): L(N), L(D), L(C_min) and the combined L(N, D), plus their compute-optimal
// model size N_opt(C) = 1.3e9 · (C / PF-day)^0.73.
// Loss is in nats per token on WebText2 with GPT-2's tokenizer, N counts NON-embedding parameters
// and compute is in PF-days inside the paper (1 PF-day = 1e15 · 86400 = 8.64e19 FLOPs); this type
// takes and returns FLOPs. The losses are not comparable to Chinchilla's (other data, tokenizer).
// Exponents are third-party confirmed; N_c, D_c, C_c, the combined form and the 1.3e9 prefactor
// are quoted from memory of the paper (see docs/scaling.md).
import Foundation

public struct KaplanLaw: Sendable, Equatable {
    public var alphaN: Double      // L(N) exponent
    public var nC: Double          // N_c, non-embedding parameters
    public var alphaD: Double      // L(D) exponent
    public var dC: Double          // D_c, tokens
    public var alphaC: Double      // L(C_min) exponent
    public var cCPetaflopDays: Double  // C_c, PF-days
    public var optimalParamsPrefactor: Double  // N_opt = prefactor · (C / PF-day)^exponent
    public var optimalParamsExponent: Double

    /// 1 PF-day in FLOPs: 1e15 FLOP/s for 86 400 s.
    public static let petaflopDay: Double = 1e15 * 86_400

    /// The published constants (Kaplan et al. 2020, eqs. 1.1–1.3, 1.5 and 6.1).
    public static let kaplan2020 = KaplanLaw(alphaN: 0.076, nC: 8.8e13, alphaD: 0.095, dC: 5.4e13,
                                             alphaC: 0.050, cCPetaflopDays: 3.1e8,
                                             optimalParamsPrefactor: 1.3e9, optimalParamsExponent: 0.73)

    public init(alphaN: Double, nC: Double, alphaD: Double, dC: Double, alphaC: Double,
                cCPetaflopDays: Double, optimalParamsPrefactor: Double, optimalParamsExponent: Double) {
        self.alphaN = alphaN; self.nC = nC; self.alphaD = alphaD; self.dC = dC
        self.alphaC = alphaC; self.cCPetaflopDays = cCPetaflopDays
        self.optimalParamsPrefactor = optimalParamsPrefactor; self.optimalParamsExponent = optimalParamsExponent
    }

    /// L(N) = (N_c / N)^α_N — data and compute unlimited.
    public func loss(params n: Double) -> Double { pow(nC / n, alphaN) }

    /// L(D) = (D_c / D)^α_D — model large, early-stopped.
    public func loss(tokens d: Double) -> Double { pow(dC / d, alphaD) }

    /// L(C_min) = (C_c / C_min)^α_C with C_min in PF-days; `flops` is converted.
    public func loss(compute flops: Double) -> Double { pow(cCPetaflopDays / (flops / Self.petaflopDay), alphaC) }

    /// L(N, D) = [(N_c / N)^(α_N/α_D) + D_c / D]^α_D.
    public func loss(params n: Double, tokens d: Double) -> Double {
        pow(pow(nC / n, alphaN / alphaD) + dC / d, alphaD)
    }

    /// Compute-optimal model size for a budget of `flops`: N = 1.3e9 · (C / PF-day)^0.73.
    public func optimalParams(compute flops: Double) -> Double {
        optimalParamsPrefactor * pow(flops / Self.petaflopDay, optimalParamsExponent)
    }

    /// The Kaplan allocation for a compute budget; tokens follow from C = 6·N·D.
    public func optimal(compute flops: Double) -> ScalingAllocation {
        let n = optimalParams(compute: flops)
        return ScalingAllocation(params: n, tokens: flops / (6 * n))
    }

    /// The budget for which `n` parameters are Kaplan-optimal: C = PF-day · (N / prefactor)^(1/exponent).
    public func optimal(params n: Double) -> ScalingAllocation {
        let c = Self.petaflopDay * pow(n / optimalParamsPrefactor, 1 / optimalParamsExponent)
        return ScalingAllocation(params: n, tokens: c / (6 * n))
    }

    /// The budget for which `d` tokens are Kaplan-optimal. From D = C/(6N(C)):
    /// D = (C/P)^(1−e) · P / (6k), so C = P · (6kD/P)^(1/(1−e)).
    public func optimal(tokens d: Double) -> ScalingAllocation {
        let p = Self.petaflopDay, k = optimalParamsPrefactor, e = optimalParamsExponent
        let c = p * pow(6 * k * d / p, 1 / (1 - e))
        return ScalingAllocation(params: c / (6 * d), tokens: d)
    }
}
