import XCTest
@testable import FrugalSpec

final class FrugalSpecSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(FrugalSpec.self) }
}
