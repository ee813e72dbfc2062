// `frugal pretrain --output DIR` writes DIR/model: an HF folder (DecoderModel.saveHF plus the
// byte-level tokenizer.json) that loads back with the same logits, tokenizes byte for byte, and
// fine-tunes.
import XCTest
import FrugalCore
import FrugalModels
import FrugalText
@testable import FrugalTrain

final class PretrainSaveTests: XCTestCase {
    func testPretrainedModelFolderLoadsGeneratesAndFinetunes() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("pretrain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let text = String(repeating: "the cat sat on the mat. a dog ran. ", count: 40)
        var o = PretrainOptions()
        o.steps = 3; o.batch = 2; o.seqLen = 16; o.warmup = 1; o.evalEvery = 0
        let config = Pretrainer.byteConfig(hidden: 16, layers: 1, heads: 2, kvHeads: 1, intermediate: 32, contextLength: 16)
        let trainer = try Pretrainer(config: config, corpus: Array(text.utf8), options: o)
        trainer.run { _ in }
        let dir = tmp.appendingPathComponent("model").path
        try trainer.saveModel(to: dir)
        try trainer.saveModel(to: dir)   // a second run replaces the folder

        let tok = try ModelTokenizer.load(dir)
        XCTAssertEqual(tok.tokenizer.encode("hé\n", addSpecialTokens: false), Array("hé\n".utf8).map(Int.init))
        XCTAssertEqual(tok.tokenizer.decode([104, 195, 169]), "hé")
        let loaded = try DecoderModel.load(dir)
        let ids: [Int32] = [116, 104, 101, 32]
        let a = withoutGrad { trainer.model.logits(ids: ids, batch: 1) }.scalars
        let b = withoutGrad { loaded.logits(ids: ids, batch: 1) }.scalars
        XCTAssertEqual(a, b)
        XCTAssertEqual(loaded.generate(prompt: ids, maxTokens: 3, sampling: SamplingOptions(), eos: []) { _ in true }.tokens.count, 3)

        let data = tmp.appendingPathComponent("train.jsonl")
        try Data(#"{"prompt": "the cat ", "completion": "sat on the mat"}"#.utf8).write(to: data)
        var c = FinetuneConfig()
        c.model = dir; c.data = data.path; c.output = tmp.appendingPathComponent("ft").path
        c.method = .lora; c.rank = 2; c.steps = 1; c.batchSize = 1; c.gradAccum = 1; c.maxSeqLen = 32
        var steps = 0
        try Finetune(config: c).run { if case .step = $0 { steps += 1 } }
        XCTAssertEqual(steps, 1)
    }
}
