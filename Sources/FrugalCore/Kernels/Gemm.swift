// Gemm — single-precision matrix multiply, C = α·op(A)·op(B) + β·C, row-major, through oneDNN's
// sgemm where Frugal was built with it (Linux, libdnnl-dev), else CBLAS (OpenBLAS on Linux,
// Accelerate on macOS). `naive` is the readable reference the tests compare to.
//
// Backend: oneDNN 2.6 (Debian) runs every shape of the default model's training step 3–16% faster
// than OpenBLAS 0.3.21's Cooperlake kernels on this project's AVX-512 machines, one core each, both
// cores busy, alternating in one process (`make bench`, section kernels, shows both). So it is the
// default on CPUs with AVX-512; elsewhere (not measured) OpenBLAS stays, unless FRUGAL_GEMM=onednn.
// FRUGAL_GEMM=openblas picks OpenBLAS; so does FRUGAL_GEMM_SPLIT=0 (OpenBLAS then runs its threads).
//
// Threads: by default the BLAS is kept single-threaded and a large product is cut into one slice of
// C per core, each a call on a Frugal worker (`splitOverPool`); a call made inside a parallel region
// runs whole on its thread. So only one pool of threads ever runs (oneDNN's OpenMP runtime is told
// one thread on every thread that calls it). When `Gemm.profiling` is on, time spent inside sgemm and
// the FLOPs it did are accumulated (the benchmark reports sgemm's share of a training step with it).
import CBLAS
#if canImport(CDNNL)
import CDNNL
#endif
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The library that runs `Gemm.sgemm`'s products.
public enum GemmBackend: String, Sendable, CaseIterable {
    case openBLAS = "openblas", oneDNN = "onednn"

    /// Whether this build can use it.
    public var isAvailable: Bool {
        switch self {
        case .openBLAS: return true
        case .oneDNN:
            #if canImport(CDNNL)
            return true
            #else
            return false
            #endif
        }
    }
}

public enum Gemm {
    nonisolated(unsafe) public static var profiling = false
    nonisolated(unsafe) public static private(set) var nanoseconds: UInt64 = 0
    nonisolated(unsafe) public static private(set) var flops: Double = 0

    public static func resetProfile() { shapeLock.lock(); nanoseconds = 0; flops = 0; byShape = [:]; shapeLock.unlock() }
    static let shapeLock = NSLock()
    /// While profiling: calls and nanoseconds per shape ("NT m512 n1536 k576 b0.0": op(A) op(B),
    /// then M, N, K, β). Calls made inside a parallel region add their own thread's time.
    nonisolated(unsafe) public private(set) static var byShape: [String: (calls: Int, ns: UInt64)] = [:]

    /// The library behind sgemm: oneDNN when this build has it (and its OpenMP runtime can be held
    /// to one thread) on an AVX-512 CPU, where it was measured faster, unless FRUGAL_GEMM=openblas
    /// or FRUGAL_GEMM_SPLIT=0; FRUGAL_GEMM=onednn asks for it on any CPU. Settable (benchmarks
    /// compare the two; results differ in rounding only).
    nonisolated(unsafe) public static var backend: GemmBackend = {
        #if canImport(CDNNL)
        let choice = ProcessInfo.processInfo.environment["FRUGAL_GEMM"]
        // splitOverPool first, on either backend: reading it sets OpenBLAS's threads
        guard splitOverPool, choice != "openblas", ompSetNumThreads != nil,
              CPUFeatures.hasAVX512 || choice == "onednn" else { return .openBLAS }
        return .oneDNN
        #else
        return .openBLAS
        #endif
    }()

    /// Whether sgemm runs OpenBLAS single-threaded on one slice of C per core, through Frugal's
    /// workers (the default), instead of letting OpenBLAS start its own threads. Measured on the
    /// default model's fine-tuning step: 8–30% more tokens/s (QLoRA 220–265 against 196–204), as two
    /// thread pools no longer take turns on the same two cores. FRUGAL_GEMM_SPLIT=0 turns it off.
    public static let splitOverPool: Bool = {
        guard ProcessInfo.processInfo.environment["FRUGAL_GEMM_SPLIT"] != "0" else { return false }
        openblas_set_num_threads(1)
        return true
    }()

    /// C[M,N] = α·op(A)·op(B) + β·C. op(A) is [M,K] (A stored [K,M] when transA), op(B) is [K,N]
    /// (B stored [N,K] when transB). lda/ldb/ldc are row strides of the stored matrices.
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        let start = profiling ? DispatchTime.now().uptimeNanoseconds : 0
        if m == 1 && !transA {
            // A single row (decoding one token): matrix-vector product. sgemm would pack the whole
            // of B for one row, which costs more than the product itself. The common x·Wᵀ case runs
            // on Frugal's own threads (`gemvRows`), so OpenBLAS's threads stay asleep while decoding
            // instead of spinning against Frugal's on the same cores.
            if transB && alpha == 1 && beta == 0 {
                Parallel.forChunks(n, grain: Swift.max(4, 16384 / k)) { rows in gemvRows(rows, k: k, x: a, b: b, ldb: ldb, y: c) }
            } else if transB {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), alpha, b, Int32(ldb), a, 1, beta, c, 1)
            } else {
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), alpha, b, Int32(ldb), a, 1, beta, c, 1)
            }
        } else if splitOverPool && Parallel.threads > 1 && m * n * k >= 1 << 20 {
            // OpenBLAS single-threaded, one call per core on a slice of C (rows when C is at least as
            // tall as wide, else columns; or of K when K is much longer), run by Frugal's workers.
            let parts = Parallel.threads
            if k >= 16 * Swift.max(m, n) {
                // C is small and K long (the head's input gradient: 512 × 576 over 49152): each
                // core takes a slice of K into its own partial C, so each packs only its part of
                // both operands; the partials are then added (that product: 249–283 GFLOP/s against
                // 208–268 cut by columns, alternating runs).
                let partial = UnsafeMutablePointer<Float>.allocate(capacity: (parts - 1) * m * n)
                defer { partial.deallocate() }
                let per = (k + parts - 1) / parts
                Parallel.forEach(parts, grain: 1) { p in
                    let k0 = p * per, kc = Swift.min(k, k0 + per) - k0
                    let ap = transA ? a + k0 * lda : a + k0
                    let bp = transB ? b + k0 : b + k0 * ldb
                    // slice 0 goes into C itself (with β), the others into their partials
                    let (cp, ldcp, bt) = p == 0 ? (c, ldc, beta) : (partial + (p - 1) * m * n, n, Float(0))
                    kernel(transA, transB, m, n, kc, alpha, ap, lda, bp, ldb, bt, cp, ldcp)
                }
                Parallel.forChunks(m, grain: Swift.max(1, m / parts)) { rows in
                    for p in 1..<parts {
                        for i in rows { Elementwise.axpy(1, partial + (p - 1) * m * n + i * n, c + i * ldc, n) }
                    }
                }
            } else if 4 * m >= 3 * n {
                // Cut C's longer side: each slice's sgemm packs its own part of the cut operand and
                // all of the other, so this packs least in total (the tied lm_head, 512 × 49152:
                // 265–270 GFLOP/s cut by columns against 215–245 by rows). Rows still win when C is
                // nearly square: the default model's 512 × 576 products run 2–6% faster cut by rows
                // (e.g. x·Wᵀ over K = 576: 284–286 against 276–277 GFLOP/s, dY·W over K = 1536:
                // 280–288 against 271–276, alternating), while 512 × 1536 is even or favours columns.
                Parallel.forChunks(m, grain: Swift.max(1, m / parts)) { r in
                    let ap = transA ? a + r.lowerBound : a + r.lowerBound * lda
                    kernel(transA, transB, r.count, n, k, alpha, ap, lda, b, ldb, beta, c + r.lowerBound * ldc, ldc)
                }
            } else {
                Parallel.forChunks(n, grain: Swift.max(1, n / parts)) { r in
                    let bp = transB ? b + r.lowerBound * ldb : b + r.lowerBound
                    kernel(transA, transB, m, r.count, k, alpha, a, lda, bp, ldb, beta, c + r.lowerBound, ldc)
                }
            }
        } else {
            kernel(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
        if profiling {
            let dt = DispatchTime.now().uptimeNanoseconds - start
            let key = "\(transA ? "T" : "N")\(transB ? "T" : "N") m\(m) n\(n) k\(k) b\(beta)"
            shapeLock.lock()   // sgemm may be called on several threads at once
            nanoseconds += dt
            flops += 2 * Double(m) * Double(n) * Double(k)
            let e = byShape[key] ?? (0, 0)
            byShape[key] = (e.0 + 1, e.1 + dt)
            shapeLock.unlock()
        }
    }

    /// One product on the calling thread, by `backend` (oneDNN on one OpenMP thread; OpenBLAS with
    /// its own thread setting). A product oneDNN refuses (it should not) runs on OpenBLAS.
    @inline(__always)
    static func kernel(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                       _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
                       _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        #if canImport(CDNNL)
        if backend == .oneDNN {
            ompSetNumThreads?(1)
            let status = dnnl_sgemm(transA ? letterT : letterN, transB ? letterT : letterN, dnnl_dim_t(m), dnnl_dim_t(n),
                                    dnnl_dim_t(k), alpha, a, dnnl_dim_t(lda), b, dnnl_dim_t(ldb), beta, c, dnnl_dim_t(ldc))
            if status == dnnl_success { return }
        }
        #endif
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    #if canImport(CDNNL)
    static let letterT = CChar(UInt8(ascii: "T")), letterN = CChar(UInt8(ascii: "N"))
    /// libgomp's omp_set_num_threads (loaded with oneDNN), found at run time: it sets the calling
    /// thread's team size, so oneDNN never starts OpenMP threads beside Frugal's workers.
    static let ompSetNumThreads: (@convention(c) (Int32) -> Void)? = {
        guard let sym = dlsym(nil, "omp_set_num_threads") else { return nil }
        return unsafeBitCast(sym, to: (@convention(c) (Int32) -> Void).self)
    }()
    #endif

    /// y[j] = Σ_p B[j, p]·x[p] for j in `rows` (B row-major with stride ldb): four rows at a time,
    /// sixteen lanes, fused multiply-add. Serial; memory-bound on any realistic shape.
    @inline(__always)
    static func gemvRows(_ rows: Range<Int>, k: Int, x: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int,
                         y: UnsafeMutablePointer<Float>) {
        let k8 = k & ~15
        let xr = UnsafeRawPointer(x)
        var j = rows.lowerBound
        while j + 4 <= rows.upperBound {
            let r0 = UnsafeRawPointer(b + j * ldb), r1 = UnsafeRawPointer(b + (j + 1) * ldb)
            let r2 = UnsafeRawPointer(b + (j + 2) * ldb), r3 = UnsafeRawPointer(b + (j + 3) * ldb)
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var p = 0
            while p < k8 {
                let o = p * 4
                let xv = xr.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                a0.addProduct(r0.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self), xv)
                a1.addProduct(r1.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self), xv)
                a2.addProduct(r2.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self), xv)
                a3.addProduct(r3.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self), xv)
                p += 16
            }
            var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
            while p < k {
                s0 += b[j * ldb + p] * x[p]; s1 += b[(j + 1) * ldb + p] * x[p]
                s2 += b[(j + 2) * ldb + p] * x[p]; s3 += b[(j + 3) * ldb + p] * x[p]
                p += 1
            }
            y[j] = s0; y[j + 1] = s1; y[j + 2] = s2; y[j + 3] = s3
            j += 4
        }
        while j < rows.upperBound {
            var s: Float = 0
            for p in 0..<k { s += b[j * ldb + p] * x[p] }
            y[j] = s
            j += 1
        }
    }

    /// The reference: the same contract as `sgemm`, three loops, accumulation in Double.
    public static func naive(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = transA ? a[p * lda + i] : a[i * lda + p]
                    let y = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(x) * Double(y)
                }
                let prev = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * s + prev)
            }
        }
    }

    /// Number of threads OpenBLAS uses.
    public static var blasThreads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
