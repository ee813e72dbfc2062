// Tests for NumericFormat: every figure `frugal formats` prints, checked exactly against the
// platform's own constants (Float, Float16), the bit patterns of the formats, and the code tables.
import XCTest
@testable import FrugalQuant

final class NumericFormatTests: XCTestCase {
    func format(_ name: String) throws -> NumericFormat { try XCTUnwrap(NumericFormat.named(name)) }

    func testFP32() throws {
        let f = try format("fp32")
        XCTAssertEqual(f.totalBits, 32)
        XCTAssertEqual([f.signBits, f.exponentBits, f.mantissaBits, f.exponentBias], [1, 8, 23, 127])
        XCTAssertEqual(f.largest, Double(Float.greatestFiniteMagnitude))
        XCTAssertEqual(f.smallestNormal, Double(Float.leastNormalMagnitude))
        XCTAssertEqual(f.smallestSubnormal, Double(Float.leastNonzeroMagnitude))
        XCTAssertEqual(f.epsilon, Double(Float.ulpOfOne))
        // the rounding boundaries: just below rounds to the largest finite / to the smallest subnormal
        let over = try XCTUnwrap(f.overflowThreshold)
        XCTAssertEqual(Float(over), .infinity)
        XCTAssertEqual(Float(over.nextDown), .greatestFiniteMagnitude)
        XCTAssertEqual(Float(f.zeroAbove), 0)
        XCTAssertEqual(Float(f.zeroAbove.nextUp), .leastNonzeroMagnitude)
    }

    func testFP16() throws {
        let f = try format("fp16")
        XCTAssertEqual([f.signBits, f.exponentBits, f.mantissaBits, f.exponentBias], [1, 5, 10, 15])
        XCTAssertEqual(f.largest, 65504)
        XCTAssertEqual(f.smallestNormal, 0x1p-14)
        XCTAssertEqual(f.smallestSubnormal, 0x1p-24)
        XCTAssertEqual(f.epsilon, 0x1p-10)
        XCTAssertEqual(f.overflowThreshold, 65520)
        XCTAssertEqual(f.zeroAbove, 0x1p-25)
        // and they agree with the converter
        XCTAssertEqual(Float16Bits.toFloat(0x7BFF), Float(f.largest))
        XCTAssertEqual(Float16Bits.fromFloat(Float(f.overflowThreshold!)), 0x7C00)
        XCTAssertEqual(Float16Bits.fromFloat(Float(f.overflowThreshold!).nextDown), 0x7BFF)
        XCTAssertEqual(Float16Bits.fromFloat(Float(f.zeroAbove)), 0)
        XCTAssertEqual(Float16Bits.fromFloat(Float(f.zeroAbove).nextUp), 1)
        XCTAssertEqual(Float16Bits.toFloat(0x0001), Float(f.smallestSubnormal!))
        XCTAssertEqual(Float16Bits.toFloat(0x3C01) - 1, Float(f.epsilon))
    }

    func testBF16() throws {
        let f = try format("bf16")
        XCTAssertEqual([f.signBits, f.exponentBits, f.mantissaBits, f.exponentBias], [1, 8, 7, 127])
        XCTAssertEqual(f.largest, Double(BFloat16Bits.toFloat(0x7F7F)))
        XCTAssertEqual(f.largest, 3.3895313892515355e38)
        XCTAssertEqual(f.smallestNormal, Double(BFloat16Bits.toFloat(0x0080)))
        XCTAssertEqual(f.smallestSubnormal, Double(BFloat16Bits.toFloat(0x0001)))
        XCTAssertEqual(f.epsilon, Double(BFloat16Bits.toFloat(0x3F81)) - 1)
        XCTAssertEqual(f.overflowThreshold, Double(Float(bitPattern: 0x7F7F_8000)), "PyTorch: >= 0x7F7F8000 overflows")
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(f.overflowThreshold!)), 0x7F80)
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(f.overflowThreshold!).nextDown), 0x7F7F)
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(f.zeroAbove)), 0)
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(f.zeroAbove).nextUp), 1)
    }

    func testInt8() throws {
        let f = try format("int8")
        XCTAssertEqual(f.totalBits, 8)
        XCTAssertTrue(f.blockScaled)
        XCTAssertEqual(f.largest, 1)
        XCTAssertEqual(f.smallestNormal, 1.0 / 127)
        XCTAssertNil(f.smallestSubnormal)
        XCTAssertEqual(f.epsilon, 1.0 / 127)
        XCTAssertNil(f.overflowThreshold)
        XCTAssertEqual(f.zeroAbove, 0.5 / 127)
        let q = try AbsmaxInt8.quantize([127, Float(127 * f.zeroAbove), Float(127 * f.zeroAbove).nextUp])
        XCTAssertEqual(q.codes, [127, 0, 1])
        XCTAssertEqual(f.bitsPerValue, 8.5)
    }

    func testNF4AndFP4() throws {
        let nf4 = try format("nf4"), fp4 = try format("fp4")
        XCTAssertEqual(nf4.totalBits, 4)
        XCTAssertNil(nf4.exponentBits, "NF4 is a lookup table, not a float")
        XCTAssertEqual(nf4.largest, 1)
        XCTAssertEqual(nf4.smallestNormal, Double(FourBitType.nf4Table[8]))
        XCTAssertEqual(nf4.epsilon, 1 - Double(FourBitType.nf4Table[14]))
        XCTAssertEqual(nf4.zeroAbove, Double(FourBitType.nf4.midpoints[7]))
        XCTAssertEqual(nf4.zeroBelow, -Double(FourBitType.nf4.midpoints[6]))
        XCTAssertEqual(nf4.bitsPerValue, 4.5)
        XCTAssertEqual(nf4.bitsPerValueDoubleQuant, 4.126953125)
        let q = FourBitType.nf4.quantizer
        XCTAssertEqual(q.code(for: Float(nf4.zeroAbove)), 7, "the positive end rounds to 0")
        XCTAssertEqual(q.code(for: Float(-nf4.zeroBelow)), 6, "the negative end does not")
        XCTAssertEqual([fp4.signBits, fp4.exponentBits, fp4.mantissaBits], [1, 2, 1])
        XCTAssertEqual(fp4.largest, 1)
        XCTAssertEqual(fp4.smallestNormal, Double(Float(2) / 12))
        XCTAssertEqual(fp4.smallestSubnormal, Double(Float(0.0625) / 12))
        XCTAssertEqual(fp4.epsilon, 1 - Double(Float(8) / 12))
        XCTAssertEqual(fp4.zeroAbove, fp4.zeroBelow)
        XCTAssertEqual(fp4.zeroAbove, Double(Float(0.0625) / 12 / 2))
    }

    func testAllSixInOrderAndCodable() throws {
        XCTAssertEqual(NumericFormat.all.map(\.name), ["fp32", "fp16", "bf16", "int8", "nf4", "fp4"])
        let data = try JSONEncoder().encode(NumericFormat.all)
        XCTAssertEqual(try JSONDecoder().decode([NumericFormat].self, from: data), NumericFormat.all)
        XCTAssertTrue(NumericFormat.named("fp16")!.overflow.contains("65520"))
    }
}
