// Training checkpoints: exact resume (N steps straight = N/2, save, load into a fresh trainer,
// N/2 more — bit for bit), atomic replacement, and refusal of mismatched or damaged checkpoints.
import XCTest
import FrugalCore
import FrugalModels
@testable import FrugalTrain

final class CheckpointTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static let lora = LoRAConfig(rank: 4, alpha: 8, dropout: 0.1, targets: ["q", "k", "v", "o", "down"])

    static var options: TrainOptions {
        var o = TrainOptions()
        o.steps = 6; o.gradAccum = 2; o.lr = 5e-3; o.warmup = 2; o.schedule = .cosine; o.minLRRatio = 0.1
        o.weightDecay = 0.01; o.maxGradNorm = 0.5; o.checkpointing = true; o.seed = 11; o.shuffle = true
        return o
    }

    /// Five micro-batches, so the step boundaries and the epochs do not line up.
    static let train = (0..<5).map { Tiny.textBatch(Tiny.text, rows: 2, t: 12, start: $0 * 13) }

    func freshTrainer(options: TrainOptions = CheckpointTests.options, lora: LoRAConfig = CheckpointTests.lora) throws -> Trainer {
        let model = Tiny.model(seed: 21)
        let adapter = try LoRAAdapter.attach(to: model, config: lora, seed: 22)
        return try Trainer(model: model, adapter: adapter, train: Self.train, options: options)
    }

    func testResumeIsBitExact() throws {
        let straight = try freshTrainer()
        var straightLosses: [Float] = []
        try straight.run { straightLosses.append($0.loss) }
        XCTAssertEqual(straightLosses.count, 6)

        let first = try freshTrainer()
        var resumedLosses: [Float] = []
        try first.run(until: 3) { resumedLosses.append($0.loss) }
        let ckpt = dir.appendingPathComponent("step-3")
        try first.saveCheckpoint(to: ckpt)
        // Train the first trainer further, then save again over the same folder, then restore step 3
        // from a copy saved before: replacing a checkpoint leaves exactly one complete folder.
        let keep = dir.appendingPathComponent("keep")
        try FileManager.default.copyItem(at: ckpt, to: keep)
        try first.run(until: 4)
        try first.saveCheckpoint(to: ckpt)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["keep", "step-3"])
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: ckpt.path)),
                       ["trainer_state.json", "tensors.json", "tensors.bin"])

        let second = try freshTrainer()
        try second.loadCheckpoint(from: keep)
        XCTAssertEqual(second.step, 3)
        XCTAssertEqual(second.microBatchesConsumed, 6)
        try second.run { resumedLosses.append($0.loss) }
        XCTAssertEqual(resumedLosses, straightLosses, "losses after resume, bit for bit")
        for ((name, a), (_, b)) in zip(straight.parameters, second.parameters) {
            XCTAssertTrue(a.scalars == b.scalars, "\(name) differs after resume")
        }
        let (m1, v1) = straight.optimizer.moments, (m2, v2) = second.optimizer.moments
        XCTAssertTrue(m1.map(\.scalars) == m2.map(\.scalars), "first moments differ")
        XCTAssertTrue(v1.map(\.scalars) == v2.map(\.scalars), "second moments differ")
        XCTAssertEqual(straight.optimizer.step, second.optimizer.step)
        XCTAssertEqual(straight.totalTokens, second.totalTokens)
        XCTAssertEqual(straight.dropoutRNG.state.0, second.dropoutRNG.state.0)
    }

    func testFullFineTuningResumesExactly() throws {
        var o = Self.options; o.steps = 4; o.checkpointing = false; o.lr = 1e-3
        func fresh() throws -> Trainer { try Trainer(model: Tiny.model(seed: 30), adapter: nil, train: Self.train, options: o) }
        let straight = try fresh()
        var a: [Float] = []
        try straight.run { a.append($0.loss) }
        XCTAssertEqual(straight.parameters.count, Tiny.model().namedTensors.count, "every tensor trains")
        let half = try fresh()
        var b: [Float] = []
        try half.run(until: 2) { b.append($0.loss) }
        try half.saveCheckpoint(to: dir.appendingPathComponent("full"))
        let resumed = try fresh()
        try resumed.loadCheckpoint(from: dir.appendingPathComponent("full"))
        try resumed.run { b.append($0.loss) }
        XCTAssertEqual(a, b)
        XCTAssertLessThan(a.last!, a.first!)
        for ((name, x), (_, y)) in zip(straight.parameters, resumed.parameters) {
            XCTAssertTrue(x.scalars == y.scalars, "\(name) differs after resume")
        }
        // A LoRA trainer refuses a full fine-tuning checkpoint.
        XCTAssertThrowsError(try freshTrainer(options: o).loadCheckpoint(from: dir.appendingPathComponent("full"))) {
            XCTAssertEqual($0 as? CheckpointError, .loraConfigDiffers)
        }
    }

    /// A finished run extends: loading its last checkpoint into a trainer configured for more steps
    /// continues to the new total. With a constant schedule that is the longer run trained straight,
    /// bit for bit; with cosine the schedule is the new total's from the restored step on.
    func testFinishedRunExtendsToMoreSteps() throws {
        var constant = Self.options; constant.schedule = .constant; constant.steps = 4
        var longer = constant; longer.steps = 7
        var straightLosses: [Float] = []
        try freshTrainer(options: longer).run { straightLosses.append($0.loss) }

        let short = try freshTrainer(options: constant)
        var losses: [Float] = []
        try short.run { losses.append($0.loss) }
        XCTAssertTrue(short.isFinished)
        let ckpt = dir.appendingPathComponent("step-4")
        try short.saveCheckpoint(to: ckpt)
        let extended = try freshTrainer(options: longer)
        try extended.loadCheckpoint(from: ckpt)
        XCTAssertEqual(extended.step, 4)
        try extended.run { losses.append($0.loss) }
        XCTAssertEqual(extended.step, 7)
        XCTAssertEqual(losses, straightLosses)

        // Cosine over 6 steps, extended to 9 (warmup may change with the length too).
        let cosine = try freshTrainer()
        try cosine.run()
        try cosine.saveCheckpoint(to: ckpt)
        var nine = Self.options; nine.steps = 9; nine.warmup = 3
        let stretched = try freshTrainer(options: nine)
        try stretched.loadCheckpoint(from: ckpt)
        var lrs: [Float] = []
        try stretched.run { lrs.append($0.lr) }
        XCTAssertEqual(lrs, (6..<9).map { nine.lrSchedule.lr(at: $0) })

        // Shorter than the checkpoint: refused, saying how many steps it needs.
        var three = Self.options; three.steps = 3
        XCTAssertThrowsError(try freshTrainer(options: three).loadCheckpoint(from: ckpt)) {
            XCTAssertEqual($0 as? CheckpointError, .pastEnd(step: 6, steps: 3))
        }
    }

    func testStateFileIsReadableJSON() throws {
        let t = try freshTrainer()
        try t.run(until: 1)
        try t.saveCheckpoint(to: dir.appendingPathComponent("c"))
        let data = try Data(contentsOf: dir.appendingPathComponent("c/trainer_state.json"))
        let obj = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        XCTAssertEqual(obj["format"] as? String, "frugal-trainer-checkpoint")
        XCTAssertEqual(obj["step"] as? Int, 1)
        XCTAssertEqual(obj["micro_batches_consumed"] as? Int, 2)
        XCTAssertEqual((obj["dropout_rng"] as? [String])?.count, 4)
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("c/tensors.json"))) as! [String: Any]
        let entries = index["tensors"] as! [[String: Any]]
        XCTAssertEqual(entries.count, 3 * t.parameters.count)
        XCTAssertEqual(entries[0]["name"] as? String, "param/model.layers.0.self_attn.q_proj.lora_A.weight")
        let bin = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("c/tensors.bin").path)[.size] as! Int
        XCTAssertEqual(bin, 3 * 4 * t.parameters.reduce(0) { $0 + $1.1.count })
    }

    func testRefusesMismatchedOrDamagedCheckpoints() throws {
        let t = try freshTrainer()
        try t.run(until: 2)
        let c = dir.appendingPathComponent("c")
        try t.saveCheckpoint(to: c)

        var other = Self.options; other.lr = 1e-3; other.seed = 12
        XCTAssertThrowsError(try freshTrainer(options: other).loadCheckpoint(from: c)) {
            XCTAssertEqual($0 as? CheckpointError, .optionsDiffer(fields: ["lr", "seed"]))
        }
        var lora = Self.lora; lora.rank = 2
        XCTAssertThrowsError(try freshTrainer(lora: lora).loadCheckpoint(from: c)) {
            XCTAssertEqual($0 as? CheckpointError, .loraConfigDiffers)
        }
        XCTAssertThrowsError(try freshTrainer().loadCheckpoint(from: dir.appendingPathComponent("nope"))) {
            guard case .missingFile = $0 as? CheckpointError else { return XCTFail("\($0)") }
        }

        // An unknown key in the state file.
        let stateURL = c.appendingPathComponent("trainer_state.json")
        let good = try Data(contentsOf: stateURL)
        var obj = try JSONSerialization.jsonObject(with: good) as! [String: Any]
        obj["learning_rate_typo"] = 3
        try JSONSerialization.data(withJSONObject: obj).write(to: stateURL)
        XCTAssertThrowsError(try freshTrainer().loadCheckpoint(from: c)) {
            XCTAssertEqual($0 as? CheckpointError, .unknownKeys(file: stateURL.path, keys: ["learning_rate_typo"]))
        }
        try good.write(to: stateURL)

        // An index that claims a huge tensor must not allocate it.
        let indexURL = c.appendingPathComponent("tensors.json")
        let goodIndex = try Data(contentsOf: indexURL)
        var index = try JSONSerialization.jsonObject(with: goodIndex) as! [String: Any]
        var entries = index["tensors"] as! [[String: Any]]
        entries[0]["bytes"] = 1 << 40
        index["tensors"] = entries
        try JSONSerialization.data(withJSONObject: index).write(to: indexURL)
        XCTAssertThrowsError(try freshTrainer().loadCheckpoint(from: c)) {
            guard case .malformed = $0 as? CheckpointError else { return XCTFail("\($0)") }
        }
        // A shape that does not fit the adapter.
        entries = (try JSONSerialization.jsonObject(with: goodIndex) as! [String: Any])["tensors"] as! [[String: Any]]
        entries[1]["shape"] = [3, 3]
        index["tensors"] = entries
        try JSONSerialization.data(withJSONObject: index).write(to: indexURL)
        XCTAssertThrowsError(try freshTrainer().loadCheckpoint(from: c)) {
            guard case .tensorMismatch(let name, _) = $0 as? CheckpointError else { return XCTFail("\($0)") }
            XCTAssertEqual(name, "param/model.layers.0.self_attn.q_proj.lora_B.weight")
        }
        try goodIndex.write(to: indexURL)

        // A truncated data file.
        let binURL = c.appendingPathComponent("tensors.bin")
        let bin = try Data(contentsOf: binURL)
        try bin.prefix(bin.count - 8).write(to: binURL)
        XCTAssertThrowsError(try freshTrainer().loadCheckpoint(from: c)) {
            guard case .malformed = $0 as? CheckpointError else { return XCTFail("\($0)") }
        }
        try bin.write(to: binURL)
        let restored = try freshTrainer()
        try restored.loadCheckpoint(from: c)
        XCTAssertEqual(restored.step, 2)
        // The same targets spelled differently are the same adapter.
        var respelled = Self.lora; respelled.targets = ["down_proj,o_proj", "q_proj", "k_proj", "v"]
        XCTAssertNoThrow(try freshTrainer(lora: respelled).loadCheckpoint(from: c))
    }
}
