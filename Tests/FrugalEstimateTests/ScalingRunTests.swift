// Reading runs files: what is accepted, and that every kind of bad input is a typed error that
// names the file and line.
import XCTest
@testable import FrugalEstimate

final class ScalingRunTests: XCTestCase {
    func testParsesRunsSkipsBlankLinesAndDerivesCompute() throws {
        let text = """
        {"compute": 1e18, "loss": 3.2}

        {"params": 1e7, "tokens": 2e8, "loss": 4.1, "name": "tiny"}
        {"compute": 5.76e23, "loss": 1.94, "params": 7e10, "tokens": 1.4e12}
        """
        let runs = try ScalingRun.parse(text, file: "r.jsonl")
        XCTAssertEqual(runs.count, 3)
        XCTAssertEqual(runs[0], ScalingRun(compute: 1e18, loss: 3.2, line: 1))
        XCTAssertEqual(runs[1].compute, 6 * 1e7 * 2e8)
        XCTAssertEqual(runs[1].name, "tiny"); XCTAssertEqual(runs[1].line, 3)
        XCTAssertEqual(runs[2].compute, 5.76e23); XCTAssertEqual(runs[2].params, 7e10)
    }

    func expect(_ text: String, _ expected: ScalingError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ScalingRun.parse(text, file: "runs.jsonl"), file: file, line: line) { e in
            XCTAssertEqual(e as? ScalingError, expected, file: file, line: line)
            XCTAssertTrue("\(e)".contains("runs.jsonl"), "\(e)", file: file, line: line)
        }
    }

    func testBadInputIsATypedErrorNamingFileAndLine() {
        expect("", .emptyRuns(file: "runs.jsonl"))
        expect("\n  \n", .emptyRuns(file: "runs.jsonl"))
        expect("{\"compute\": 1e18, \"loss\": 3}\n{\"compute\": 1e19, \"loss\": 2.9", .malformedLine(file: "runs.jsonl", line: 2, reason: "not valid JSON"))
        expect("[1, 2]", .malformedLine(file: "runs.jsonl", line: 1, reason: "not a JSON object"))
        expect("{\"compute\": 0, \"loss\": 3}", .nonPositive(file: "runs.jsonl", line: 1, field: "compute", value: 0))
        expect("{\"compute\": 1e18, \"loss\": -1}", .nonPositive(file: "runs.jsonl", line: 1, field: "loss", value: -1))
        expect("{\"compute\": 1e18}", .malformedLine(file: "runs.jsonl", line: 1, reason: "missing \"loss\""))
        expect("{\"loss\": 3, \"params\": 1e7}", .malformedLine(file: "runs.jsonl", line: 1, reason: "missing \"compute\" (or both \"params\" and \"tokens\")"))
        expect("{\"compute\": 1e18, \"loss\": 3, \"flops\": 2}", .unknownKey(file: "runs.jsonl", line: 1, key: "flops"))
        expect("{\"compute\": \"1e18\", \"loss\": 3}", .malformedLine(file: "runs.jsonl", line: 1, reason: "\"compute\" is a string; write it as a JSON number such as 1e18"))
        expect("{\"compute\": true, \"loss\": 3}", .malformedLine(file: "runs.jsonl", line: 1, reason: "\"compute\" is not a number"))
        expect("{\"compute\": 1e18, \"loss\": 3, \"name\": 4}", .malformedLine(file: "runs.jsonl", line: 1, reason: "\"name\" must be a string"))
    }

    func testMessagesSayWhatToDo() {
        XCTAssertTrue(ScalingError.unknownKey(file: "f", line: 2, key: "flops").description.contains("compute, loss, name, params, tokens"))
        XCTAssertTrue(ScalingError.malformedLine(file: "f", line: 3, reason: "x").description.hasPrefix("f:3: x"))
    }

    func testReadsFilesAndReportsUnreadable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-scaling-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("runs.jsonl")
        try Data("{\"compute\": 1e18, \"loss\": 3.2}\n".utf8).write(to: url)
        XCTAssertEqual(try ScalingRun.read(contentsOf: url).count, 1)
        let missing = dir.appendingPathComponent("nope.jsonl")
        XCTAssertThrowsError(try ScalingRun.read(contentsOf: missing)) { e in
            guard case ScalingError.unreadable(let f, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(f, missing.path)
        }
        let empty = dir.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        XCTAssertThrowsError(try ScalingRun.read(contentsOf: empty)) { e in
            XCTAssertEqual(e as? ScalingError, .emptyRuns(file: empty.path))
        }
    }
}
