// QuantBench — FrugalQuant's hot paths: NF4 (double-quantized) dequantization to Float32, GB/s of
// output, threaded; and the 4-bit linear layer's GFLOP/s next to dequantizing the whole weight and
// then calling sgemm, at the default model's layer shapes and 512 rows of input.
import CBLAS
import Foundation
import FrugalCore
import FrugalQuant

enum QuantBench {
    static func run(rng: RandomGenerator) throws {
        print("\n## 4-bit (NF4 + double quantization, blocks of 64)")
        let n = 1 << 24
        let w = (0..<n).map { _ in rng.normal() * 0.02 }
        let q = try QuantizedBlockwise4Bit.quantize(w, shape: [n / 4096, 4096], type: .nf4, blockSize: 64, doubleQuant: true)
        var out = [Float](repeating: 0, count: n)
        let t = best(5) { out.withUnsafeMutableBufferPointer { q.dequantize(into: $0) } }
        print(String(format: "dequantize to Float32   %.2f GB/s of output (%.0f M values/s)", 4 * Double(n) / t / 1e9, Double(n) / t / 1e6))
        // One tile as the 4-bit linear dequantizes it (768 rows of 576: 1.7 MB, cache-sized), on one
        // core: whole blocks through one kernel call against a call and a scale rebuild per block.
        if CPUFeatures.useAVX512 {
            var tile = [Float](repeating: 0, count: 768 * 576)
            var times: [Bool: Double] = [true: .infinity, false: .infinity]
            for _ in 0..<30 {
                for whole in [false, true] {
                    QuantizedBlockwise4Bit.wholeBlockKernel = whole
                    let s = seconds { tile.withUnsafeMutableBufferPointer { q.dequantize(elements: 0..<(768 * 576), into: $0.baseAddress!) } }
                    times[whole] = min(times[whole]!, s)
                }
            }
            QuantizedBlockwise4Bit.wholeBlockKernel = true
            print(String(format: "one 768×576 tile, one core: per block %.0f µs, whole blocks %.0f µs (%.2fx)",
                         times[false]! * 1e6, times[true]! * 1e6, times[false]! / times[true]!))
        }
        // The 4-bit linear (tile-by-tile dequantize + sgemm) against dequantize-the-whole-weight-then-
        // sgemm, forward only, 512 rows of input, the default model's layer shapes.
        print("shape (out×in), 512 rows   4-bit linear GFLOP/s, tiles of 1 MB | 4 MB, forward  backward(dX)   dequantize-then-sgemm")
        for (o, i) in [(576, 576), (192, 576), (1536, 576), (576, 1536)] {
            let wq = try QuantizedBlockwise4Bit.quantize((0..<(o * i)).map { _ in rng.normal() * 0.02 }, shape: [o, i],
                                                         type: .nf4, blockSize: 64, doubleQuant: true)
            let x = Tensor.randn([512, i], rng: rng)
            let flop = 2.0 * 512 * Double(o * i)
            var fwd: [Double] = [], bwd: [Double] = []
            let saved = Tensor.tileElements
            for tile in [1 << 18, 1 << 20] {
                Tensor.tileElements = tile
                fwd.append(withoutGrad { best(10) { _ = x.linear4Bit(wq) } })
                x.requiresGrad = true
                let y = x.linear4Bit(wq), g = Tensor.randn(y.shape, rng: rng)
                bwd.append((0..<11).map { _ in
                    let y = x.linear4Bit(wq)
                    let t = seconds { y.backward(g) }
                    x.zeroGrad()
                    return t
                }.min()!)
                x.requiresGrad = false
            }
            Tensor.tileElements = saved
            let td = withoutGrad { best(10) {
                let w = Tensor.uninitialized([o, i])
                wq.dequantize(into: UnsafeMutableBufferPointer(start: w.data, count: o * i))
                _ = x.linear(w)
            } }
            print("\(o)×\(i)".padding(toLength: 28, withPad: " ", startingAt: 0)
                  + String(format: "%8.1f | %5.1f        %8.1f | %5.1f    %8.1f", flop / fwd[0] / 1e9, flop / fwd[1] / 1e9,
                                  flop / bwd[0] / 1e9, flop / bwd[1] / 1e9, flop / td / 1e9))
        }
    }

    /// Decoding: one token through the default model's 30 layers of linears (7 per layer) with the
    /// fused 4-bit GEMV, next to Float32 sgemv on the same shapes; per shape µs and GB/s of weights read.
    static func decode(rng: RandomGenerator) throws {
        print("\n## decoding, one input row: fused 4-bit GEMV vs Float32 sgemv (weights GB/s read)")
        print("shape (out×in)      4-bit µs   GB/s    Float32 µs   GB/s")
        var total4 = 0.0, total32 = 0.0
        for (o, i, perLayer) in [(576, 576, 2), (192, 576, 2), (1536, 576, 2), (576, 1536, 1), (49152, 576, 0)] {
            // 30 distinct weights per shape so the timing reads memory, not the cache.
            let copies = perLayer == 0 ? 1 : 30
            let ws = try (0..<copies).map { _ in
                try QuantizedBlockwise4Bit.quantize((0..<(o * i)).map { _ in rng.normal() * 0.02 }, shape: [o, i],
                                                    type: .nf4, blockSize: 64, doubleQuant: true)
            }
            let fs = (0..<copies).map { _ in Tensor.randn([o, i], rng: rng) }
            let x = Tensor.randn([1, i], rng: rng), y = Tensor.uninitialized([1, o])
            let t4 = best(5) { for w in ws { w.gemv(x.data, rows: 1, into: y.data) } } / Double(copies)
            let t32 = best(5) { for f in fs { Gemm.sgemm(transA: false, transB: true, m: 1, n: o, k: i, a: x.data, lda: i,
                                                          b: f.data, ldb: i, c: y.data, ldc: o) } } / Double(copies)
            let bytes4 = Double(ws[0].byteCount), bytes32 = Double(4 * o * i)
            print("\(o)×\(i)".padding(toLength: 18, withPad: " ", startingAt: 0)
                  + String(format: "%9.1f %7.1f   %9.1f %7.1f", t4 * 1e6, bytes4 / t4 / 1e9, t32 * 1e6, bytes32 / t32 / 1e9))
            total4 += t4 * Double(perLayer * 30); total32 += t32 * Double(perLayer * 30)
        }
        print(String(format: "30 layers' linears per token: 4-bit %.2f ms, Float32 %.2f ms", total4 * 1e3, total32 * 1e3))
        // Frugal's Float32 GEMV (its own threads) against OpenBLAS's sgemv, alternating, on the head.
        let (o, i) = (49152, 576)
        let w = Tensor.randn([o, i], rng: rng), x = Tensor.randn([1, i], rng: rng), y = Tensor.uninitialized([1, o])
        var tf = Double.infinity, tb = Double.infinity
        for _ in 0..<15 {
            tf = min(tf, seconds { Gemm.sgemm(transA: false, transB: true, m: 1, n: o, k: i, a: x.data, lda: i, b: w.data, ldb: i, c: y.data, ldc: o) })
            tb = min(tb, seconds { cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(o), Int32(i), 1, w.data, Int32(i), x.data, 1, 0, y.data, 1) })
        }
        print(String(format: "head 49152×576 Float32, best of 15 alternating: Frugal GEMV %.0f µs (%.1f GB/s), OpenBLAS sgemv %.0f µs (%.1f GB/s)",
                     tf * 1e6, Double(4 * o * i) / tf / 1e9, tb * 1e6, Double(4 * o * i) / tb / 1e9))
    }
}

enum PoolBench {
    static func run() {
        var sink = [Double](repeating: 0, count: 64)
        let t = best(3) {
            for _ in 0..<1000 { Parallel.forChunks(2, grain: 1) { r in sink[r.lowerBound * 16] += 1 } }
        }
        print(String(format: "empty parallel region: %.2f µs", t / 1000 * 1e6))
    }
}
