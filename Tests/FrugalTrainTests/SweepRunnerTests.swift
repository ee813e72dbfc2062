// The scaling sweep end to end on a tiny grid (2 sizes × 2 budgets): its runs.jsonl is what
// FrugalEstimate's ScalingRun reads, compute is the itemized training count × tokens, loss falls
// with compute, the fit comes back; bad corpora are refused with messages naming the file.
import Foundation
import XCTest
import FrugalEstimate
@testable import FrugalTrain

final class SweepRunnerTests: XCTestCase {
    static let tinyGrid = SweepGrid(
        sizes: [PretrainModelSpec(hidden: 16, layers: 1, heads: 2, kvHeads: 1), PretrainModelSpec(hidden: 32, layers: 1)],
        budgets: [16_384, 4_096], batch: 4, seqLen: 32, lr: 3e-3, warmup: 4, seed: 3, evalWindows: 32, evalsPerRun: 2,
        corpusBytes: 80_000)

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testTinySweepWritesRunsThatScalingRunReadsAndLossFallsWithCompute() throws {
        let grid = Self.tinyGrid
        let corpus = SweepCorpus.generate(bytes: grid.corpusBytes, seed: 5)
        let runner = try SweepRunner(grid: grid, corpus: corpus.bytes, source: "generated")
        runner.fitOptions = ScalingFitOptions(resamples: 20)
        var started = 0, finished = 0
        let result = try runner.run { e in
            switch e {
            case .started: started += 1
            case .finished: finished += 1
            case .evaluated, .reused: break
            }
        }
        XCTAssertEqual(started, 4); XCTAssertEqual(finished, 4)
        XCTAssertEqual(result.records.count, 4)
        // Budgets run ascending within each size, sizes in grid order.
        XCTAssertEqual(result.records.map(\.tokens), [4_096, 16_384, 4_096, 16_384])
        XCTAssertEqual(result.records.map(\.hidden), [16, 16, 32, 32])

        let dir = try tempDir()
        try SweepFiles.write(result, to: dir)
        let runs = try ScalingRun.read(contentsOf: dir.appendingPathComponent("runs.jsonl"))
        XCTAssertEqual(runs.count, 4)
        for (run, rec) in zip(runs, result.records) {
            XCTAssertEqual(run.name, rec.name)
            XCTAssertEqual(run.params, Double(rec.params))
            XCTAssertEqual(run.tokens, Double(rec.tokens))
            XCTAssertEqual(run.loss, rec.loss, accuracy: 1e-12)
            // compute = itemized training FLOPs per token × tokens, exactly.
            var spec = grid.sizes[rec.hidden == 16 ? 0 : 1]; spec.seqLen = grid.seqLen
            let perToken = try FlopsTraining.estimate(spec.modelConfig, TrainingOptions(method: .full, batch: 4, seqLen: 32)).total
            XCTAssertEqual(run.compute, perToken * Double(rec.tokens), accuracy: 1e-6 * run.compute)
            XCTAssertEqual(rec.params, ParameterBreakdown(spec.modelConfig).total)
            XCTAssertEqual(rec.compute6ND, 6 * Double(rec.params) * Double(rec.tokens))
            XCTAssertTrue(rec.trainLoss.isFinite && rec.trainLoss > 0)
        }
        // Per-run metrics and the detail file.
        for rec in result.records {
            let m = dir.appendingPathComponent("runs/\(rec.name)/metrics.jsonl")
            let lines = try String(contentsOf: m, encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.count, rec.steps)
        }
        let detail = try String(contentsOf: dir.appendingPathComponent("sweep.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONDecoder().decode(SweepRecord.self, from: Data($0.utf8)) }
        XCTAssertEqual(detail, result.records)
        let gridBack = try JSONDecoder().decode(SweepGrid.self, from: Data(contentsOf: dir.appendingPathComponent("grid.json")))
        XCTAssertEqual(gridBack, grid)

        // More tokens help each size; the most compute beats the least.
        XCTAssertLessThan(result.records[1].loss, result.records[0].loss)
        XCTAssertLessThan(result.records[3].loss, result.records[2].loss)
        let byCompute = result.records.sorted { $0.compute < $1.compute }
        XCTAssertLessThan(byCompute.last!.loss, byCompute.first!.loss)
        // Byte-level: every run learned something below the uniform log 256.
        for r in result.records { XCTAssertLessThan(r.loss, log(256.0)) }

        // The fit: L(C) always; L(N, D) needs 5 runs.
        XCTAssertEqual(result.fit.compute.runCount, 4)
        XCTAssertTrue(result.fit.compute.alpha.value.isFinite)
        XCTAssertNil(result.fit.paramsTokens)
        XCTAssertNotNil(result.fit.paramsTokensSkipped)
        XCTAssertEqual(result.runs, try ScalingRun.parse(result.runsJSONL, file: "runs.jsonl"))
    }

    func testRunsLineHasOnlyScalingRunKeys() throws {
        let r = SweepRecord(name: "h8-l1-t10", params: 10, nonEmbeddingParams: 4, tokens: 10, compute: 700, compute6ND: 600,
                            loss: 2.5, trainLoss: 2.4, hidden: 8, layers: 1, heads: 2, kvHeads: 1, intermediate: 24, steps: 1, seconds: 0.5)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.runsLine.utf8)) as? [String: Any])
        XCTAssertEqual(Set(obj.keys), ScalingRun.allowedKeys)
        let run = try ScalingRun.parse(r.runsLine, file: "x")[0]
        XCTAssertEqual(run, ScalingRun(compute: 700, loss: 2.5, params: 10, tokens: 10, name: "h8-l1-t10", line: 1))
        let detail = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.detailLine.utf8)) as? [String: Any])
        XCTAssertEqual(detail["train_loss"] as? Double, 2.4)
        XCTAssertEqual(detail["hidden"] as? Int, 8)
        XCTAssertEqual(detail["layers"] as? Int, 1)
        XCTAssertEqual(detail["non_embedding_params"] as? Int, 4)
    }

    // MARK: bad corpora

    func testMissingCorpusFileIsRefused() {
        XCTAssertThrowsError(try SweepRunner.readCorpus(path: "/nonexistent/corpus.txt")) { e in
            XCTAssertEqual(e as? SweepError, .unreadable(path: "/nonexistent/corpus.txt", reason: "no such file"))
            XCTAssertTrue("\(e)".contains("/nonexistent/corpus.txt"))
        }
    }

    func testEmptyBinaryAndNonUTF8CorporaAreRefused() throws {
        let dir = try tempDir()
        let cases: [(String, [UInt8], String)] = [
            ("empty.txt", [], "empty"),
            ("binary.bin", [0x47, 0x47, 0x55, 0x46, 0x00, 0x00, 0x03], "NUL"),
            ("latin1.txt", Array("caf".utf8) + [0xE9, 0x20, 0xFF], "UTF-8"),
        ]
        for (name, bytes, why) in cases {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            XCTAssertThrowsError(try SweepRunner.readCorpus(path: url.path), name) { e in
                guard case let .corpusNotText(path, reason)? = e as? SweepError else { return XCTFail("\(name): \(e)") }
                XCTAssertEqual(path, url.path)
                XCTAssertTrue(reason.contains(why), "\(name): \(reason)")
            }
        }
        XCTAssertThrowsError(try SweepRunner.readCorpus(path: dir.path)) { e in
            guard case .unreadable? = e as? SweepError else { return XCTFail("\(e)") }
        }
    }

    func testTooSmallCorpusIsRefusedBeforeTraining() throws {
        let dir = try tempDir()
        let url = dir.appendingPathComponent("small.txt")
        try Data("tiny text\n".utf8).write(to: url)
        let bytes = try SweepRunner.readCorpus(path: url.path)
        XCTAssertThrowsError(try SweepRunner(grid: Self.tinyGrid, corpus: bytes, source: url.path)) { e in
            XCTAssertEqual(e as? SweepError, .corpusTooSmall(path: url.path, bytes: 10, needed: Self.tinyGrid.minimumCorpusBytes))
            XCTAssertTrue("\(e)".contains("small.txt"))
        }
    }

    // MARK: grids

    func testShippedGridsAreValidAndSpanTheAdvertisedSizes() throws {
        try SweepGrid.standard.validate()
        try SweepGrid.quick.validate()
        let params = SweepGrid.standard.sizes.map { ParameterBreakdown($0.modelConfig).total }
        XCTAssertEqual(params, params.sorted())
        XCTAssertGreaterThan(params.first!, 15_000); XCTAssertLessThan(params.first!, 25_000)
        XCTAssertGreaterThan(params.last!, 350_000); XCTAssertLessThan(params.last!, 500_000)
        XCTAssertEqual(SweepGrid.standard.sizes.count * SweepGrid.standard.budgets.count, 12)
        // Each budget is whole steps, and the generated corpus's training split covers the largest.
        for g in [SweepGrid.standard, SweepGrid.quick] {
            for b in g.budgets { XCTAssertEqual(g.steps(forBudget: b) * g.batch * g.seqLen, b) }
            XCTAssertGreaterThanOrEqual(g.corpusBytes * 9 / 10, g.budgets.max()!)
        }
    }

    func testGridValidationNamesTheField() {
        var g = Self.tinyGrid
        g.budgets = [100]
        XCTAssertThrowsError(try g.validate()) { e in
            XCTAssertEqual(e as? SweepError, .invalid(field: "budgets", value: "100", expected: "at least batch·seq_len = 128 tokens"))
        }
        g = Self.tinyGrid
        g.sizes = [PretrainModelSpec(hidden: 30, layers: 1, heads: 4, kvHeads: 2)]
        XCTAssertThrowsError(try g.validate()) { e in
            guard case .invalid(field: "hidden", _, _)? = e as? SweepError else { return XCTFail("\(e)") }
        }
        g = Self.tinyGrid
        g.sizes = []
        XCTAssertThrowsError(try g.validate())
    }
}
