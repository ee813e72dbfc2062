// SkinnyGemm — the three products of a LoRA branch, where one dimension is the rank (thin, R) and the
// others are tokens × features (long):
//   dotRows      C[N, R] = α·X[N, K]·W[R, K]ᵀ + β·C    (u = x·Aᵀ; du = s·dz·B)
//   accumulateT  D[R, K] = α·U[N, R]ᵀ·X[N, K] + β·D    (dA = duᵀ·x; dBᵀ = s·uᵀ·dz)
//   combineRows  C[N, K] = α·U[N, R]·W[R, K] + β·C     (dx = du·A; y += s·u·Bᵀ)
// Row-major; ld* are row strides; β is 0 (C not read) or 1.
//
// On a CPU with AVX-512 and R ≤ `maxRank` each runs FrugalAVX512's SkinnyGemm512 kernel, which
// streams the long operand once, spread over the cores (rows of C; columns of D). Elsewhere, and as
// the reference the tests compare to, the same product goes through `Gemm.sgemm`, which on these
// shapes spends most of its time packing (measured on the default model's LoRA shapes: see
// `make bench`, section lora).
import FrugalAVX512
import Foundation

public enum SkinnyGemm {
    /// Largest thin dimension that takes the AVX-512 kernels by default (a rank above it goes through
    /// sgemm); attention passes its own bound (`maxThin`): its products are thin in the head size.
    nonisolated(unsafe) public static var maxRank = 64
    /// Whether the kernels run (FRUGAL_SKINNY=0, or false here, sends every product through sgemm).
    nonisolated(unsafe) public static var enabled = ProcessInfo.processInfo.environment["FRUGAL_SKINNY"] != "0"

    /// Whether the AVX-512 kernels run here (the CPU has AVX-512, they are enabled).
    public static var kernelsAvailable: Bool {
        #if arch(x86_64)
        return enabled && CPUFeatures.useAVX512
        #else
        return false
        #endif
    }

    static func usesKernels(_ r: Int, _ maxThin: Int) -> Bool { kernelsAvailable && r <= maxThin }

    /// dst [cols, rows] = src [rows, cols] (row stride `ld`) transposed: an operand laid out as the
    /// kernels read it (B of a LoRA branch, a KV head), or a result laid back (dBᵀ → dB). Serial; the
    /// callers' blocks are small.
    public static func transpose(_ src: UnsafePointer<Float>, ld: Int, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>) {
        for j in 0..<rows {
            let s = src + j * ld
            for c in 0..<cols { dst[c * rows + j] = s[c] }
        }
    }

    /// C[N, R] = α·X[N, K]·W[R, K]ᵀ + β·C.
    public static func dotRows(n: Int, r: Int, k: Int, alpha: Float = 1, x: UnsafePointer<Float>, ldx: Int,
                               w: UnsafePointer<Float>, ldw: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                               maxThin: Int = maxRank) {
        guard n > 0 && r > 0 else { return }
        #if arch(x86_64)
        if usesKernels(r, maxThin) && k > 0 {
            Parallel.forChunks(n, grain: Swift.max(2, 16384 / Swift.max(1, k * r))) { rows in
                SkinnyGemm512.dotRows(rows, r: r, k: k, alpha: alpha, x: x, ldx: ldx, w: w, ldw: ldw, beta: beta, c: c, ldc: ldc)
            }
            return
        }
        #endif
        Gemm.sgemm(transA: false, transB: true, m: n, n: r, k: k, alpha: alpha, a: x, lda: ldx, b: w, ldb: ldw,
                   beta: beta, c: c, ldc: ldc)
    }

    /// D[R, K] = α·U[N, R]ᵀ·X[N, K] + β·D.
    public static func accumulateT(r: Int, k: Int, n: Int, alpha: Float = 1, u: UnsafePointer<Float>, ldu: Int,
                                   x: UnsafePointer<Float>, ldx: Int, beta: Float = 0, d: UnsafeMutablePointer<Float>, ldd: Int,
                                   maxThin: Int = maxRank) {
        guard r > 0 && k > 0 else { return }
        #if arch(x86_64)
        if usesKernels(r, maxThin) && n > 0 {
            let blocks = (k + 31) / 32
            Parallel.forChunks(blocks, grain: Swift.max(1, 16384 / Swift.max(1, 32 * n * r))) { b in
                SkinnyGemm512.accumulateT((b.lowerBound * 32)..<Swift.min(k, b.upperBound * 32), r: r, n: n, alpha: alpha,
                                          u: u, ldu: ldu, x: x, ldx: ldx, beta: beta, d: d, ldd: ldd)
            }
            return
        }
        #endif
        Gemm.sgemm(transA: true, transB: false, m: r, n: k, k: n, alpha: alpha, a: u, lda: ldu, b: x, ldb: ldx,
                   beta: beta, c: d, ldc: ldd)
    }

    /// Both products of a LoRA up-projection's backward, which read the same long operand G:
    ///   C[N, R] = α·G[N, K]·Wᵀ   (du = s·dz·B, W = Bᵀ [R, K])      (β = 0)
    ///   D[R, K] = α·U[N, R]ᵀ·G   (dBᵀ = s·uᵀ·dz)                     (β = 0)
    /// With the kernels, each core takes half of G's rows in panels of `panelRows`: a panel's du rows,
    /// then its share of D from the same panel while it is still in L2, so G comes from memory once
    /// instead of twice (each core adds into its own copy of D; the copies are summed at the end).
    /// Elsewhere (and as the reference) `dotRows` then `accumulateT`.
    public static func dotRowsAndAccumulateT(n: Int, r: Int, k: Int, alpha: Float, g: UnsafePointer<Float>, ldg: Int,
                                             w: UnsafePointer<Float>, ldw: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                             u: UnsafePointer<Float>, ldu: Int, d: UnsafeMutablePointer<Float>, ldd: Int) {
        #if arch(x86_64)
        if n > 0 && r > 0 && k > 0 && usesKernels(r, maxRank) {
            let parts = Swift.min(Parallel.threads, Swift.max(1, n / panelRows))
            // part 0 accumulates into D itself, the others into scratch copies [R, K]
            let scratch = parts > 1 ? UnsafeMutablePointer<Float>.allocate(capacity: (parts - 1) * r * k) : nil
            defer { scratch?.deallocate() }
            let per = (n + parts - 1) / parts
            Parallel.forEach(parts, grain: 1) { part in
                let dst = part == 0 ? d : scratch! + (part - 1) * r * k, ld = part == 0 ? ldd : k
                var first = true
                var i0 = part * per
                let end = Swift.min(n, i0 + per)
                while i0 < end {
                    let i1 = Swift.min(end, i0 + panelRows)
                    SkinnyGemm512.dotRows(i0..<i1, r: r, k: k, alpha: alpha, x: g, ldx: ldg, w: w, ldw: ldw, beta: 0, c: c, ldc: ldc)
                    SkinnyGemm512.accumulateT(0..<k, r: r, n: i1 - i0, alpha: alpha, u: u + i0 * ldu, ldu: ldu,
                                              x: g + i0 * ldg, ldx: ldg, beta: first ? 0 : 1, d: dst, ldd: ld)
                    first = false
                    i0 = i1
                }
                if end <= part * per { (0..<r).forEach { (dst + $0 * ld).update(repeating: 0, count: k) } }
            }
            if let scratch {
                for part in 1..<parts {
                    for row in 0..<r { Elementwise.axpy(1, scratch + (part - 1) * r * k + row * k, d + row * ldd, k) }
                }
            }
            return
        }
        #endif
        dotRows(n: n, r: r, k: k, alpha: alpha, x: g, ldx: ldg, w: w, ldw: ldw, c: c, ldc: ldc)
        accumulateT(r: r, k: k, n: n, alpha: alpha, u: u, ldu: ldu, x: g, ldx: ldg, d: d, ldd: ldd)
    }

    /// Rows of G per panel in `dotRowsAndAccumulateT` (a panel of the widest LoRA output, 1536 wide,
    /// is 192 KB).
    nonisolated(unsafe) public static var panelRows = 32

    /// C[N, K] = α·U[N, R]·W[R, K] + β·C.
    public static func combineRows(n: Int, r: Int, k: Int, alpha: Float = 1, u: UnsafePointer<Float>, ldu: Int,
                                   w: UnsafePointer<Float>, ldw: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                                   maxThin: Int = maxRank) {
        guard n > 0 && k > 0 else { return }
        #if arch(x86_64)
        if usesKernels(r, maxThin) && r > 0 {
            Parallel.forChunks(n, grain: Swift.max(4, 16384 / Swift.max(1, k * r))) { rows in
                SkinnyGemm512.combineRows(rows, r: r, k: k, alpha: alpha, u: u, ldu: ldu, w: w, ldw: ldw, beta: beta, c: c, ldc: ldc)
            }
            return
        }
        #endif
        Gemm.sgemm(transA: false, transB: false, m: n, n: k, k: r, alpha: alpha, a: u, lda: ldu, b: w, ldb: ldw,
                   beta: beta, c: c, ldc: ldc)
    }
}
