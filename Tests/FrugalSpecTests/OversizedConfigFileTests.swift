// A config.json larger than any real one is refused before it is read (issue 23: limits before
// allocation). The file is sparse: it claims 20 MiB without using the disk.
import XCTest
import Foundation
@testable import FrugalSpec

final class OversizedConfigFileTests: XCTestCase {
    func testHugeConfigJSONIsRefusedBeforeReading() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("huge-config-\(UUID().uuidString).json")
        XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: Data("{".utf8)))
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        let h = try FileHandle(forWritingTo: url)
        try h.truncate(atOffset: UInt64(ModelConfig.maxConfigJSONBytes + (4 << 20)))
        try h.close()
        XCTAssertThrowsError(try ModelConfig(hfConfigFile: url.path)) { e in
            guard case .notJSON(_, let detail)? = e as? ModelConfigError else { return XCTFail("\(e)") }
            XCTAssertTrue(detail.contains("16 MiB"), detail)
        }
    }
}
