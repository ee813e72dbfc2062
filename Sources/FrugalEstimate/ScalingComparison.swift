// ScalingComparison — the lecture's "blue versus red" analysis (seed notes §2): given two
// compute laws L_i(C) = E_i + A_i·C^−α_i, which curve is steeper (larger α), where the curves
// cross, and what each predicts at a stated compute. A steeper curve that starts higher can
// overtake at large compute; as C → ∞ each tends to its own E, so the lower E wins eventually.
// Crossings are found by scanning log10 C over `searchRange` and bisecting each sign change.
import Foundation

public struct ScalingComparison: Sendable {
    public var first: ScalingPowerLaw
    public var second: ScalingPowerLaw
    /// Compute values (FLOPs) where the two curves meet, ascending.
    public var crossings: [Double]

    /// log10 FLOPs scanned for crossings: 1 FLOP to 1e40 FLOPs.
    public static let searchRange: ClosedRange<Double> = 0...40

    public init(first: ScalingPowerLaw, second: ScalingPowerLaw) {
        self.first = first; self.second = second
        self.crossings = Self.crossings(first, second)
    }

    /// 1 when `first` is steeper, 2 when `second` is, nil when the exponents are equal.
    public var steeper: Int? {
        first.alpha == second.alpha ? nil : (first.alpha > second.alpha ? 1 : 2)
    }

    /// Which curve (1 or 2) predicts the lower loss at `compute`; nil on a tie.
    public func lower(at compute: Double) -> Int? {
        let a = first.loss(compute: compute), b = second.loss(compute: compute)
        return a == b ? nil : (a < b ? 1 : 2)
    }

    /// Which curve wins as compute grows without bound (lower E; on equal E the steeper one).
    public var asymptoticWinner: Int? {
        if first.E != second.E { return first.E < second.E ? 1 : 2 }
        return steeper
    }

    static func crossings(_ p: ScalingPowerLaw, _ q: ScalingPowerLaw) -> [Double] {
        func gap(_ lc: Double) -> Double { let c = pow(10, lc); return p.loss(compute: c) - q.loss(compute: c) }
        let lo = searchRange.lowerBound, hi = searchRange.upperBound, steps = 4000
        var out: [Double] = []
        var x0 = lo, g0 = gap(lo)
        for k in 1...steps {
            let x1 = lo + (hi - lo) * Double(k) / Double(steps), g1 = gap(x1)
            if g0 == 0 { out.append(pow(10, x0)) } else if g0.isFinite, g1.isFinite, (g0 < 0) != (g1 < 0), g1 != 0 {
                var a = x0, b = x1, ga = g0
                for _ in 0..<100 {
                    let m = 0.5 * (a + b), gm = gap(m)
                    if (gm < 0) == (ga < 0) { a = m; ga = gm } else { b = m }
                }
                out.append(pow(10, 0.5 * (a + b)))
            }
            x0 = x1; g0 = g1
        }
        return out
    }
}
