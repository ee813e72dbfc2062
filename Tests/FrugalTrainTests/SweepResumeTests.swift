// `frugal scaling sweep --resume`: finished runs are kept from sweep.jsonl and not retrained, but
// only for the same grid on the same corpus.
import Foundation
import XCTest
import FrugalEstimate
@testable import FrugalTrain

final class SweepResumeTests: XCTestCase {
    func testResumeReusesFinishedRunsAndTrainsTheRest() throws {
        let grid = SweepRunnerTests.tinyGrid
        let corpus = SweepCorpus.generate(bytes: grid.corpusBytes, seed: 5).bytes
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-resume-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let state = SweepFiles.State(grid: grid, corpusBytes: corpus.count, corpusChecksum: SweepRunner.checksum(corpus))
        XCTAssertEqual(try SweepFiles.resumable(in: dir, state: state), [])   // nothing there yet
        try SweepFiles.writeState(state, to: dir)

        let runner = try SweepRunner(grid: grid, corpus: corpus, source: "generated")
        runner.fitOptions = ScalingFitOptions(resamples: 0)
        let full = try runner.run()
        // Pretend the sweep stopped after two runs.
        try SweepFiles.writeRecords(Array(full.records.prefix(2)), to: dir)
        let previous = try SweepFiles.resumable(in: dir, state: state)
        XCTAssertEqual(previous, Array(full.records.prefix(2)))

        var trained = 0, reused = 0
        let resumed = try runner.run(reusing: previous) { e in
            if case .started = e { trained += 1 }
            if case .reused = e { reused += 1 }
        }
        XCTAssertEqual(trained, 2); XCTAssertEqual(reused, 2)
        XCTAssertEqual(Array(resumed.records.prefix(2)), Array(full.records.prefix(2)))
        // The rest were trained again from the same seed: the same losses.
        XCTAssertEqual(resumed.records.suffix(2).map(\.loss), full.records.suffix(2).map(\.loss))
        XCTAssertEqual(resumed.metrics.map(\.isEmpty), [true, true, false, false])
        try SweepFiles.write(resumed, to: dir)
        XCTAssertEqual(try ScalingRun.read(contentsOf: dir.appendingPathComponent("runs.jsonl")).count, 4)

        // Another grid or another corpus is refused.
        var other = state
        other.grid.lr = 1e-3
        XCTAssertThrowsError(try SweepFiles.resumable(in: dir, state: other)) { e in
            guard case let .cannotResume(_, reason)? = e as? SweepError else { return XCTFail("\(e)") }
            XCTAssertTrue(reason.contains("grid"))
        }
        other = state
        other.corpusChecksum &+= 1
        XCTAssertThrowsError(try SweepFiles.resumable(in: dir, state: other)) { e in
            guard case let .cannotResume(_, reason)? = e as? SweepError else { return XCTFail("\(e)") }
            XCTAssertTrue(reason.contains("corpus"))
        }
    }

    func testChecksumIsFNV1a() {
        XCTAssertEqual(SweepRunner.checksum([]), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(SweepRunner.checksum(Array("a".utf8)), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(SweepRunner.checksum(Array("foobar".utf8)), 0x8594_4171_f739_67e8)
    }
}
