// Blue versus red: steepness, crossings found against the closed form, and the winner on each
// side of a crossing.
import XCTest
@testable import FrugalEstimate

final class ScalingComparisonTests: XCTestCase {
    func testEqualEsCrossAtClosedForm() {
        // E + 10·C^−0.1 = E + 1000·C^−0.2  ⇔  C^0.1 = 100  ⇔  C = 1e20.
        let blue = ScalingPowerLaw(E: 2, A: 10, alpha: 0.1), red = ScalingPowerLaw(E: 2, A: 1000, alpha: 0.2)
        let c = ScalingComparison(first: blue, second: red)
        XCTAssertEqual(c.crossings.count, 1)
        XCTAssertEqual(c.crossings[0], 1e20, accuracy: 1e20 * 1e-9)
        XCTAssertEqual(c.steeper, 2)
        XCTAssertEqual(c.lower(at: 1e18), 1)   // red starts higher…
        XCTAssertEqual(c.lower(at: 1e22), 2)   // …and overtakes past the crossing
        XCTAssertEqual(c.asymptoticWinner, 2)
    }

    func testDifferentEsCanCrossTwice() {
        // A steep curve with a higher floor: it overtakes, then falls behind again.
        let blue = ScalingPowerLaw(E: 1.7, A: 50, alpha: 0.08), red = ScalingPowerLaw(E: 2.4, A: 9000, alpha: 0.22)
        let c = ScalingComparison(first: blue, second: red)
        XCTAssertEqual(c.crossings.count, 2)
        for x in c.crossings { XCTAssertEqual(blue.loss(compute: x), red.loss(compute: x), accuracy: 1e-9) }
        XCTAssertEqual(c.steeper, 2)
        XCTAssertEqual(c.asymptoticWinner, 1)
        let mid = (c.crossings[0] * c.crossings[1]).squareRoot()
        XCTAssertEqual(c.lower(at: mid), 2)
        XCTAssertEqual(c.lower(at: c.crossings[1] * 100), 1)
    }

    func testParallelCurvesDoNotCross() {
        let c = ScalingComparison(first: ScalingPowerLaw(E: 2, A: 10, alpha: 0.1), second: ScalingPowerLaw(E: 2.1, A: 10, alpha: 0.1))
        XCTAssertTrue(c.crossings.isEmpty)
        XCTAssertNil(c.steeper)
        XCTAssertEqual(c.lower(at: 1e20), 1)
        XCTAssertEqual(c.asymptoticWinner, 1)
    }
}
