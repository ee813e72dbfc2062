// The numeric pieces of the fitter against closed forms: Huber, log-sum-exp, the seeded
// generator, quantiles (numpy's "linear" rule) and the Nelder–Mead minimizer.
import FrugalRandom
import XCTest
@testable import FrugalEstimate

final class FitNumericsTests: XCTestCase {
    func testHuber() {
        XCTAssertEqual(FitHuber.loss(5e-4, delta: 1e-3), 0.5 * 25e-8, accuracy: 1e-20)
        XCTAssertEqual(FitHuber.loss(-0.01, delta: 1e-3), 1e-3 * (0.01 - 5e-4), accuracy: 1e-18)
        XCTAssertEqual(FitHuber.loss(1e-3, delta: 1e-3), 5e-7, accuracy: 1e-20)   // continuous at δ
    }

    func testLogSumExpIsStable() {
        XCTAssertEqual(FitHuber.logSumExp([log(2), log(3), log(5)]), log(10), accuracy: 1e-14)
        XCTAssertEqual(FitHuber.logSumExp([1000, 1000]), 1000 + log(2), accuracy: 1e-12)
        XCTAssertEqual(FitHuber.logAddExp(-1000, -1000), -1000 + log(2), accuracy: 1e-12)
        XCTAssertEqual(FitHuber.logAddExp(log(0.25), log(0.75)), 0, accuracy: 1e-15)
    }

    func testSplitMix64KnownSequence() {
        var r = SplitMix64(seed: 0)
        XCTAssertEqual(r.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(r.next(), 0x6E78_9E6A_A1B9_65F4)
        var s = SplitMix64(seed: 42)
        let u = (0..<10_000).map { _ in s.uniform() }
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(u.reduce(0, +) / 10_000, 0.5, accuracy: 0.01)
        let z = (0..<20_000).map { _ in s.normal() }
        let mean = z.reduce(0, +) / 20_000
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20_000, 1, accuracy: 0.04)
    }

    func testQuantileAndInterval() {
        let s = [1.0, 2, 3, 4, 5]
        XCTAssertEqual(FitInterval.quantile(s, 0.5), 3)
        XCTAssertEqual(FitInterval.quantile(s, 0.025), 1.1, accuracy: 1e-12)   // numpy: 1.1
        XCTAssertEqual(FitInterval.quantile(s, 0.975), 4.9, accuracy: 1e-12)
        let i = FitInterval(value: 3, samples: [5, 1, 4, 2, 3, .nan], level: 0.95)
        XCTAssertEqual(i.low, 1.1, accuracy: 1e-12); XCTAssertEqual(i.high, 4.9, accuracy: 1e-12)
        XCTAssertEqual(FitInterval(value: 2, samples: [], level: 0.95), FitInterval(value: 2, low: 2, high: 2))
    }

    func testNelderMeadFindsRosenbrockMinimum() {
        let f: ([Double]) -> Double = { x in 100 * pow(x[1] - x[0] * x[0], 2) + pow(1 - x[0], 2) }
        let r = FitNelderMead().minimize(f, start: [-1.2, 1], steps: [0.5, 0.5])
        XCTAssertEqual(r.x[0], 1, accuracy: 1e-5); XCTAssertEqual(r.x[1], 1, accuracy: 1e-5)
        XCTAssertLessThan(r.value, 1e-10)
    }

    func testNelderMeadIn5DAndNonFiniteRegions() {
        let target = [0.3, -1.0, 2.0, 0.5, 4.0]
        let f: ([Double]) -> Double = { x in
            if x[0] < -5 { return .nan }
            return zip(x, target).enumerated().map { i, p in Double(i + 1) * (p.0 - p.1) * (p.0 - p.1) }.reduce(0, +)
        }
        let r = FitNelderMead().minimize(f, start: [0, 0, 0, 0, 0], steps: [1, 1, 1, 1, 1])
        for i in 0..<5 { XCTAssertEqual(r.x[i], target[i], accuracy: 1e-5) }
    }
}
