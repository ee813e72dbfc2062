// FitHuber — the robust loss of a scaling fit, as Hoffmann et al. 2022 §3.3/D.2 did it:
// the Huber loss (δ = 1e-3) of residuals in log space, r = log L̂ − log L, where the model is
// written as a log-sum-exp so every term stays positive: log L̂ = LSE(a − α·log x, …, e), i.e.
// L̂ = exp(e) + exp(a)·x^−α + …. Huber is quadratic for |r| ≤ δ and linear beyond, so a few
// diverged runs do not drag the fit.
import Foundation

public enum FitHuber {
    /// Huber_δ(r) = r²/2 for |r| ≤ δ, δ·(|r| − δ/2) otherwise.
    public static func loss(_ r: Double, delta: Double) -> Double {
        let a = abs(r)
        return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta)
    }

    /// log(Σ exp(t_i)), computed stably.
    public static func logSumExp(_ terms: [Double]) -> Double {
        guard let m = terms.max(), m.isFinite else { return terms.max() ?? -.infinity }
        var s = 0.0
        for t in terms { s += exp(t - m) }
        return m + log(s)
    }

    /// Stable log(exp(x) + exp(y)).
    public static func logAddExp(_ x: Double, _ y: Double) -> Double {
        let m = max(x, y)
        guard m.isFinite else { return m }
        return m + log(exp(x - m) + exp(y - m))
    }
}
