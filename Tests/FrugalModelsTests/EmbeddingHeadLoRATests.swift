// LoRA on the token embedding and the output head (targets embed_tokens, lm_head beside q_proj,
// v_proj) against PEFT 0.21.2 (reference/adapter_fixtures.py; Fixtures/families/<family>/embed_head/):
// the adapter loads (lora_embedding_A/B, lm_head.lora_A/B), gives PEFT's adapted logits, loss and
// gradients of every adapter tensor within 1e-3 relative, and is written back byte for byte. Llama
// has a tied head (merging is refused: the shared matrix would change both), Mistral an untied one
// (merging gives the adapted logits with plain layers).
import XCTest
import FrugalCore
import FrugalIO
@testable import FrugalModels
@testable import FrugalTrain

final class EmbeddingHeadLoRATests: XCTestCase {
    struct Golden: Decodable {
        let loss: Double
        let labels: [[Int32]]
        let adapted_logits: [Float]
        let tensors: [String]
    }
    struct Inputs: Decodable { let input_ids: [[Int32]] }

    func folder(_ family: String) -> URL { FamilyFixtures.folder(family) }

    func relativeError(_ a: [Float], _ b: [Float]) -> Float { FamilyFixtures.relativeError(a, b) }

    func testEmbeddingAndHeadAdaptersAgainstPEFT() throws {
        for f in ["llama", "mistral"] {
            let dir = folder(f).appendingPathComponent("embed_head")
            let g = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: dir.appendingPathComponent("golden.json")))
            let ids = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: folder(f).appendingPathComponent("golden.json"))).input_ids
            let flat = ids.flatMap { $0 }
            let model = try DecoderModel.load(folder(f).path)
            let adapter = try LoRAAdapter.load(from: dir.appendingPathComponent("adapter").path, into: model)
            XCTAssertNotNil(adapter.embedding, f)
            XCTAssertNotNil(model.headLayer, f)
            try FamilyFixtures.checkAgainstPEFT(model: model, adapter: adapter, ids: ids, labels: g.labels,
                                                adaptedLogits: g.adapted_logits, loss: g.loss, tensors: g.tensors,
                                                gradsFile: dir.appendingPathComponent("grads.safetensors"), f)

            let out = FileManager.default.temporaryDirectory.appendingPathComponent("embhead-\(f)-\(getpid())")
            defer { try? FileManager.default.removeItem(at: out) }
            try adapter.save(to: out.path, baseModel: nil)
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("adapter_model.safetensors")),
                           try Data(contentsOf: dir.appendingPathComponent("adapter/adapter_model.safetensors")), f)

            if f == "llama" {
                XCTAssertThrowsError(try adapter.merge(), "a tied head cannot take a merged embedding or head update")
            } else {
                try adapter.fuse()
                XCTAssertNil(model.headLayer); XCTAssertNil(model.embeddingBranch)
                let merged = withoutGrad { model.logits(ids: flat, batch: ids.count) }
                XCTAssertLessThan(relativeError(merged.scalars, g.adapted_logits), 1e-3, "\(f): merged logits")
            }
        }
    }
}
