// QuantBench — FrugalQuant's hot paths: NF4 (double-quantized) dequantization to Float32, GB/s of
// output, threaded; and the 4-bit linear layer's GFLOP/s next to dequantizing the whole weight and
// then calling sgemm, at the default model's layer shapes and 512 rows of input.
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
        // The 4-bit linear (tile-by-tile dequantize + sgemm) against dequantize-the-whole-weight-then-
        // sgemm, forward only, 512 rows of input, the default model's layer shapes.
        print("shape (out×in), 512 rows    4-bit linear GFLOP/s   dequantize-then-sgemm GFLOP/s")
        for (o, i) in [(576, 576), (192, 576), (1536, 576), (576, 1536)] {
            let wq = try QuantizedBlockwise4Bit.quantize((0..<(o * i)).map { _ in rng.normal() * 0.02 }, shape: [o, i],
                                                         type: .nf4, blockSize: 64, doubleQuant: true)
            let x = Tensor.randn([512, i], rng: rng)
            let flop = 2.0 * 512 * Double(o * i)
            let t4 = withoutGrad { best(10) { _ = x.linear4Bit(wq) } }
            let td = withoutGrad { best(10) {
                let w = Tensor.uninitialized([o, i])
                wq.dequantize(into: UnsafeMutableBufferPointer(start: w.data, count: o * i))
                _ = x.linear(w)
            } }
            print("\(o)×\(i)".padding(toLength: 28, withPad: " ", startingAt: 0)
                  + String(format: "%8.1f               %8.1f", flop / t4 / 1e9, flop / td / 1e9))
        }
    }
}
