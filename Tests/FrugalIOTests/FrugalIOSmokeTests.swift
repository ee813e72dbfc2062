import XCTest
@testable import FrugalIO

final class FrugalIOSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(FrugalIO.self) }
}
