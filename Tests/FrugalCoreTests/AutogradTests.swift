// Autograd engine: accumulation, no-grad scopes, detach, shared subexpressions, checkpointing,
// memory accounting.
import XCTest
@testable import FrugalCore

final class AutogradTests: XCTestCase {
    func testGradientsAccumulateAcrossBackwardCalls() {
        let x = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [5, 5, 5])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testSharedSubexpressionAndTwoLeavesDoNotShareGradientBuffers() {
        let a = Tensor([1, 2], shape: [2], requiresGrad: true)
        let b = Tensor([3, 4], shape: [2], requiresGrad: true)
        let s = a + b
        (s * s).sum().backward()           // d/da = 2(a+b)
        XCTAssertEqual(a.grad!.scalars, [8, 12])
        XCTAssertEqual(b.grad!.scalars, [8, 12])
        XCTAssertFalse(a.grad!.storage === b.grad!.storage)
        (a + b).sum().backward()
        XCTAssertEqual(a.grad!.scalars, [9, 13])
        XCTAssertEqual(b.grad!.scalars, [9, 13])
    }

    func testNoGradScopeAndDetach() {
        let x = Tensor([1, 2], shape: [2], requiresGrad: true)
        let y = withoutGrad { x * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(withoutGrad { withoutGrad { true } && !GradMode.isEnabled })
        XCTAssertTrue(GradMode.isEnabled)
        let z = (x.detach() * x).sum()
        z.backward()
        XCTAssertEqual(x.grad!.scalars, [1, 2])   // only the non-detached factor contributes
    }

    func testGradModeIsPerThreadAndNests() {
        // nested scopes restore their outer mode; withGrad re-enables inside a no-grad scope
        withoutGrad {
            XCTAssertFalse(GradMode.isEnabled)
            withoutGrad { XCTAssertFalse(GradMode.isEnabled) }
            XCTAssertFalse(GradMode.isEnabled)
            withGrad { XCTAssertTrue(GradMode.isEnabled) }
            XCTAssertFalse(GradMode.isEnabled)
            // another thread keeps its own mode: recording on, and its scopes do not leak back here
            let done = expectation(description: "other thread")
            let other = Thread {
                XCTAssertTrue(GradMode.isEnabled)
                withoutGrad { XCTAssertFalse(GradMode.isEnabled) }
                XCTAssertTrue(GradMode.isEnabled)
                done.fulfill()
            }
            other.start()
            wait(for: [done], timeout: 10)
            XCTAssertFalse(GradMode.isEnabled)
        }
        XCTAssertTrue(GradMode.isEnabled)
    }

    func testCheckpointGivesTheSameGradientsAndKeepsLessMemory() {
        let rng = RandomGenerator(seed: 11)
        let w1 = Tensor.randn([64, 64], std: 0.1, rng: rng, requiresGrad: true)
        let w2 = Tensor.randn([64, 64], std: 0.1, rng: rng, requiresGrad: true)
        let x = Tensor.randn([32, 64], rng: rng, requiresGrad: true)
        func block(_ h: Tensor) -> Tensor { h + h.linear(w1).silu().linear(w2) }

        func run(_ checkpointed: Bool) -> ([Float], [Float], [Float], Int) {
            w1.zeroGrad(); w2.zeroGrad(); x.zeroGrad()
            MemoryStats.resetPeak()
            let base = MemoryStats.current
            var h = x
            for _ in 0..<6 { h = checkpointed ? Tensor.checkpoint([h]) { block($0[0]) } : block(h) }
            let afterForward = MemoryStats.current - base
            h.sum().backward()
            return (w1.grad!.scalars, w2.grad!.scalars, x.grad!.scalars, afterForward)
        }
        let plain = run(false), ckpt = run(true)
        assertClose(ckpt.0.map(Double.init), plain.0.map(Double.init), rtol: 1e-5, atol: 1e-6, "dW1")
        assertClose(ckpt.1.map(Double.init), plain.1.map(Double.init), rtol: 1e-5, atol: 1e-6, "dW2")
        assertClose(ckpt.2.map(Double.init), plain.2.map(Double.init), rtol: 1e-5, atol: 1e-6, "dx")
        // Checkpointed: one [32, 64] hidden state per block. Plain: exactly what backward needs per
        // block — h (for h·W1's gradient), h·W1 (for SiLU's) and SiLU's output (for ·W2's); the
        // residual add and the products' outputs are not kept.
        XCTAssertEqual(ckpt.3, 6 * 32 * 64 * 4)
        XCTAssertEqual(plain.3, 3 * ckpt.3)
    }

    func testCheckpointReplaysDropoutMask() {
        let rng = RandomGenerator(seed: 5)
        let w = Tensor.randn([16, 16], std: 0.3, rng: rng, requiresGrad: true)
        let x = Tensor.randn([4, 16], rng: rng)
        let gen = RandomGenerator(seed: 99)
        let plain = x.dropout(0.5, rng: gen).linear(w).sum()
        plain.backward()
        let expected = w.grad!.scalars
        w.zeroGrad()
        let gen2 = RandomGenerator(seed: 99)
        let ck = Tensor.checkpoint([x], rng: gen2) { $0[0].dropout(0.5, rng: gen2).linear(w) }.sum()
        ck.backward()
        XCTAssertEqual(w.grad!.scalars, expected)
    }

    func testMemoryStatsTracksLiveAndPeakBytes() {
        let before = MemoryStats.current
        MemoryStats.resetPeak()
        do {
            let a = Tensor(zeros: [1000])
            XCTAssertEqual(MemoryStats.current - before, 4000)
            _ = a
        }
        XCTAssertEqual(MemoryStats.current, before)
        XCTAssertEqual(MemoryStats.peak - before, 4000)
    }

    func testGraphIsReleasedAfterBackward() {
        let before = MemoryStats.current
        let w = Tensor(zeros: [8, 8], requiresGrad: true)
        do {
            let y = Tensor.full([4, 8], 1).linear(w).silu().sum()
            y.backward()
        }
        w.zeroGrad()
        XCTAssertEqual(MemoryStats.current - before, 8 * 8 * 4)
    }

    func testSeededRandomRepeats() {
        let a = Tensor.randn([100], rng: RandomGenerator(seed: 7)).scalars
        let b = Tensor.randn([100], rng: RandomGenerator(seed: 7)).scalars
        XCTAssertEqual(a, b)
        let u = Tensor.uniform([10_000], -1, 1, rng: RandomGenerator(seed: 1)).scalars
        XCTAssertTrue(u.allSatisfy { $0 >= -1 && $0 < 1 })
        let n = Tensor.randn([20_000], rng: RandomGenerator(seed: 2)).scalars
        let mean = n.reduce(0, +) / Float(n.count)
        let variance = n.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
    }
}
