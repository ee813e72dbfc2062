// ParameterBreakdown (closed forms) against transformers' instantiated totals for every preset
// (TransformersReference.swift, from reference/param_counts.py) and against the independent
// FrugalSpec inventory, component by component.
import XCTest
import FrugalSpec
@testable import FrugalEstimate

final class ParamsBreakdownTests: XCTestCase {
    func testTotalsEqualTransformersForEveryPreset() {
        for p in ModelPreset.catalog {
            XCTAssertEqual(ParameterBreakdown(p.config).total, TransformersReference.totals[p.name], p.name)
        }
    }

    func testComponentsEqualInventoryByComponent() {
        var configs = ModelPreset.catalog.map(\.config)
        // Biases everywhere, GQA, explicit head_dim, untied head.
        configs.append(ModelConfig(architecture: .llama, vocabSize: 64, hiddenSize: 16, intermediateSize: 24, numLayers: 2,
                                   numHeads: 4, numKVHeads: 2, headDim: 6, attentionBias: true, mlpBias: true))
        for c in configs where c.numLayers <= 48 {
            let b = ParameterBreakdown(c)
            let inv = c.parameterInventory
            func sum(_ comp: ParameterEntry.Component, bias: Bool? = nil) -> Int {
                inv.filter { $0.component == comp && (bias == nil || $0.isBias == bias!) }.reduce(0) { $0 + $1.count }
            }
            XCTAssertEqual(b.embedding, sum(.embedding))
            XCTAssertEqual(b.positionEmbedding, sum(.positionEmbedding))
            XCTAssertEqual(b.attentionWeights, sum(.attention, bias: false))
            XCTAssertEqual(b.attentionBiases, sum(.attention, bias: true))
            XCTAssertEqual(b.mlpWeights, sum(.mlp, bias: false))
            XCTAssertEqual(b.mlpBiases, sum(.mlp, bias: true))
            XCTAssertEqual(b.norms, sum(.norm))
            XCTAssertEqual(b.head, sum(.head))
            XCTAssertEqual(b.rows.reduce(0) { $0 + $1.1 }, b.total)
        }
    }

    func testSmolLM2Components() throws {
        let b = ParameterBreakdown(try ModelPreset.named("SmolLM2-135M").config)
        XCTAssertEqual(b.total, 134_515_008)
        XCTAssertEqual(b.embedding, 28_311_552)            // 49152 × 576, tied head
        XCTAssertEqual(b.head, 0)
        XCTAssertEqual(b.blockLinearWeights, 106_168_320)   // formats-and-algorithms §1.7
        XCTAssertEqual(b.norms, 61 * 576)
        XCTAssertEqual(b.nonEmbedding, 134_515_008 - 28_311_552)
    }

    func testGPT2HasLearnedPositionsAndBiases() throws {
        let b = ParameterBreakdown(try ModelPreset.named("GPT-2").config)
        XCTAssertEqual(b.positionEmbedding, 1024 * 768)
        XCTAssertEqual(b.attentionBiases, 12 * (3 * 768 + 768))
        XCTAssertEqual(b.mlpBiases, 12 * (3072 + 768))
        XCTAssertEqual(b.norms, 25 * 2 * 768)
        XCTAssertEqual(b.total, 124_439_808)
    }
}
