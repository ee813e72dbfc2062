// WorkerPool — the threads behind Parallel: `threads − 1` persistent workers plus the calling
// thread, handed a job by bumping a generation counter.
//
// Why not libdispatch: on this kind of machine (a 2-core VM) waking a sleeping dispatch worker costs
// tens of microseconds, and decoding one token runs ~250 parallel regions of 20–150 µs each — a
// 576×576 4-bit GEMV took 92 µs on two threads through concurrentPerform and 57 µs on one. Here an
// idle worker first spins on the counter (a few microseconds of wake-up), then yields its core, and
// after ~200 µs without work sleeps on a condition variable, so it neither burns a core between
// bursts nor starves OpenBLAS's own threads for long.
//
// Contract: `run(chunks, body)` calls body(0..<chunks) exactly once each, chunk 0 on the caller, and
// returns after all finished. Calls are serialized; a call made while the pool is busy (nested
// inside a body, or from another thread) runs every chunk inline on its own thread.
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

@usableFromInline final class WorkerPool: @unchecked Sendable {
    private let workers: Int
    private let generation = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    private var chunkCount = 0
    private var job: ((Int) -> Void)? = nil
    private let mutex = NSCondition()

    init(threads: Int) {
        workers = max(0, threads - 1)
        for w in 0..<workers {
            let t = Thread { [unowned self] in self.workerLoop(index: w + 1) }
            t.name = "frugal-worker-\(w + 1)"
            t.start()
        }
    }

    @usableFromInline func run(_ chunks: Int, _ body: (Int) -> Void) {
        if chunks <= 1 || workers == 0 || !busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            for c in 0..<chunks { body(c) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            job = escapable
            chunkCount = chunks
            pending.store(workers, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                mutex.lock(); mutex.broadcast(); mutex.unlock()
            }
            // The caller takes chunk 0 and every chunk beyond the workers' share.
            var c = 0
            while c < chunks { body(c); c += workers + 1 }
            var spins = 0
            while pending.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > 1 << 16 { sched_yield() }
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    private func workerLoop(index: Int) {
        var seen = 0
        while true {
            // Wait for a new generation: spin, then yield, then sleep.
            var spins = 0
            var current = generation.load(ordering: .acquiring)
            let start = DispatchTime.now().uptimeNanoseconds
            while current == seen {
                spins += 1
                if spins > 2000 {
                    if DispatchTime.now().uptimeNanoseconds - start > 200_000 {
                        mutex.lock()
                        _ = sleepers.add(1, ordering: .sequentiallyConsistent)
                        while generation.load(ordering: .sequentiallyConsistent) == seen { mutex.wait() }
                        _ = sleepers.subtract(1, ordering: .sequentiallyConsistent)
                        mutex.unlock()
                    } else {
                        sched_yield()
                    }
                }
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            if let job {
                var c = index
                while c < chunkCount { job(c); c += workers + 1 }
            }
            pending.subtract(1, ordering: .releasing)
        }
    }
}
