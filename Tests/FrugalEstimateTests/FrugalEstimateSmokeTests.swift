import XCTest
@testable import FrugalEstimate

final class FrugalEstimateSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(FrugalEstimate.self) }
}
