// Closed-form checks of the published laws (Kaplan 2020, Hoffmann 2022) and the allocations.
// Expected values were computed independently with Python floats from the same constants.
import XCTest
@testable import FrugalEstimate

final class ScalingLawsTests: XCTestCase {
    let chin = ChinchillaLaw.hoffmann2022

    func testChinchillaConstantsAndLoss() {
        XCTAssertEqual(chin.E, 1.69); XCTAssertEqual(chin.A, 406.4); XCTAssertEqual(chin.B, 410.7)
        XCTAssertEqual(chin.alpha, 0.34); XCTAssertEqual(chin.beta, 0.28)
        XCTAssertEqual(chin.loss(params: 70e9, tokens: 1.4e12), 1.9366454705587173, accuracy: 1e-12)
        XCTAssertEqual(chin.reducibleLoss(params: 70e9, tokens: 1.4e12), 1.9366454705587173 - 1.69, accuracy: 1e-12)
    }

    func testChinchillaClosedFormAllocation() {
        XCTAssertEqual(chin.G, 1.34471064277253, accuracy: 1e-12)
        XCTAssertEqual(chin.paramsExponent, 0.28 / 0.62, accuracy: 1e-15)
        XCTAssertEqual(chin.tokensExponent, 0.34 / 0.62, accuracy: 1e-15)
        let s = chin.optimal(compute: 5.76e23)
        XCTAssertEqual(s.params, 32189859151.368168, accuracy: 32189859151.368168 * 1e-12)
        XCTAssertEqual(s.tokens, 2982305686662.804, accuracy: 2982305686662.804 * 1e-12)
        XCTAssertEqual(s.compute, 5.76e23, accuracy: 5.76e23 * 1e-12)
    }

    func testChinchillaOptimumMinimizesLossAtFixedCompute() {
        // Along C = 6ND, moving N either way from N_opt must raise the loss.
        for c in [1e18, 1e21, 5.76e23, 1e26] {
            let s = chin.optimal(compute: c)
            let best = chin.loss(params: s.params, tokens: s.tokens)
            for f in [0.97, 0.995, 1.005, 1.03] {
                let n = s.params * f
                XCTAssertGreaterThan(chin.loss(params: n, tokens: c / (6 * n)), best, "C=\(c) f=\(f)")
            }
            XCTAssertEqual(chin.frontierLoss(compute: c), best)
        }
    }

    func testChinchillaInverseAllocations() {
        for c in [1e19, 3e22, 1e25] {
            let s = chin.optimal(compute: c)
            let fromN = chin.optimal(params: s.params), fromD = chin.optimal(tokens: s.tokens)
            XCTAssertEqual(fromN.tokens, s.tokens, accuracy: s.tokens * 1e-10)
            XCTAssertEqual(fromD.params, s.params, accuracy: s.params * 1e-10)
        }
    }

    func testRuleOfTwentyTokensPerParameter() {
        let r = ScalingTokenRule.chinchilla
        let s = r.optimal(compute: 5.76e23)
        XCTAssertEqual(s.params, (5.76e23 / 120).squareRoot(), accuracy: 1)
        XCTAssertEqual(s.tokensPerParameter, 20, accuracy: 1e-12)
        XCTAssertEqual(s.compute, 5.76e23, accuracy: 5.76e23 * 1e-12)
        // Chinchilla itself: 70B params, 1.4T tokens → 5.88e23 FLOPs by 6ND.
        XCTAssertEqual(r.optimal(params: 70e9).tokens, 1.4e12)
        XCTAssertEqual(r.optimal(tokens: 1.4e12).params, 70e9)
        XCTAssertEqual(ScalingAllocation(params: 70e9, tokens: 1.4e12).compute, 5.88e23, accuracy: 1e9)
    }

    func testKaplanLaws() {
        let k = KaplanLaw.kaplan2020
        XCTAssertEqual(KaplanLaw.petaflopDay, 8.64e19)
        XCTAssertEqual(k.loss(params: 1e9), 2.3756402951345246, accuracy: 1e-12)
        XCTAssertEqual(k.loss(tokens: 1e10), 2.2624417538197132, accuracy: 1e-12)
        XCTAssertEqual(k.loss(compute: 1e21), 2.3517641828441294, accuracy: 1e-12)
        XCTAssertEqual(k.loss(params: 1e9, tokens: 2e10), 2.435431282378534, accuracy: 1e-12)
        XCTAssertEqual(k.optimalParams(compute: 1e21), 7767626242.304698, accuracy: 1e-3)
        // More data never hurts and the combined law approaches L(N) as D grows.
        XCTAssertLessThan(k.loss(params: 1e9, tokens: 1e12), k.loss(params: 1e9, tokens: 1e10))
        XCTAssertEqual(k.loss(params: 1e9, tokens: 1e30), k.loss(params: 1e9), accuracy: 1e-9)
    }

    func testKaplanInverseAllocations() {
        let k = KaplanLaw.kaplan2020
        for c in [1e18, 1e21, 1e24] {
            let s = k.optimal(compute: c)
            XCTAssertEqual(s.compute, c, accuracy: c * 1e-12)
            XCTAssertEqual(k.optimal(params: s.params).compute, c, accuracy: c * 1e-9)
            XCTAssertEqual(k.optimal(tokens: s.tokens).compute, c, accuracy: c * 1e-9)
        }
    }

    func testOptimumReportForEachBudget() throws {
        let byC = try ScalingOptimum(budget: .compute(1e21))
        XCTAssertEqual(byC.chinchilla.allocation, chin.optimal(compute: 1e21))
        XCTAssertEqual(byC.ruleOfThumb.allocation, ScalingTokenRule.chinchilla.optimal(compute: 1e21))
        XCTAssertEqual(byC.chinchilla.chinchillaLoss,
                       chin.loss(params: byC.chinchilla.allocation.params, tokens: byC.chinchilla.allocation.tokens))
        // Chinchilla's own split beats the rule of thumb under Chinchilla's law, at equal compute.
        XCTAssertLessThanOrEqual(byC.chinchilla.chinchillaLoss, byC.ruleOfThumb.chinchillaLoss)
        XCTAssertEqual(byC.kaplanComputeLoss, KaplanLaw.kaplan2020.loss(compute: 1e21), accuracy: 1e-12)
        let byN = try ScalingOptimum(budget: .params(7e9))
        XCTAssertEqual(byN.ruleOfThumb.allocation.tokens, 1.4e11)
        XCTAssertEqual(byN.chinchilla.allocation.params, 7e9)
        let byD = try ScalingOptimum(budget: .tokens(2e12))
        XCTAssertEqual(byD.ruleOfThumb.allocation.params, 1e11)
        XCTAssertEqual(byD.kaplan.allocation.tokens, 2e12)
    }

    func testOptimumRejectsNonPositiveBudget() {
        for b: ScalingOptimum.Budget in [.compute(0), .params(-1), .tokens(.nan), .compute(.infinity)] {
            XCTAssertThrowsError(try ScalingOptimum(budget: b)) { e in
                guard case ScalingError.nonPositiveBudget(let name, _) = e else { return XCTFail("\(e)") }
                XCTAssertEqual(name, b.name)
                XCTAssertTrue("\(e)".contains("--\(b.name)"))
            }
        }
    }
}
