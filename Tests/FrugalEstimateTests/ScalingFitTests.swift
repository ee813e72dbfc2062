// The fitter recovers known laws from synthetic runs with seeded multiplicative noise, its
// bootstrap intervals cover the truth, it is reproducible, robust to an outlier, and it refuses
// what it cannot fit.
import FrugalRandom
import XCTest
@testable import FrugalEstimate

final class ScalingFitTests: XCTestCase {
    /// L = 2 + 949·C^(−1/6) over 1e15…1e21 FLOPs, noise exp(σ·z).
    static func computeRuns(count: Int = 25, sigma: Double = 0.01, seed: UInt64 = 7,
                            law: ScalingPowerLaw = ScalingPowerLaw(E: 2, A: 949, alpha: 1.0 / 6)) -> [ScalingRun] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            let c = pow(10, 15 + 6 * Double(i) / Double(count - 1))
            return ScalingRun(compute: c, loss: law.loss(compute: c) * exp(sigma * rng.normal()), line: i + 1)
        }
    }

    /// Chinchilla's law on a 5×5 grid of N and D.
    static func gridRuns(sigma: Double = 0.005, seed: UInt64 = 11) -> [ScalingRun] {
        var rng = SplitMix64(seed: seed)
        let law = ChinchillaLaw.hoffmann2022
        var runs: [ScalingRun] = []
        for n in [1e7, 3e7, 1e8, 3e8, 1e9] { for d in [1e8, 3e8, 1e9, 3e9, 1e10] {
            runs.append(ScalingRun(compute: 6 * n * d, loss: law.loss(params: n, tokens: d) * exp(sigma * rng.normal()),
                                   params: n, tokens: d, line: runs.count + 1))
        } }
        return runs
    }

    func testRecoversComputeLawFromNoisyRuns() throws {
        let fit = try ScalingFitter(options: ScalingFitOptions(resamples: 100)).fit(Self.computeRuns(), file: "synthetic")
        let c = fit.compute
        XCTAssertEqual(c.law.alpha, 1.0 / 6, accuracy: 0.03)
        XCTAssertEqual(c.law.E, 2, accuracy: 0.15)
        // A is tied to α; compare the predicted reducible loss in the middle of the range instead.
        XCTAssertEqual(c.law.reducibleLoss(compute: 1e18), 949 * pow(1e18, -1.0 / 6), accuracy: 0.1)
        XCTAssertLessThan(c.alpha.low, 1.0 / 6); XCTAssertGreaterThan(c.alpha.high, 1.0 / 6)
        XCTAssertLessThan(c.E.low, 2); XCTAssertGreaterThan(c.E.high, 2)
        XCTAssertLessThan(c.alpha.low, c.alpha.high)
        XCTAssertEqual(c.samples.count, 100)
        XCTAssertNil(fit.paramsTokens)
        XCTAssertEqual(fit.paramsTokensSkipped, "not every run has params and tokens")
    }

    func testExactRunsGiveExactFit() throws {
        let truth = ScalingPowerLaw(E: 1.8, A: 300, alpha: 0.12)
        let fit = try ScalingFitter(options: ScalingFitOptions(resamples: 0)).fit(Self.computeRuns(sigma: 0, law: truth), file: "exact")
        XCTAssertEqual(fit.compute.law.alpha, 0.12, accuracy: 1e-4)
        XCTAssertEqual(fit.compute.law.E, 1.8, accuracy: 1e-3)
        XCTAssertEqual(fit.compute.law.A, 300, accuracy: 300 * 5e-3)
        XCTAssertEqual(fit.compute.alpha.low, fit.compute.alpha.value)   // no resamples, no interval
    }

    func testRecoversChinchillaLawFromGrid() throws {
        let fit = try ScalingFitter(options: ScalingFitOptions(resamples: 40)).fit(Self.gridRuns(), file: "grid")
        let pt = try XCTUnwrap(fit.paramsTokens, fit.paramsTokensSkipped ?? "")
        XCTAssertEqual(pt.law.alpha, 0.34, accuracy: 0.04)
        XCTAssertEqual(pt.law.beta, 0.28, accuracy: 0.04)
        XCTAssertEqual(pt.law.E, 1.69, accuracy: 0.2)
        XCTAssertEqual(pt.law.paramsExponent, ChinchillaLaw.hoffmann2022.paramsExponent, accuracy: 0.05)
        for (n, d) in [(1e8, 1e9), (1e9, 1e10)] {
            XCTAssertEqual(pt.law.loss(params: n, tokens: d), ChinchillaLaw.hoffmann2022.loss(params: n, tokens: d), accuracy: 0.02)
        }
        XCTAssertLessThanOrEqual(pt.beta.low, pt.beta.value); XCTAssertGreaterThanOrEqual(pt.beta.high, pt.beta.value)
        XCTAssertEqual(pt.samples.count, 40)
    }

    func testBootstrapIsReproducibleAndSeeded() throws {
        let runs = Self.computeRuns()
        let a = try ScalingFitter(options: ScalingFitOptions(resamples: 30, seed: 1)).fit(runs, file: "x")
        let b = try ScalingFitter(options: ScalingFitOptions(resamples: 30, seed: 1)).fit(runs, file: "x")
        let c = try ScalingFitter(options: ScalingFitOptions(resamples: 30, seed: 2)).fit(runs, file: "x")
        XCTAssertEqual(a.compute.alpha, b.compute.alpha)
        XCTAssertEqual(a.compute.E, b.compute.E)
        XCTAssertNotEqual(a.compute.alpha.low, c.compute.alpha.low)
        XCTAssertEqual(a.compute.law, c.compute.law)   // the point estimate does not depend on the seed
    }

    func testHuberLossResistsOneDivergedRun() throws {
        var runs = Self.computeRuns(sigma: 0.002)
        runs[12].loss *= 1.5   // a diverged run
        let robust = try ScalingFitter(options: ScalingFitOptions(resamples: 0)).fit(runs, file: "x")
        XCTAssertEqual(robust.compute.law.alpha, 1.0 / 6, accuracy: 0.02)
        // Plain least squares (a huge δ) is dragged further from the truth.
        let ls = try ScalingFitter(options: ScalingFitOptions(resamples: 0, huberDelta: 1e3)).fit(runs, file: "x")
        XCTAssertGreaterThan(abs(ls.compute.law.alpha - 1.0 / 6), abs(robust.compute.law.alpha - 1.0 / 6))
    }

    func testPredictionCarriesInterval() throws {
        let fit = try ScalingFitter(options: ScalingFitOptions(resamples: 50)).fit(Self.computeRuns(), file: "x")
        let p = fit.compute.predict(compute: 1e22)
        XCTAssertEqual(p.value, fit.compute.law.loss(compute: 1e22))
        XCTAssertLessThan(p.low, p.high)
        XCTAssertEqual(p.value, 2 + 949 * pow(1e22, -1.0 / 6), accuracy: 0.1)
    }

    func testTooFewRunsIsATypedError() {
        let runs = Array(Self.computeRuns().prefix(2))
        XCTAssertThrowsError(try ScalingFitter().fit(runs, file: "few.jsonl")) { e in
            XCTAssertEqual(e as? ScalingError, .tooFewRuns(file: "few.jsonl", count: 2, needed: 3, model: "L = E + A·C^−α"))
            XCTAssertTrue("\(e)".contains("few.jsonl"))
            XCTAssertTrue("\(e)".contains("add at least 1 more run"))
        }
        XCTAssertThrowsError(try ScalingFitter().fitParamsTokens(Array(Self.gridRuns().prefix(4)), file: "g")) { e in
            XCTAssertEqual(e as? ScalingError, .tooFewRuns(file: "g", count: 4, needed: 5, model: "L = E + A/N^α + B/D^β"))
        }
    }

    func testNonPositiveRunsInCodeAreRefused() {
        var runs = Self.computeRuns()
        runs[3].loss = 0
        XCTAssertThrowsError(try ScalingFitter().fit(runs, file: "r")) { e in
            XCTAssertEqual(e as? ScalingError, .nonPositive(file: "r", line: 4, field: "loss", value: 0))
        }
        var grid = Self.gridRuns()
        grid[6].tokens = -1
        XCTAssertThrowsError(try ScalingFitter().fit(grid, file: "g")) { e in
            XCTAssertEqual(e as? ScalingError, .nonPositive(file: "g", line: 7, field: "tokens", value: -1))
        }
    }

    func testCollinearParamsAndTokensSkipTheNDForm() throws {
        // Every run at 20 tokens per parameter: N and D move together, so L(N, D) is not identifiable.
        let law = ChinchillaLaw.hoffmann2022
        let runs = [1e7, 3e7, 1e8, 3e8, 1e9, 3e9].map { n in
            ScalingRun(compute: 120 * n * n, loss: law.loss(params: n, tokens: 20 * n), params: n, tokens: 20 * n)
        }
        let fit = try ScalingFitter(options: ScalingFitOptions(resamples: 0)).fit(runs, file: "c")
        XCTAssertNil(fit.paramsTokens)
        XCTAssertTrue(fit.paramsTokensSkipped?.contains("vary together") ?? false)
    }
}
