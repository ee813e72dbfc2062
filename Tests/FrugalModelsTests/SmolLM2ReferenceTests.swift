// The default model (SmolLM2-135M-Instruct, Q4_1 GGUF) loaded by Frugal gives the logits and the
// greedy continuation that transformers gives for the same file (reference/model_fixtures.py).
// scripts/setup fetches the model; if it is missing this test fails and says so.
import XCTest
import Foundation
import FrugalCore
import FrugalIO
@testable import FrugalModels

final class SmolLM2ReferenceTests: XCTestCase {
    struct Fixture: Decodable {
        struct Position: Decodable { let top_ids: [Int32]; let top_logits: [Float]; let logits_0_8: [Float]; let logsumexp: Float }
        struct Case: Decodable { let prompt: String; let ids: [Int32]; let positions: [Position]; let greedy: [Int32] }
        struct Perplexity: Decodable { let ids: [Int32]; let mean_nll: Double }
        let cases: [Case]
        let perplexity: Perplexity
    }

    static let model: DecoderModel? = try? DecoderModel.load("default")

    func loadModel() throws -> DecoderModel {
        guard let m = Self.model else {
            XCTFail("the default model is missing or unreadable at \(DefaultModel.path()): \(DefaultModel.advice)")
            throw XCTSkip("unreachable")
        }
        return m
    }

    func fixture() throws -> Fixture {
        let url = Bundle.module.url(forResource: "smollm2_logits", withExtension: "json", subdirectory: "Fixtures")!
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func testLogitsMatchTransformers() throws {
        let model = try loadModel()
        for c in try fixture().cases {
            let logits = withoutGrad { model.logits(ids: c.ids, batch: 1) }
            let v = model.config.vocabSize
            for (t, p) in c.positions.enumerated() {
                let row = Array(UnsafeBufferPointer(start: logits.data + t * v, count: v))
                for (i, want) in p.logits_0_8.enumerated() { XCTAssertEqual(row[i], want, accuracy: 2e-3, "position \(t) logit \(i)") }
                for (id, want) in zip(p.top_ids, p.top_logits) { XCTAssertEqual(row[Int(id)], want, accuracy: 2e-3, "position \(t) id \(id)") }
                var best = 0
                for i in 1..<v where row[i] > row[best] { best = i }
                XCTAssertEqual(Int32(best), p.top_ids[0], "argmax at position \(t) of \(c.prompt.debugDescription)")
            }
        }
    }

    func testGreedyGenerationMatchesTransformers() throws {
        let model = try loadModel()
        for c in try fixture().cases {
            let r = model.generate(prompt: c.ids, maxTokens: c.greedy.count, eos: [2])
            let expected = c.greedy.last == 2 ? Array(c.greedy.dropLast()) : c.greedy
            XCTAssertEqual(r.tokens, expected, c.prompt)
        }
    }

    func testPerplexityOfAParagraphMatchesTransformers() throws {
        let model = try loadModel()
        let p = try fixture().perplexity
        let r = model.perplexity(p.ids, window: 512, stride: 256)
        XCTAssertEqual(r.tokens, p.ids.count - 1)
        XCTAssertEqual(r.meanNLL, p.mean_nll, accuracy: 1e-3 * p.mean_nll, "within 0.1%")
        // Sliding windows shorter than the text score every token once too.
        let windowed = model.perplexity(p.ids, window: 32, stride: 16)
        XCTAssertEqual(windowed.tokens, p.ids.count - 1)
    }
}
