// QuantBench — FrugalQuant's hot paths: NF4 (double-quantized) dequantization to Float32, GB/s of
// output, threaded; and the 4-bit linear layer's forward+input-backward next to the same product
// with a Float32 weight (down_proj's shape, 512 tokens).
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
        // down_proj: x [512, 1536] · W [576, 1536]ᵀ, forward + input gradient.
        let (out_, inF) = (576, 1536)
        let wf = Tensor.randn([out_, inF], std: 0.02, rng: rng)
        let wq = try QuantizedBlockwise4Bit.quantize(wf.scalars, shape: [out_, inF], type: .nf4, blockSize: 64, doubleQuant: true)
        let x = Tensor.randn([512, inF], rng: rng, requiresGrad: true)
        let t4 = best(5) { let y = x.linear4Bit(wq); y.sum().backward(); x.zeroGrad() }
        let t32 = best(5) { let y = x.linear(wf); y.sum().backward(); x.zeroGrad() }
        print(String(format: "linear 512×1536 · (576×1536)ᵀ fwd+dX: 4-bit %.2f ms, Float32 %.2f ms (%.2f×)", t4 * 1e3, t32 * 1e3, t4 / t32))
    }
}
