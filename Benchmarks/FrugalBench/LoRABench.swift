// LoRABench — the LoRA branch at the default model's shapes (512 tokens, r 8): the fused
// `addingLowRank` (update accumulated into the base output) next to the unfused composition
// (two linears, a scaling and an addition), forward + backward, microseconds per call.
import FrugalCore

enum LoRABench {
    static func run(rng: RandomGenerator) {
        print("\n## LoRA branch, 512 tokens, r 8: forward + backward, µs (best of 20)")
        print("shape (in → out)     fused   unfused   ratio")
        for (inF, out) in [(576, 576), (576, 192), (576, 1536), (1536, 576)] {
            let x = Tensor.randn([4, 128, inF], rng: rng, requiresGrad: true)
            let a = Tensor.randn([8, inF], rng: rng, requiresGrad: true)
            let b = Tensor.randn([out, 8], rng: rng, requiresGrad: true)
            let y0 = Tensor.randn([4, 128, out], rng: rng)
            func time(_ fused: Bool) -> Double {
                best(20) {
                    let y = y0.copy()
                    let z = fused ? y.addingLowRank(x: x, a: a, b: b, scale: 2) : y.lowRankReference(x: x, a: a, b: b, scale: 2)
                    z.backward(y0)
                    x.zeroGrad(); a.zeroGrad(); b.zeroGrad()
                }
            }
            let tf = time(true), tu = time(false)
            print(String(format: "%4d → %-4d        %7.0f   %7.0f    %.2f", inF, out, tf * 1e6, tu * 1e6, tu / tf))
        }
    }
}
