// Hostile input and lost work (issue 23), training side: absurd flags and adapter configs are
// refused before anything is allocated; checkpoints carry a checksum and a data fingerprint; a
// damaged newest checkpoint falls back to an intact one; metrics.jsonl holds each step once after
// a resume; stale temporaries go; a second run on a folder is refused by its lock.
import XCTest
import Foundation
import FrugalCore
import FrugalIO
import FrugalModels
@testable import FrugalTrain

final class HostileRunTests: XCTestCase {
    var tmp: URL!
    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: tmp) }

    // MARK: traps

    func testAdapterConfigWithAbsurdRankIsAnError() throws {
        for r in ["2147483648", "9223372036854775807", "1e30", "2.5", "0", "-3"] {
            let json = #"{"peft_type": "LORA", "r": \#(r), "lora_alpha": 16, "target_modules": ["q_proj"]}"#
            XCTAssertThrowsError(try PEFTAdapterConfig.loraConfig(from: Data(json.utf8)), r) { e in
                XCTAssertTrue("\(e)".contains("r"), "\(e)")
            }
        }
        XCTAssertThrowsError(try LoRAConfig(rank: 1 << 31).validated())
        let ok = #"{"peft_type": "LORA", "r": 8, "lora_alpha": 16, "target_modules": ["q_proj"]}"#
        XCTAssertEqual(try PEFTAdapterConfig.loraConfig(from: Data(ok.utf8)).rank, 8)
    }

    func testMemoryLimitParsingRefusesNonFiniteAndHugeSizes() throws {
        for s in ["1e19B", "infB", "inf", "nanGB", "-4GB", "0", "0.5B", "1e300GB", "99999999999999999999", "GB", ""] {
            XCTAssertThrowsError(try FinetuneConfig.parseByteSize(s), s)
        }
        XCTAssertEqual(try FinetuneConfig.parseByteSize("4GB"), 4_000_000_000)
        XCTAssertEqual(try FinetuneConfig.parseByteSize("2GiB"), 2 << 30)
        XCTAssertEqual(try FinetuneConfig.parseByteSize("1000000"), 1_000_000)
        XCTAssertEqual(try FinetuneConfig.parseByteSize("512 mb"), 512_000_000)
    }

    func testExtremeNumericOptionsAreRefusedByValidation() throws {
        var base = FinetuneConfig()
        base.data = "d.jsonl"; base.output = tmp.path
        XCTAssertNoThrow(try base.validate())
        let cases: [(String, (inout FinetuneConfig) -> Void)] = [
            ("epochs", { $0.epochs = .infinity }), ("epochs", { $0.epochs = .nan }), ("epochs", { $0.epochs = 1e300 }),
            ("grad_accum", { $0.gradAccum = 1 << 62 }), ("batch_size", { $0.batchSize = 1_000_000 }),
            ("steps", { $0.steps = Int.max }), ("max_seq_len", { $0.maxSeqLen = 1 << 40 }), ("rank", { $0.rank = 1 << 31 }),
            ("lr", { $0.lr = .infinity }), ("alpha", { $0.alpha = .infinity }), ("warmup", { $0.warmup = -1 }),
            ("memory_limit", { $0.memoryLimit = Int.max }), ("max_grad_norm", { $0.maxGradNorm = .nan }),
        ]
        for (field, change) in cases {
            var c = base
            change(&c)
            XCTAssertThrowsError(try c.validate(), field) { e in
                guard case .invalidOption(let f, _, _)? = e as? TrainError else { return XCTFail("\(e)") }
                XCTAssertEqual(f, field)
            }
        }
    }

    // MARK: checkpoints

    static let lora = LoRAConfig(rank: 2, alpha: 4, targets: ["q", "v"])
    static var options: TrainOptions { var o = TrainOptions(); o.steps = 4; o.gradAccum = 1; o.lr = 1e-2; o.seed = 3; return o }

    func trainer(start: Int = 0) throws -> Trainer {
        let model = Tiny.model(seed: 5)
        let adapter = try LoRAAdapter.attach(to: model, config: Self.lora, seed: 6)
        let train = (0..<3).map { Tiny.textBatch(Tiny.text, rows: 1, t: 10, start: start + $0 * 11) }
        return try Trainer(model: model, adapter: adapter, train: train, options: Self.options)
    }

    func testZeroFilledTensorsOfTheRightSizeAreRefused() throws {
        let t = try trainer()
        try t.run(until: 2)
        let ckpt = tmp.appendingPathComponent("step-2")
        try t.saveCheckpoint(to: ckpt)
        let bin = ckpt.appendingPathComponent(RawTensorStore.dataFile)
        let size = try Data(contentsOf: bin).count
        try Data(count: size).write(to: bin)
        XCTAssertThrowsError(try trainer().loadCheckpoint(from: ckpt)) { e in
            guard case .checksumMismatch? = e as? CheckpointError else { return XCTFail("\(e)") }
        }
    }

    func testOtherTrainingDataIsRefusedUnlessAllowed() throws {
        let t = try trainer()
        try t.run(until: 1)
        let ckpt = tmp.appendingPathComponent("step-1")
        try t.saveCheckpoint(to: ckpt)
        XCTAssertNoThrow(try trainer().loadCheckpoint(from: ckpt))
        XCTAssertThrowsError(try trainer(start: 5).loadCheckpoint(from: ckpt)) { e in
            guard case .dataChanged? = e as? CheckpointError else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("--allow-data-change"))
        }
        let other = try trainer(start: 5)
        try other.loadCheckpoint(from: ckpt, allowDataChange: true)
        XCTAssertEqual(other.step, 1)
    }

    // MARK: run folders (the default model, as FinetuneRunTests)

    func finetuneConfig() throws -> FinetuneConfig {
        guard FileManager.default.fileExists(atPath: DefaultModel.path()) else { throw XCTSkip("no default model: \(DefaultModel.advice)") }
        let data = tmp.appendingPathComponent("train.jsonl")
        let lines = (0..<4).map { #"{"prompt": "Say \#($0):", "completion": " \#($0) \#($0)"}"# }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        var c = FinetuneConfig()
        c.data = data.path; c.output = tmp.appendingPathComponent("out").path
        c.method = .lora; c.rank = 2; c.alpha = 4; c.dropout = 0; c.targets = "q,v"
        c.steps = 4; c.batchSize = 1; c.gradAccum = 1; c.maxSeqLen = 16; c.lr = 1e-3; c.saveEvery = 1
        return c
    }

    func testResumeFallsBackCutsMetricsAndCleansUp() throws {
        let c = try finetuneConfig()
        let out = URL(fileURLWithPath: c.output)
        let straight = try Finetune(config: c)
        try straight.run { _ in }
        let straightAdapter = try Data(contentsOf: out.appendingPathComponent("adapter_model.safetensors"))
        let straightMetrics = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8)

        // As if killed after step 4's metrics line but before its final save: drop the adapter and
        // step-4, damage step-3 (the newest left), leave a killed write's temporaries behind.
        let fm = FileManager.default
        let ckpts = out.appendingPathComponent("checkpoints")
        for f in ["adapter_model.safetensors", "adapter_config.json", "checkpoints/step-4"] { try fm.removeItem(at: out.appendingPathComponent(f)) }
        try Data(count: 64).write(to: ckpts.appendingPathComponent("step-3/\(RawTensorStore.dataFile)"))
        try fm.createDirectory(at: ckpts.appendingPathComponent(".step-4.tmp-DEAD"), withIntermediateDirectories: true)
        try fm.createDirectory(at: out.appendingPathComponent(".adapter"), withIntermediateDirectories: true)

        var warnings: [String] = [], resumedAt: Int?
        try Finetune(config: c).run(resume: true) { e in
            if case let .warning(w) = e { warnings.append(w) }
            if case let .resumed(step, _) = e { resumedAt = step }
        }
        XCTAssertEqual(resumedAt, 2, "step-3 is damaged: resume from step-2")
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings.first?.contains("step-3") ?? false, "\(warnings)")
        let metrics = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let steps = metrics.split(separator: "\n").map { line -> Int in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["step"] as? Int ?? -1
        }
        XCTAssertEqual(steps, [1, 2, 3, 4], "each step once")
        XCTAssertEqual(metrics.split(separator: "\n").count, straightMetrics.split(separator: "\n").count)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("adapter_model.safetensors")), straightAdapter)
        XCTAssertFalse(try fm.contentsOfDirectory(atPath: ckpts.path).contains { $0.hasPrefix(".") })
        XCTAssertFalse(fm.fileExists(atPath: out.appendingPathComponent(".adapter").path))
    }

    func testSecondRunOnALockedFolderIsRefusedNamingThePID() throws {
        let c = try finetuneConfig()
        let lock = try RunFolderLock(folder: c.output)
        XCTAssertThrowsError(try RunFolderLock(folder: c.output)) { e in
            guard case .outputLocked(_, let pid)? = e as? TrainError else { return XCTFail("\(e)") }
            XCTAssertEqual(pid, Int(getpid()))
            XCTAssertTrue("\(e)".contains("PID \(getpid())"))
        }
        XCTAssertThrowsError(try Finetune(config: c).run { _ in }) { e in
            guard case .outputLocked? = e as? TrainError else { return XCTFail("\(e)") }
        }
        lock.release()
        // A lock file left by a dead process (no flock held) is taken over.
        try Data("999999\n".utf8).write(to: URL(fileURLWithPath: c.output).appendingPathComponent(RunFolderLock.fileName))
        let again = try RunFolderLock(folder: c.output)
        again.release()
    }
}
