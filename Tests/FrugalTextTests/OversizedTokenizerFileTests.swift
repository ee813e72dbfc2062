// A tokenizer.json larger than any real one is refused before it is read (issue 23: limits before
// allocation). The file is sparse: it claims 300 MiB without using the disk.
import XCTest
import Foundation
@testable import FrugalText

final class OversizedTokenizerFileTests: XCTestCase {
    func testHugeTokenizerJSONIsRefusedBeforeReading() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("huge-tokenizer-\(UUID().uuidString).json")
        XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: Data("{".utf8)))
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        let h = try FileHandle(forWritingTo: url)
        try h.truncate(atOffset: UInt64(BPETokenizer.maxTokenizerJSONBytes + (44 << 20)))
        try h.close()
        XCTAssertThrowsError(try BPETokenizer(tokenizerJSON: url)) { e in
            guard case .unreadable(_, let detail)? = e as? TokenizerError else { return XCTFail("\(e)") }
            XCTAssertTrue(detail.contains("256 MiB"), detail)
        }
    }
}
