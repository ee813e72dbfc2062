// The real default model (SmolLM2-135M-Instruct, Q4_1 GGUF) fetched by scripts/setup. CI runs
// setup, so a missing file is a FAILURE that says to run it, not a skip. Values are compared with
// gguf-py's dequantization (+ transformers' Q/K un-permute), written by reference/io_fixtures.py.
import XCTest
import FrugalSpec
@testable import FrugalIO

final class DefaultModelTests: XCTestCase {
    private func openDefault() throws -> GGUFModel? {
        let path = DefaultModel.path()
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("the default model \(path) is missing: \(DefaultModel.advice)")
            return nil
        }
        return try GGUFModel(path: path)
    }

    func testDefaultPathHonoursFrugalHome() {
        XCTAssertEqual(DefaultModel.path(environment: ["FRUGAL_HOME": "/x", "HOME": "/h"]), "/x/models/SmolLM2-135M-Instruct.Q4_1.gguf")
        XCTAssertEqual(DefaultModel.path(environment: ["HOME": "/h"]), "/h/.cache/frugal/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    }

    func testConfigIsSmolLM2_135M() throws {
        guard let m = try openDefault() else { return }
        var expected = ModelConfig(architecture: .llama, vocabSize: 49152, hiddenSize: 576, intermediateSize: 1536,
                                   numLayers: 30, numHeads: 9, numKVHeads: 3, headDim: 64,
                                   maxPositionEmbeddings: 8192, ropeTheta: 100_000, normEps: 1e-5,
                                   tieWordEmbeddings: true, attentionBias: false, bosTokenId: 1, eosTokenId: 2)
        expected.padTokenId = 2   // tokenizer.ggml.padding_token_id
        XCTAssertEqual(m.config, expected)
        let t = try m.file.tokenizerMetadata()
        XCTAssertEqual(t.model, "gpt2")
        XCTAssertEqual(t.pre, "smollm")
        XCTAssertEqual(t.tokens.count, 49152)
        XCTAssertEqual(Array(t.tokens.prefix(3)), ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
        XCTAssertEqual(t.merges.count, 48900)
        XCTAssertEqual(t.merges.first, "Ġ t")
        XCTAssertEqual(t.tokenTypes.count, 49152)
        XCTAssertEqual(t.paddingTokenId, 2)
        XCTAssertEqual(t.addBosToken, false)
        XCTAssertTrue(t.chatTemplate?.contains("<|im_start|>") ?? false)
    }

    func testEveryTensorDequantizesToFiniteValues() throws {
        guard let m = try openDefault() else { return }
        let expected = try Fixture.json("default_model.json")
        XCTAssertEqual(m.file.tensors.count, expected["tensor_count"] as? Int)
        XCTAssertEqual(m.hfTensorNames.count, m.file.tensors.count, "every tensor has an HF name")
        var params = 0
        for info in m.file.tensors {
            let data = try m.file.loadFloat32(info)
            XCTAssertEqual(data.count, info.elementCount)
            XCTAssertTrue(data.allSatisfy(\.isFinite), "\(info.name) has non-finite values")
            params += info.elementCount
        }
        XCTAssertEqual(params, 134_515_008)
    }

    func testValuesMatchGGUFPyInHFLayout() throws {
        guard let m = try openDefault() else { return }
        let expected = try Fixture.json("default_model.json")
        let samples = expected["samples"] as! [String: [String: Any]]
        let sums = expected["sums"] as! [String: [String: Double]]
        for (name, s) in samples {
            let (shape, data) = try m.loadFloat32(hf: name)
            let cols = shape.count > 1 ? shape[1] : shape[0]
            for (row, values) in zip(ints(s["rows"]), s["values"] as! [Any]) {
                XCTAssertEqual(Array(data[(row * cols)..<(row * cols + 8)]), floats(values), "\(name) row \(row)")
            }
            if let want = sums[name] {
                let sum = data.reduce(0.0) { $0 + Double($1) }, abs = data.reduce(0.0) { $0 + Double(Swift.abs($1)) }
                XCTAssertEqual(sum, want["sum"]!, accuracy: 1e-9 * want["abs"]!, name)
                XCTAssertEqual(abs, want["abs"]!, accuracy: 1e-9 * want["abs"]!, name)
            }
        }
    }
}
