// GenerationQueue — the one place that runs the model. Requests become jobs in a bounded FIFO;
// one worker thread takes them one at a time, selects the job's adapter on the shared base
// (ServedModel.select, so an adapter swap never happens during a running generation), generates,
// and streams the text of each token to the job's AsyncStream. A job whose client went away is
// cancelled: the worker checks the flag before every token and stops (a waiting job is skipped).
// When `capacity` jobs are already waiting, `submit` throws 429 with a Retry-After.
//
// Why a thread and not a Task: decoding is seconds of synchronous CPU work; on Swift's cooperative
// pool (one thread per core, two here) it would block the threads that serve HTTP. The worker
// thread runs the kernels, which fan out over FrugalCore's own WorkerPool.
//
// Each job gets its own seeded Sampler and KV cache, so a reply depends only on its request:
// concurrent requests get exactly the answers they would get one after another.
// Leaves out: decoding several requests in one batched step (the KV cache has one length for all
// rows, so rows of different lengths would need padding and masks first).
import Foundation
import FrugalModels

/// One generation, after validation: token ids in, limits and sampling.
public struct GenerationRequest: Sendable {
    public var prompt: [Int32]
    public var maxTokens: Int
    public var sampling: SamplingOptions
    public var stop: [String]
    /// The adapter to put in place; nil: the bare base.
    public var adapter: String?
    public init(prompt: [Int32], maxTokens: Int, sampling: SamplingOptions, stop: [String] = [], adapter: String? = nil) {
        self.prompt = prompt; self.maxTokens = maxTokens; self.sampling = sampling; self.stop = stop; self.adapter = adapter
    }
}

public enum FinishReason: String, Sendable {
    /// An end-of-sequence token or a stop string.
    case stop
    /// max_tokens (or the context) reached.
    case length
    /// The client went away.
    case cancelled
}

public struct GenerationSummary: Sendable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var finishReason: FinishReason
    public var text: String
}

public enum GenerationEvent: Sendable {
    /// The next piece of the reply (never splits a UTF-8 character).
    case text(String)
    case done(GenerationSummary)
    case failed(String)
}

/// A submitted job: its events, and the way to stop it.
public final class GenerationTicket: @unchecked Sendable {
    public let events: AsyncStream<GenerationEvent>
    let continuation: AsyncStream<GenerationEvent>.Continuation
    let request: GenerationRequest
    private let lock = NSLock()
    private var cancelled = false

    init(request: GenerationRequest) {
        self.request = request
        (events, continuation) = AsyncStream.makeStream(of: GenerationEvent.self, bufferingPolicy: .unbounded)
    }

    /// Stops the generation before its next token (or before it starts). Idempotent.
    public func cancel() { lock.withLock { cancelled = true } }
    public var isCancelled: Bool { lock.withLock { cancelled } }

    /// Waits for the whole reply (the non-streaming path).
    public func collect() async -> Result<GenerationSummary, APIError> {
        for await event in events {
            switch event {
            case .text: continue
            case let .done(s): return .success(s)
            case let .failed(m): return .failure(.server(m))
            }
        }
        return .failure(.server("the generation ended without a result"))
    }
}

public struct QueueStats: Sendable, Equatable {
    public var completed = 0
    public var cancelled = 0
    public var failed = 0
    public var rejected = 0
    public var generatedTokens = 0
    public var waiting = 0
    public var running = false
}

public final class GenerationQueue: @unchecked Sendable {
    private let served: ServedModel
    public let info: ServedModelInfo
    /// Most jobs waiting (not counting the one running).
    public let capacity: Int
    private let cond = NSCondition()
    private var waiting: [GenerationTicket] = []
    private var running: GenerationTicket?
    private var paused = false
    private var stopping = false
    private var counters = QueueStats()
    /// Test hook: a pause after each token (to hold a generation open). Set under `cond`.
    private var tokenDelay: TimeInterval = 0
    func setTokenDelay(_ seconds: TimeInterval) { cond.withLock { tokenDelay = seconds } }

    public init(model: ServedModel, capacity: Int) {
        precondition(capacity >= 0, "GenerationQueue: capacity \(capacity) < 0")
        served = model
        info = model.info
        self.capacity = capacity
        let t = Thread { [self] in self.workerLoop() }
        t.name = "frugal-serve-generation"
        t.stackSize = 16 << 20
        t.start()
    }

    public var stats: QueueStats {
        cond.withLock {
            var s = counters
            s.waiting = waiting.count
            s.running = running != nil
            return s
        }
    }

    /// Queues a job; throws 429 when `capacity` jobs are already waiting, 503 after shutdown.
    public func submit(_ request: GenerationRequest) throws(APIError) -> GenerationTicket {
        let ticket = GenerationTicket(request: request)
        ticket.continuation.onTermination = { [weak ticket] _ in ticket?.cancel() }
        cond.lock()
        defer { cond.unlock() }
        if stopping { throw APIError(status: .serviceUnavailable, message: "The server is shutting down.", type: "server_error") }
        if waiting.count >= capacity && (running != nil || paused || !waiting.isEmpty) {
            counters.rejected += 1
            throw APIError.queueFull(waiting: waiting.count)
        }
        waiting.append(ticket)
        cond.signal()
        return ticket
    }

    /// Stops taking jobs: waiting ones are cancelled, the running one finishes its current token.
    public func shutdown() {
        cond.withLock {
            stopping = true
            for t in waiting { t.cancel(); t.continuation.finish() }
            waiting.removeAll()
            running?.cancel()
            cond.broadcast()
        }
    }

    /// Test hooks: hold jobs in the queue, then let them run.
    func pause() { cond.withLock { paused = true } }
    func resume() { cond.withLock { paused = false; cond.broadcast() } }

    private func workerLoop() {
        while true {
            cond.lock()
            while !stopping && (paused || waiting.isEmpty) { cond.wait() }
            if stopping { cond.unlock(); return }
            let ticket = waiting.removeFirst()
            running = ticket
            cond.unlock()
            let outcome = run(ticket)
            cond.withLock {
                running = nil
                switch outcome {
                case let .done(s) where s.finishReason == .cancelled: counters.cancelled += 1; counters.generatedTokens += s.completionTokens
                case let .done(s): counters.completed += 1; counters.generatedTokens += s.completionTokens
                case .failed: counters.failed += 1
                case .text: break
                }
            }
        }
    }

    /// Runs one job on this (the worker) thread; returns its last event.
    private func run(_ ticket: GenerationTicket) -> GenerationEvent {
        let r = ticket.request
        let out = ticket.continuation
        defer { out.finish() }
        if ticket.isCancelled {
            return .done(GenerationSummary(promptTokens: r.prompt.count, completionTokens: 0, finishReason: .cancelled, text: ""))
        }
        do {
            try served.select(adapter: r.adapter)
        } catch {
            let e = GenerationEvent.failed("could not put adapter '\(r.adapter ?? "")' in place: \(error)")
            out.yield(e)
            return e
        }
        var decoder = served.tokenizer.tokenizer.makeStreamingDecoder(skipSpecialTokens: true)
        var filter = StopFilter(stops: r.stop)
        var text = ""
        var cancelled = false
        let delay = cond.withLock { tokenDelay }
        let result = served.model.generate(prompt: r.prompt, maxTokens: r.maxTokens, sampling: r.sampling,
                                           eos: served.tokenizer.stopIDs) { id in
            if ticket.isCancelled { cancelled = true; return false }
            let (piece, stopped) = filter.push(decoder.append(Int(id)))
            if !piece.isEmpty { text += piece; out.yield(.text(piece)) }
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            return !stopped
        }
        if !filter.stopped && !cancelled {
            let (piece, _) = filter.push(decoder.finish())
            let rest = piece + filter.finish()
            if !rest.isEmpty { text += rest; out.yield(.text(rest)) }
        }
        let reason: FinishReason = cancelled ? .cancelled : (result.stoppedAtEOS || filter.stopped) ? .stop : .length
        let summary = GenerationSummary(promptTokens: r.prompt.count, completionTokens: result.tokens.count,
                                        finishReason: reason, text: text)
        out.yield(.done(summary))
        return .done(summary)
    }
}
