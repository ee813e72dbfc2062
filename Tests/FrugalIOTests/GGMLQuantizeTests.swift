// GGMLQuantize against the reference quantizers byte for byte (Fixtures/gguf_quants.json, from
// reference/gguf_export_fixtures.py: gguf-py 0.19.0 for F16/BF16/Q8_0/Q4_0/Q4_1/Q5_0, llama.cpp's
// quantize_row_q4_K_ref / q6_K_ref through llama-cpp-python 0.3.16's libggml-base for Q4_K/Q6_K),
// on Gaussian rows and edge cases (zero and constant blocks, ties, tiny and huge values); and
// quantize → dequantize (GGMLDequantize) within each type's error on random data.
import XCTest
@testable import FrugalIO

final class GGMLQuantizeTests: XCTestCase {
    static func bytes(hex: String) -> [UInt8] {
        var out = [UInt8](), it = hex.utf8.makeIterator()
        out.reserveCapacity(hex.utf8.count / 2)
        func nib(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 32) - 87 }
        while let a = it.next(), let b = it.next() { out.append(nib(a) << 4 | nib(b)) }
        return out
    }

    static func floats(hex: String) -> [Float] {
        let b = bytes(hex: hex)
        return stride(from: 0, to: b.count, by: 4).map {
            Float(bitPattern: UInt32(b[$0]) << 24 | UInt32(b[$0 + 1]) << 16 | UInt32(b[$0 + 2]) << 8 | UInt32(b[$0 + 3]))
        }
    }

    static let names: [String: GGMLType] = ["F32": .f32, "F16": .f16, "BF16": .bf16, "Q8_0": .q8_0, "Q4_0": .q4_0,
                                            "Q4_1": .q4_1, "Q5_0": .q5_0, "Q4_K": .q4_K, "Q6_K": .q6_K]

    func testBytesEqualTheReference() throws {
        let fixture = try Fixture.json("gguf_quants.json")
        var compared = Set<String>()
        for c in fixture["cases"] as! [[String: Any]] {
            let name = c["name"] as! String
            let x = Self.floats(hex: c["input"] as! String)
            XCTAssertEqual(x.count, 512)
            for (typeName, hex) in c["quantized"] as! [String: String] {
                let type = try XCTUnwrap(Self.names[typeName], typeName)
                let expected = Self.bytes(hex: hex)
                let got = GGMLQuantize.quantize(x, to: type)
                XCTAssertEqual(got.count, expected.count, "\(name) \(typeName)")
                if got != expected {
                    let i = (0..<min(got.count, expected.count)).first { got[$0] != expected[$0] } ?? 0
                    XCTFail("\(name) \(typeName): first differing byte \(i) (block \(i / type.typeSize)): \(got[i]) vs \(expected[i])")
                }
                compared.insert(typeName)
            }
        }
        XCTAssertEqual(compared, Set(Self.names.keys))
    }

    func testRoundTripWithinTheTypesError() {
        var rng = SystemRandomNumberGenerator()
        let x: [Float] = (0..<1024).map { _ in Float.random(in: -1...1, using: &rng) }
        let tolerance: [GGMLType: Float] = [.f32: 0, .f16: 1e-3, .bf16: 8e-3, .q8_0: 1e-2, .q4_0: 0.15, .q4_1: 0.08,
                                            .q5_0: 0.07, .q4_K: 0.1, .q6_K: 0.03]
        for type in GGMLQuantize.supported {
            let q = GGMLQuantize.quantize(x, to: type)
            XCTAssertEqual(q.count, 1024 / type.blockSize * type.typeSize)
            var y = [Float](repeating: .nan, count: 1024)
            q.withUnsafeBytes { src in y.withUnsafeMutableBufferPointer { GGMLDequantize.dequantize(type, src, $0) } }
            let err = zip(x, y).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(err, tolerance[type]!, "\(type.name)")
        }
    }

    func testZerosStayZero() {
        for type in GGMLQuantize.supported {
            let q = GGMLQuantize.quantize([Float](repeating: 0, count: 256), to: type)
            var y = [Float](repeating: .nan, count: 256)
            q.withUnsafeBytes { src in y.withUnsafeMutableBufferPointer { GGMLDequantize.dequantize(type, src, $0) } }
            XCTAssertEqual(y, [Float](repeating: 0, count: 256), type.name)
        }
    }
}
