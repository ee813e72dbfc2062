// FrugalBench — `make bench`: the hot paths of the tensor engine, measured.
//   1. sgemm through FrugalCore's Gemm on each backend (oneDNN, OpenBLAS) next to cblas_sgemm called
//      directly (square and the default model's shapes), GFLOP/s, best of several alternating runs.
//   2. causal attention forward + backward at the default model's training shape, by query block;
//      elementwise add, SiLU and row softmax, GB/s (bytes read + written).
//   3. one Llama block (the default model's shape: C 576, 9 query / 3 KV heads, D 64, MLP 1536) at
//      batch 4 × 128 tokens: forward+backward time, and the share spent inside sgemm (Gemm.profiling
//      accumulates wall time of every sgemm call made by the step).
//   `tokenizer`: encoding throughput on ~1 MB of mixed text against HF tokenizers (TokenizerBench.swift).
import CBLAS
import Foundation
import FrugalCore
import FrugalModels
import FrugalSpec

func seconds(_ body: () -> Void) -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

func best(_ runs: Int, _ body: () -> Void) -> Double {
    body()  // warm up
    return (0..<runs).map { _ in seconds(body) }.min()!
}

BLASCore.reexecWithBestKernelsIfNeeded()
if CommandLine.arguments.count == 3 && CommandLine.arguments[1] == "finetune" {
    try ModelBench.finetune(CommandLine.arguments[2])
    exit(0)
}
if CommandLine.arguments.count == 3 && CommandLine.arguments[1] == "serve" {
    try ModelBench.serve(CommandLine.arguments[2])
    exit(0)
}
if CommandLine.arguments.count == 4 && CommandLine.arguments[1] == "ab" {
    try ModelBench.ab(CommandLine.arguments[2], CommandLine.arguments[3])
    exit(0)
}
if CommandLine.arguments.count == 6 && CommandLine.arguments[1] == "memory-row" {
    let a = CommandLine.arguments
    try MemoryCheck.row(method: a[2], ckpt: a[3], batch: Int(a[4]) ?? 0, tokens: Int(a[5]) ?? 0)
    exit(0)
}
if CommandLine.arguments.count == 3 && CommandLine.arguments[1] == "generate" {
    try ModelBench.generate(CommandLine.arguments[2])
    exit(0)
}
let sections = Set(CommandLine.arguments.dropFirst())   // none = all; or any of: kernels lora head quant pool decode model finetune memory tokenizer
func wants(_ s: String) -> Bool { sections.isEmpty || sections.contains(s) }
let rng = RandomGenerator(seed: 0)
print("FrugalBench — \(Parallel.threads) threads, sgemm backend \(Gemm.backend.rawValue), OpenBLAS threads \(Gemm.blasThreads), OpenBLAS kernels \(BLASCore.current)")
if wants("kernels") {
/// One table of sgemm shapes: Frugal's Gemm next to cblas_sgemm called directly. With `transB`
/// B is stored [N,K] (a Linear layer's x·Wᵀ), otherwise [K,N] (the input gradient dY·W).
func sgemmTable(_ title: String, transB: Bool, _ shapes: [(Int, Int, Int, String)]) {
    print("\n## \(title), GFLOP/s")
    print((transB ? "shape M×K · (N×K)ᵀ" : "shape M×K · K×N").padding(toLength: 30, withPad: " ", startingAt: 0)
          + " Frugal/oneDNN   Frugal/OpenBLAS   OpenBLAS direct   oneDNN÷OpenBLAS (both through Frugal)")
    for (m, k, n, label) in shapes {
        let a = Tensor.randn([m, k], rng: rng), b = Tensor.randn(transB ? [n, k] : [k, n], rng: rng), c = Tensor(zeros: [m, n])
        let ldb = transB ? k : n
        let flop = 2.0 * Double(m * n * k)
        let runs = flop > 2e10 ? 3 : 6
        // the two backends through Frugal's Gemm and OpenBLAS called directly, alternating, best of each
        let saved = Gemm.backend
        var tb: [GemmBackend: Double] = [:], td = Double.infinity
        for _ in 0..<runs {
            for backend in GemmBackend.allCases where backend.isAvailable {
                Gemm.backend = backend
                tb[backend] = min(tb[backend] ?? .infinity, best(1) {
                    Gemm.sgemm(transA: false, transB: transB, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: ldb, c: c.data, ldc: n)
                })
            }
            td = min(td, best(1) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a.data, Int32(k),
                            b.data, Int32(ldb), 0, c.data, Int32(n))
            })
        }
        Gemm.backend = saved
        let gf = { (t: Double?) in t.map { String(format: "%7.1f", flop / $0 / 1e9) } ?? "      —" }
        let ratio = tb[.oneDNN].flatMap { d in tb[.openBLAS].map { String(format: "%.3f", $0 / d) } } ?? "—"
        print(label.padding(toLength: 30, withPad: " ", startingAt: 0)
              + " \(gf(tb[.oneDNN]))         \(gf(tb[.openBLAS]))           \(gf(td))           \(ratio)")
    }
}
sgemmTable("sgemm (row-major, C = A·Bᵀ as in a Linear layer)", transB: true,
           [(1024, 1024, 1024, "1024² square"), (2048, 2048, 2048, "2048² square"),
            (512, 576, 576, "q/o_proj, 512 tokens"), (512, 576, 192, "k/v_proj"), (512, 576, 960, "q+k+v fused"), (512, 576, 1536, "gate/up_proj"), (512, 576, 3072, "gate+up fused"),
            (512, 1536, 576, "down_proj"), (512, 576, 49152, "tied lm_head")])
sgemmTable("sgemm for input gradients (C = A·B, B = the weight [K,N] as stored)", transB: false,
           [(512, 576, 576, "dX of q/o_proj"), (512, 192, 576, "dX of k/v"), (512, 960, 576, "dX of q+k+v fused"), (512, 1536, 576, "dX of gate/up_proj"), (512, 3072, 576, "dX of gate+up fused"),
            (512, 576, 1536, "dX of down_proj"), (512, 49152, 576, "dX of the tied lm_head")])

// Causal attention forward + backward at the default model's training shape (4 × 128 tokens,
// 9 query / 3 KV heads of 64), by the size of the causal query blocks, alternating.
do {
    let q = Tensor.randn([4, 128, 9, 64], rng: rng), k = Tensor.randn([4, 128, 3, 64], rng: rng)
    let v = Tensor.randn([4, 128, 3, 64], rng: rng), g = Tensor.randn([4, 128, 9, 64], rng: rng)
    q.requiresGrad = true; k.requiresGrad = true; v.requiresGrad = true
    var times: [Int: Double] = [:]
    for _ in 0..<6 {
        for size in [16, 32, 64, 128] {
            Tensor.attentionQueryBlock = size
            let t = best(10) { Tensor.attention(q: q, k: k, v: v).backward(g) }
            times[size] = min(times[size] ?? .infinity, t)
        }
    }
    Tensor.attentionQueryBlock = 64
    print("\n## causal attention, forward + backward, 4 × 128 tokens, 9/3 heads of 64 (query block: ms)")
    print([16, 32, 64, 128].map { String(format: "%d: %.2f ms", $0, times[$0]! * 1e3) }.joined(separator: "   "))
}

print("\n## elementwise and softmax, GB/s (16M floats; softmax rows of 4096)")
let n = 1 << 24
let x = Tensor.randn([n], rng: rng), y = Tensor.randn([n], rng: rng)
withoutGrad {
    let tAdd = best(5) { _ = x + y }
    let tSilu = best(5) { _ = x.silu() }
    let tSoft = best(5) { _ = x.reshaped([n / 4096, 4096]).softmax() }
    print(String(format: "add      %6.1f GB/s", 12.0 * Double(n) / tAdd / 1e9))
    print(String(format: "silu     %6.1f GB/s", 8.0 * Double(n) / tSilu / 1e9))
    print(String(format: "softmax  %6.1f GB/s", 8.0 * Double(n) / tSoft / 1e9))
}

// The exponential-heavy loops of a training step, eight lanes (FastMath) against sixteen (Exp512),
// alternating: SwiGLU forward + backward at one layer's shape, and the head's exponentials over
// 64 rows of the default model's vocabulary.
if CPUFeatures.hasAVX512 {
    print("\n## SwiGLU and softmax exponentials, AVX2 (8 lanes) vs AVX-512 (16 lanes), µs (best of 20, alternating)")
    let g = Tensor.randn([512, 1536], rng: rng, requiresGrad: true), u = Tensor.randn([512, 1536], rng: rng, requiresGrad: true)
    let dz = Tensor.randn([512, 1536], rng: rng)
    let logits = Tensor.randn([64, 49152], rng: rng), e = Tensor.uninitialized([64, 49152])
    func swigluPass() { let z = g.swiglu(u); z.backward(dz); g.zeroGrad(); u.zeroGrad() }
    func expPass() {
        Parallel.forEach(64, grain: 1) { r in _ = SoftmaxKernel.expShifted(logits.data + r * 49152, e.data + r * 49152, 49152) }
    }
    var best: [Bool: (Double, Double)] = [false: (.infinity, .infinity), true: (.infinity, .infinity)]
    for _ in 0..<20 {
        for wide in [false, true] {
            CPUFeatures.useAVX512 = wide
            let a = seconds(swigluPass), b = seconds(expPass)
            best[wide] = (min(best[wide]!.0, a), min(best[wide]!.1, b))
        }
    }
    CPUFeatures.useAVX512 = true
    print(String(format: "swiglu fwd+bwd [512,1536]   %7.0f  %7.0f   %.2fx", best[false]!.0 * 1e6, best[true]!.0 * 1e6, best[false]!.0 / best[true]!.0))
    print(String(format: "exp-shifted rows [64,49152] %7.0f  %7.0f   %.2fx", best[false]!.1 * 1e6, best[true]!.1 * 1e6, best[false]!.1 / best[true]!.1))
}

print("\n## one Llama block, batch 4 × 128 tokens, C 576, H 9, K 3, F 1536: forward + backward")
let config = ModelConfig(architecture: .llama, vocabSize: 256, hiddenSize: 576, intermediateSize: 1536,
                         numLayers: 1, numHeads: 9, numKVHeads: 3, ropeTheta: 100_000)
let model = DecoderModel(randomlyInitialized: config, rng: rng)
let block = model.blocks[0]
let input = Tensor.randn([4, 128, 576], rng: rng, requiresGrad: true)
let positions = Array(0..<128)
func step() {
    let out = block(input, positions: positions)
    out.sum().backward()
    input.zeroGrad()
    for (_, t) in block.namedTensors { t.zeroGrad() }
}
step()
var times: [Double] = [], shares: [Double] = [], gflops: [Double] = []
for _ in 0..<8 {
    Gemm.resetProfile(); Gemm.profiling = true
    let t = seconds(step)
    Gemm.profiling = false
    times.append(t); shares.append(Double(Gemm.nanoseconds) / 1e9 / t); gflops.append(Gemm.flops / t / 1e9)
}
let i = times.indices.min { times[$0] < times[$1] }!
print(String(format: "forward+backward  %.1f ms (best of 8; median %.1f ms)", times[i] * 1e3, times.sorted()[4] * 1e3))
print(String(format: "time inside sgemm %.1f%%   overall %.1f GFLOP/s (sgemm FLOPs / step time)", shares[i] * 100, gflops[i]))
print(String(format: "tokens/s through one block: %.0f", 512 / times[i]))
}
if wants("lora") { LoRABench.run(rng: rng); LoRABench.skinny(rng: rng) }
if wants("head") { HeadBench.run(rng: rng) }
if wants("quant") { try QuantBench.run(rng: rng) }
if wants("pool") { PoolBench.run() }
if wants("quant") || wants("decode") { try QuantBench.decode(rng: rng) }
if wants("model") { try ModelBench.inference() }
if wants("finetune") { ModelBench.finetuneAll() }
if wants("memory") { runMemoryCheck() }
if wants("tokenizer") { try TokenizerBench.run() }
