// NaN/Inf in loaded weights are reported by name (issue 23: a GGUF with NaN weights generated
// <unk><unk><unk> without a word). The library reports; `frugal generate`/`chat` print a warning.
import XCTest
import FrugalCore
import FrugalSpec
@testable import FrugalModels

final class NonFiniteWeightsTests: XCTestCase {
    func testNonFiniteTensorsAreNamed() {
        let model = DecoderModel(randomlyInitialized: TinyLlamaTrainingTests.config, rng: RandomGenerator(seed: 3))
        XCTAssertEqual(model.nonFiniteTensors(), [])
        let named = Dictionary(model.namedTensors, uniquingKeysWith: { a, _ in a })
        named["model.layers.1.self_attn.q_proj.weight"]!.data[5] = .nan
        named["model.norm.weight"]!.data[0] = -.infinity
        XCTAssertEqual(model.nonFiniteTensors(), ["model.layers.1.self_attn.q_proj.weight", "model.norm.weight"])
    }
}
