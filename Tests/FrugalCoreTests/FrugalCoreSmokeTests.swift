import XCTest
@testable import FrugalCore
final class FrugalCoreSmokeTests: XCTestCase { func testModuleLinks() { XCTAssertNotNil(FrugalCore.self) } }
