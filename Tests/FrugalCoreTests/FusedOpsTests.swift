// Fused ops against Double references and finite differences (GradCheck): the low-rank (LoRA)
// update accumulated into its base output, SwiGLU, and the LM head fused with cross-entropy
// (frozen and trainable weight, ignored targets, several chunks, no-grad evaluation).
import XCTest
@testable import FrugalCore

final class FusedOpsTests: XCTestCase {
    func testLowRankUpdateMatchesTheComposition() {
        // y [2, 3, 5] (a fresh op output), x [2, 3, 4], A [3, 4], B [5, 3], scale 1.5
        gradCheck([[2, 3, 5], [2, 3, 4], [3, 4], [5, 3]], {
            ($0[0] * 1).addingLowRank(x: $0[1], a: $0[2], b: $0[3], scale: 1.5)
        }, reference: { i in
            let delta = Ref.matmul(Ref.matmul(i[1], i[2], transB: true), i[3], transB: true)
            return DArray(i[0].shape, zip(i[0].v, delta.v).map { $0 + 1.5 * $1 })
        })
        // Only the adapter trains (QLoRA: frozen base, input without gradient).
        gradCheck([[4, 6], [4, 7], [2, 7], [6, 2]], noGrad: [0, 1], {
            ($0[0] * 1).addingLowRank(x: $0[1], a: $0[2], b: $0[3], scale: 0.5)
        }, reference: { i in
            let delta = Ref.matmul(Ref.matmul(i[1], i[2], transB: true), i[3], transB: true)
            return DArray(i[0].shape, zip(i[0].v, delta.v).map { $0 + 0.5 * $1 })
        })
    }

    func testLowRankUpdateEqualsTheUnfusedReferenceOnLargeShapes() {
        // Shapes large enough for sgemm to split over the workers.
        let rng = RandomGenerator(seed: 4)
        let x = Tensor.randn([3, 100, 96], rng: rng, requiresGrad: true)
        let a = Tensor.randn([8, 96], rng: rng, requiresGrad: true), b = Tensor.randn([200, 8], rng: rng, requiresGrad: true)
        let y0 = Tensor.randn([3, 100, 200], rng: rng), g = Tensor.randn([3, 100, 200], rng: rng)
        var results: [[[Float]]] = []
        for fused in [true, false] {
            let y = y0.copy()
            let z = fused ? y.addingLowRank(x: x, a: a, b: b, scale: 2) : y.lowRankReference(x: x, a: a, b: b, scale: 2)
            z.backward(g)
            results.append([z.scalars, x.grad!.scalars, a.grad!.scalars, b.grad!.scalars])
            x.zeroGrad(); a.zeroGrad(); b.zeroGrad()
        }
        assertPartsClose(results[0], results[1], rel: 1e-5, "fused vs unfused")
    }

    func testLowRankUpdateWithDropoutEqualsDropoutThenTheUpdate() {
        // The fused op keeps the mask as bits and rebuilds dropout(x); the unfused pair keeps both.
        // Same generator state → same mask, so outputs and all gradients agree.
        let rng = RandomGenerator(seed: 9)
        let x = Tensor.randn([2, 37, 40], rng: rng, requiresGrad: true)   // 2960 elements: not a multiple of 32
        let a = Tensor.randn([4, 40], rng: rng, requiresGrad: true), b = Tensor.randn([24, 4], rng: rng, requiresGrad: true)
        let y0 = Tensor.randn([2, 37, 24], rng: rng), g = Tensor.randn([2, 37, 24], rng: rng)
        var results: [[[Float]]] = []
        for fused in [true, false] {
            let y = y0.copy(), dropRNG = RandomGenerator(seed: 77)
            let z = fused ? y.addingLowRank(x: x, a: a, b: b, scale: 1.5, dropout: 0.3, rng: dropRNG)
                          : y.lowRankReference(x: x, a: a, b: b, scale: 1.5, dropout: 0.3, rng: dropRNG)
            z.backward(g)
            results.append([z.scalars, x.grad!.scalars, a.grad!.scalars, b.grad!.scalars, [dropRNG.uniform()]])
            x.zeroGrad(); a.zeroGrad(); b.zeroGrad()
        }
        assertPartsClose(results[0], results[1], rel: 1e-5, "fused vs dropout + unfused")
        // about 30% of x's gradient through the branch is dropped: the mask really applies
        let fusedOnly = withoutGrad { (y0.copy()).addingLowRank(x: x, a: a, b: b, scale: 1.5, dropout: 0.3, rng: RandomGenerator(seed: 77)) }
        let noDrop = withoutGrad { (y0.copy()).addingLowRank(x: x, a: a, b: b, scale: 1.5) }
        XCTAssertNotEqual(fusedOnly.scalars, noDrop.scalars)
    }

    func testGroupedLowRankUpdatesEqualOneUpdatePerBranch() {
        // Three branches over one x (q, k, v-like: different widths and ranks), grouped vs each on its own.
        let rng = RandomGenerator(seed: 12)
        let x = Tensor.randn([2, 50, 48], rng: rng, requiresGrad: true)
        let shapes = [(64, 4), (16, 8), (16, 4)]   // (Out, r)
        let as_ = shapes.map { Tensor.randn([$0.1, 48], rng: rng, requiresGrad: true) }
        let bs = shapes.map { Tensor.randn([$0.0, $0.1], rng: rng, requiresGrad: true) }
        let ys = shapes.map { Tensor.randn([2, 50, $0.0], rng: rng) }
        let gs = shapes.map { Tensor.randn([2, 50, $0.0], rng: rng) }
        let scales: [Float] = [2, 0.5, 1]
        var results: [[Float]] = []
        for grouped in [true, false] {
            var zs: [Tensor] = []
            if grouped {
                let u = Tensor.lowRankDown(x: x, as_)
                var c = 0
                for i in 0..<3 {
                    zs.append(ys[i].copy().addingLowRankUp(u: u, columns: c..<(c + shapes[i].1), b: bs[i], scale: scales[i]))
                    c += shapes[i].1
                }
            } else {
                for i in 0..<3 { zs.append(ys[i].copy().addingLowRank(x: x, a: as_[i], b: bs[i], scale: scales[i])) }
            }
            // one scalar loss over all three outputs
            var loss = (zs[0] * gs[0]).sum()
            for i in 1..<3 { loss = loss + (zs[i] * gs[i]).sum() }
            loss.backward()
            results.append(zs.flatMap(\.scalars) + x.grad!.scalars + as_.flatMap { $0.grad!.scalars } + bs.flatMap { $0.grad!.scalars })
            x.zeroGrad(); for t in as_ + bs { t.zeroGrad() }
        }
        assertClose(results[0].map(Double.init), results[1].map(Double.init), rtol: 1e-4, atol: 1e-4, "grouped vs per branch")
        // finite differences through the grouped pair
        gradCheck([[3, 5], [2, 5], [3, 2], [4, 5], [2, 4]], {
            let u = Tensor.lowRankDown(x: $0[0], [$0[1], $0[3]])
            return ($0[2] * 1).addingLowRankUp(u: u, columns: 2..<6, b: $0[4], scale: 1.5)
        }, reference: { i in
            let delta = Ref.matmul(Ref.matmul(i[0], i[3], transB: true), i[4], transB: true)
            return DArray(i[2].shape, zip(i[2].v, delta.v).map { $0 + 1.5 * $1 })
        })
    }

    func testSwiGLU() {
        gradCheck([[4, 9], [4, 9]], scale: 2, { $0[0].swiglu($0[1]) }, reference: { i in
            DArray(i[0].shape, zip(i[0].v, i[1].v).map { Ref.silu($0) * $1 })
        })
    }

    func testLinearCrossEntropyMatchesLinearThenCrossEntropy() {
        let targets: [Int32] = [3, -100, 0, 6, -100, 2]
        func ref(_ h: DArray, _ w: DArray, mean: Bool) -> DArray {
            let logits = Ref.matmul(h, w, transB: true)   // [6, 7]
            var total = 0.0, n = 0.0
            for (i, t) in targets.enumerated() where t != -100 {
                total -= log(Ref.softmax(Array(logits.v[(i * 7)..<((i + 1) * 7)]))[Int(t)]); n += 1
            }
            return DArray([], [mean ? total / n : total])
        }
        let saved = Tensor.linearCrossEntropyChunk
        defer { Tensor.linearCrossEntropyChunk = saved }
        for chunk in [saved, 14] {   // 14 logits: two rows per chunk, so several chunks
            Tensor.linearCrossEntropyChunk = chunk
            // Frozen head: the fused path (gradient for the hidden states only).
            gradCheck([[2, 3, 5], [7, 5]], scale: 1.5, noGrad: [1], { $0[0].linearCrossEntropy(weight: $0[1], targets: targets) },
                      reference: { ref($0[0], $0[1], mean: true) })
            gradCheck([[6, 5], [7, 5]], scale: 1.5, noGrad: [1],
                      { $0[0].linearCrossEntropy(weight: $0[1], targets: targets, reduction: .sum) },
                      reference: { ref($0[0], $0[1], mean: false) })
        }
        // Trainable head (full fine-tuning): both gradients.
        gradCheck([[6, 5], [7, 5]], scale: 1.5, { $0[0].linearCrossEntropy(weight: $0[1], targets: targets) },
                  reference: { ref($0[0], $0[1], mean: true) })
    }

    func testLinearCrossEntropyWithoutGradEqualsTheUnfusedLoss() {
        let rng = RandomGenerator(seed: 3)
        let h = Tensor.randn([2, 40, 32], rng: rng), w = Tensor.randn([1000, 32], rng: rng)
        let targets = (0..<80).map { i in i % 7 == 0 ? Int32(-100) : Int32(rng.next() % 1000) }
        let saved = Tensor.linearCrossEntropyChunk
        defer { Tensor.linearCrossEntropyChunk = saved }
        Tensor.linearCrossEntropyChunk = 9000   // 9 rows per chunk
        let fused = withoutGrad { h.linearCrossEntropy(weight: w, targets: targets, reduction: .sum) }.item
        let unfused = withoutGrad { h.linear(w).crossEntropy(targets: targets, reduction: .sum) }.item
        XCTAssertEqual(fused, unfused, accuracy: 1e-5 * abs(unfused))
    }
}
