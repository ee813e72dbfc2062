// The runtime under the tensors: BufferPool reuses freed buffers by size and still hands out zeroed
// storage when asked; WorkerPool (through Parallel) runs every chunk exactly once, nested regions
// inline; sgemm split over the workers equals the naive product on shapes that split by rows, by K and
// by columns.
import XCTest
@testable import FrugalCore

final class RuntimeTests: XCTestCase {
    func testBufferPoolReusesBuffersAndZeroesReusedOnes() {
        // 1.33 MB: a pooled size no op of the other tests asks for (the pool is shared by the whole
        // process, so a common size could be taken by another thread between the two requests).
        let count = 333_331
        var first: UnsafeMutableRawPointer? = nil
        do {
            let s = Storage(count: count)
            first = s.bytes
            s.floats.update(repeating: 7, count: count)
        }
        let hits = BufferPool.hits
        let again = Storage(count: count)          // zeroed by default
        XCTAssertEqual(again.bytes, first, "the freed buffer of the same size is reused")
        XCTAssertEqual(BufferPool.hits, hits + 1)
        XCTAssertTrue(UnsafeBufferPointer(start: again.floats, count: count).allSatisfy { $0 == 0 })
        // A slightly smaller request (within 1/8) reuses it too; an uninitialized one skips the zeroing.
        _ = consume again
        let hitsBefore = BufferPool.hits
        let smaller = Storage(count: count - 22_000, zeroed: false)
        XCTAssertEqual(BufferPool.hits, hitsBefore + 1, "a cached buffer within 1/8 serves it")
        XCTAssertEqual(smaller.count, count - 22_000)
    }

    func testParallelRunsEveryChunkOnceAndNestedRegionsInline() {
        var hits = [Int](repeating: 0, count: 10_000)
        hits.withUnsafeMutableBufferPointer { h in
            let p = h.baseAddress!
            Parallel.forChunks(100, grain: 1) { outer in
                for i in outer {
                    Parallel.forChunks(100, grain: 1) { inner in   // nested: runs on this thread
                        for j in inner { p[i * 100 + j] += 1 }
                    }
                }
            }
        }
        XCTAssertTrue(hits.allSatisfy { $0 == 1 })
    }

    func testSgemmSplitOverWorkersMatchesNaive() {
        let rng = RandomGenerator(seed: 12)
        // 600×500×40 splits by rows; 8×700×300 (few rows) by columns; 30×20×4000 (long K) by K
        // into partial products that are added; both transposes, β ≠ 0.
        // Each backend this build has (oneDNN and OpenBLAS on Linux).
        forEachGemmBackend { backend in
            for (m, n, k) in [(600, 500, 40), (8, 700, 300), (30, 20, 4000)] {
                for (ta, tb) in [(false, true), (true, false), (true, true), (false, false)] {
                    let a = (0..<(m * k)).map { _ in rng.normal() }, b = (0..<(k * n)).map { _ in rng.normal() }
                    var c1 = [Float](repeating: 0.25, count: m * n), c2 = c1
                    Gemm.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a, lda: ta ? m : k, b: b, ldb: tb ? k : n,
                               beta: 0.5, c: &c1, ldc: n)
                    Gemm.naive(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a, lda: ta ? m : k, b: b, ldb: tb ? k : n,
                               beta: 0.5, c: &c2, ldc: n)
                    let tol = 1e-5 * Double(k).squareRoot()
                    for i in 0..<(m * n) {
                        XCTAssertEqual(Double(c1[i]), Double(c2[i]), accuracy: tol * (1 + abs(Double(c2[i]))) + 1e-3,
                                       "\(backend) \(m)×\(n)×\(k) \(ta) \(tb) [\(i)]")
                    }
                }
            }
        }
    }

    func testOneDNNStartsNoThreadsOfItsOwn() throws {
        // oneDNN's OpenMP runtime is held to one thread on each calling thread: products split over
        // Frugal's workers leave the process with the threads it had (Linux: /proc/self/task).
        #if os(Linux) && arch(x86_64)
        XCTAssertTrue(GemmBackend.oneDNN.isAvailable, "x86-64 Linux builds link oneDNN (scripts/setup installs libdnnl-dev)")
        let env = ProcessInfo.processInfo.environment
        if env["FRUGAL_GEMM"] == nil && env["FRUGAL_GEMM_SPLIT"] == nil {
            XCTAssertEqual(Gemm.backend, CPUFeatures.hasAVX512 ? .oneDNN : .openBLAS,
                           "oneDNN is the default backend where it is linked and the CPU has AVX-512 (where it was measured)")
        }
        let saved = Gemm.backend
        defer { Gemm.backend = saved }
        func threads() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? -1 }
        let rng = RandomGenerator(seed: 13)
        let (m, n, k) = (512, 576, 576)
        let a = (0..<(m * k)).map { _ in rng.normal() }, b = (0..<(k * n)).map { _ in rng.normal() }
        var c = [Float](repeating: 0, count: m * n)
        Gemm.backend = .openBLAS
        Gemm.sgemm(transA: false, transB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &c, ldc: n)
        let before = threads()
        Gemm.backend = .oneDNN
        for _ in 0..<4 { Gemm.sgemm(transA: false, transB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &c, ldc: n) }
        XCTAssertEqual(threads(), before)
        #else
        throw XCTSkip("oneDNN is set up on x86-64 Linux only")
        #endif
    }
}
