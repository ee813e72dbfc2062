// Parallel — Frugal's parallel-for, sized to the machine.
//
// Built on WorkerPool (persistent workers that spin briefly between jobs: waking libdispatch's
// workers cost tens of microseconds per region here). OpenBLAS runs single-threaded and Gemm splits
// large products over these same workers, so one pool of threads serves everything; a region opened
// inside another runs inline. Work is split into at most `Parallel.threads` contiguous chunks so
// small loops do not pay per-item overhead.
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum Parallel {
    /// Number of worker chunks: the number of active cores, overridable with FRUGAL_THREADS.
    public static let threads: Int = {
        if let s = getenv("FRUGAL_THREADS"), let n = Int(String(cString: s)), n > 0 { return n }
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
        #endif
    }()

    @usableFromInline static let pool = WorkerPool(threads: threads)

    /// Calls `body(range)` over disjoint subranges covering 0..<count. Runs inline when the work is
    /// smaller than `grain` items or only one thread is available.
    @inlinable
    public static func forChunks(_ count: Int, grain: Int = 4096, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let chunks = Swift.min(threads, Swift.max(1, count / Swift.max(grain, 1)))
        if chunks <= 1 { body(0..<count); return }
        let per = (count + chunks - 1) / chunks
        pool.run(chunks) { c in
            let lo = c * per, hi = Swift.min(count, lo + per)
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Calls `body(i)` for every i in 0..<count, items spread over the cores in contiguous chunks.
    @inlinable
    public static func forEach(_ count: Int, grain: Int = 1, _ body: (Int) -> Void) {
        forChunks(count, grain: grain) { r in for i in r { body(i) } }
    }
}
