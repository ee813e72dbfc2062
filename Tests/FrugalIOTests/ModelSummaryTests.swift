// ModelSummary (what `frugal info` prints) against closed-form counts, and MODEL resolution.
import XCTest
@testable import FrugalIO

final class ModelSummaryTests: XCTestCase {
    func testDefaultModelSummaryMatchesClosedFormCounts() throws {
        let path = DefaultModel.path()
        guard FileManager.default.fileExists(atPath: path) else {
            return XCTFail("the default model \(path) is missing: \(DefaultModel.advice)")
        }
        let s = try ModelSummary(source: ModelSource.resolve("default"))
        let (C, L, F, V, Kd) = (576, 30, 1536, 49152, 3 * 64)
        XCTAssertEqual(s.format, "gguf")
        XCTAssertEqual(s.tensorCount, 272)
        let components = Dictionary(uniqueKeysWithValues: s.components.map { ($0.name, $0.parameters) })
        XCTAssertEqual(components, ["embeddings": V * C, "attention": L * (2 * C * C + 2 * C * Kd), "MLP": L * 3 * C * F,
                                    "norms": (2 * L + 1) * C, "head": 0])
        XCTAssertEqual(s.parameters, 134_515_008)
        let types = Dictionary(uniqueKeysWithValues: s.types.map { ($0.type, $0) })
        XCTAssertEqual(types["Q4_1"]?.tensors, 7 * L)
        XCTAssertEqual(types["Q4_1"]?.bytes, types["Q4_1"]!.parameters / 32 * 20)
        XCTAssertEqual(types["Q8_0"]?.bytes, V * C / 32 * 34)
        XCTAssertEqual(types["F32"]?.tensors, 2 * L + 1)
        XCTAssertEqual(s.fileBytes, 98_362_432)
        XCTAssertEqual(s.tensorBytes, s.types.reduce(0) { $0 + $1.bytes })
    }

    func testHFDirectoryAndTinyGGUFSummaries() throws {
        let hf = try ModelSummary(source: ModelSource.resolve(Fixture.path("tiny_hf")))
        XCTAssertEqual(hf.format, "safetensors")
        XCTAssertEqual(hf.parameters, 9824)
        XCTAssertEqual(hf.types, [ModelSummary.TypeUsage(type: "F32", tensors: 11, parameters: 9824, bytes: 39296)])
        XCTAssertEqual(hf.components.map(\.name), ["embeddings", "attention", "MLP", "norms", "head"])
        XCTAssertEqual(hf.components.map(\.parameters), [16 * 32, 2 * 32 * 32 + 2 * 32 * 16, 3 * 32 * 64, 3 * 32, 0])
        let g = try ModelSummary(source: ModelSource.resolve(Fixture.path("tiny.gguf")))
        XCTAssertEqual(g.components.first { $0.name == "other" }?.parameters, 3 * 64 + 24 + 2 * 512 + 2 * 256 + 3 * 256)
        XCTAssertEqual(g.types.first { $0.type == "Q6_K" }?.bytes, 3 * 210)
    }

    func testResolve() throws {
        let dir = temporaryDirectory(self)
        XCTAssertThrowsError(try ModelSource.resolve("default", environment: ["FRUGAL_HOME": dir.path])) { e in
            XCTAssertEqual(e as? ModelSourceError, .defaultMissing(path: dir.path + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"))
            XCTAssertTrue("\(e)".contains("run scripts/setup"))
        }
        XCTAssertEqual(try ModelSource.resolve(Fixture.path("tiny.gguf")), .gguf(path: Fixture.path("tiny.gguf")))
        XCTAssertEqual(try ModelSource.resolve(Fixture.path("tiny_hf")), .hfDirectory(path: Fixture.path("tiny_hf")))
        XCTAssertThrowsError(try ModelSource.resolve(dir.path)) { XCTAssertEqual($0 as? ModelSourceError, .notAModel(path: dir.path)) }
        XCTAssertThrowsError(try ModelSource.resolve(Fixture.path("tensors.safetensors")))
        XCTAssertThrowsError(try ModelSource.resolve("/no/such/thing")) { XCTAssertEqual($0 as? ModelSourceError, .notFound(argument: "/no/such/thing")) }
    }
}
