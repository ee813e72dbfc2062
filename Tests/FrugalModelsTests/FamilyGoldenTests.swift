// Every runnable family against transformers and PEFT on a tiny randomly initialized model that
// transformers saved (reference/family_fixtures.py; Fixtures/families/<family>/): from the HF
// folder and from the GGUF file llama.cpp's converter would write, the logits of two 12-token rows
// within 1e-3 relative, the greedy continuation identical (decoded through the KV cache), and
// one training step's LoRA gradients (PEFT adapter, all linear layers, A and B non-zero) within
// 1e-3 relative of PyTorch's — the model-level backward check. Gemma 3's GGUF cannot carry
// query_pre_attn_scalar or its layer pattern (llama.cpp fixes both), so its GGUF is checked tensor
// by tensor against the HF folder instead of by logits.
import XCTest
import FrugalCore
import FrugalIO
import FrugalSpec
@testable import FrugalModels
@testable import FrugalTrain

final class FamilyGoldenTests: XCTestCase {
    struct Golden: Decodable {
        struct Greedy: Decodable { let prompt: [Int32]; let max_new_tokens: Int; let tokens: [Int32] }
        struct LoRA: Decodable { let labels: [[Int32]]; let loss: Double; let tensors: [String]; let adapted_logits: [Float] }
        let input_ids: [[Int32]]
        let logits: [Float]
        let greedy: Greedy
        let lora: LoRA
    }

    static let families = ["llama", "mistral", "qwen2", "qwen3", "gemma3"]

    func folder(_ family: String) -> URL { FamilyFixtures.folder(family) }

    func golden(_ family: String) throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: folder(family).appendingPathComponent("golden.json")))
    }

    func relativeError(_ a: [Float], _ b: [Float]) -> Float { FamilyFixtures.relativeError(a, b) }

    func testConfigsReadTheFamilies() throws {
        for f in Self.families {
            let c = try DecoderModel.load(folder(f).path).config
            XCTAssertEqual(c.family.hfModelTypes.first == "gemma3_text" ? "gemma3" : c.architecture.rawValue, f)
        }
        let gemma = try DecoderModel.load(folder("gemma3").path).config
        XCTAssertEqual(gemma.layerTypes, [.sliding, .full, .sliding])
        XCTAssertEqual(gemma.slidingWindow, 4)
        XCTAssertEqual(gemma.queryPreAttnScalar, 24)
        XCTAssertEqual(gemma.localRopeTheta, 10_000)
        XCTAssertEqual(gemma.ropeTheta, 1_000_000)
        let llama = try DecoderModel.load(folder("llama").path).config
        XCTAssertNotNil(llama.ropeScaling)
    }

    func testLogitsFromHFAndGGUF() throws {
        for f in Self.families {
            let g = try golden(f)
            let ids = g.input_ids.flatMap { $0 }
            var sources = [folder(f).path]
            if f != "gemma3" { sources.append(folder(f).appendingPathComponent("model.gguf").path) }
            for source in sources {
                let model = try DecoderModel.load(source)
                let logits = withoutGrad { model.logits(ids: ids, batch: g.input_ids.count) }
                let err = relativeError(logits.scalars, g.logits)
                XCTAssertLessThan(err, 1e-3, "\(f) \(source): logits relative error \(err)")
            }
        }
    }

    func testGemmaGGUFHoldsTheSameTensors() throws {
        let hf = try DecoderModel.load(folder("gemma3").path)
        let gguf = try DecoderModel.load(folder("gemma3").appendingPathComponent("model.gguf").path)
        XCTAssertEqual(gguf.config.slidingWindow, 4)
        XCTAssertEqual(gguf.config.queryPreAttnScalar, Double(gguf.config.headDim), "llama.cpp scales by 1/√D")
        let a = Dictionary(uniqueKeysWithValues: hf.namedTensors.map { ($0.0, $0.1.scalars) })
        let b = Dictionary(uniqueKeysWithValues: gguf.namedTensors.map { ($0.0, $0.1.scalars) })
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (name, values) in a { XCTAssertEqual(values, b[name], name) }
    }

    func testGreedyContinuationThroughTheCache() throws {
        for f in Self.families {
            let g = try golden(f)
            let model = try DecoderModel.load(folder(f).path)
            let cache = KVCache(config: model.config, maxTokens: g.greedy.prompt.count + g.greedy.max_new_tokens)
            var out: [Int32] = []
            withoutGrad {
                var next = g.greedy.prompt
                for _ in 0..<g.greedy.max_new_tokens {
                    let logits = model.logits(ids: next, batch: 1, cache: cache).scalars
                    let v = model.config.vocabSize, last = Array(logits[(logits.count - v)...])
                    let best = Int32(last.indices.max { last[$0] < last[$1] }!)
                    out.append(best)
                    next = [best]
                }
            }
            XCTAssertEqual(out, g.greedy.tokens, f)
        }
    }

    func testLoRAStepGradientsAgainstPyTorch() throws {
        for f in Self.families {
            let g = try golden(f)
            let model = try DecoderModel.load(folder(f).path)
            let adapter = try LoRAAdapter.load(from: folder(f).appendingPathComponent("adapter").path, into: model)
            let ids = g.input_ids.flatMap { $0 }
            let adapted = withoutGrad { model.logits(ids: ids, batch: g.input_ids.count) }
            XCTAssertLessThan(relativeError(adapted.scalars, g.lora.adapted_logits), 1e-3, "\(f): adapted logits")
            // transformers shifts labels inside the loss: position t predicts labels[t + 1].
            let targets: [Int32] = g.lora.labels.flatMap { row in Array(row.dropFirst()) + [-100] }
            let loss = model.crossEntropy(ids: ids, batch: g.input_ids.count, targets: targets, reduction: .mean)
            XCTAssertEqual(Double(loss.scalars[0]), g.lora.loss, accuracy: 1e-4 * abs(g.lora.loss), f)
            loss.backward()
            let grads = try SafetensorsFile(path: folder(f).appendingPathComponent("lora_grads.safetensors").path)
            let mine = Dictionary(uniqueKeysWithValues: adapter.peftNamedTensors)
            XCTAssertEqual(Set(mine.keys), Set(g.lora.tensors), f)
            for name in g.lora.tensors {
                let expected = try grads.loadFloat32(name).data
                guard let grad = mine[name]?.grad?.scalars else { XCTFail("\(f): no gradient for \(name)"); continue }
                let err = relativeError(grad, expected)
                XCTAssertLessThan(err, 1e-3, "\(f) \(name): gradient relative error \(err)")
            }
        }
    }
}
