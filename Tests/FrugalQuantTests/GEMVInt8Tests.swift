// The blockwise int8 GEMV (the 8-bit decoding head) equals its naive reference, on both kernels.
import XCTest
import FrugalCore
@testable import FrugalQuant

final class GEMVInt8Tests: XCTestCase {
    func testMatchesReference() throws {
        let saved = CPUFeatures.useAVX512
        defer { CPUFeatures.useAVX512 = saved }
        for avx512 in CPUFeatures.hasAVX512 ? [false, true] : [false] {
            CPUFeatures.useAVX512 = avx512
            for (out, inF, m, bs) in [(1031, 576, 1, 32), (7, 64, 2, 16), (300, 96, 3, 32), (5, 256, 1, 256)] {
                let rng = RandomGenerator(seed: UInt64(out + inF))
                let q = try AbsmaxInt8.quantize((0..<(out * inF)).map { _ in rng.normal() * 0.05 }, blockSize: bs)
                XCTAssertTrue(q.supportsGEMV(inFeatures: inF))
                let x = (0..<(m * inF)).map { _ in rng.normal() }
                var y = [Float](repeating: .nan, count: m * out)
                x.withUnsafeBufferPointer { xb in
                    y.withUnsafeMutableBufferPointer { q.gemv(xb.baseAddress!, rows: m, inFeatures: inF, scales: q.blockScales, into: $0.baseAddress!) }
                }
                let ref = q.gemvReference(x, rows: m, inFeatures: inF)
                for i in 0..<ref.count {
                    XCTAssertEqual(y[i], ref[i], accuracy: 1e-5 * (1 + abs(ref[i])), "[\(out), \(inF)] m \(m) y[\(i)] avx512 \(avx512)")
                }
            }
        }
        XCTAssertFalse(try AbsmaxInt8.quantize([Float](repeating: 1, count: 90), blockSize: 30).supportsGEMV(inFeatures: 90))
    }
}
