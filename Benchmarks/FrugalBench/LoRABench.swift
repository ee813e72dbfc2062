// LoRABench — the LoRA branch at the default model's shapes (512 tokens, r 8): the fused
// `addingLowRank` (update accumulated into the base output) next to the unfused composition
// (two linears, a scaling and an addition), forward + backward, microseconds per call.
import FrugalCore
import Foundation

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

    /// The thin products alone (SkinnyGemm): AVX-512 kernels against sgemm on the same call,
    /// alternating, µs per call (best and median of 200).
    static func skinny(rng: RandomGenerator) {
        print("\n## LoRA's thin products, 512 tokens: SkinnyGemm kernels vs sgemm, µs per call (best / median of 200)")
        print("product                            kernels          sgemm")
        let n = 512
        func buf(_ c: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: c)
            for i in 0..<c { p[i] = rng.uniform() - 0.5 }
            return p
        }
        for (r, k) in [(24, 576), (16, 576), (8, 576), (8, 1536), (8, 192)] {
            let x = buf(n * k), w = buf(r * k), c = buf(n * k), u = buf(n * r)
            defer { x.deallocate(); w.deallocate(); c.deallocate(); u.deallocate() }
            let products: [(String, () -> Void)] = [
                ("x·Aᵀ   [\(n),\(k)]→[\(n),\(r)]", { SkinnyGemm.dotRows(n: n, r: r, k: k, x: x, ldx: k, w: w, ldw: k, c: u, ldc: r) }),
                ("duᵀ·x  →[\(r),\(k)]", { SkinnyGemm.accumulateT(r: r, k: k, n: n, u: u, ldu: r, x: x, ldx: k, d: w, ldd: k) }),
                ("du·A   →[\(n),\(k)] β1", { SkinnyGemm.combineRows(n: n, r: r, k: k, u: u, ldu: r, w: w, ldw: k, beta: 1, c: c, ldc: k) }),
            ]
            for (name, body) in products {
                var tk: [Double] = [], ts: [Double] = []
                for _ in 0..<200 {
                    SkinnyGemm.enabled = true; tk.append(seconds(body))
                    SkinnyGemm.enabled = false; ts.append(seconds(body))
                }
                SkinnyGemm.enabled = true
                tk.sort(); ts.sort()
                print(String(format: "%-30@ %6.0f / %-6.0f  %6.0f / %-6.0f", name as NSString, tk[0] * 1e6, tk[100] * 1e6, ts[0] * 1e6, ts[100] * 1e6))
            }
        }
    }
}
