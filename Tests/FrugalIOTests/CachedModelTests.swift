// ModelSource.resolve looks cache names up in $FRUGAL_HOME/models: `gemma3-270m` is the file
// scripts/fetch-gemma3 writes; a missing one names the fetch script; paths are never cache names.
import XCTest
import Foundation
@testable import FrugalIO

final class CachedModelTests: XCTestCase {
    func testGemmaNameResolvesInTheCache() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let env = ["FRUGAL_HOME": home.path, "HOME": "/nonexistent"]
        let path = home.path + "/models/gemma3-270m.gguf"
        XCTAssertEqual(CachedModel.gemma3_270m.path(environment: env), path)
        XCTAssertThrowsError(try ModelSource.resolve("gemma3-270m", environment: env)) { e in
            XCTAssertEqual(e as? ModelSourceError, .cachedModelMissing(name: "gemma3-270m", path: path))
            XCTAssertTrue("\(e)".contains("scripts/fetch-gemma3"), "\(e)")
        }
        try FileManager.default.createDirectory(atPath: home.path + "/models", withIntermediateDirectories: true)
        try Data("GGUF".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try ModelSource.resolve("gemma3-270m", environment: env), .gguf(path: path))
        // `default` is still the default model, and its absence still says so.
        XCTAssertThrowsError(try ModelSource.resolve("default", environment: env)) {
            XCTAssertEqual($0 as? ModelSourceError, .defaultMissing(path: home.path + "/models/" + DefaultModel.fileName))
        }
        // Unknown names are not cache lookups; errors list the names that are.
        XCTAssertThrowsError(try ModelSource.resolve("gemma3-1b", environment: env)) {
            XCTAssertEqual($0 as? ModelSourceError, .notFound(argument: "gemma3-1b"))
            XCTAssertTrue("\($0)".contains("`default`, `gemma3-270m`"), "\($0)")
        }
    }

    func testNamesAreUniqueAndNeverPaths() {
        XCTAssertEqual(Set(CachedModel.all.map(\.name)).count, CachedModel.all.count)
        XCTAssertEqual(Set(CachedModel.all.map(\.fileName)).count, CachedModel.all.count)
        for m in CachedModel.all { XCTAssertFalse(m.name.contains("/"), m.name) }
        XCTAssertEqual(CachedModel.named("default"), .defaultModel)
        XCTAssertEqual(CachedModel.defaultModel.path(environment: ["FRUGAL_HOME": "/x"]), DefaultModel.path(environment: ["FRUGAL_HOME": "/x"]))
    }
}
