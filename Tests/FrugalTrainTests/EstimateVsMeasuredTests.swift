// The estimate against reality (issue 6, item 6): for the default model's shape (SmolLM2-135M,
// randomly initialized — memory depends on shapes only), the frugal engine profile of
// FrugalEstimate predicts the peak of one full training step (forward, backward, AdamW update) as
// Frugal's own ledger, MemoryStats, measures it, within 15%, over the 16 combinations
// {qlora, lora} × {checkpointing off, on} × {micro-batch 1, 4} × {128, 256 tokens}.
// LoRA: r = 8 on q_proj and v_proj (PEFT's and Frugal's default targets), dropout 0.
// QLoRA: the same model with its block linears quantized to NF4 + double quant (block 64).
// Measured = MemoryStats.peak during Trainer.trainStep() − MemoryStats.current before the model
// existed, so weights, adapters and optimizer states count.
// A second test checks the block-backward moment on a small-vocabulary shape, where the head's
// chunk of logits no longer sets the peak.
import XCTest
import FrugalCore
import FrugalSpec
import FrugalModels
import FrugalEstimate
@testable import FrugalTrain

final class EstimateVsMeasuredTests: XCTestCase {
    struct Row {
        var method: TrainingMethod, checkpointing: Bool, batch: Int, seqLen: Int
        var predicted: Double, measured: Double
        var ratio: Double { predicted / measured }
        var label: String { "\(method.rawValue) ckpt=\(checkpointing ? "on " : "off") B=\(batch) T=\(seqLen)" }
    }

    static let targets = ["q_proj", "v_proj"]

    /// One training step of `model` (adapter attached) on random tokens; the peak over the step
    /// minus `baseline`.
    static func measure(_ model: DecoderModel, adapter: LoRAAdapter, batch: Int, seqLen: Int, checkpointing: Bool,
                        baseline: Int) throws -> Int {
        let v = model.config.vocabSize
        let n = batch * seqLen
        let ids = (0..<n).map { Int32(($0 &* 7919 &+ 13) % v) }
        let labels = (0..<n).map { Int32(($0 &* 104_729 &+ 1) % v) }
        var options = TrainOptions()
        options.steps = 1
        options.checkpointing = checkpointing
        let trainer = try Trainer(model: model, adapter: adapter, train: [TokenBatch(ids: ids, labels: labels, batch: batch)],
                                  options: options)
        let metrics = try trainer.trainStep()
        return metrics.peakMemoryBytes - baseline
    }

    static func predicted(_ config: ModelConfig, method: TrainingMethod, batch: Int, seqLen: Int, checkpointing: Bool,
                          rank: Int = 8, targets: [String] = targets, dropout: Double = 0) throws -> Double {
        let o = TrainingOptions(method: method, batch: batch, seqLen: seqLen, dtype: .fp32, optimizer: .adamw, rank: rank,
                                targets: targets, gradientCheckpointing: checkpointing, adapterDType: .fp32,
                                baseFormat: .nf4DoubleQuant, engine: .frugal, loraDropout: dropout)
        return try TrainingMemory.estimate(config, o).memory.total
    }

    /// Measures every (checkpointing, batch, seqLen) for `method` on a fresh model of `config`.
    static func rows(_ config: ModelConfig, method: TrainingMethod, shapes: [(Bool, Int, Int)],
                     targets: [String] = targets, dropout: Float = 0) throws -> [Row] {
        let baseline = MemoryStats.current
        let model = DecoderModel(randomlyInitialized: config, rng: RandomGenerator(seed: 6))
        if method == .qlora { try model.quantizeBlockLinears(type: .nf4, blockSize: 64, doubleQuant: true) }
        let adapter = try LoRAAdapter.attach(to: model, config: LoRAConfig(rank: 8, alpha: 16, dropout: dropout, targets: targets),
                                             seed: 1)
        var out: [Row] = []
        for (ckpt, b, t) in shapes {
            let m = try measure(model, adapter: adapter, batch: b, seqLen: t, checkpointing: ckpt, baseline: baseline)
            let p = try predicted(config, method: method, batch: b, seqLen: t, checkpointing: ckpt, targets: targets,
                                  dropout: Double(dropout))
            out.append(Row(method: method, checkpointing: ckpt, batch: b, seqLen: t, predicted: p, measured: Double(m)))
        }
        return out
    }

    static func table(_ rows: [Row]) -> String {
        rows.map { String(format: "%@  predicted %.1f MB  measured %.1f MB  ratio %.3f", $0.label, $0.predicted / 1e6,
                          $0.measured / 1e6, $0.ratio) }.joined(separator: "\n")
    }

    func testPredictedPeakWithin15PercentOnTheDefaultModel() throws {
        let config = try ModelPreset.named("SmolLM2-135M").config
        var shapes: [(Bool, Int, Int)] = []
        for ckpt in [false, true] { for b in [1, 4] { for t in [128, 256] { shapes.append((ckpt, b, t)) } } }
        var rows: [Row] = []
        for method in [TrainingMethod.qlora, .lora] { rows += try Self.rows(config, method: method, shapes: shapes) }
        XCTAssertEqual(rows.count, 16)
        print("estimate vs measured (SmolLM2-135M shape):\n" + Self.table(rows))
        let worst = rows.max { abs(log($0.ratio)) < abs(log($1.ratio)) }!
        XCTAssert(rows.allSatisfy { abs($0.ratio - 1) <= 0.15 },
                  "worst predicted/measured ratio \(String(format: "%.3f", worst.ratio)) (\(worst.label)); all:\n\(Self.table(rows))")
        // Checkpointing must pay off as predicted: it saves at least 30% at 4 × 256 tokens.
        let off = rows.first { $0.method == .lora && !$0.checkpointing && $0.batch == 4 && $0.seqLen == 256 }!
        let on = rows.first { $0.method == .lora && $0.checkpointing && $0.batch == 4 && $0.seqLen == 256 }!
        XCTAssertLessThan(on.measured, 0.7 * off.measured)
        XCTAssertLessThan(on.predicted, 0.7 * off.predicted)
    }

    /// `frugal finetune`'s defaults: LoRA dropout 0.05 on all seven projections. Each wrapped
    /// module's LoRA update keeps its dropout mask as bits until the backward.
    func testPredictedPeakWithLoRADropoutOnAllLinearLayers() throws {
        let config = try ModelPreset.named("SmolLM2-135M").config
        let shapes: [(Bool, Int, Int)] = [(false, 4, 96), (true, 4, 96)]
        var rows: [Row] = []
        for method in [TrainingMethod.qlora, .lora] {
            rows += try Self.rows(config, method: method, shapes: shapes, targets: ["all-linear"], dropout: 0.05)
        }
        print("estimate vs measured, dropout 0.05, all-linear:\n" + Self.table(rows))
        let worst = rows.max { abs(log($0.ratio)) < abs(log($1.ratio)) }!
        XCTAssert(rows.allSatisfy { abs($0.ratio - 1) <= 0.15 },
                  "worst predicted/measured ratio \(String(format: "%.3f", worst.ratio)) (\(worst.label)); all:\n\(Self.table(rows))")
        // Dropout's masks are bits inside the LoRA update: the estimate shows them (more than without
        // dropout) and they stay small (a Float32 mask and copy per module cost +70% here).
        let without = try Self.predicted(config, method: .qlora, batch: 4, seqLen: 96, checkpointing: false, targets: ["all-linear"])
        XCTAssertGreaterThan(rows[0].predicted, without)
        XCTAssertLessThan(rows[0].predicted, without * 1.05)
    }

    /// With a 256-token vocabulary the head's logits are small, so the peak falls inside a
    /// block's backward (with checkpointing: one recomputed block).
    func testBlockBackwardMomentOnASmallVocabulary() throws {
        var config = try ModelPreset.named("SmolLM2-135M").config
        config.vocabSize = 256
        config.numLayers = 4
        let shapes: [(Bool, Int, Int)] = [(false, 2, 128), (true, 2, 128), (true, 1, 256)]
        let title = try TrainingMemory.estimate(config, TrainingOptions(method: .lora, batch: 2, seqLen: 128, dtype: .fp32,
                                                                        targets: Self.targets, engine: .frugal)).memory.title
        XCTAssert(title.hasSuffix("peak during the block backward"), title)
        var rows: [Row] = []
        for method in [TrainingMethod.lora, .qlora] { rows += try Self.rows(config, method: method, shapes: shapes) }
        print("estimate vs measured (vocabulary 256, 4 layers):\n" + Self.table(rows))
        let worst = rows.max { abs(log($0.ratio)) < abs(log($1.ratio)) }!
        XCTAssert(rows.allSatisfy { abs($0.ratio - 1) <= 0.15 },
                  "worst predicted/measured ratio \(String(format: "%.3f", worst.ratio)) (\(worst.label)); all:\n\(Self.table(rows))")
    }

    /// The frugal profile by hand for LoRA (q, v), B = 1, T = 128, no checkpointing: fp32 weights,
    /// adapters ×3 (A/B, m, v), then per token what the recorded ops saved in each of the 30 blocks —
    /// the block output (the next norm's input) C, n1 C, the two saved x·Aᵀ 2r, v K·D (the LoRA
    /// update is added into v_proj's own output), q and k after RoPE H·D + K·D, the attention output
    /// H·D, h C, n2 C, gate, up and their SwiGLU product 3F: 4C + 2·H·D + 2·K·D + 3F + 2r = 8,464
    /// floats (the embedding output is not saved: block 0's first norm is not recorded) — then the
    /// final norm output C; at the peak, the fused head's one chunk (128 rows: 128·49,152 < 2²⁵) of
    /// logits V, hidden rows and their gradient 2C, and the hidden-state gradient C; plus 30 × H·T²
    /// attention probabilities.
    func testFrugalProfileByHand() throws {
        let c = try ModelPreset.named("SmolLM2-135M").config
        let perToken = 30 * 8_464 + 576 + 49_152 + 3 * 576
        let expected = 134_515_008 * 4 + 460_800 * 12 + perToken * 128 * 4 + 30 * 9 * 128 * 128 * 4
        XCTAssertEqual(try Self.predicted(c, method: .lora, batch: 1, seqLen: 128, checkpointing: false), Double(expected))
        // With checkpointing: the 31 residual-stream tensors replace the blocks' activations.
        let ckpt = 134_515_008 * 4 + 460_800 * 12 + (31 * 576 + 576 + 49_152 + 3 * 576) * 128 * 4
        XCTAssertEqual(try Self.predicted(c, method: .lora, batch: 1, seqLen: 128, checkpointing: true), Double(ckpt))
        let e = try TrainingMemory.estimate(c, TrainingOptions(method: .qlora, batch: 4, seqLen: 256, dtype: .fp32, rank: 8,
                                                              targets: Self.targets, engine: .frugal))
        XCTAssert(e.memory.title.hasSuffix("peak during the head (fused with the loss)"), e.memory.title)
        XCTAssertEqual(e.memory.bytes(startingWith: "block linear weights"), 53_084_160)
    }

    /// The frugal profile describes Frugal's fp32 AdamW engine only, and says so by option name.
    func testFrugalProfileRefusesWhatFrugalDoesNotRun() throws {
        let c = try ModelPreset.named("SmolLM2-135M").config
        XCTAssertThrowsError(try TrainingMemory.estimate(c, TrainingOptions(method: .lora, dtype: .bf16, engine: .frugal))) {
            XCTAssert("\($0)".contains("--dtype"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingMemory.estimate(c, TrainingOptions(method: .lora, dtype: .fp32, optimizer: .adamw8bit,
                                                                            engine: .frugal))) {
            XCTAssert("\($0)".contains("--optimizer"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingMemory.estimate(c, TrainingOptions(method: .qlora, dtype: .fp32, adapterDType: .bf16,
                                                                            engine: .frugal))) {
            XCTAssert("\($0)".contains("--adapter-dtype"), "\($0)")
        }
        let gpt2 = try ModelPreset.named("GPT-2").config
        XCTAssertThrowsError(try TrainingMemory.estimate(gpt2, TrainingOptions(method: .lora, dtype: .fp32, targets: ["c_attn"],
                                                                               engine: .frugal)))
        // The PyTorch profile stays the default, also for JSON written before `engine` existed.
        XCTAssertEqual(TrainingOptions(method: .lora).engine, .pytorch)
        var dict = try JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingOptions(method: .lora))) as! [String: Any]
        XCTAssertEqual(dict["engine"] as? String, "pytorch")
        dict["engine"] = nil
        let back = try JSONDecoder().decode(TrainingOptions.self, from: JSONSerialization.data(withJSONObject: dict))
        XCTAssertEqual(back, TrainingOptions(method: .lora))
    }
}
