// Fixture — loads the golden JSON files written by reference/quant_fixtures.py (bitsandbytes 0.50.2,
// torch 2.15, CPU) and decodes their hex-encoded arrays (f32: 8 hex digits of the bit pattern each,
// u16: 4, u8: 2).
import FrugalRandom
import Foundation
import XCTest

enum Fixture {
    static func load(_ name: String) throws -> [String: Any] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"),
                                "fixture \(name).json missing; run reference/quant_fixtures.py")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try XCTUnwrap(object as? [String: Any])
    }

    static func hexWords(_ s: String, digits: Int) -> [UInt32] {
        let bytes = Array(s.utf8)
        precondition(bytes.count % digits == 0, "hex string length \(bytes.count) not a multiple of \(digits)")
        func nibble(_ c: UInt8) -> UInt32 {
            switch c {
            case 48...57: return UInt32(c - 48)
            case 97...102: return UInt32(c - 87)
            case 65...70: return UInt32(c - 55)
            default: preconditionFailure("bad hex digit \(c)")
            }
        }
        var out: [UInt32] = []
        out.reserveCapacity(bytes.count / digits)
        var i = 0
        while i < bytes.count {
            var v: UInt32 = 0
            for k in 0..<digits { v = (v << 4) | nibble(bytes[i + k]) }
            out.append(v)
            i += digits
        }
        return out
    }

    static func f32(_ any: Any?) -> [Float] { hexWords(any as! String, digits: 8).map { Float(bitPattern: $0) } }
    static func u16(_ any: Any?) -> [UInt16] { hexWords(any as! String, digits: 4).map { UInt16($0) } }
    static func u8(_ any: Any?) -> [UInt8] { hexWords(any as! String, digits: 2).map { UInt8($0) } }
}

/// Asserts two Float arrays are equal bit for bit, reporting the first difference.
func assertBitsEqual(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): count", file: file, line: line)
    if let i = (0..<min(a.count, b.count)).first(where: { a[$0].bitPattern != b[$0].bitPattern }) {
        XCTFail("\(what): first difference at \(i): \(a[i]) (0x\(String(a[i].bitPattern, radix: 16))) vs \(b[i]) (0x\(String(b[i].bitPattern, radix: 16)))",
                file: file, line: line)
    }
}

/// A small deterministic generator for test inputs (SplitMix64 -> Box-Muller normals, as Float).
struct TestRNG {
    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { rng.next() }
    mutating func uniform() -> Double { rng.uniform() }
    mutating func normal() -> Float { Float(rng.normal()) }
    mutating func normals(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in normal() * scale } }
}
