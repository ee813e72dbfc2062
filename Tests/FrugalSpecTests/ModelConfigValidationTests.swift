// ModelConfig.validate: each rule refuses the config it is for and names the field.
import XCTest
@testable import FrugalSpec

final class ModelConfigValidationTests: XCTestCase {
    func base() -> ModelConfig {
        ModelConfig(architecture: .llama, vocabSize: 100, hiddenSize: 64, intermediateSize: 128,
                    numLayers: 2, numHeads: 8, numKVHeads: 4)
    }

    func assertInvalid(_ c: ModelConfig, field: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try c.validate(source: "test"), file: file, line: line) { error in
            guard case .invalid(source: "test", let f, _)? = error as? ModelConfigError else {
                return XCTFail("\(error)", file: file, line: line)
            }
            XCTAssertEqual(f, field, file: file, line: line)
        }
    }

    func testValidBaseAndExplicitHeadDim() throws {
        XCTAssertNoThrow(try base().validate())
        // Mistral-NeMo-style: head_dim explicit, H·D ≠ C.
        let nemo = ModelConfig(architecture: .mistral, vocabSize: 100, hiddenSize: 80, intermediateSize: 64,
                               numLayers: 1, numHeads: 3, numKVHeads: 1, headDim: 32)
        XCTAssertNoThrow(try nemo.validate())
    }

    func testNonPositiveAndHugeDimensions() {
        var c = base(); c.hiddenSize = 0; assertInvalid(c, field: "hidden_size")
        c = base(); c.numLayers = -1; assertInvalid(c, field: "num_hidden_layers")
        c = base(); c.vocabSize = 1 << 40; assertInvalid(c, field: "vocab_size")
    }

    func testHeadsMustDivideHiddenAndKVHeadsMustDivideHeads() {
        let uneven = ModelConfig(architecture: .llama, vocabSize: 100, hiddenSize: 64, intermediateSize: 128,
                                 numLayers: 2, numHeads: 6)
        assertInvalid(uneven, field: "num_attention_heads")
        var c = base(); c.numKVHeads = 3; assertInvalid(c, field: "num_key_value_heads")
    }

    func testOddRoPEHeadDim() {
        let c = ModelConfig(architecture: .llama, vocabSize: 100, hiddenSize: 56, intermediateSize: 128,
                            numLayers: 1, numHeads: 8)   // D = 7
        assertInvalid(c, field: "head_dim")
    }

    func testArchitectureBiasLayouts() {
        let qwenWithoutBias = ModelConfig(architecture: .qwen2, vocabSize: 100, hiddenSize: 64, intermediateSize: 128,
                                          numLayers: 1, numHeads: 8, numKVHeads: 2)
        assertInvalid(qwenWithoutBias, field: "attentionBias")
        let mistralWithBias = ModelConfig(architecture: .mistral, vocabSize: 100, hiddenSize: 64, intermediateSize: 128,
                                          numLayers: 1, numHeads: 8, attentionBias: true)
        assertInvalid(mistralWithBias, field: "attentionBias")
    }

    func testTokenIdsInsideVocabulary() {
        var c = base(); c.eosTokenId = 100; assertInvalid(c, field: "eos_token_id")
    }
}
