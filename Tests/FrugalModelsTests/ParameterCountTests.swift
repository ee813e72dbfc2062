// A Frugal model built from a config has exactly the parameters the estimator counts and the
// inventory names (which equal transformers' named_parameters, see FrugalSpecTests).
import XCTest
import FrugalCore
import FrugalSpec
import FrugalEstimate
@testable import FrugalModels

final class ParameterCountTests: XCTestCase {
    func check(_ config: ModelConfig, file: StaticString = #filePath, line: UInt = #line) {
        let model = withoutGrad { DecoderModel(randomlyInitialized: config, rng: RandomGenerator(seed: 0)) }
        XCTAssertEqual(model.parameterCount, ParameterBreakdown(config).total, "count", file: file, line: line)
        let built = model.namedTensors.map { "\($0.0) \($0.1.shape)" }
        let inventory = config.parameterInventory.map { "\($0.name) \($0.shape)" }
        XCTAssertEqual(built, inventory, "names and shapes", file: file, line: line)
    }

    func testSmolLM2ShapedModel() throws {
        var c = try ModelPreset.named("SmolLM2-135M").config
        c.numLayers = 2          // same shapes per layer, fewer layers to keep the test quick
        c.vocabSize = 1024
        check(c)
    }

    func testUntiedHeadAndQwen2Biases() throws {
        var c = try ModelPreset.named("Qwen2.5-0.5B").config
        c.numLayers = 1; c.vocabSize = 512; c.hiddenSize = 128; c.intermediateSize = 192
        c.numHeads = 4; c.numKVHeads = 2; c.headDim = 32; c.tieWordEmbeddings = false
        check(c)
    }
}
