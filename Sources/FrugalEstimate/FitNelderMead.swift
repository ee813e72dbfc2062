// FitNelderMead — derivative-free minimization of f: R^n -> R by the Nelder–Mead simplex
// (Nelder & Mead 1965) with the dimension-adaptive coefficients of Gao & Han 2012
// (reflect 1, expand 1 + 2/n, contract 3/4 − 1/(2n), shrink 1 − 1/n), restarted from the best
// point until a restart no longer improves (guards against a collapsed simplex). Suits the
// piecewise-smooth Huber objective of a scaling fit with 3–5 parameters. Leaves out bounds.
import Foundation

public struct FitNelderMead: Sendable {
    public var maxEvaluations: Int
    public var xTolerance: Double
    public var fTolerance: Double
    public var restarts: Int

    public init(maxEvaluations: Int = 20_000, xTolerance: Double = 1e-10, fTolerance: Double = 1e-15,
                restarts: Int = 3) {
        self.maxEvaluations = maxEvaluations; self.xTolerance = xTolerance
        self.fTolerance = fTolerance; self.restarts = restarts
    }

    /// Minimizes `f` from `start` with initial simplex edges `steps` (one per coordinate).
    /// Returns the best point and value; non-finite values count as +infinity.
    public func minimize(_ f: ([Double]) -> Double, start: [Double], steps: [Double]) -> (x: [Double], value: Double) {
        precondition(start.count == steps.count, "start has \(start.count) coordinates, steps \(steps.count)")
        func g(_ x: [Double]) -> Double { let v = f(x); return v.isFinite ? v : .infinity }
        var best = (x: start, value: g(start))
        for _ in 0...restarts {
            let r = run(g, start: best.x, steps: steps)
            let improved = r.value < best.value - fTolerance
            if r.value <= best.value { best = r }
            if !improved { break }
        }
        return best
    }

    private func run(_ f: ([Double]) -> Double, start: [Double], steps: [Double]) -> (x: [Double], value: Double) {
        let n = start.count
        let dn = Double(n)
        let rho = 1.0, chi = 1 + 2 / dn, gamma = 0.75 - 1 / (2 * dn), sigma = 1 - 1 / dn
        var simplex: [[Double]] = [start]
        for i in 0..<n { var p = start; p[i] += steps[i]; simplex.append(p) }
        var values = simplex.map(f)
        var evaluations = n + 1
        while evaluations < maxEvaluations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let fSpread = values[n] - values[0]
            var xSpread = 0.0
            for p in simplex.dropFirst() { for i in 0..<n { xSpread = max(xSpread, abs(p[i] - simplex[0][i])) } }
            if (fSpread.isFinite && fSpread <= fTolerance && xSpread <= xTolerance) || xSpread <= xTolerance * 1e-3 { break }
            var centroid = [Double](repeating: 0, count: n)
            for p in simplex.dropLast() { for i in 0..<n { centroid[i] += p[i] / dn } }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let xr = along(-rho); let fr = f(xr); evaluations += 1
            if fr < values[0] {
                let xe = along(-rho * chi); let fe = f(xe); evaluations += 1
                if fe < fr { simplex[n] = xe; values[n] = fe } else { simplex[n] = xr; values[n] = fr }
            } else if fr < values[n - 1] {
                simplex[n] = xr; values[n] = fr
            } else {
                let outside = fr < values[n]
                let xc = along(outside ? -rho * gamma : gamma); let fc = f(xc); evaluations += 1
                if fc < (outside ? fr : values[n]) {
                    simplex[n] = xc; values[n] = fc
                } else {
                    for j in 1...n {
                        simplex[j] = (0..<n).map { simplex[0][$0] + sigma * (simplex[j][$0] - simplex[0][$0]) }
                        values[j] = f(simplex[j])
                    }
                    evaluations += n
                }
            }
        }
        let i = values.indices.min { values[$0] < values[$1] }!
        return (simplex[i], values[i])
    }
}
