// The fast threaded/SIMD dequantizers agree bit for bit with the naive element-wise reference, on
// random block bytes (any fp16 scale, NaN included) and ragged block counts, threaded or not.
import XCTest
@testable import FrugalIO

final class GGMLDequantizeTests: XCTestCase {
    private func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    func testFastEqualsReferenceForEveryType() {
        var rng = SystemRandomNumberGenerator()
        let types = GGMLType.allCases.filter(\.canDequantize)
        XCTAssertEqual(types.count, 11)
        for type in types {
            for blocks in [1, 3, 17, 70] {
                let count = blocks * type.blockSize
                let bytes = (0..<(blocks * type.typeSize)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                var ref = [Float](repeating: 0, count: count), fast = [Float](repeating: 0, count: count)
                bytes.withUnsafeBytes { src in
                    ref.withUnsafeMutableBufferPointer { GGMLDequantize.reference(type, src, $0) }
                    fast.withUnsafeMutableBufferPointer { GGMLDequantize.dequantize(type, src, $0, grain: 1) }
                }
                let bad = zip(ref, fast).filter { !same($0.0, $0.1) }.count
                XCTAssertEqual(bad, 0, "\(type.name), \(blocks) blocks: \(bad) values differ")
            }
        }
    }

    func testClosedFormBlocks() {
        // Q4_1 block: d = 0.5, m = -1; nibbles 0..15 low, 15..0 high.
        var b: [UInt8] = [0x00, 0x38, 0x00, 0xBC]   // fp16 0.5, -1.0
        for j in 0..<16 { b.append(UInt8(j) | UInt8(15 - j) << 4) }
        var y = [Float](repeating: 0, count: 32)
        b.withUnsafeBytes { src in y.withUnsafeMutableBufferPointer { GGMLDequantize.dequantize(.q4_1, src, $0) } }
        XCTAssertEqual(Array(y[0..<16]), (0..<16).map { Float($0) * 0.5 - 1 })
        XCTAssertEqual(Array(y[16..<32]), (0..<16).map { Float(15 - $0) * 0.5 - 1 })
        // Q8_0 block: d = 2, q = -128...
        var q8: [UInt8] = [0x00, 0x40]
        for j in 0..<32 { q8.append(UInt8(bitPattern: Int8(j - 16))) }
        var z = [Float](repeating: 0, count: 32)
        q8.withUnsafeBytes { src in z.withUnsafeMutableBufferPointer { GGMLDequantize.dequantize(.q8_0, src, $0) } }
        XCTAssertEqual(z, (0..<32).map { Float(($0 - 16) * 2) })
    }

    func testFloatBits() {
        XCTAssertEqual(FloatBits.bf16ToFloat(0x3F80), 1)
        XCTAssertEqual(FloatBits.floatToBF16(1), 0x3F80)
        XCTAssertEqual(FloatBits.floatToBF16(Float(bitPattern: 0x3F80_8000)), 0x3F80)   // tie -> even
        XCTAssertEqual(FloatBits.floatToBF16(Float(bitPattern: 0x3F81_8000)), 0x3F82)
        XCTAssertEqual(FloatBits.floatToBF16(.nan), 0x7FC0)
        XCTAssertEqual(FloatBits.halfToFloat(0x3C00), 1)
        XCTAssertEqual(FloatBits.halfToFloat(0x7BFF), 65504)
        XCTAssertEqual(FloatBits.e4m3ToFloat(0x38), 1)
        XCTAssertEqual(FloatBits.e4m3ToFloat(0x7E), 448)
        XCTAssertEqual(FloatBits.e4m3ToFloat(0x01), 0x1p-9)
        XCTAssertEqual(FloatBits.e4m3ToFloat(0xB8), -1)
        XCTAssertTrue(FloatBits.e4m3ToFloat(0x7F).isNaN)
        XCTAssertEqual(FloatBits.e5m2ToFloat(0x3C), 1)
        XCTAssertEqual(FloatBits.e5m2ToFloat(0x7B), 57344)
        XCTAssertEqual(FloatBits.e5m2ToFloat(0x7C), .infinity)
        XCTAssertEqual(FloatBits.e8m0ToFloat(127), 1)
        XCTAssertEqual(FloatBits.e8m0ToFloat(130), 8)
    }
}
