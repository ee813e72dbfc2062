// ServeTests — `frugal serve`'s OpenAI API over real HTTP (AsyncHTTPClient against the server on
// an ephemeral loopback port): chat and completions, streamed and not; the model list with two
// adapters and their effect; OpenAI-shaped errors (400/401/404/413); concurrent requests equal to
// sequential ones; 429 with Retry-After when the queue is full; a client that disconnects
// mid-stream stops its generation; and the server still answers after all of it.
import AsyncHTTPClient
import Foundation
import FrugalModels
import FrugalTrain
import Hummingbird
import XCTest
@testable import FrugalServe

final class ServeTests: XCTestCase {
    func chat(_ content: String, model: String? = nil, extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = ["messages": [["role": "user", "content": content]], "max_tokens": 12,
                                   "temperature": 0.8, "seed": 7]
        if let model { body["model"] = model }
        for (k, v) in extra { body[k] = v }
        return body
    }

    func testChatCompletionStreamingAndNot() async throws {
        let s = try await RunningServer.start()
        do {
            let r = try await s.post("/v1/chat/completions", chat("hello there"))
            XCTAssertEqual(r.status, 200, r.body)
            XCTAssertEqual(r.headers["content-type"], "application/json")
            let c = try r.decode(ChatCompletionResponse.self)
            XCTAssertEqual(c.object, "chat.completion")
            XCTAssertEqual(c.model, ServeFixture.baseID)
            XCTAssertEqual(c.choices.count, 1)
            XCTAssertEqual(c.choices[0].message.role, "assistant")
            XCTAssertTrue(["stop", "length"].contains(c.choices[0].finishReason))
            // Usage: the prompt is the template's rendering, tokenized without added specials.
            let tok = try ServeFixture.tokenizer()
            let rendered = try tok.chatTemplate!.render([.init(role: "user", content: "hello there")], addGenerationPrompt: true)
            XCTAssertEqual(c.usage.promptTokens, tok.tokenizer.encode(rendered, addSpecialTokens: false).count)
            XCTAssertGreaterThan(c.usage.completionTokens, 0)
            XCTAssertLessThanOrEqual(c.usage.completionTokens, 12)
            XCTAssertEqual(c.usage.totalTokens, c.usage.promptTokens + c.usage.completionTokens)
            XCTAssertTrue(r.body.contains("\"logprobs\":null"), r.body)

            // Streaming with the same seed: the same text, in chunks, role first, [DONE] last.
            let st = try await s.post("/v1/chat/completions", chat("hello there", extra: ["stream": true,
                                                                                         "stream_options": ["include_usage": true]]))
            XCTAssertEqual(st.status, 200)
            XCTAssertEqual(st.headers["content-type"], "text/event-stream")
            let events = RunningServer.events(st.body)
            XCTAssertEqual(events.last, "[DONE]")
            let chunks = try events.dropLast().map { try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
            XCTAssertEqual(chunks.first?.choices.first?.delta.role, "assistant")
            XCTAssertTrue(chunks.allSatisfy { $0.object == "chat.completion.chunk" && $0.id == chunks[0].id })
            let text = chunks.compactMap { $0.choices.first?.delta.content }.joined()
            XCTAssertEqual(text, c.choices[0].message.content)
            XCTAssertEqual(chunks.compactMap { $0.choices.first?.finishReason }, [c.choices[0].finishReason])
            XCTAssertEqual(chunks.last?.usage, c.usage)
            XCTAssertTrue(st.body.contains("\"finish_reason\":null"), "unfinished chunks carry finish_reason null")

            // Greedy is repeatable without a seed; a stop string cuts the reply before it.
            let g1 = try await s.post("/v1/chat/completions", chat("abc", extra: ["temperature": 0, "seed": NSNull()]))
            let g2 = try await s.post("/v1/chat/completions", chat("abc", extra: ["temperature": 0]))
            let greedy = try g1.decode(ChatCompletionResponse.self).choices[0].message.content
            XCTAssertEqual(greedy, try g2.decode(ChatCompletionResponse.self).choices[0].message.content)
            if greedy.count >= 4 {
                let stop = String(greedy.dropFirst(2).prefix(2))
                let cut = try await s.post("/v1/chat/completions", chat("abc", extra: ["temperature": 0, "stop": [stop]]))
                let cc = try cut.decode(ChatCompletionResponse.self).choices[0]
                XCTAssertEqual(cc.message.content, String(greedy[..<greedy.range(of: stop)!.lowerBound]))
                XCTAssertEqual(cc.finishReason, "stop")
            }
        } catch { await s.stop(); throw error }
        await s.stop()
    }

    func testCompletionsAndModelsWithTwoAdapters() async throws {
        let s = try await RunningServer.start()
        do {
            let models = try await s.request(.GET, "/v1/models")
            XCTAssertEqual(models.status, 200)
            let list = try models.decode(ModelList.self)
            XCTAssertEqual(list.object, "list")
            XCTAssertEqual(list.data.map(\.id), [ServeFixture.baseID, "alpha", "beta"])
            do { let r = try await s.request(.GET, "/v1/models/beta"); XCTAssertEqual(r.status, 200, r.body) }
            do { let r = try await s.request(.GET, "/v1/models/gamma"); XCTAssertEqual(r.status, 404, r.body) }

            // Each model's greedy completion equals generating in-process with that adapter applied.
            let tok = try ServeFixture.tokenizer()
            let prompt = "The quick brown fox"
            var texts: [String: String] = [:]
            for name in [ServeFixture.baseID, "alpha", "beta"] {
                let r = try await s.post("/v1/completions", ["model": name, "prompt": prompt, "max_tokens": 10, "temperature": 0])
                XCTAssertEqual(r.status, 200, r.body)
                let c = try r.decode(CompletionResponse.self)
                XCTAssertEqual(c.object, "text_completion")
                XCTAssertEqual(c.model, name)
                texts[name] = c.choices[0].text

                let model = try DecoderModel.load(ServeFixture.modelPath)
                if let dir = ServeFixture.adapterDirs.first(where: { $0.name == name })?.directory {
                    _ = try LoRAAdapter.load(from: dir, into: model)
                }
                let ids = tok.tokenizer.encode(prompt).map(Int32.init)
                let g = model.generate(prompt: ids, maxTokens: 10, eos: tok.stopIDs)
                XCTAssertEqual(c.choices[0].text, tok.tokenizer.decode(g.tokens.map(Int.init), skipSpecialTokens: true), name)
                XCTAssertEqual(c.usage?.promptTokens, ids.count)
                XCTAssertEqual(c.usage?.completionTokens, g.tokens.count)
            }
            XCTAssertNotEqual(texts["alpha"], texts[ServeFixture.baseID], "the adapter changes the output")
            XCTAssertNotEqual(texts["alpha"], texts["beta"])

            // Streamed completion (token-id prompt, echo) equals the non-streamed one.
            let ids = tok.tokenizer.encode(prompt)
            let whole = try await s.post("/v1/completions", ["model": "beta", "prompt": ids, "max_tokens": 8, "seed": 3])
            let st = try await s.post("/v1/completions", ["model": "beta", "prompt": ids, "max_tokens": 8, "seed": 3, "stream": true])
            let events = RunningServer.events(st.body)
            XCTAssertEqual(events.last, "[DONE]")
            let streamed = try events.dropLast().map { try JSONDecoder().decode(CompletionResponse.self, from: Data($0.utf8)) }
                .compactMap { $0.choices.first?.text }.joined()
            XCTAssertEqual(streamed, try whole.decode(CompletionResponse.self).choices[0].text)
            let plain = try await s.post("/v1/completions", ["prompt": prompt, "max_tokens": 4, "temperature": 0])
            let echo = try await s.post("/v1/completions", ["prompt": prompt, "max_tokens": 4, "temperature": 0, "echo": true])
            XCTAssertEqual(try echo.decode(CompletionResponse.self).choices[0].text,
                           prompt + (try plain.decode(CompletionResponse.self).choices[0].text))
        } catch { await s.stop(); throw error }
        await s.stop()
    }

    func testErrorsAreOpenAIShapedAndTheServerStaysUp() async throws {
        let s = try await RunningServer.start()
        do {
            func expect(_ r: RunningServer.Reply, _ status: Int, param: String? = nil, code: String? = nil,
                        file: StaticString = #filePath, line: UInt = #line) {
                XCTAssertEqual(r.status, status, r.body, file: file, line: line)
                guard let e = r.error else { return XCTFail("not an OpenAI error: \(r.body)", file: file, line: line) }
                XCTAssertFalse(e.message.isEmpty, file: file, line: line)
                XCTAssertFalse(e.type.isEmpty, file: file, line: line)
                if let param { XCTAssertEqual(e.param, param, file: file, line: line) }
                if let code { XCTAssertEqual(e.code, code, file: file, line: line) }
                XCTAssertTrue(r.body.contains("\"param\":") && r.body.contains("\"code\":"), r.body, file: file, line: line)
            }
            let chatPath = "/v1/chat/completions"
            // 400: malformed JSON and bad parameters.
            for bad in ["{\"messages\": [", "not json", "", "[]", "null", "42", "{\"messages\": \"hi\"}",
                        "{\"messages\": [{\"content\": \"x\"}]}", "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}",
                        "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}",
                        "{\"messages\": [], \"max_tokens\": 3}", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"seed\": 1e400}",
                        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 99999999999999999999}",
                        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": 3}",
                        "\u{FEFF}{\"messages\": [{\"role\": \"user\", \"content\": \"\\ud800\"}]}"] {
                let r = try await s.request(.POST, chatPath, body: bad)
                expect(r, 400)
            }
            let user = [["role": "user", "content": "x"]]
            expect(try await s.post(chatPath, ["messages": user, "temperature": 5]), 400, param: "temperature")
            expect(try await s.post(chatPath, ["messages": user, "temperature": -0.1]), 400, param: "temperature")
            expect(try await s.post(chatPath, ["messages": user, "top_p": 1.5]), 400, param: "top_p")
            expect(try await s.post(chatPath, ["messages": user, "max_tokens": 0]), 400, param: "max_tokens")
            expect(try await s.post(chatPath, ["messages": user, "n": 2]), 400, param: "n")
            expect(try await s.post(chatPath, ["messages": user, "top_k": -1]), 400, param: "top_k")
            expect(try await s.post(chatPath, ["messages": user, "logprobs": true]), 400, param: "logprobs")
            expect(try await s.post(chatPath, ["messages": "x"]), 400, param: "messages")
            expect(try await s.post("/v1/completions", ["prompt": [1, 2, 999]]), 400, param: "prompt")
            expect(try await s.post("/v1/completions", ["prompt": ""]), 400)
            expect(try await s.post("/v1/completions", ["prompt": ["a", "b"]]), 400)
            // 404: unknown model, unknown route.
            expect(try await s.post(chatPath, ["messages": user, "model": "gpt-4"]), 404, param: "model", code: "model_not_found")
            expect(try await s.request(.GET, "/v1/nothing"), 404)
            // 413: a prompt longer than the 128-token context; a body over the size limit.
            let long = String(repeating: "lorem ipsum ", count: 200)
            expect(try await s.post(chatPath, ["messages": [["role": "user", "content": long]]]), 413, param: "messages",
                   code: "context_length_exceeded")
            expect(try await s.post("/v1/completions", ["prompt": long]), 413, param: "prompt")
            let huge = "{\"prompt\": \"" + String(repeating: "a", count: 5 << 20) + "\"}"
            do { let r = try await s.request(.POST, "/v1/completions", body: huge); XCTAssertEqual(r.status, 413, r.body) }
            // A max_tokens beyond the context is cut to what is left (finish_reason length at the end).
            let r = try await s.post("/v1/completions", ["prompt": "hi", "max_tokens": 100_000, "temperature": 0])
            XCTAssertEqual(r.status, 200, r.body)

            // Still up, still right.
            let h = try await s.request(.GET, "/health")
            XCTAssertEqual(h.status, 200)
            XCTAssertTrue(h.body.contains("\"status\":\"ok\""), h.body)
            do { let r = try await s.post(chatPath, chat("still there?")); XCTAssertEqual(r.status, 200, r.body) }
        } catch { await s.stop(); throw error }
        await s.stop()
    }

    func testAPIKeyIsRequiredWhenSet() async throws {
        let s = try await RunningServer.start(adapters: false, apiKey: "sekrit")
        do {
            let body = chat("hi")
            let none = try await s.post("/v1/chat/completions", body)
            XCTAssertEqual(none.status, 401)
            XCTAssertEqual(none.error?.code, "invalid_api_key")
            XCTAssertEqual(none.headers["www-authenticate"], "Bearer")
            do { let r = try await s.post("/v1/chat/completions", body, headers: ["Authorization": "Bearer wrong"]); XCTAssertEqual(r.status, 401, r.body) }
            do { let r = try await s.request(.GET, "/v1/models"); XCTAssertEqual(r.status, 401, r.body) }
            do { let r = try await s.post("/v1/chat/completions", body, headers: ["Authorization": "Bearer sekrit"]); XCTAssertEqual(r.status, 200, r.body) }
            do { let r = try await s.request(.GET, "/v1/models", headers: ["Authorization": "Bearer sekrit"]); XCTAssertEqual(r.status, 200, r.body) }
            do { let r = try await s.request(.GET, "/health"); XCTAssertEqual(r.status, 200, r.body) }
        } catch { await s.stop(); throw error }
        await s.stop()
    }

    func testConcurrentRequestsEqualSequentialOnes() async throws {
        let s = try await RunningServer.start()
        do {
            let models = [ServeFixture.baseID, "alpha", "beta", "alpha", ServeFixture.baseID, "beta"]
            let bodies = models.enumerated().map { i, m in
                chat("question \(i)", model: m, extra: ["seed": 40 + i, "temperature": 0.9, "max_tokens": 10])
            }
            var sequential: [String] = []
            for b in bodies { sequential.append(try await s.post("/v1/chat/completions", b).body) }
            let concurrent = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for (i, b) in bodies.enumerated() {
                    group.addTask {
                        var b = b
                        if i % 2 == 1 { b["stream"] = true }
                        return (i, try await s.post("/v1/chat/completions", b).body)
                    }
                }
                var out = [String](repeating: "", count: bodies.count)
                for try await (i, body) in group { out[i] = body }
                return out
            }
            func text(_ body: String) throws -> String {
                if body.hasPrefix("data: ") {
                    return try RunningServer.events(body).dropLast()
                        .map { try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
                        .compactMap { $0.choices.first?.delta.content }.joined()
                }
                return try JSONDecoder().decode(ChatCompletionResponse.self, from: Data(body.utf8)).choices[0].message.content
            }
            for i in bodies.indices { XCTAssertEqual(try text(concurrent[i]), try text(sequential[i]), "request \(i) (\(models[i]))") }
            // The worker counts a job just after its last event: give it a moment.
            for _ in 0..<100 where s.server.queue.stats.completed < 2 * bodies.count { try await Task.sleep(for: .milliseconds(10)) }
            XCTAssertEqual(s.server.queue.stats.completed, 2 * bodies.count)
        } catch { await s.stop(); throw error }
        await s.stop()
    }

    func testFullQueueAnswers429WithRetryAfter() async throws {
        let s = try await RunningServer.start(adapters: false, queueCapacity: 2)
        do {
            s.server.queue.pause()
            let waiting = (0..<2).map { i in Task { try await s.post("/v1/chat/completions", self.chat("wait \(i)")) } }
            for _ in 0..<200 where s.server.queue.stats.waiting < 2 { try await Task.sleep(for: .milliseconds(20)) }
            XCTAssertEqual(s.server.queue.stats.waiting, 2)
            let busy = try await s.post("/v1/chat/completions", chat("one too many"))
            XCTAssertEqual(busy.status, 429, busy.body)
            XCTAssertNotNil(busy.headers["retry-after"].flatMap(Int.init))
            XCTAssertEqual(busy.error?.code, "rate_limit_exceeded")
            s.server.queue.resume()
            for t in waiting { do { let r = try await t.value; XCTAssertEqual(r.status, 200, r.body) } }
            do { let r = try await s.post("/v1/chat/completions", chat("room again")); XCTAssertEqual(r.status, 200, r.body) }
            XCTAssertEqual(s.server.queue.stats.rejected, 1)
        } catch { s.server.queue.resume(); await s.stop(); throw error }
        await s.stop()
    }

    func testDisconnectMidStreamStopsTheGeneration() async throws {
        let s = try await RunningServer.start(adapters: false)
        do {
            s.server.queue.setTokenDelay(0.05)   // 60 tokens would take 3 s
            let (first, firstSink) = AsyncStream.makeStream(of: Void.self)
            let client = Task {
                var req = HTTPClientRequest(url: s.base + "/v1/completions")
                req.method = .POST
                req.body = .bytes(ByteBuffer(string: #"{"prompt": "go", "max_tokens": 60, "temperature": 0, "stream": true}"#))
                let resp = try await s.client.execute(req, timeout: .seconds(60))
                for try await _ in resp.body { firstSink.yield() }
            }
            var it = first.makeAsyncIterator()
            _ = await it.next()
            client.cancel()
            _ = try? await client.value
            var stats = s.server.queue.stats
            for _ in 0..<200 where stats.cancelled == 0 {
                try await Task.sleep(for: .milliseconds(20))
                stats = s.server.queue.stats
            }
            XCTAssertEqual(stats.cancelled, 1, "\(stats)")
            XCTAssertLessThan(stats.generatedTokens, 60)
            XCTAssertFalse(stats.running)
            s.server.queue.setTokenDelay(0)
            do { let r = try await s.post("/v1/completions", ["prompt": "next", "max_tokens": 4]); XCTAssertEqual(r.status, 200, r.body) }
        } catch { await s.stop(); throw error }
        await s.stop()
    }

    func testGracefulShutdownEndsStreamsAndStopsTheServer() async throws {
        let s = try await RunningServer.start(adapters: false)
        s.server.queue.setTokenDelay(0.05)   // 100 tokens would take 5 s
        let (first, firstSink) = AsyncStream.makeStream(of: Void.self)
        let reader = Task { () -> String in
            var req = HTTPClientRequest(url: s.base + "/v1/completions")
            req.method = .POST
            req.body = .bytes(ByteBuffer(string: #"{"prompt": "go", "max_tokens": 100, "temperature": 0, "stream": true}"#))
            let resp = try await s.client.execute(req, timeout: .seconds(60))
            var body = ""
            for try await part in resp.body {
                body += String(decoding: part.readableBytesView, as: UTF8.self)
                firstSink.yield()
            }
            return body
        }
        var it = first.makeAsyncIterator()
        _ = await it.next()
        let started = ContinuousClock.now
        await s.server.shutdown()
        try await s.finished()
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4), "shutdown waited for the whole generation")
        let body = try await reader.value
        XCTAssertTrue(body.hasSuffix("data: [DONE]\n\n"), "the stream ends properly: \(body.suffix(200))")
        // The worker counts the job just after its last event.
        for _ in 0..<100 where s.server.queue.stats.cancelled == 0 { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(s.server.queue.stats.cancelled, 1)
        try? await s.client.shutdown()
    }

    func testStopFilterHoldsBackOnlyWhatCouldStartAStop() {
        var f = StopFilter(stops: ["END", "\n\n"])
        XCTAssertEqual(f.push("ab").text, "")     // the last 2 bytes could begin "END"
        XCTAssertEqual(f.push("cE").text, "ab")
        let r = f.push("ND tail")
        XCTAssertEqual(r.text, "c")
        XCTAssertTrue(r.stopped)
        var g = StopFilter(stops: [])
        XCTAssertEqual(g.push("héllo").text, "héllo")
        var h = StopFilter(stops: ["xyz"])
        XCTAssertEqual(h.push("aé").text, "a")
        XCTAssertEqual(h.push("b").text, "")       // the cut would fall inside 'é' (2 bytes)
        XCTAssertEqual(h.finish(), "éb")
    }
}
