import XCTest
@testable import FrugalQuant

final class FrugalQuantSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(FrugalQuant.self) }
}
