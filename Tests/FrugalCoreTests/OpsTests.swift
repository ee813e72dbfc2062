// Every op: forward against the Double reference on odd shapes, backward against finite
// differences of that reference.
import XCTest
import Foundation
@testable import FrugalCore

final class OpsTests: XCTestCase {
    func testBinaryOpsWithBroadcasting() {
        let cases: [([Int], [Int])] = [([3, 5], [3, 5]), ([2, 3, 7], [7]), ([2, 3, 7], [1]), ([4, 1, 3], [1, 5, 1]), ([3, 1], [3, 4])]
        for (sa, sb) in cases {
            gradCheck([sa, sb], { $0[0] + $0[1] }, reference: { Ref.broadcast($0[0], $0[1], +) })
            gradCheck([sa, sb], { $0[0] - $0[1] }, reference: { Ref.broadcast($0[0], $0[1], -) })
            gradCheck([sa, sb], { $0[0] * $0[1] }, reference: { Ref.broadcast($0[0], $0[1], *) })
            // Keep divisors away from zero.
            let rng = RandomGenerator(seed: 9)
            let a = randomValues(sa.reduce(1, *), rng), b = (0..<sb.reduce(1, *)).map { _ in 1.5 + rng.uniform() }
            gradCheck([sa, sb], inputs: [a, b], { $0[0] / $0[1] }, reference: { Ref.broadcast($0[0], $0[1], /) })
        }
    }

    func testScalarOps() {
        gradCheck([[3, 4]], { $0[0] * 2.5 + 1 }, reference: { DArray($0[0].shape, $0[0].v.map { $0 * 2.5 + 1 }) })
        gradCheck([[5]], { -($0[0] / 4) - 3 }, reference: { DArray($0[0].shape, $0[0].v.map { -($0 / 4) - 3 }) })
    }

    func testMatmul2DAllTransposes() {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let (m, k, n) = (5, 7, 3)
            gradCheck([ta ? [k, m] : [m, k], tb ? [n, k] : [k, n]], { $0[0].matmul($0[1], transA: ta, transB: tb) },
                      reference: { Ref.matmul($0[0], $0[1], transA: ta, transB: tb) })
        }
    }

    func testMatmulBatchedAndShared() {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            gradCheck([[2, 3] + (ta ? [4, 5] : [5, 4]), [2, 3] + (tb ? [6, 4] : [4, 6])],
                      { $0[0].matmul($0[1], transA: ta, transB: tb) },
                      reference: { Ref.matmul($0[0], $0[1], transA: ta, transB: tb) })
        }
        gradCheck([[2, 3, 5], [5, 4]], { $0[0].matmul($0[1]) }, reference: { Ref.matmul($0[0], $0[1]) })
        gradCheck([[2, 3, 5], [4, 5]], { $0[0].linear($0[1]) }, reference: { Ref.matmul($0[0], $0[1], transB: true) })
        gradCheck([[3, 5], [4, 5], [4]], { $0[0].linear($0[1], bias: $0[2]) },
                  reference: { Ref.broadcast(Ref.matmul($0[0], $0[1], transB: true), $0[2], +) })
    }

    func testGemmAgainstNaiveOnRaggedShapes() {
        let rng = RandomGenerator(seed: 3)
        forEachGemmBackend { backend in
            for (m, n, k) in [(1, 1, 1), (1, 37, 19), (17, 33, 9), (64, 31, 130), (3, 200, 5)] {
                for (ta, tb) in [(false, false), (true, true), (false, true)] {
                    let a = randomValues(m * k, rng), b = randomValues(k * n, rng)
                    var c1 = [Float](repeating: 0.5, count: m * n), c2 = c1
                    Gemm.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.7, a: a, lda: ta ? m : k, b: b, ldb: tb ? k : n, beta: 0.3, c: &c1, ldc: n)
                    Gemm.naive(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.7, a: a, lda: ta ? m : k, b: b, ldb: tb ? k : n, beta: 0.3, c: &c2, ldc: n)
                    assertClose(c1.map(Double.init), c2.map(Double.init), rtol: 1e-4, atol: 1e-4, "gemm \(backend) \(m)x\(n)x\(k)")
                }
            }
        }
    }

    func testSingleRowProductOnFrugalThreadsMatchesNaive() {
        // m = 1, x·Wᵀ, α 1, β 0: Frugal's own threaded GEMV (rows in fours, 8-lane tails).
        let rng = RandomGenerator(seed: 4)
        for (n, k) in [(1, 1), (5, 7), (37, 19), (1031, 576), (4099, 9)] {
            let a = randomValues(k, rng), b = randomValues(k * n, rng)
            var c1 = [Float](repeating: .nan, count: n), c2 = [Float](repeating: 0, count: n)
            Gemm.sgemm(transA: false, transB: true, m: 1, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &c1, ldc: n)
            Gemm.naive(transA: false, transB: true, m: 1, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &c2, ldc: n)
            assertClose(c1.map(Double.init), c2.map(Double.init), rtol: 1e-4, atol: 1e-4, "gemv \(n)x\(k)")
        }
    }

    func testReductions() {
        gradCheck([[3, 5, 2]], { $0[0].sum() }, reference: { DArray([], [$0[0].v.reduce(0, +)]) })
        gradCheck([[3, 5, 2]], { $0[0].mean() }, reference: { DArray([], [$0[0].v.reduce(0, +) / 30]) })
        for axis in 0..<3 {
            gradCheck([[3, 5, 2]], { $0[0].sum(axis: axis) }, reference: { Self.reduceRef($0[0], axis, +, 0) })
            gradCheck([[3, 5, 2]], { $0[0].mean(axis: axis, keepDims: true) }, reference: {
                var r = Self.reduceRef($0[0], axis, +, 0)
                let n = Double($0[0].shape[axis])
                r.v = r.v.map { $0 / n }
                var s = $0[0].shape; s[axis] = 1; r.shape = s
                return r
            })
            gradCheck([[3, 5, 2]], { $0[0].max(axis: axis) }, reference: { Self.reduceRef($0[0], axis, max, -.infinity) })
        }
    }

    static func reduceRef(_ x: DArray, _ axis: Int, _ f: (Double, Double) -> Double, _ initial: Double) -> DArray {
        var s = x.shape; s.remove(at: axis)
        var v = [Double](repeating: initial, count: s.reduce(1, *))
        for i in 0..<x.count {
            var idx = Ref.unravel(i, x.shape); idx.remove(at: axis)
            let st = Ref.strides(s)
            let o = zip(idx, st).reduce(0) { $0 + $1.0 * $1.1 }
            v[o] = f(v[o], x.v[i])
        }
        return DArray(s, v)
    }

    func testShapeOps() {
        gradCheck([[2, 3, 4]], { $0[0].reshaped([4, -1]) * 1 }, reference: { DArray([4, 6], $0[0].v) })
        let perm = [2, 0, 1]
        gradCheck([[2, 3, 5]], { $0[0].permuted(perm) }, reference: { xs in
            let x = xs[0]
            let outShape = perm.map { x.shape[$0] }
            let st = Ref.strides(x.shape)
            let v = (0..<x.count).map { i -> Double in
                let idx = Ref.unravel(i, outShape)
                var o = 0
                for (d, a) in perm.enumerated() { o += idx[d] * st[a] }
                return x.v[o]
            }
            return DArray(outShape, v)
        })
        gradCheck([[3, 4]], { $0[0].transposed() }, reference: { xs in
            DArray([4, 3], (0..<12).map { i in xs[0].v[(i % 3) * 4 + i / 3] })
        })
        for axis in 0..<3 {
            gradCheck([[4, 5, 3]], { $0[0].slice(axis: axis, 1, 2) * 1 }, reference: { xs in
                let x = xs[0]
                var s = x.shape; s[axis] = 2
                let v = (0..<s.reduce(1, *)).map { i -> Double in
                    var idx = Ref.unravel(i, s); idx[axis] += 1
                    let st = Ref.strides(x.shape)
                    var o = 0
                    for d in 0..<idx.count { o += idx[d] * st[d] }
                    return x.v[o]
                }
                return DArray(s, v)
            })
            var second = [2, 3, 4]
            second[axis] = 2
            gradCheck([[2, 3, 4], second],
                      { Tensor.concat([$0[0], $0[1]], axis: axis) }, reference: { xs in
                var s = xs[0].shape; s[axis] += xs[1].shape[axis]
                let v = (0..<s.reduce(1, *)).map { i -> Double in
                    var idx = Ref.unravel(i, s)
                    let first = idx[axis] < xs[0].shape[axis]
                    if !first { idx[axis] -= xs[0].shape[axis] }
                    let src = first ? xs[0] : xs[1]
                    let st = Ref.strides(src.shape)
                    var o = 0
                    for d in 0..<idx.count { o += idx[d] * st[d] }
                    return src.v[o]
                }
                return DArray(s, v)
            })
        }
    }

    func testViewsShareStorage() {
        let t = Tensor((0..<12).map(Float.init), shape: [4, 3])
        let r = t.reshaped([2, 6]), s = t.slice(1, 2)
        XCTAssertTrue(r.storage === t.storage)
        XCTAssertTrue(s.storage === t.storage)
        XCTAssertEqual(s.scalars, [3, 4, 5, 6, 7, 8])
    }

    func testEmbedding() {
        let ids: [Int32] = [2, 0, 2, 4, 1, 2]
        gradCheck([[5, 3]], { Tensor.embedding($0[0], ids: ids, shape: [2, 3]) }, reference: { xs in
            let x = xs[0]
            var v: [Double] = []
            for id in ids { for j in 0..<3 { v.append(x.v[Int(id) * 3 + j]) } }
            return DArray([2, 3, 3], v)
        })
    }

    func testNorms() {
        gradCheck([[3, 7], [7]], { $0[0].rmsNorm(weight: $0[1], eps: 1e-5) }, reference: { Ref.rmsNorm($0[0], $0[1], eps: 1e-5) })
        gradCheck([[2, 2, 9], [9], [9]], { $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5) },
                  reference: { Ref.layerNorm($0[0], $0[1], $0[2], eps: 1e-5) })
    }

    func testSoftmaxAndLogSoftmax() {
        gradCheck([[4, 13]], scale: 3, { $0[0].softmax() }, reference: { Ref.rows($0[0], Ref.softmax) })
        gradCheck([[3, 11]], scale: 3, { $0[0].logSoftmax() }, reference: { Ref.rows($0[0]) { Ref.softmax($0).map { log($0) } } })
    }

    func testSoftmaxKernelAgainstNaiveOnRaggedRows() {
        let rng = RandomGenerator(seed: 5)
        for n in [1, 7, 8, 9, 63, 257] {
            var x = randomValues(n, rng, scale: 10)
            let ref = SoftmaxKernel.rowNaive(x)
            x.withUnsafeMutableBufferPointer { SoftmaxKernel.row($0.baseAddress!, $0.baseAddress!, n) }
            assertClose(x.map(Double.init), ref.map(Double.init), rtol: 1e-5, atol: 1e-7, "softmax row \(n)")
        }
    }

    func testFastExpAgainstFoundation() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let e = FastMath.exp(x), r = Foundation.exp(x)
            worst = max(worst, abs(e - r) / r)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 5e-7)
    }

    func testCrossEntropyMeanAndSumWithIgnoreIndex() {
        let targets: [Int32] = [3, -100, 0, 6, -100]
        func ref(_ x: DArray, mean: Bool) -> DArray {
            var total = 0.0, n = 0.0
            for (i, t) in targets.enumerated() where t != -100 {
                let row = Array(x.v[(i * 7)..<((i + 1) * 7)])
                total -= log(Ref.softmax(row)[Int(t)]); n += 1
            }
            return DArray([], [mean ? total / n : total])
        }
        gradCheck([[5, 7]], scale: 2, { $0[0].crossEntropy(targets: targets) }, reference: { ref($0[0], mean: true) })
        gradCheck([[5, 7]], scale: 2, { $0[0].crossEntropy(targets: targets, reduction: .sum) }, reference: { ref($0[0], mean: false) })
    }

    func testActivations() {
        gradCheck([[4, 9]], scale: 2, { $0[0].silu() }, reference: { DArray($0[0].shape, $0[0].v.map(Ref.silu)) })
        gradCheck([[4, 9]], scale: 2, { $0[0].gelu() }, reference: { DArray($0[0].shape, $0[0].v.map(Ref.gelu)) })
    }

    func testRoPE() {
        let table = RoPETable(headDim: 6, base: 10_000)
        let pos = [0, 1, 2, 7]
        gradCheck([[2, 4, 3, 6]], { $0[0].rope(table, positions: pos) },
                  reference: { Ref.rope($0[0], positions: pos, base: 10_000) })
    }

    func testRoPETablesComeBackFromTheCacheUnchanged() {
        // Every layer asks for the same positions: the cached tables must be the computed ones,
        // and other positions, head sizes or bases must not get them.
        let a = RoPETable(headDim: 8, base: 10_000), b = RoPETable(headDim: 8, base: 500)
        let pos = Array(0..<37), shifted = Array(1..<38)
        let first = a.tables(pos), again = a.tables(pos), fresh = a.computeTables(pos)
        XCTAssertEqual(first.cos, fresh.cos); XCTAssertEqual(first.sin, fresh.sin); XCTAssertEqual(first.row, fresh.row)
        XCTAssertEqual(again.cos, fresh.cos); XCTAssertEqual(again.sin, fresh.sin); XCTAssertEqual(again.row, fresh.row)
        XCTAssertEqual(a.tables(shifted).cos, a.computeTables(shifted).cos)
        XCTAssertEqual(b.tables(pos).sin, b.computeTables(pos).sin)
        XCTAssertNotEqual(b.tables(pos).sin, fresh.sin)
        XCTAssertEqual(RoPETable(headDim: 4, base: 10_000).tables(pos).cos.count, 37 * 2)
        // more distinct requests than the cache holds, then the first again
        for k in 0..<6 { _ = a.tables(Array(k..<(k + 5))) }
        XCTAssertEqual(a.tables(pos).cos, fresh.cos)
    }

    func testSwiGLUAndSoftmaxExponentialsAreTheSameOnBothSIMDPaths() {
        // FrugalAVX512's Exp512 must give every value bit for bit as FastMath's eight lanes do
        // (tails through masks, clamped extremes included); only a row's sum may round differently.
        let saved = CPUFeatures.useAVX512
        defer { CPUFeatures.useAVX512 = saved }
        let rng = RandomGenerator(seed: 11)
        for n in [1, 7, 16, 17, 40, 1000, 1 << 16 + 5] {
            var gv = Tensor.randn([n], std: 6, rng: rng).scalars
            if n > 4 { gv[0] = -100; gv[1] = 100; gv[2] = 0; gv[3] = -88 }
            let uv = Tensor.randn([n], rng: rng).scalars, dzv = Tensor.randn([n], rng: rng).scalars
            var results: [[[Float]]] = []
            var rows: [(Float, Float, [Float])] = []
            for wide in [false, true] {
                CPUFeatures.useAVX512 = wide
                let g = Tensor(gv, shape: [n], requiresGrad: true), u = Tensor(uv, shape: [n], requiresGrad: true)
                let z = g.swiglu(u)
                z.backward(Tensor(dzv, shape: [n]))
                results.append([z.scalars, g.grad!.scalars, u.grad!.scalars])
                var y = [Float](repeating: 0, count: n)
                let (mx, sum) = gv.withUnsafeBufferPointer { xp in
                    y.withUnsafeMutableBufferPointer { SoftmaxKernel.expShifted(xp.baseAddress!, $0.baseAddress!, n) }
                }
                rows.append((mx, sum, y))
            }
            func firstDifference(_ a: [Float], _ b: [Float]) -> Int? {
                a.indices.first { a[$0].bitPattern != b[$0].bitPattern }
            }
            for k in 0..<3 {
                let d = firstDifference(results[0][k], results[1][k])
                XCTAssertNil(d, "n = \(n), output \(k) (z, dgate, dup) differs at \(d ?? -1)")
            }
            XCTAssertEqual(rows[0].0, rows[1].0, "max, n = \(n)")
            let d = firstDifference(rows[0].2, rows[1].2)
            XCTAssertNil(d, "exponentials, n = \(n), differ at \(d ?? -1)")
            XCTAssertEqual(rows[0].1, rows[1].1, accuracy: 1e-5 * rows[0].1, "sum, n = \(n)")
        }
    }

    func testThreeWayDotEqualsNaive() {
        for n in [0, 1, 7, 8, 9, 576, 579] {
            let x = (0..<n).map { Float(($0 * 37) % 11) - 5.5 }, y = (0..<n).map { Float(($0 * 13) % 7) * 0.25 }
            let z = (0..<n).map { 1 + Float($0 % 5) * 0.125 }
            let naive = (0..<n).reduce(0.0) { $0 + Double(x[$1]) * Double(y[$1]) * Double(z[$1]) }
            XCTAssertEqual(Double(Elementwise.dot(x, y, z, n)), naive, accuracy: 1e-4 * max(1, abs(naive)), "n = \(n)")
        }
    }

    func testCausalAttentionWithGroupedQueryHeads() {
        // H = 6 query heads over K = 2 key/value heads, odd sizes.
        gradCheck([[2, 5, 6, 3], [2, 5, 2, 3], [2, 5, 2, 3]], scale: 1.5,
                  { Tensor.attention(q: $0[0], k: $0[1], v: $0[2]) },
                  reference: { Ref.attention($0[0], $0[1], $0[2], causal: true) })
        // Decoding: 2 new queries against 7 cached keys.
        gradCheck([[1, 2, 4, 5], [1, 7, 1, 5], [1, 7, 1, 5]],
                  { Tensor.attention(q: $0[0], k: $0[1], v: $0[2]) },
                  reference: { Ref.attention($0[0], $0[1], $0[2], causal: true) })
        // 70 tokens: three causal query blocks (32 rows seeing 32 keys, 32 seeing 64, then 6 seeing all 70).
        gradCheck([[1, 70, 2, 3], [1, 70, 1, 3], [1, 70, 1, 3]],
                  { Tensor.attention(q: $0[0], k: $0[1], v: $0[2]) },
                  reference: { Ref.attention($0[0], $0[1], $0[2], causal: true) })
        XCTAssertEqual(Tensor.queryBlocks(70, 70, causal: true).map { [$0.0, $0.1, $0.2] },
                       [[0, 32, 32], [32, 64, 64], [64, 70, 70]])
        XCTAssertEqual(Tensor.queryBlocks(3, 10, causal: true).map { [$0.0, $0.1, $0.2] }, [[0, 3, 10]])
        gradCheck([[1, 3, 2, 4], [1, 3, 2, 4], [1, 3, 2, 4]],
                  { Tensor.attention(q: $0[0], k: $0[1], v: $0[2], causal: false) },
                  reference: { Ref.attention($0[0], $0[1], $0[2], causal: false) })
    }

    func testDecodingAttentionMatchesTheSgemmPath() {
        // Inference with ≤ 4 queries takes the dot-product path; with autograd on, the sgemm path.
        let rng = RandomGenerator(seed: 9)
        for (b, tq, tk, h, kv, d, causal) in [(1, 1, 1, 9, 3, 64, true), (1, 1, 37, 9, 3, 64, true), (2, 3, 11, 4, 2, 13, true),
                                              (1, 4, 4, 2, 1, 8, false)] {
            let q = Tensor.randn([b, tq, h, d], rng: rng), k = Tensor.randn([b, tk, kv, d], rng: rng)
            let v = Tensor.randn([b, tk, kv, d], rng: rng)
            let fast = withoutGrad { Tensor.attention(q: q, k: k, v: v, causal: causal) }.scalars
            q.requiresGrad = true
            let reference = Tensor.attention(q: q, k: k, v: v, causal: causal).scalars
            assertClose(fast.map(Double.init), reference.map(Double.init), rtol: 1e-5, atol: 1e-6, "attention \(b) \(tq) \(tk)")
        }
    }

    func testAttentionThroughTheThinKernelsEqualsTheSgemmPath() {
        // Training-sized shapes (two causal query blocks, grouped heads, a head size that is not a
        // multiple of 16): values and all three gradients with SkinnyGemm's kernels (where the CPU
        // has AVX-512) and with sgemm.
        let rng = RandomGenerator(seed: 21)
        for (b, t, h, kv, d) in [(2, 130, 6, 2, 64), (1, 70, 3, 1, 40)] {
            let q = Tensor.randn([b, t, h, d], rng: rng, requiresGrad: true), k = Tensor.randn([b, t, kv, d], rng: rng, requiresGrad: true)
            let v = Tensor.randn([b, t, kv, d], rng: rng, requiresGrad: true), g = Tensor.randn([b, t, h, d], rng: rng)
            var results: [[[Float]]] = []
            let saved = SkinnyGemm.enabled
            for kernels in [true, false] {
                SkinnyGemm.enabled = kernels
                let o = Tensor.attention(q: q, k: k, v: v)
                o.backward(g)
                results.append([o.scalars, q.grad!.scalars, k.grad!.scalars, v.grad!.scalars])
                q.zeroGrad(); k.zeroGrad(); v.zeroGrad()
            }
            SkinnyGemm.enabled = saved
            assertPartsClose(results[0], results[1], rel: 1e-5, "attention \(b)×\(t), \(h)/\(kv) heads of \(d)")
        }
    }

    func testDropoutMaskBitsMatchTheScalarReference() {
        // the parallel, vectorized mask against the one-element-at-a-time reference, on ragged sizes;
        // each mask advances the generator by exactly one draw
        for (count, p) in [(1, Float(0.5)), (77, 0.05), (1000, 0.3), (70_001, 0.1)] {
            let g1 = RandomGenerator(seed: 5), g2 = RandomGenerator(seed: 5)
            let bits = Tensor.dropoutBits(count: count, p: p, rng: g1)
            let words = UnsafeRawPointer(bits.data).assumingMemoryBound(to: UInt32.self)
            let fast = (0..<count).map { (words[$0 / 32] >> UInt32($0 % 32)) & 1 == 1 }
            XCTAssertEqual(fast, Tensor.dropoutBitsReference(count: count, p: p, rng: g2), "count \(count)")
            if count % 32 != 0 { XCTAssertEqual(words[count / 32] >> UInt32(count % 32), 0, "bits past the end stay clear") }
            XCTAssertEqual(g1.next(), RandomGenerator(seed: 5).dropping(1), "one draw per mask")
            if count >= 1000 {
                let dropped = Double(fast.filter { !$0 }.count) / Double(count)
                XCTAssertEqual(dropped, Double(p), accuracy: 0.03, "count \(count)")
            }
        }
    }

    func testDropoutIsSeededAndInverted() {
        let x = Tensor.full([1000], 1)
        x.requiresGrad = true
        let y1 = x.dropout(0.25, rng: RandomGenerator(seed: 42))
        let y2 = x.dropout(0.25, rng: RandomGenerator(seed: 42))
        XCTAssertEqual(y1.scalars, y2.scalars)
        let kept = y1.scalars.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 4.0 / 3.0) < 1e-6 })
        XCTAssertEqual(Double(kept.count) / 1000, 0.75, accuracy: 0.05)
        y1.sum().backward()
        XCTAssertEqual(x.grad!.scalars, y1.scalars)
        XCTAssertTrue(x.dropout(0.25, rng: RandomGenerator(seed: 1), training: false) === x)
    }
}

final class BLASCoreTests: XCTestCase {
    func testBestSupportedKernelFamilyFromFlags() {
        XCTAssertEqual(BLASCore.bestSupported(cpuFlags: ["avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512_bf16"]), "Cooperlake")
        XCTAssertEqual(BLASCore.bestSupported(cpuFlags: ["avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512dq"]), "SkylakeX")
        XCTAssertEqual(BLASCore.bestSupported(cpuFlags: ["avx2", "fma", "sse4_2"]), "Haswell")
        XCTAssertNil(BLASCore.bestSupported(cpuFlags: ["sse2", "sse3"]))
    }
}

private extension RandomGenerator {
    /// The draw after skipping `n`.
    func dropping(_ n: Int) -> UInt64 { for _ in 0..<n { _ = next() }; return next() }
}
