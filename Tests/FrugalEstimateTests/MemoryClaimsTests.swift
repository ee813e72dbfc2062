// The memory claims of the seed lecture notes (§1.2) and the QLoRA paper (Dettmers et al. 2023),
// as tests on LLaMA-65B (65,285,660,672 parameters as transformers instantiates it):
//   - fp32 weights of a 65B model are ≈ 260 GB;
//   - 16-bit full fine-tuning with Adam needs more than 780 GB;
//   - QLoRA (NF4 + double quant, r=64 on all linear layers, batch 1, 512 tokens, gradient
//     checkpointing) fits in 48 GB;
//   - double quantization saves ≈ 0.373 bits per parameter, ≈ 3 GB at 65B.
import XCTest
import FrugalSpec
@testable import FrugalEstimate

final class MemoryClaimsTests: XCTestCase {
    let llama65 = try! ModelPreset.named("LLaMA-65B").config

    func testFP32WeightsOf65BAreAbout260GB() {
        let e = InferenceMemory.estimate(llama65, format: .fp32, batch: 1, context: 1)
        let weights = e.bytes(startingWith: "weights")
        XCTAssertEqual(weights, 4 * 65_285_660_672)
        XCTAssertEqual(weights / 1e9, 260, accuracy: 2)
    }

    func testSixteenBitFullFinetuningOf65BNeedsMoreThan780GB() throws {
        let e = try TrainingMemory.estimate(llama65, TrainingOptions(method: .full, dtype: .bf16))
        let m = e.memory
        // The paper's figure counts 16-bit weights and gradients and fp32 Adam states (12 B/param) …
        let paper = m.bytes(startingWith: "weights (bf16)") + m.bytes(startingWith: "gradients")
            + m.bytes(startingWith: "AdamW")
        XCTAssertEqual(paper, 12 * 65_285_660_672)
        XCTAssertGreaterThan(paper, 780e9)
        // … mixed precision adds an fp32 master copy (16 B/param), and activations come on top.
        XCTAssertEqual(m.bytes(startingWith: "master weights"), 4 * 65_285_660_672)
        XCTAssertGreaterThan(m.total, 1_044e9)
    }

    func qlora65(adapter: ComputeDType) throws -> TrainingEstimate {
        try TrainingMemory.estimate(llama65, TrainingOptions(
            method: .qlora, batch: 1, seqLen: 512, dtype: .bf16, optimizer: .adamw, rank: 64,
            targets: ["all-linear"], gradientCheckpointing: true, adapterDType: adapter))
    }

    func testQLoRAOf65BFitsIn48GB() throws {
        // As QLoRA's qlora.py runs it: adapters cast to bf16, 32-bit Adam states.
        let e = try qlora65(adapter: .bf16)
        XCTAssertEqual(e.loraParameters, 80 * 64 * (4 * (8192 + 8192) + 3 * (8192 + 22016)))
        XCTAssertLessThan(e.memory.total, 48e9)
        XCTAssertGreaterThan(e.memory.total, 40e9)   // the 4-bit base alone is ~33 GB
        // PEFT's default fp32 adapters still fit a 48 GiB card, not 48e9 bytes.
        let fp32 = try qlora65(adapter: .fp32)
        // Difference: adapters and their gradients 2 B more each, and the 7 lora_A outputs [B,T,r]
        // of the one recomputed layer 2 B more per element.
        XCTAssertEqual(fp32.memory.total - e.memory.total, 2 * 2 * Double(e.loraParameters) + 2 * 7 * 512 * 64)
        XCTAssertLessThan(fp32.memory.total, 48 * 1_073_741_824)
    }

    func testDoubleQuantSavesAbout0373BitsPerParameterAnd3GBAt65B() {
        let nf4 = InferenceMemory.estimate(llama65, format: .nf4, batch: 1, context: 1).total
        let dq = InferenceMemory.estimate(llama65, format: .nf4DoubleQuant, batch: 1, context: 1).total
        let quantized = Double(ParameterBreakdown(llama65).blockLinearWeights)
        XCTAssertEqual((nf4 - dq) * 8 / quantized, 0.373, accuracy: 0.001)
        XCTAssertEqual((nf4 - dq) / 1e9, 3.0, accuracy: 0.1)
        XCTAssertEqual(WeightFormat.nf4.bitsPerParameter - WeightFormat.nf4DoubleQuant.bitsPerParameter, 0.373, accuracy: 0.0005)
    }
}
