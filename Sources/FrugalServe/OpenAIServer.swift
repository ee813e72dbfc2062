// OpenAIServer — `frugal serve`'s HTTP API on Hummingbird 2, in OpenAI's shapes:
//   POST /v1/chat/completions   messages → the model's chat template → reply (stream: SSE chunks,
//                               `data: {…}` each, ending with `data: [DONE]`)
//   POST /v1/completions        prompt text (or token ids) → continuation, streamed or not
//   GET  /v1/models             the base and each adapter; `model` in a request selects one
//   GET  /v1/models/{id}
//   GET  /health                {"status": "ok", …} (no API key needed)
// Generation goes through one GenerationQueue (one request on the model at a time, bounded
// waiting line, 429 when full). Everything that can go wrong in a request becomes an OpenAI-shaped
// error (APIError) through ErrorMiddleware; with an API key, BearerAuthMiddleware guards /v1/.
// A streaming client that disconnects makes the next write fail, which cancels its generation.
// `run` serves until SIGINT/SIGTERM (swift-service-lifecycle): waiting and running generations are
// stopped first, then the HTTP server drains its connections.
import Foundation
import FrugalModels
import FrugalText
import Hummingbird
import ServiceLifecycle

public struct ServeConfiguration: Sendable {
    public var host: String
    /// 0: an ephemeral port (reported to `onRunning`).
    public var port: Int
    /// When set, /v1/ requires `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    /// Most requests waiting for the model (not counting the one generating).
    public var queueCapacity: Int
    /// Largest request body accepted (larger: 413).
    public var maxBodyBytes: Int
    public init(host: String = "127.0.0.1", port: Int = 8080, apiKey: String? = nil, queueCapacity: Int = 16,
                maxBodyBytes: Int = 4 << 20) {
        self.host = host; self.port = port; self.apiKey = apiKey; self.queueCapacity = queueCapacity
        self.maxBodyBytes = maxBodyBytes
    }
}

public final class OpenAIServer: Sendable {
    public let configuration: ServeConfiguration
    public let queue: GenerationQueue
    let planner: RequestPlanner
    private let running = RunningGroup()

    public init(model: ServedModel, configuration: ServeConfiguration) {
        self.configuration = configuration
        queue = GenerationQueue(model: model, capacity: configuration.queueCapacity)
        planner = RequestPlanner(info: model.info, tokenizer: TokenizerBox(model.tokenizer))
    }

    public var info: ServedModelInfo { planner.info }

    /// Serves until SIGINT or SIGTERM (when `handleSignals`) or until the calling task is cancelled.
    /// `onRunning` gets the bound port once the server listens.
    public func run(handleSignals: Bool = true,
                    onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let port = configuration.port
        let app = Application(router: makeRouter(),
                              configuration: .init(address: .hostname(configuration.host, port: port), serverName: "frugal"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) })
        // Services shut down last-first: the queue stops its generations, then the server drains.
        var config = ServiceGroupConfiguration(
            services: [.init(service: app),
                       .init(service: QueueShutdownService(queue: queue), successTerminationBehavior: .ignore)],
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: app.logger)
        config.maximumGracefulShutdownDuration = Duration.seconds(30)
        defer { queue.shutdown() }
        let group = ServiceGroup(configuration: config)
        if running.set(group) { await group.triggerGracefulShutdown() }
        try await group.run()
    }

    /// Shuts a running server down as SIGTERM would: generations stop, connections drain, `run`
    /// returns. Called before `run`, the server stops as soon as it starts.
    public func shutdown() async {
        if let group = running.requestShutdown() { await group.triggerGracefulShutdown() }
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware())
        if let key = configuration.apiKey { router.add(middleware: BearerAuthMiddleware(key: key)) }
        router.get("/health") { [self] _, _ -> Response in
            let s = queue.stats
            return json(HealthBody(status: "ok", model: info.baseID, adapters: info.adapterIDs,
                                   waiting: s.waiting, running: s.running, capacity: queue.capacity))
        }
        router.get("/v1/models") { [self] _, _ -> Response in
            json(ModelList(data: info.modelIDs.map { ModelEntry(id: $0, created: info.created, ownedBy: "frugal") }))
        }
        router.get("/v1/models/{id}") { [self] _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard info.modelIDs.contains(id) else { throw APIError.unknownModel(id, known: info.modelIDs) }
            return json(ModelEntry(id: id, created: info.created, ownedBy: "frugal"))
        }
        router.post("/v1/chat/completions") { [self] request, _ -> Response in
            let body = try JSONWire.decode(ChatCompletionRequest.self, from: try await collect(request))
            return try await chatCompletion(body)
        }
        router.post("/v1/completions") { [self] request, _ -> Response in
            let body = try JSONWire.decode(CompletionRequest.self, from: try await collect(request))
            return try await completion(body)
        }
        return router
    }

    // MARK: handlers

    private func collect(_ request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch {
            // collect fails when the body is over the limit (NIOTooManyBytesError) or the client went away.
            throw APIError(status: .contentTooLarge, message: "The request body is larger than \(configuration.maxBodyBytes) bytes.",
                           code: "request_too_large")
        }
    }

    private func chatCompletion(_ body: ChatCompletionRequest) async throws -> Response {
        let (adapter, modelID) = try planner.model(body.model)
        if body.hasTools { throw APIError.badRequest("Tool calling is not supported by this server: leave 'tools' out.", param: "tools") }
        if body.wantsLogprobs { throw APIError.badRequest("'logprobs' is not supported by this server.", param: "logprobs") }
        let prompt = try planner.chatPrompt(body.messages)
        let gen = try planner.generation(prompt: prompt, body.sampling, adapter: adapter, promptParam: "messages")
        let ticket = try queue.submit(gen)
        let id = "chatcmpl-" + Self.randomID(), created = Int(Date().timeIntervalSince1970)
        if body.sampling.stream == true {
            let includeUsage = body.sampling.streamOptions?.includeUsage == true
            return sse(ticket) { event in
                switch event {
                case .start:
                    return [ChatCompletionChunk(id: id, created: created, model: modelID,
                                                choices: [.init(index: 0, delta: .init(role: "assistant", content: ""), finishReason: nil)])]
                case let .text(t):
                    return [ChatCompletionChunk(id: id, created: created, model: modelID,
                                                choices: [.init(index: 0, delta: .init(content: t), finishReason: nil)])]
                case let .done(s):
                    var chunks = [ChatCompletionChunk(id: id, created: created, model: modelID,
                                                      choices: [.init(index: 0, delta: .init(), finishReason: s.finishReason.wire)])]
                    if includeUsage {
                        chunks.append(ChatCompletionChunk(id: id, created: created, model: modelID, choices: [],
                                                          usage: Usage(promptTokens: s.promptTokens, completionTokens: s.completionTokens)))
                    }
                    return chunks
                }
            }
        }
        return try await awaitReply(ticket) { s in
            ChatCompletionResponse(id: id, created: created, model: modelID,
                                   choices: [ChatChoice(index: 0, message: .init(role: "assistant", content: s.text),
                                                        finishReason: s.finishReason.wire)],
                                   usage: Usage(promptTokens: s.promptTokens, completionTokens: s.completionTokens))
        }
    }

    private func completion(_ body: CompletionRequest) async throws -> Response {
        let (adapter, modelID) = try planner.model(body.model)
        if body.wantsLogprobs { throw APIError.badRequest("'logprobs' is not supported by this server.", param: "logprobs") }
        let prompt = try planner.completionPrompt(body.prompt)
        let gen = try planner.generation(prompt: prompt, body.sampling, adapter: adapter, promptParam: "prompt")
        let echo: String
        if body.echo, case let .text(t) = body.prompt { echo = t } else { echo = "" }
        let ticket = try queue.submit(gen)
        let id = "cmpl-" + Self.randomID(), created = Int(Date().timeIntervalSince1970)
        if body.sampling.stream == true {
            let includeUsage = body.sampling.streamOptions?.includeUsage == true
            return sse(ticket) { event in
                switch event {
                case .start:
                    return echo.isEmpty ? [] : [CompletionResponse(id: id, created: created, model: modelID,
                                                                   choices: [.init(index: 0, text: echo, finishReason: nil)])]
                case let .text(t):
                    return [CompletionResponse(id: id, created: created, model: modelID, choices: [.init(index: 0, text: t, finishReason: nil)])]
                case let .done(s):
                    var chunks = [CompletionResponse(id: id, created: created, model: modelID,
                                                     choices: [.init(index: 0, text: "", finishReason: s.finishReason.wire)])]
                    if includeUsage {
                        chunks.append(CompletionResponse(id: id, created: created, model: modelID, choices: [],
                                                         usage: Usage(promptTokens: s.promptTokens, completionTokens: s.completionTokens)))
                    }
                    return chunks
                }
            }
        }
        return try await awaitReply(ticket) { s in
            CompletionResponse(id: id, created: created, model: modelID,
                               choices: [.init(index: 0, text: echo + s.text, finishReason: s.finishReason.wire)],
                               usage: Usage(promptTokens: s.promptTokens, completionTokens: s.completionTokens))
        }
    }

    // MARK: responses

    enum StreamEvent: Sendable { case start, text(String), done(GenerationSummary) }

    /// A server-sent-event response: each chunk as `data: <json>\n\n`, then `data: [DONE]`. The
    /// generation is cancelled when the body ends early (a write failed: the client is gone).
    private func sse<Chunk: Encodable>(_ ticket: GenerationTicket,
                                       _ chunks: @escaping @Sendable (StreamEvent) -> [Chunk]) -> Response {
        let body = ResponseBody { writer in
            defer { ticket.cancel() }
            for c in chunks(.start) { try await writer.write(Self.frame(c)) }
            for await event in ticket.events {
                switch event {
                case let .text(t): for c in chunks(.text(t)) { try await writer.write(Self.frame(c)) }
                case let .done(s): for c in chunks(.done(s)) { try await writer.write(Self.frame(c)) }
                case let .failed(m): try await writer.write(Self.frame(APIError.server(m).body))
                }
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// One server-sent event: `data: <json>` and a blank line.
    static func frame(_ chunk: some Encodable) -> ByteBuffer {
        var b = ByteBuffer(string: "data: ")
        b.writeBytes(JSONWire.encode(chunk))
        b.writeString("\n\n")
        return b
    }

    /// The JSON response of a whole reply, once it is there.
    private func awaitReply(_ ticket: GenerationTicket, _ make: (GenerationSummary) -> some Encodable) async throws -> Response {
        defer { ticket.cancel() }
        switch await ticket.collect() {
        case let .success(s): return json(make(s))
        case let .failure(e): throw e
        }
    }

    private func json(_ value: some Encodable) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: JSONWire.encode(value))))
    }

    static func randomID() -> String {
        String((0..<24).map { _ in "0123456789abcdefghijklmnopqrstuvwxyz".randomElement()! })
    }
}

struct HealthBody: Codable {
    var status: String
    var model: String
    var adapters: [String]
    var waiting: Int
    var running: Bool
    var capacity: Int
}

extension FinishReason {
    /// OpenAI's finish_reason ("stop" or "length"; a cancelled reply reached no one).
    var wire: String { self == .length ? "length" : "stop" }
}

/// The service group of a running server, and whether shutdown was asked for before it existed.
private final class RunningGroup: @unchecked Sendable {
    private let lock = NSLock()
    private var group: ServiceGroup?
    private var shutdownRequested = false

    /// Stores the group; true when shutdown was already requested.
    func set(_ g: ServiceGroup) -> Bool { lock.withLock { group = g; return shutdownRequested } }
    func requestShutdown() -> ServiceGroup? { lock.withLock { shutdownRequested = true; return group } }
}

/// Stops the generation queue when graceful shutdown begins (before the server drains).
struct QueueShutdownService: Service {
    let queue: GenerationQueue
    func run() async throws {
        try? await gracefulShutdown()
        queue.shutdown()
    }
}
