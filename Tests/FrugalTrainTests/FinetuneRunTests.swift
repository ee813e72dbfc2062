// `Finetune` end to end on the default model (fetched by scripts/setup): data checked before
// training, a short LoRA run writes a PEFT adapter, metrics and the resolved config; resume continues
// from the last checkpoint; merging writes an HF directory that loads and gives the adapted output.
import XCTest
import Foundation
import FrugalCore
import FrugalEstimate
import FrugalIO
import FrugalModels
@testable import FrugalTrain

final class FinetuneRunTests: XCTestCase {
    var tmp: URL!
    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        guard FileManager.default.fileExists(atPath: DefaultModel.path()) else {
            XCTFail("the default model is missing at \(DefaultModel.path()): \(DefaultModel.advice)")
            throw XCTSkip("unreachable")
        }
    }
    override func tearDown() { try? FileManager.default.removeItem(at: tmp) }

    func writeData(_ lines: [String]) throws -> String {
        let p = tmp.appendingPathComponent("train.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: p)
        return p.path
    }

    func config(data: String) -> FinetuneConfig {
        var c = FinetuneConfig()
        c.data = data; c.output = tmp.appendingPathComponent("out").path
        c.method = .lora; c.rank = 2; c.alpha = 4; c.dropout = 0; c.targets = "q,v"
        c.steps = 2; c.batchSize = 1; c.gradAccum = 1; c.maxSeqLen = 24; c.lr = 1e-3
        return c
    }

    func testMalformedLineIsReportedBeforeTraining() throws {
        let data = try writeData([#"{"prompt": "2+2=", "completion": "4"}"#, #"{"prompt": "3+3="}"#])
        XCTAssertThrowsError(try Finetune(config: config(data: data))) { e in
            XCTAssertTrue("\(e)".contains("train.jsonl:2"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("out").path))
    }

    func testShortRunWritesAdapterMetricsAndResumes() throws {
        let data = try writeData((0..<4).map { #"{"prompt": "Say \#($0):", "completion": " \#($0) \#($0) \#($0)"}"# })
        var c = config(data: data)
        c.saveEvery = 1
        let run = try Finetune(config: c)
        var steps: [TrainMetrics] = []
        try run.run { if case let .step(m) = $0 { steps.append(m) } }
        XCTAssertEqual(steps.map(\.step), [1, 2])
        let out = tmp.appendingPathComponent("out")
        for f in ["adapter_config.json", "adapter_model.safetensors", "finetune_config.json", "metrics.jsonl", "checkpoints/step-1", "checkpoints/step-2"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), f)
        }
        let lines = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let saved = try JSONDecoder().decode(FinetuneConfig.self, from: Data(contentsOf: out.appendingPathComponent("finetune_config.json")))
        XCTAssertEqual(saved.steps, 2)

        // Resume: a run configured for 3 steps continues at step 2 from the newest checkpoint... but
        // options must match, so resume the same 2-step run after removing its last checkpoint.
        try FileManager.default.removeItem(at: out.appendingPathComponent("checkpoints/step-2"))
        let again = try Finetune(config: c)
        var resumedAt = -1
        var second: [TrainMetrics] = []
        try again.run(resume: true) { e in
            if case let .resumed(s, _) = e { resumedAt = s }
            if case let .step(m) = e { second.append(m) }
        }
        XCTAssertEqual(resumedAt, 1)
        XCTAssertEqual(second.map(\.step), [2])
        XCTAssertEqual(second[0].loss, steps[1].loss, "the resumed step repeats the original exactly")

        // Merge: the adapter folded into the weights, written as HF, loads and matches.
        let base = try DecoderModel.load("default")
        let adapter = try LoRAAdapter.load(from: out.path, into: base)
        let ids: [Int32] = [1, 4093, 198, 1780]
        let adapted = withoutGrad { base.logits(ids: ids, batch: 1) }.scalars
        try adapter.fuse()
        let merged = tmp.appendingPathComponent("merged").path
        try base.saveHF(to: merged)
        let reloaded = try DecoderModel.load(merged)
        let after = withoutGrad { reloaded.logits(ids: ids, batch: 1) }.scalars
        var worst: Float = 0
        for (a, b) in zip(adapted, after) { worst = max(worst, abs(a - b)) }
        XCTAssertLessThan(worst, 1e-3)
    }

    /// A second run into a folder that holds one is refused (naming the folder and the flags) unless
    /// it resumes or overwrites; --overwrite clears the old run's files; --resume with more steps
    /// extends a finished run from its last checkpoint.
    func testOutputFolderIsProtectedAndFinishedRunsExtend() throws {
        let data = try writeData((0..<4).map { #"{"prompt": "Say \#($0):", "completion": " \#($0) \#($0)"}"# })
        var c = config(data: data)
        c.saveEvery = 1
        let out = tmp.appendingPathComponent("out")
        try Finetune(config: c).run { _ in }
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoints/step-1").path))

        XCTAssertThrowsError(try Finetune.checkOutput(c.output, resume: false, overwrite: false)) { e in
            guard case let .outputHoldsRun(folder, files)? = e as? TrainError else { return XCTFail("\(e)") }
            XCTAssertEqual(folder, c.output)
            XCTAssertTrue(files.contains("adapter_model.safetensors") && files.contains("checkpoints"), "\(files)")
            XCTAssertTrue("\(e)".contains(c.output) && "\(e)".contains("--resume") && "\(e)".contains("--overwrite"), "\(e)")
        }
        let before = try Data(contentsOf: out.appendingPathComponent("adapter_model.safetensors"))
        var other = c; other.lr = 5e-3; other.saveEvery = 0
        XCTAssertThrowsError(try Finetune(config: other).run { _ in })
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("adapter_model.safetensors")), before, "the old run is untouched")

        // Extend the finished 2-step run to 3 steps.
        var longer = c; longer.steps = 3
        var resumedAt = -1
        var steps: [Int] = []
        try Finetune(config: longer).run(resume: true) { e in
            if case let .resumed(s, _) = e { resumedAt = s }
            if case let .step(m) = e { steps.append(m.step) }
        }
        XCTAssertEqual(resumedAt, 2)
        XCTAssertEqual(steps, [3])
        let lines = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        // `frugal plot metrics` reads the folder as finetune writes it.
        XCTAssertEqual(try PlotMetricsLog.read(at: out).records.compactMap(\.trainLoss).count, 3)

        // --overwrite: the old run's checkpoints and metrics are gone, the new run's are there.
        try Finetune(config: other).run(overwrite: true) { _ in }
        let ckpts = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checkpoints").path)
        XCTAssertEqual(ckpts, ["step-2"])
        let metrics = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(metrics.count, 2)
    }
}
