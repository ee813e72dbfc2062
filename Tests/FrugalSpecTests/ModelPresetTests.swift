// Presets: lookup by name and alias, refusal of unknown names, every preset valid, and a few
// published numbers checked field by field.
import XCTest
@testable import FrugalSpec

final class ModelPresetTests: XCTestCase {
    func testEveryPresetValidatesAndNamesAreUnique() throws {
        for p in ModelPreset.catalog { XCTAssertNoThrow(try p.config.validate(source: p.name), p.name) }
        let names = ModelPreset.catalog.flatMap { [$0.name] + $0.aliases }.map { $0.lowercased() }
        XCTAssertEqual(names.count, Set(names).count, "a name or alias is used twice")
    }

    func testLookupIsCaseInsensitiveAndAcceptsAliases() throws {
        XCTAssertEqual(try ModelPreset.named("llama-2-7b").name, "Llama-2-7B")
        XCTAssertEqual(try ModelPreset.named("huggyllama/llama-65b").name, "LLaMA-65B")
        XCTAssertEqual(try ModelPreset.named("GPT2").name, "GPT-2")
    }

    func testUnknownPresetListsTheKnownOnes() {
        XCTAssertThrowsError(try ModelPreset.named("llama-9000")) { error in
            guard case .unknownPreset(let name, let known) = error as? ModelConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "llama-9000")
            XCTAssertTrue(known.contains("Mistral-7B"))
            XCTAssertTrue("\(error)".contains("--list-presets"))
        }
    }

    func testPublishedShapes() throws {
        let smol = try ModelPreset.named("SmolLM2-135M").config
        XCTAssertEqual([smol.hiddenSize, smol.numLayers, smol.numHeads, smol.numKVHeads, smol.headDim, smol.intermediateSize, smol.vocabSize],
                       [576, 30, 9, 3, 64, 1536, 49152])
        XCTAssertTrue(smol.tieWordEmbeddings)
        XCTAssertEqual(smol.ropeTheta, 100_000)
        let l70 = try ModelPreset.named("Llama-2-70B").config
        XCTAssertEqual(l70.numHeads / l70.numKVHeads, 8)   // GQA groups of 8
        let qwen = try ModelPreset.named("Qwen2.5-0.5B").config
        XCTAssertTrue(qwen.attentionBias)
        XCTAssertFalse(qwen.attentionOutputBias)
        let gpt3 = try ModelPreset.named("GPT-3-175B").config
        XCTAssertEqual(gpt3.headDim, 128)
    }

    func testConfigCodableRoundTrip() throws {
        for p in ModelPreset.catalog {
            let data = try JSONEncoder().encode(p.config)
            XCTAssertEqual(try JSONDecoder().decode(ModelConfig.self, from: data), p.config)
        }
    }
}
