// ServeTestSupport — starts `frugal serve`'s server in-process on an ephemeral loopback port with
// the tiny synthetic Qwen2 fixture (2 layers, 128-token vocabulary and context) and two LoRA
// adapters made here (LoRAAdapter.attach, random B, save), and talks to it over real HTTP with
// AsyncHTTPClient.
import AsyncHTTPClient
import Foundation
import FrugalCore
import FrugalModels
import FrugalText
import FrugalTrain
import Hummingbird
import XCTest
@testable import FrugalServe

enum ServeFixture {
    static let modelPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FrugalModelsTests/Fixtures/families/qwen2/model.gguf").path
    /// A short chat template (the fixture GGUF has none, and its context is only 128 tokens).
    static let template = "{% for m in messages %}{{ m['role'][0] }}:{{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}a:{% endif %}"
    static let baseID = "tiny-qwen2"

    /// The fixture's own vocabulary (t0…t127) encodes no ordinary text, so the tests use a
    /// byte-level tokenizer: printable ASCII is ids 32…126, inside the model's 128-token vocabulary.
    /// It has no EOS, so every generation runs to max_tokens or a stop string.
    static func tokenizer() throws -> ModelTokenizer {
        ModelTokenizer(tokenizer: byteTokenizer, chatTemplateSource: template)
    }

    static let byteTokenizer: BPETokenizer = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-serve-bytes-\(getpid()).json")
        try! BPETokenizer.byteVocabularyJSON().write(to: url)
        return try! BPETokenizer(tokenizerJSON: url, bosToken: nil, eosToken: nil, padToken: nil)
    }()

    /// Adapter folders "alpha" and "beta" (LoRA r 4 on q/k/v/o, B drawn at random so they change
    /// the output), written once per test process.
    static let adapterDirs: [(name: String, directory: String)] = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-serve-tests-\(getpid())")
        var out: [(name: String, directory: String)] = []
        for (i, name) in ["alpha", "beta"].enumerated() {
            let model = try! DecoderModel.load(modelPath)
            let config = LoRAConfig(rank: 4, alpha: 8, targets: ["q_proj", "k_proj", "v_proj", "o_proj"])
            let adapter = try! LoRAAdapter.attach(to: model, config: config, seed: UInt64(10 + i))
            let rng = RandomGenerator(seed: UInt64(100 + i))
            for (n, t) in adapter.namedTensors where n.hasSuffix("lora_B.weight") {
                let r = Tensor.randn(t.shape, std: 0.5, rng: rng)
                for j in 0..<t.count { t.data[j] = r.data[j] }
            }
            let dir = root.appendingPathComponent(name).path
            try! adapter.save(to: dir, baseModel: nil)
            out.append((name: name, directory: dir))
        }
        return out
    }()
}

/// A server running in a task, and an HTTP client for it.
final class RunningServer: @unchecked Sendable {
    let server: OpenAIServer
    let base: String
    let client: HTTPClient
    private let task: Task<Void, any Error>

    static func start(adapters: Bool = true, apiKey: String? = nil, queueCapacity: Int = 16) async throws -> RunningServer {
        let model = try DecoderModel.load(ServeFixture.modelPath)
        let served = try ServedModel(model: model, tokenizer: try ServeFixture.tokenizer(), baseID: ServeFixture.baseID,
                                     adapters: adapters ? ServeFixture.adapterDirs : [])
        let server = OpenAIServer(model: served, configuration: ServeConfiguration(
            host: "127.0.0.1", port: 0, apiKey: apiKey, queueCapacity: queueCapacity))
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run(handleSignals: false) { portSink.yield($0) } }
        var it = ports.makeAsyncIterator()
        guard let port = await it.next() else { throw XCTSkip("server did not start") }
        return RunningServer(server: server, base: "http://127.0.0.1:\(port)", task: task)
    }

    private init(server: OpenAIServer, base: String, task: Task<Void, any Error>) {
        self.server = server; self.base = base; self.task = task
        client = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    /// Graceful shutdown (as on SIGTERM), then the client.
    func stop() async {
        await server.shutdown()
        _ = try? await task.value
        try? await client.shutdown()
    }

    /// Waits for `run` to return; throws what it threw.
    func finished() async throws { try await task.value }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
        var data: Data { Data(body.utf8) }
        func decode<T: Decodable>(_ t: T.Type) throws -> T { try JSONDecoder().decode(T.self, from: data) }
        var error: ErrorBody.Detail? { (try? JSONDecoder().decode(ErrorBody.self, from: data))?.error }
    }

    enum Method { case GET, POST }

    func request(_ method: Method, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var req = HTTPClientRequest(url: base + path)
        req.method = method == .GET ? .GET : .POST
        if let body {
            req.headers.add(name: "Content-Type", value: "application/json")
            req.body = .bytes(ByteBuffer(string: body))
        }
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        let resp = try await client.execute(req, timeout: .seconds(120))
        let buf = try await resp.body.collect(upTo: 16 << 20)
        var h: [String: String] = [:]
        for f in resp.headers { h[f.name.lowercased()] = f.value }
        return Reply(status: Int(resp.status.code), headers: h, body: String(decoding: buf.readableBytesView, as: UTF8.self))
    }

    func post(_ path: String, _ json: [String: Any], headers: [String: String] = [:]) async throws -> Reply {
        let data = try JSONSerialization.data(withJSONObject: json)
        return try await request(.POST, path, body: String(decoding: data, as: UTF8.self), headers: headers)
    }

    /// The `data:` payloads of a server-sent-event body, in order ("[DONE]" included).
    static func events(_ body: String) -> [String] {
        body.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
    }
}
