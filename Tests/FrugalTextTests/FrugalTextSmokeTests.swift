import XCTest
@testable import FrugalText

final class FrugalTextSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(FrugalText.self) }
}
