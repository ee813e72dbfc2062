import XCTest
@testable import FrugalSpec

final class ModelConfigTests: XCTestCase {
    func testDerivedDefaults() {
        let c = ModelConfig(architecture: .llama, vocabSize: 49152, hiddenSize: 576, intermediateSize: 1536,
                            numLayers: 30, numHeads: 9, numKVHeads: 3)
        XCTAssertEqual(c.headDim, 64)
        let d = ModelConfig(architecture: .gpt2, vocabSize: 50257, hiddenSize: 768, intermediateSize: 3072, numLayers: 12, numHeads: 12)
        XCTAssertEqual(d.numKVHeads, 12)
    }
}
