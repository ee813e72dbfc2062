// AdamW's update against the formula in Double (three steps, lanes and tail), and clipping folded
// into the update (gradientScale) equal bit for bit to scaling the gradients first.
import XCTest
import FrugalCore
@testable import FrugalTrain

final class AdamWTests: XCTestCase {
    func testUpdateFollowsTheFormula() {
        let rng = RandomGenerator(seed: 3)
        let p = Tensor.randn([1003], rng: rng, requiresGrad: true)   // 125 lanes of 8 and a tail of 3
        var theta = p.scalars.map(Double.init), m = [Double](repeating: 0, count: 1003), v = m
        let o = AdamW.Options(lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-6, weightDecay: 0.1)
        let opt = AdamW([p], options: o)
        for t in 1...3 {
            let g = Tensor.randn([1003], rng: rng)
            p.grad = g.copy()
            opt.update()
            for j in 0..<1003 {
                let gj = Double(g.data[j])
                m[j] = 0.9 * m[j] + 0.1 * gj
                v[j] = 0.99 * v[j] + 0.01 * gj * gj
                let mh = m[j] / (1 - pow(0.9, Double(t))), vh = v[j] / (1 - pow(0.99, Double(t)))
                theta[j] = theta[j] * (1 - 0.01 * 0.1) - 0.01 * mh / (vh.squareRoot() + 1e-6)
            }
        }
        for j in 0..<1003 { XCTAssertEqual(Double(p.data[j]), theta[j], accuracy: 1e-5 * max(1, abs(theta[j])), "θ[\(j)]") }
    }

    func testGradientScaleEqualsClippingFirst() {
        let rng = RandomGenerator(seed: 5)
        let start = Tensor.randn([300_001], rng: rng), grad = Tensor.randn([300_001], rng: rng)
        var results: [[Float]] = []
        for folded in [true, false] {
            let p = start.copy(); p.requiresGrad = true
            let opt = AdamW([p])
            p.grad = grad.copy()
            let norm = opt.gradientNorm()
            XCTAssertGreaterThan(norm, 1)
            if folded {
                opt.update(gradientScale: 1 / (norm + 1e-6))
            } else {
                XCTAssertEqual(opt.clipGradientNorm(1), norm)
                opt.update()
            }
            results.append(p.scalars)
        }
        XCTAssertEqual(results[0], results[1])
        // the sliced norm agrees with a plain Double sum
        let p = Tensor.randn([300_001], rng: rng, requiresGrad: true)
        p.grad = grad.copy()
        let exact = grad.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        XCTAssertEqual(Double(AdamW([p]).gradientNorm()), exact, accuracy: exact * 1e-5)
    }
}
