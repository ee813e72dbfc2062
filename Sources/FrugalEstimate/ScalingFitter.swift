// ScalingFitter — fits scaling laws to finished runs by robust least squares in log space,
// following Hoffmann et al. 2022 §D.2: minimize Σ Huber_δ(LSE(a − α·log x, …, e) − log L) over
// a grid of starting points, keep the best, then bootstrap (resample runs with replacement,
// refit from the best point) for percentile intervals.
// Inputs are centred (x / geometric mean of x) so one grid suits any compute scale; A and B are
// converted back to raw units afterwards (A = exp(a' + α·log x_ref)). The minimizer is
// FitNelderMead (derivative-free; the paper used L-BFGS — both reach the same optimum here).
// Leaves out: weighting runs, fitting E = 0 laws separately.
import FrugalRandom
import Foundation

public struct ScalingFitter: Sendable {
    public var options: ScalingFitOptions
    public var minimizer = FitNelderMead()

    public init(options: ScalingFitOptions = ScalingFitOptions()) { self.options = options }

    /// Fits the compute law, and the N, D law when the runs allow it. `file` names the runs in errors.
    public func fit(_ runs: [ScalingRun], file: String) throws -> ScalingFit {
        for r in runs {
            guard r.compute.isFinite, r.compute > 0 else { throw ScalingError.nonPositive(file: file, line: r.line, field: "compute", value: r.compute) }
            guard r.loss.isFinite, r.loss > 0 else { throw ScalingError.nonPositive(file: file, line: r.line, field: "loss", value: r.loss) }
            for (field, v) in [("params", r.params), ("tokens", r.tokens)] {
                if let v, !(v.isFinite && v > 0) { throw ScalingError.nonPositive(file: file, line: r.line, field: field, value: v) }
            }
        }
        let computeFit = try fitCompute(runs, file: file)
        var ptFit: ScalingParamsTokensFit?
        var skipped: String?
        if let reason = Self.paramsTokensUnfittable(runs) {
            skipped = reason
        } else {
            ptFit = try fitParamsTokens(runs, file: file)
        }
        return ScalingFit(compute: computeFit, paramsTokens: ptFit, paramsTokensSkipped: skipped, level: options.level)
    }

    /// Nil when the N, D form can be fitted; otherwise why not.
    static func paramsTokensUnfittable(_ runs: [ScalingRun]) -> String? {
        let pt = runs.compactMap { r -> (Double, Double)? in
            guard let n = r.params, let d = r.tokens else { return nil }
            return (log(n), log(d))
        }
        guard pt.count == runs.count else { return "not every run has params and tokens" }
        guard pt.count >= 5 else { return "L(N, D) has 5 free parameters and there are \(pt.count) runs" }
        let mu = pt.reduce(0) { $0 + $1.0 } / Double(pt.count), mv = pt.reduce(0) { $0 + $1.1 } / Double(pt.count)
        var suu = 0.0, svv = 0.0, suv = 0.0
        for (u, v) in pt { suu += (u - mu) * (u - mu); svv += (v - mv) * (v - mv); suv += (u - mu) * (v - mv) }
        guard suu > 1e-12, svv > 1e-12 else { return "params or tokens do not vary across runs" }
        let r = suv / (suu * svv).squareRoot()
        guard abs(r) < 0.999 else { return "params and tokens vary together (log-correlation \(String(format: "%.4f", r))), so their effects cannot be told apart" }
        return nil
    }

    // MARK: L = E + A·C^−α

    public func fitCompute(_ runs: [ScalingRun], file: String) throws -> ScalingComputeFit {
        guard runs.count >= 3 else { throw ScalingError.tooFewRuns(file: file, count: runs.count, needed: 3, model: "L = E + A·C^−α") }
        let xRef = runs.map { log($0.compute) }.reduce(0, +) / Double(runs.count)
        let x = runs.map { log($0.compute) - xRef }, y = runs.map { log($0.loss) }
        let delta = options.huberDelta
        // θ = (a', α, e): log L̂ = logaddexp(a' − α·x, e).
        func objective(_ idx: [Int]) -> ([Double]) -> Double {
            { t in
                var s = 0.0
                for i in idx { s += FitHuber.loss(FitHuber.logAddExp(t[0] - t[1] * x[i], t[2]) - y[i], delta: delta) }
                return s
            }
        }
        let meanL = runs.map(\.loss).reduce(0, +) / Double(runs.count), minL = runs.map(\.loss).min()!
        var grid: [[Double]] = []
        for fa in [0.05, 0.2, 0.5, 1.0] { for al in [0.05, 0.15, 0.3, 0.6, 1.0] { for fe in [0.05, 0.3, 0.6, 0.9] {
            grid.append([log(meanL * fa), al, log(minL * fe)])
        } } }
        let steps = [0.5, 0.1, 0.5]
        let all = Array(runs.indices)
        let best = bestFit(objective(all), grid: grid, steps: steps)
        guard best.value.isFinite, best.x.allSatisfy(\.isFinite) else {
            throw ScalingError.fitFailed(file: file, reason: "no finite optimum for L = E + A·C^−α")
        }
        func law(_ t: [Double]) -> ScalingPowerLaw { ScalingPowerLaw(E: exp(t[2]), A: exp(t[0] + t[1] * xRef), alpha: t[1]) }
        var rng = SplitMix64(seed: options.seed)
        var samples: [ScalingPowerLaw] = []
        for _ in 0..<options.resamples {
            let idx = (0..<runs.count).map { _ in rng.index(below: runs.count) }
            let r = minimizer.minimize(objective(idx), start: best.x, steps: steps)
            if r.value.isFinite { samples.append(law(r.x)) }
        }
        let l = law(best.x), level = options.level
        return ScalingComputeFit(law: l,
                                 E: FitInterval(value: l.E, samples: samples.map(\.E), level: level),
                                 A: FitInterval(value: l.A, samples: samples.map(\.A), level: level),
                                 alpha: FitInterval(value: l.alpha, samples: samples.map(\.alpha), level: level),
                                 samples: samples, objective: best.value, runCount: runs.count)
    }

    // MARK: L = E + A/N^α + B/D^β

    public func fitParamsTokens(_ runs: [ScalingRun], file: String) throws -> ScalingParamsTokensFit {
        guard runs.count >= 5 else { throw ScalingError.tooFewRuns(file: file, count: runs.count, needed: 5, model: "L = E + A/N^α + B/D^β") }
        let pt: [(Double, Double)] = try runs.map { r in
            guard let n = r.params, let d = r.tokens else {
                throw ScalingError.malformedLine(file: file, line: r.line, reason: "L(N, D) needs \"params\" and \"tokens\" on every run")
            }
            return (log(n), log(d))
        }
        let uRef = pt.map(\.0).reduce(0, +) / Double(pt.count), vRef = pt.map(\.1).reduce(0, +) / Double(pt.count)
        let u = pt.map { $0.0 - uRef }, v = pt.map { $0.1 - vRef }, y = runs.map { log($0.loss) }
        let delta = options.huberDelta
        // θ = (a', b', e, α, β): log L̂ = LSE(a' − α·u, b' − β·v, e).
        func objective(_ idx: [Int]) -> ([Double]) -> Double {
            { t in
                var s = 0.0
                for i in idx {
                    let p = FitHuber.logAddExp(FitHuber.logAddExp(t[0] - t[3] * u[i], t[1] - t[4] * v[i]), t[2])
                    s += FitHuber.loss(p - y[i], delta: delta)
                }
                return s
            }
        }
        let meanL = runs.map(\.loss).reduce(0, +) / Double(runs.count), minL = runs.map(\.loss).min()!
        var grid: [[Double]] = []
        for fa in [0.05, 0.2, 0.6] { for fb in [0.05, 0.2, 0.6] { for fe in [0.1, 0.5, 0.9] {
            for al in [0.1, 0.3, 0.6] { for be in [0.1, 0.3, 0.6] {
                grid.append([log(meanL * fa), log(meanL * fb), log(minL * fe), al, be])
            } }
        } } }
        let steps = [0.5, 0.5, 0.5, 0.1, 0.1]
        let best = bestFit(objective(Array(runs.indices)), grid: grid, steps: steps)
        guard best.value.isFinite, best.x.allSatisfy(\.isFinite) else {
            throw ScalingError.fitFailed(file: file, reason: "no finite optimum for L = E + A/N^α + B/D^β")
        }
        func law(_ t: [Double]) -> ChinchillaLaw {
            ChinchillaLaw(E: exp(t[2]), A: exp(t[0] + t[3] * uRef), B: exp(t[1] + t[4] * vRef), alpha: t[3], beta: t[4])
        }
        var rng = SplitMix64(seed: options.seed &+ 1)
        var samples: [ChinchillaLaw] = []
        for _ in 0..<options.resamples {
            let idx = (0..<runs.count).map { _ in rng.index(below: runs.count) }
            let r = minimizer.minimize(objective(idx), start: best.x, steps: steps)
            if r.value.isFinite { samples.append(law(r.x)) }
        }
        let l = law(best.x), level = options.level
        func iv(_ value: Double, _ f: (ChinchillaLaw) -> Double) -> FitInterval {
            FitInterval(value: value, samples: samples.map(f), level: level)
        }
        return ScalingParamsTokensFit(law: l, E: iv(l.E, \.E), A: iv(l.A, \.A), B: iv(l.B, \.B),
                                      alpha: iv(l.alpha, \.alpha), beta: iv(l.beta, \.beta),
                                      samples: samples, objective: best.value, runCount: runs.count)
    }

    /// Scores every grid point, runs the minimizer from the best few distinct ones, keeps the best.
    func bestFit(_ f: ([Double]) -> Double, grid: [[Double]], steps: [Double], starts: Int = 6) -> (x: [Double], value: Double) {
        let scored = grid.map { ($0, f($0)) }.filter { $0.1.isFinite }.sorted { $0.1 < $1.1 }
        var best: (x: [Double], value: Double) = (grid[0], .infinity)
        for (start, _) in scored.prefix(starts) {
            let r = minimizer.minimize(f, start: start, steps: steps)
            if r.value < best.value { best = r }
        }
        return best
    }
}
