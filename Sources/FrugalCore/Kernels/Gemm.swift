// Gemm — single-precision matrix multiply, C = α·op(A)·op(B) + β·C, row-major, through CBLAS
// (OpenBLAS on Linux, Accelerate on macOS). `naive` is the readable reference the tests compare to.
//
// OpenBLAS runs its own threads; Frugal calls sgemm only from outside `Parallel` regions so the
// two never oversubscribe the cores. When `Gemm.profiling` is on, time spent inside sgemm and the
// FLOPs it did are accumulated (the benchmark reports sgemm's share of a training step with it).
import CBLAS
import Dispatch

public enum Gemm {
    nonisolated(unsafe) public static var profiling = false
    nonisolated(unsafe) public static private(set) var nanoseconds: UInt64 = 0
    nonisolated(unsafe) public static private(set) var flops: Double = 0

    public static func resetProfile() { nanoseconds = 0; flops = 0 }

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
            // of B for one row, which costs more than the product itself.
            if transB {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), alpha, b, Int32(ldb), a, 1, beta, c, 1)
            } else {
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), alpha, b, Int32(ldb), a, 1, beta, c, 1)
            }
        } else {
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
        if profiling {
            nanoseconds += DispatchTime.now().uptimeNanoseconds - start
            flops += 2 * Double(m) * Double(n) * Double(k)
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
