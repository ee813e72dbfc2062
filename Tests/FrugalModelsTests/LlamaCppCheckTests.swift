// Frugal and llama.cpp run the same exported GGUF (Fixtures/llamacpp_check.json, written by
// reference/llamacpp_check.py with llama-cpp-python 0.3.16): each case is a tiny family fixture's
// model.gguf exported at a type (as `frugal export` does; the test exports it again the same way)
// or, for "lora", the F32 base with the adapter-only GGUF that llama.cpp applies at run time
// against Frugal's merged model. llama.cpp ran with an F32 KV cache (its F16 default alone moves
// logits by ~1e-3). Measured when written: logits at three positions agree within 4–8e-7 relative
// at F32 (adapter included), 1.5–3.5% for Q8_0/Q4_0/Q4_K/Q6_K (llama.cpp also quantizes the
// activations of its quantized dot products to 8 bits); bounds 1e-5 and 6%. Greedy continuations
// agree at F32 and equal transformers' (the golden tokens) there.
import XCTest
import FrugalCore
import FrugalIO
@testable import FrugalModels
@testable import FrugalTrain

final class LlamaCppCheckTests: XCTestCase {
    struct Check: Decodable {
        struct Case: Decodable {
            let family: String, type: String
            let input_ids: [Int32], greedy_prompt: [Int32]
            let llamacpp_greedy: [Int32], hf_greedy: [Int32], llamacpp_logits: [Float]
        }
        let positions: [Int]
        let cases: [Case]
    }

    func fixture(_ path: String) -> URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(path) }

    func greedy(_ m: DecoderModel, prompt: [Int32], steps: Int) -> [Int32] {
        var ids = prompt, out: [Int32] = []
        let v = m.config.vocabSize
        for _ in 0..<steps {
            let l = withoutGrad { m.logits(ids: ids, batch: 1) }.scalars
            let last = Array(l[(l.count - v)...])
            let t = Int32(last.indices.max { last[$0] < last[$1] }!)
            out.append(t); ids.append(t)
        }
        return out
    }

    func testFrugalAgreesWithLlamaCpp() throws {
        let check = try JSONDecoder().decode(Check.self, from: Data(contentsOf: fixture("llamacpp_check.json")))
        XCTAssertGreaterThanOrEqual(check.cases.count, 10)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-lcpp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for c in check.cases {
            let src = fixture("families/\(c.family)/model.gguf").path
            let model = try DecoderModel.load(src)
            let type = GGUFExportType(rawValue: c.type) ?? .f32
            if c.type == "lora" {
                let a = try LoRAAdapter.load(from: fixture("families/\(c.family)/adapter").path, into: model)
                try a.fuse()
            }
            let (w, _) = try model.ggufWriter(type: type, name: "model", tokenizer: GGUFTokenizerExport.keys(fromGGUF: try GGUFFile(path: src)))
            let path = dir.appendingPathComponent("\(c.family)-\(c.type).gguf").path
            try w.write(to: path)
            let m = try DecoderModel.load(path)
            let v = m.config.vocabSize
            let logits = withoutGrad { m.logits(ids: c.input_ids, batch: 1) }.scalars
            let mine = check.positions.flatMap { logits[($0 * v)..<(($0 + 1) * v)] }
            let scale = c.llamacpp_logits.map(abs).max()!
            let err = zip(mine, c.llamacpp_logits).map { abs($0 - $1) }.max()! / scale
            let exact = type == .f32
            XCTAssertLessThan(err, exact ? 1e-5 : 0.06, "\(c.family) \(c.type): logits relative error \(err)")
            if exact {
                XCTAssertEqual(greedy(m, prompt: c.greedy_prompt, steps: c.llamacpp_greedy.count), c.llamacpp_greedy,
                               "\(c.family) \(c.type)")
                if c.type == "f32" { XCTAssertEqual(c.llamacpp_greedy, c.hf_greedy, "\(c.family): llama.cpp vs transformers") }
            }
        }
    }
}
