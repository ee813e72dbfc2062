// Tests for AbsmaxInt8 against bitsandbytes' LLM.int8 row-wise quantization and the same formula
// tensor-wise and blockwise in torch (fixture int8.json), plus the closed form of the rounding.
import XCTest
@testable import FrugalQuant

final class Int8Tests: XCTestCase {
    func check(_ q: AbsmaxInt8, _ c: [String: Any], _ what: String) {
        XCTAssertEqual(q.codes.map { UInt8(bitPattern: $0) }, Fixture.u8(c["q"]), "\(what): codes")
        assertBitsEqual(q.absmax, Fixture.f32(c[c["row_stats"] != nil ? "row_stats" : "absmax"]), "\(what): absmax")
        assertBitsEqual(q.dequantize(), Fixture.f32(c["dq"]), "\(what): dequantized")
    }

    func testAgainstFixtures() throws {
        let f = try Fixture.load("int8")
        let row = try XCTUnwrap(f["rowwise"] as? [String: Any])
        check(try AbsmaxInt8.quantizeRows(Fixture.f32(row["x"]), rows: row["rows"] as! Int, cols: row["cols"] as! Int), row, "row-wise")
        let tw = try XCTUnwrap(f["tensorwise"] as? [String: Any])
        check(try AbsmaxInt8.quantize(Fixture.f32(tw["x"])), tw, "tensor-wise")
        let bw = try XCTUnwrap(f["blockwise"] as? [String: Any])
        check(try AbsmaxInt8.quantize(Fixture.f32(bw["x"]), blockSize: (bw["blocksize"] as! Int)), bw, "blockwise")
    }

    func testClosedForm() throws {
        // absmax 127: x * (127/127) = x exactly; halves round to even
        let q = try AbsmaxInt8.quantize([127, -127, 0.5, 1.5, 2.5, -0.5, 3.4, -126.6])
        XCTAssertEqual(q.codes, [127, -127, 0, 2, 2, 0, 3, -127])
        XCTAssertEqual(q.absmax, [127])
        XCTAssertEqual(q.value(at: 0), 127 * 127 * AbsmaxInt8.inverse127)
        // an all-zero block gets codes 0 and dequantizes to 0
        let z = try AbsmaxInt8.quantize([0, 0, 0, 5], blockSize: 3)
        XCTAssertEqual(z.codes, [0, 0, 0, 127])
        XCTAssertEqual(z.dequantize()[0..<3], [0, 0, 0])
        XCTAssertThrowsError(try AbsmaxInt8.quantize([1, .nan]))
        XCTAssertThrowsError(try AbsmaxInt8.quantizeRows([1, 2, 3], rows: 2, cols: 2))
    }

    func testOutlierCoarsensItsBlockOnly() throws {
        // the lecture notes' point: one outlier wastes the grid of its block, not the others
        var x = TestRNG(seed: 3).normalsArray(256, scale: 0.01)
        x[10] = 5
        let tensorwise = try AbsmaxInt8.quantize(x), blockwise = try AbsmaxInt8.quantize(x, blockSize: 64)
        func err(_ q: AbsmaxInt8) -> Float { zip(q.dequantize(), x).map { abs($0 - $1) }[64...].max()! }
        XCTAssertGreaterThan(err(tensorwise), 5 * err(blockwise))
        XCTAssertEqual(tensorwise.codes.filter { $0 == 0 }.count > 200, true, "most values collapse to 0 tensor-wise")
    }
}
