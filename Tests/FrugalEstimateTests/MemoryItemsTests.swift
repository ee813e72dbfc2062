// Memory lines checked exactly against hand counts: NF4 / double-quant / int8 constants for
// SmolLM2-135M (formats-and-algorithms §1.7), the KV cache, LoRA parameter counts (PEFT,
// §4.4), 8-bit AdamW's per-tensor rule, the per-layer activation inventory, and checkpointing.
import XCTest
import FrugalSpec
@testable import FrugalEstimate

final class MemoryItemsTests: XCTestCase {
    let smol = try! ModelPreset.named("SmolLM2-135M").config

    func testNF4DoubleQuantBytesOfSmolLM2() {
        let e = InferenceMemory.estimate(smol, format: .nf4DoubleQuant, batch: 1, context: 1)
        XCTAssertEqual(e.bytes(startingWith: "block linear weights"), 53_084_160)
        // uint8 absmax per 64 (1,658,880) + nested fp32 absmax per 256 blocks, per tensor:
        // q,o: 5184 blocks → 21; k,v: 1728 → 7; gate,up,down: 13,824 → 54; so 218 a layer,
        // + offset 4 B + quant_map 64 B + nested_quant_map 1024 B for each of 210 tensors.
        XCTAssertEqual(e.bytes(startingWith: "4-bit absmax"), 1_658_880 + 30 * 218 * 4 + 210 * 1092)
        XCTAssertEqual(e.bytes(startingWith: "embeddings + head"), 28_311_552 * 2)
        XCTAssertEqual(e.bytes(startingWith: "norms + biases"), 61 * 576 * 2)
    }

    func testNF4AndInt8Constants() {
        let nf4 = InferenceMemory.estimate(smol, format: .nf4, batch: 1, context: 1)
        XCTAssertEqual(nf4.bytes(startingWith: "4-bit absmax"), 1_658_880 * 4 + 210 * 64)
        let int8 = InferenceMemory.estimate(smol, format: .int8, batch: 1, context: 1)
        XCTAssertEqual(int8.bytes(startingWith: "block linear weights"), 106_168_320)
        XCTAssertEqual(int8.bytes(startingWith: "int8 row scales"), 30 * (576 + 192 + 192 + 576 + 1536 + 1536 + 576) * 4)
    }

    func testKVCache() {
        let bf16 = InferenceMemory.estimate(smol, format: .bf16, batch: 2, context: 8192)
        XCTAssertEqual(bf16.bytes(startingWith: "KV cache"), 2 * 30 * 2 * 8192 * 3 * 64 * 2)
        let fp32 = InferenceMemory.estimate(smol, format: .fp32, batch: 1, context: 100)
        XCTAssertEqual(fp32.bytes(startingWith: "KV cache"), 2 * 30 * 100 * 3 * 64 * 4)
        XCTAssertEqual(fp32.bytes(startingWith: "logits"), 49152 * 4)
    }

    func testLoRAParameterCountsMatchPEFT() throws {
        let qkvo = try TrainingMemory.estimate(smol, TrainingOptions(method: .lora, rank: 8, targets: ["q_proj", "k_proj", "v_proj", "o_proj"]))
        XCTAssertEqual(qkvo.loraParameters, 921_600)
        let all = try TrainingMemory.estimate(smol, TrainingOptions(method: .lora, rank: 8))
        XCTAssertEqual(all.loraParameters, 2_442_240)
        XCTAssertEqual(all.memory.bytes(startingWith: "LoRA adapters"), 2_442_240 * 4)
        XCTAssertEqual(all.memory.bytes(startingWith: "AdamW"), 2_442_240 * 8)
        XCTAssertThrowsError(try TrainingMemory.estimate(smol, TrainingOptions(method: .lora, targets: ["c_attn"]))) { error in
            guard case .unknownTarget("c_attn", _)? = error as? EstimateError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try TrainingMemory.estimate(smol, TrainingOptions(method: .lora, batch: 0)))
    }

    /// `--targets q,v` (documented for finetune and estimate) means q_proj and v_proj, as PEFT names
    /// them; full names, lists and all-linear read the same way.
    func testShortTargetNamesAreAccepted() throws {
        func lora(_ targets: [String]) throws -> Int {
            try TrainingMemory.estimate(smol, TrainingOptions(method: .qlora, rank: 8, targets: targets)).loraParameters
        }
        XCTAssertEqual(try lora(["q,v"]), try lora(["q_proj", "v_proj"]))
        XCTAssertEqual(try lora(["q", "k", "v", "o"]), 921_600)
        XCTAssertEqual(try lora(["q,k,v,o,gate,up,down"]), try lora(["all-linear"]))
        XCTAssertThrowsError(try lora(["q,lm_head"])) { error in
            guard case .unknownTarget("lm_head", let valid)? = error as? EstimateError else { return XCTFail("\(error)") }
            XCTAssertTrue(valid.contains("q") && valid.contains("q_proj"), "\(valid)")
        }
    }

    func testAdamW8BitPerTensorRule() throws {
        // r=8 on all 7 projections: k/v lora_B are 192×8 = 1536 < 4096 elements and stay fp32;
        // the 4608- and 12288-element tensors take 1 B + an fp32 absmax per 256.
        let e = try TrainingMemory.estimate(smol, TrainingOptions(method: .lora, optimizer: .adamw8bit, rank: 8))
        let big4608: Double = 9 * (4608 + 18 * 4)
        let big12288: Double = 3 * (12288 + 48 * 4)
        let small: Double = 2 * 1536 * 4
        let perLayer = big4608 + big12288 + small
        XCTAssertEqual(e.memory.bytes(startingWith: "AdamW 8-bit first moment"), 30 * perLayer)
        XCTAssertEqual(e.memory.bytes(startingWith: "AdamW 8-bit second moment"), 30 * perLayer)
    }

    func testFullTrainingStatesPerParameter() throws {
        let n = 134_515_008.0
        let fp32 = try TrainingMemory.estimate(smol, TrainingOptions(method: .full, dtype: .fp32))
        let states32 = fp32.memory.bytes(startingWith: "weights") + fp32.memory.bytes(startingWith: "gradients (")
            + fp32.memory.bytes(startingWith: "AdamW")
        XCTAssertEqual(states32, 16 * n)
        let mixed = try TrainingMemory.estimate(smol, TrainingOptions(method: .full, dtype: .bf16))
        XCTAssertEqual(mixed.memory.bytes(startingWith: "master"), 4 * n)
        XCTAssertEqual(mixed.trainableParameters, 134_515_008)
    }

    func testPerLayerActivationsFullFP32ClosedForm() throws {
        let (B, T) = (2, 64)
        let e = try TrainingMemory.estimate(smol, TrainingOptions(method: .full, batch: B, seqLen: T, dtype: .fp32))
        let (C, F, H, K, D) = (576.0, 1536.0, 9.0, 3.0, 64.0)
        let bt = Double(B * T)
        // x, normed x (twice each), q, k, v, context, gate, up, silu, product; rstd ×2; P [B,H,T,T].
        let expected = 4 * bt * (4 * C + 2 * H * D + 2 * K * D + 4 * F + 2) + 4 * Double(B) * H * Double(T * T)
        XCTAssertEqual(e.perLayerActivations.reduce(0) { $0 + $1.bytes }, expected)
        XCTAssertEqual(e.memory.bytes(startingWith: "activations: 30 layers"), 30 * expected)
    }

    func testLoRAOnQAndVKeepsOnlyWhatItsGradientsNeed() throws {
        let e = try TrainingMemory.estimate(smol, TrainingOptions(method: .lora, batch: 1, seqLen: 32, dtype: .bf16,
                                                                   rank: 4, targets: ["q_proj", "v_proj"]))
        let names = e.perLayerActivations.map(\.name)
        XCTAssertTrue(names.contains("input_layernorm output (q/k/v input)"))
        XCTAssertFalse(names.contains("attention context (o_proj input)"))
        XCTAssertFalse(names.contains("post_attention_layernorm output (MLP input)"))
        XCTAssertFalse(names.contains("silu(gate)·up (down_proj input)"))
        XCTAssertEqual(names.filter { $0.hasPrefix("lora_A output") }, ["lora_A output of q_proj", "lora_A output of v_proj"])
        // bf16 compute keeps the fp32 softmax output and its bf16 cast.
        let p = e.perLayerActivations.filter { $0.shape == "[B,H,T,T]" }
        XCTAssertEqual(p.map(\.bytesPerElement), [4, 2])
    }

    func testGradientCheckpointingKeepsLayerInputsPlusOneLayer() throws {
        let o = TrainingOptions(method: .lora, batch: 1, seqLen: 256, dtype: .bf16, gradientCheckpointing: true)
        let e = try TrainingMemory.estimate(smol, o)
        XCTAssertEqual(e.memory.bytes(startingWith: "activations: checkpointed"), 30 * 256 * 576 * 2)
        let layer = e.perLayerActivations.reduce(0) { $0 + $1.bytes }
        XCTAssertEqual(e.memory.bytes(startingWith: "activations: one layer"), layer - 256 * 576 * 2)
        var plain = o; plain.gradientCheckpointing = false
        let noCkpt = try TrainingMemory.estimate(smol, plain)
        XCTAssertEqual(noCkpt.memory.bytes(startingWith: "activations"), 30 * layer)
        XCTAssertLessThan(e.memory.total, noCkpt.memory.total)
    }

    func testLogitsAndTheirGradient() throws {
        let e = try TrainingMemory.estimate(smol, TrainingOptions(method: .lora, batch: 3, seqLen: 10, dtype: .bf16))
        XCTAssertEqual(e.memory.bytes(startingWith: "logits"), 3 * 10 * 49152 * 2)
        XCTAssertEqual(e.memory.bytes(startingWith: "log-softmax"), 3 * 10 * 49152 * 4)
        XCTAssertEqual(e.memory.bytes(startingWith: "gradient of the logits"), 3 * 10 * 49152 * 4)
    }

    func testQLoRAKeepsNormsInFP32AndEmbeddingsInComputeDType() throws {
        let e = try TrainingMemory.estimate(smol, TrainingOptions(method: .qlora))
        XCTAssertEqual(e.memory.bytes(startingWith: "frozen base norms"), 61 * 576 * 4)
        XCTAssertEqual(e.memory.bytes(startingWith: "frozen base embeddings"), 28_311_552 * 2)
        XCTAssertEqual(e.memory.bytes(startingWith: "dequantized weight buffer"), 1536 * 576 * 2)
    }
}
