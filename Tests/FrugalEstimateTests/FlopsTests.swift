// FLOPs: the itemized forward matmuls equal 2 × (matmul parameters) exactly, the attention
// matmuls 4·L·T·H·D, full training lands on Kaplan's 6N, and checkpointing / LoRA / QLoRA add
// exactly their documented terms.
import XCTest
import FrugalSpec
@testable import FrugalEstimate

final class FlopsTests: XCTestCase {
    func testWeightMatmulsAreTwicePerParameterAndAttentionIsFourLTHD() throws {
        for name in ["SmolLM2-135M", "Llama-2-7B", "GPT-2", "Qwen2.5-0.5B"] {
            let c = try ModelPreset.named(name).config
            let lines = FlopsModel.forward(c, context: 1000)
            let weights = lines.filter { $0.kind == .weightMatmul }.reduce(0) { $0 + $1.forward }
            let p = ParameterBreakdown(c)
            XCTAssertEqual(weights, 2 * Double(p.blockLinearWeights + c.vocabSize * c.hiddenSize), name)
            let attention = lines.filter { $0.kind == .activationMatmul }.reduce(0) { $0 + $1.forward }
            XCTAssertEqual(attention, 4 * Double(c.numLayers * 1000 * c.numHeads * c.headDim), name)
        }
    }

    func testFullTrainingIsAboutSixN() throws {
        let c = try ModelPreset.named("Llama-2-7B").config
        let f = try FlopsTraining.estimate(c, TrainingOptions(method: .full, seqLen: 512))
        XCTAssertEqual(f.total / f.sixN, 1.0, accuracy: 0.03)
        XCTAssertEqual(f.forward / f.twoN, 1.0, accuracy: 0.03)
        XCTAssertEqual(f.recompute, 0)
    }

    func testCheckpointingAddsOneForwardOfTheLayers() throws {
        let c = try ModelPreset.named("SmolLM2-135M").config
        let plain = try FlopsTraining.estimate(c, TrainingOptions(method: .full, seqLen: 256))
        let ckpt = try FlopsTraining.estimate(c, TrainingOptions(method: .full, seqLen: 256, gradientCheckpointing: true))
        let layers = plain.forwardLines.filter(\.perLayer).reduce(0) { $0 + $1.forward }
        XCTAssertEqual(ckpt.total - plain.total, layers)
        XCTAssertEqual(ckpt.recompute, layers)
    }

    func testLoRAHasNoBaseWeightGradients() throws {
        let c = try ModelPreset.named("SmolLM2-135M").config
        let lora = try FlopsTraining.estimate(c, TrainingOptions(method: .lora, seqLen: 128, rank: 8))
        // 2·r·(in+out) per wrapped module per layer; r=8 all-linear: 2 × 2,442,240.
        XCTAssertEqual(lora.loraForward, 2 * 2_442_240)
        XCTAssertEqual(lora.backwardWeight, lora.loraForward)
        let full = try FlopsTraining.estimate(c, TrainingOptions(method: .full, seqLen: 128))
        XCTAssertLessThan(lora.total, full.total)
        let qlora = try FlopsTraining.estimate(c, TrainingOptions(method: .qlora, batch: 2, seqLen: 128, rank: 8))
        XCTAssertEqual(qlora.dequantization, 2 * 2 * 106_168_320 / 256)
        XCTAssertEqual(qlora.total - lora.total, qlora.dequantization)
    }

    func testSeconds() {
        XCTAssertEqual(FlopsTraining.seconds(flopsPerToken: 6e9, tokens: 1e6, flopsPerSecond: 1e12), 6000)
    }
}
