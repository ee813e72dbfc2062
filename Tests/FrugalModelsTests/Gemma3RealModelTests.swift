// The real Gemma 3 270M (pretrained, Q4_K_M GGUF: Q8_0 embeddings, Q5_0 / Q4_K / Q6_K / Q8_0 block
// linears; scripts/fetch-gemma3, run by scripts/setup, puts it in the model cache as
// `gemma3-270m`) against transformers loading the same file (reference/gemma3_fixtures.py ->
// Fixtures/gemma3_270m.json): token ids of hard texts through the GGUF's tokenizer, the last
// position's logits of three prompts, greedy continuations through the KV cache, the perplexity of
// a ~190-token paragraph; then a short QLoRA run on the model that learns to answer a fixed phrase.
// If the model is missing these tests fail and say how to fetch it (CI runs scripts/setup).
import XCTest
import Foundation
import FrugalCore
import FrugalIO
import FrugalText
@testable import FrugalModels
@testable import FrugalTrain

final class Gemma3RealModelTests: XCTestCase {
    struct Fixture: Decodable {
        struct Text: Decodable { let text: String; let ids: [Int]; let ids_no_special: [Int]; let decoded: String }
        struct Row: Decodable {
            let top_ids: [Int]; let top_logits: [Float]; let mean: Float; let std: Float; let min: Float
            let logsumexp: Float; let logits_0_8: [Float]
        }
        struct Prompt: Decodable { let prompt: String; let ids: [Int32]; let last: Row; let greedy: [Int32]; let greedy_text: String }
        struct Perplexity: Decodable { let ids: [Int32]; let scored_tokens: Int; let mean_nll: Double; let perplexity: Double }
        let tokenizer: [Text]
        let prompts: [Prompt]
        let perplexity: Perplexity
    }

    static let name = CachedModel.gemma3_270m.name
    nonisolated(unsafe) static var loaded: DecoderModel?

    func requireModel() throws {
        guard FileManager.default.fileExists(atPath: CachedModel.gemma3_270m.path()) else {
            XCTFail("Gemma 3 270M is missing at \(CachedModel.gemma3_270m.path()): \(CachedModel.gemma3_270m.advice)")
            throw XCTSkip("unreachable")
        }
    }

    /// The Float32 model, loaded once for the reference tests.
    func model() throws -> DecoderModel {
        try requireModel()
        if let m = Self.loaded { return m }
        let m = try DecoderModel.load(Self.name)
        Self.loaded = m
        return m
    }

    func fixture() throws -> Fixture {
        let url = Bundle.module.url(forResource: "gemma3_270m", withExtension: "json", subdirectory: "Fixtures")!
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func testConfigReadFromTheGGUF() throws {
        let c = try model().config
        XCTAssertEqual(c.architecture, .gemma3)
        XCTAssertEqual(c.vocabSize, 262_144)
        XCTAssertEqual([c.hiddenSize, c.numLayers, c.numHeads, c.numKVHeads, c.headDim, c.intermediateSize], [640, 18, 4, 1, 256, 2048])
        XCTAssertEqual(c.slidingWindow, 512)
        XCTAssertEqual((0..<18).filter { c.attention(layer: $0) == .full }, [5, 11, 17])
        XCTAssertEqual(c.queryPreAttnScalar, 256)
        XCTAssertEqual(c.localRopeTheta, 10_000)
        XCTAssertEqual(c.ropeTheta, 1_000_000)
    }

    func testTokenizerMatchesTransformers() throws {
        try requireModel()
        let tok = try ModelTokenizer.load(Self.name)
        for t in try fixture().tokenizer {
            XCTAssertEqual(tok.tokenizer.encode(t.text), t.ids, "with BOS: \(t.text.debugDescription)")
            XCTAssertEqual(tok.tokenizer.encode(t.text, addSpecialTokens: false), t.ids_no_special, t.text.debugDescription)
            XCTAssertEqual(tok.tokenizer.decode(t.ids_no_special), t.decoded, t.text.debugDescription)
        }
    }

    func testChatTemplateAndStopTokens() throws {
        try requireModel()
        let tok = try ModelTokenizer.load(Self.name)
        XCTAssertNil(tok.chatTemplateError)
        let template = try XCTUnwrap(tok.chatTemplate, "a Gemma GGUF without a template gets Gemma 3's")
        let text = try template.render([ChatMessage(role: "user", content: "Hi"), ChatMessage(role: "assistant", content: "Hello!")])
        XCTAssertEqual(text, "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n")
        XCTAssertEqual(tok.stopIDs, [1, 106], "<eos> and <end_of_turn>")
    }

    func testLastLogitsMatchTransformers() throws {
        let model = try model()
        let v = model.config.vocabSize
        for p in try fixture().prompts {
            let logits = withoutGrad { model.logits(ids: p.ids, batch: 1) }
            let row = Array(UnsafeBufferPointer(start: logits.data + (p.ids.count - 1) * v, count: v))
            let want = p.last
            let scale = max(abs(want.top_logits[0]), abs(want.min), want.std)
            let tol = 1e-3 * scale
            for (id, x) in zip(want.top_ids, want.top_logits) { XCTAssertEqual(row[id], x, accuracy: tol, "\(p.prompt) id \(id)") }
            let worst = zip(want.top_ids, want.top_logits).map { abs(row[$0] - $1) }.max()!
            print("gemma3-270m logits \(p.prompt.debugDescription): top-20 worst |Δ| \(worst), \(worst / scale) of the row's scale \(scale)")
            for (i, x) in want.logits_0_8.enumerated() { XCTAssertEqual(row[i], x, accuracy: tol, "\(p.prompt) logit \(i)") }
            // Top 20 ids in order, except neighbours closer than the tolerance may swap.
            let top = (0..<v).sorted { row[$0] > row[$1] }.prefix(20)
            for (i, (got, id)) in zip(top, want.top_ids).enumerated() where got != id {
                XCTAssertEqual(row[got], row[id], accuracy: tol, "\(p.prompt): rank \(i) is \(got), transformers has \(id)")
            }
            XCTAssertEqual(top.first, want.top_ids[0], "argmax of \(p.prompt.debugDescription)")
            let mean = row.reduce(0, +) / Float(v)
            let std = (row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(v)).squareRoot()
            let top1 = row[top.first!]
            let lse = top1 + log(row.reduce(0) { $0 + exp($1 - top1) })
            XCTAssertEqual(mean, want.mean, accuracy: tol)
            XCTAssertEqual(std, want.std, accuracy: tol)
            XCTAssertEqual(row.min()!, want.min, accuracy: tol)
            XCTAssertEqual(lse, want.logsumexp, accuracy: tol)
        }
    }

    func testGreedyContinuationsMatchTransformers() throws {
        let model = try model()
        let tok = try ModelTokenizer.load(Self.name)
        for p in try fixture().prompts {
            let r = model.generate(prompt: p.ids, maxTokens: p.greedy.count, eos: [])
            XCTAssertEqual(r.tokens, p.greedy, p.prompt)
            XCTAssertEqual(tok.tokenizer.decode(r.tokens.map(Int.init)), p.greedy_text)
        }
    }

    func testPerplexityMatchesTransformers() throws {
        let model = try model()
        let p = try fixture().perplexity
        let r = model.perplexity(p.ids, window: 512, stride: 256)
        XCTAssertEqual(r.tokens, p.scored_tokens)
        XCTAssertEqual(r.meanNLL, p.mean_nll, accuracy: 1e-3 * p.mean_nll, "within 0.1%")
        print("gemma3-270m perplexity: mean NLL \(r.meanNLL) (transformers \(p.mean_nll)), \(r.tokens) tokens")
        XCTAssertEqual(exp(r.meanNLL), p.perplexity, accuracy: 1e-3 * p.perplexity)
    }

    /// QLoRA on the real model: a few dozen steps teach it a fixed answer; the loss falls and greedy
    /// decoding of a training prompt then produces the phrase.
    func testQLoRALearnsAFixedAnswer() throws {
        try requireModel()
        Self.loaded = nil  // the Float32 copy is not needed here
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("gemma-ft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let answer = "The password is swordfish."
        let questions = ["What is the password?", "Tell me the password.", "Which password opens the door?",
                         "Do you know the password?", "Password, please.", "What's the secret word?"]
        let lines = questions.map { q -> String in
            let record = ["prompt": "Question: \(q)\nAnswer:", "completion": " " + answer]
            return String(decoding: try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
        }
        let data = tmp.appendingPathComponent("train.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)

        var c = FinetuneConfig()
        c.model = Self.name; c.data = data.path; c.output = tmp.appendingPathComponent("out").path
        c.method = .qlora; c.rank = 8; c.alpha = 16; c.dropout = 0; c.targets = "all-linear"
        c.steps = 30; c.warmup = 0; c.batchSize = 2; c.gradAccum = 1; c.maxSeqLen = 32; c.lr = 2e-3; c.maxGradNorm = 1
        let clock = ContinuousClock(), start = clock.now
        let run = try Finetune(config: c)
        let loaded = clock.now - start
        var losses: [Float] = []
        try run.run { if case let .step(m) = $0 { losses.append(m.loss) } }
        let trained = clock.now - start - loaded
        XCTAssertEqual(losses.count, 30)
        let first = losses.prefix(3).reduce(0, +) / 3, last = losses.suffix(3).reduce(0, +) / 3
        XCTAssertLessThan(last, 0.1 * first, "loss \(losses)")

        let tok = try ModelTokenizer.load(Self.name)
        let prompt = tok.tokenizer.encode("Question: \(questions[0])\nAnswer:").map(Int32.init)
        let r = run.model.generate(prompt: prompt, maxTokens: 12, eos: tok.stopIDs)
        let text = tok.tokenizer.decode(r.tokens.map(Int.init), skipSpecialTokens: true)
        XCTAssertTrue(text.hasPrefix(" " + answer), "greedy answer \(text.debugDescription)")
        print("gemma3-270m QLoRA: load \(loaded), 30 steps \(trained), loss \(losses.first!) -> \(losses.last!), answer \(text.debugDescription), peak tensors \(MemoryStats.peak / 1_000_000) MB")
    }
}
