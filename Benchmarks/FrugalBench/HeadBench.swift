// HeadBench — the language-model head and its loss at the default model's shape (516 rows,
// C 576, V 49152): fused `linearCrossEntropy` next to `linear` + `crossEntropy`, forward + backward.
import FrugalCore

enum HeadBench {
    static func run(rng: RandomGenerator) {
        print("\n## LM head + cross-entropy, 516 rows × 576 → 49152: forward + backward, ms (best of 5)")
        let h = Tensor.randn([4, 129, 576], rng: rng, requiresGrad: true)
        let w = Tensor.randn([49152, 576], rng: rng).affine(scale: 0.05)
        let targets = (0..<516).map { _ in Int32(rng.next() % 49152) }
        func fused() { h.linearCrossEntropy(weight: w, targets: targets, reduction: .sum).backward(); h.zeroGrad() }
        func unfused() { h.linear(w).crossEntropy(targets: targets, reduction: .sum).backward(); h.zeroGrad() }
        Gemm.profiling = true
        let chosen = Tensor.linearCrossEntropyChunk
        for chunk in [1 << 22, 1 << 24, 1 << 25] {
            Tensor.linearCrossEntropyChunk = chunk
            Gemm.resetProfile()
            let tf = best(5, fused)
            let sf = Double(Gemm.nanoseconds) / 6e6
            print(String(format: "fused, chunk %5d K logits  %7.1f ms   (sgemm %.1f ms)", chunk >> 10, tf * 1e3, sf))
        }
        Tensor.linearCrossEntropyChunk = chosen
        Gemm.resetProfile()
        let tu = best(5, unfused)
        let su = Double(Gemm.nanoseconds) / 6e6
        Gemm.profiling = false
        print(String(format: "unfused %7.1f ms   (sgemm %.1f ms)", tu * 1e3, su))
    }
}
