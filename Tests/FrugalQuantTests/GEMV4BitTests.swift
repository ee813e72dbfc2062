// The fused 4-bit GEMV of decoding equals its naive reference (Double sums of dequantized values)
// and the dequantize-then-sgemm path, for NF4 and FP4, plain and double-quantized scales, block
// sizes 32…256, one to four input rows, and row counts that split unevenly over the cores.
import XCTest
import FrugalCore
@testable import FrugalQuant

final class GEMV4BitTests: XCTestCase {
    func check(out: Int, inF: Int, m: Int, type: FourBitType, blockSize: Int, doubleQuant: Bool,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let rng = RandomGenerator(seed: UInt64(out * 7 + inF + m))
        let w = (0..<(out * inF)).map { _ in rng.normal() * 0.05 }
        let q = try QuantizedBlockwise4Bit.quantize(w, shape: [out, inF], type: type, blockSize: blockSize, doubleQuant: doubleQuant)
        XCTAssertTrue(q.supportsGEMV, file: file, line: line)
        let x = (0..<(m * inF)).map { _ in rng.normal() }
        var y = [Float](repeating: .nan, count: m * out)
        x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { q.gemv(xb.baseAddress!, rows: m, into: $0.baseAddress!) } }
        let ref = q.gemvReference(x, rows: m)
        var num = 0.0, den = 0.0
        for i in 0..<ref.count { num += Double(y[i] - ref[i]) * Double(y[i] - ref[i]); den += Double(ref[i]) * Double(ref[i]) }
        XCTAssertLessThan((num / den).squareRoot(), 1e-6, "‖Δ‖/‖ref‖ for [\(out), \(inF)] m \(m)", file: file, line: line)
        for i in 0..<ref.count {
            XCTAssertEqual(y[i], ref[i], accuracy: 1e-4 * (1 + abs(ref[i])), "y[\(i)]", file: file, line: line)
        }
    }

    /// Both kernels: AVX2 everywhere, AVX-512 where the CPU has it.
    var kernels: [Bool] { CPUFeatures.hasAVX512 ? [false, true] : [false] }

    func testMatchesReference() throws {
        let saved = CPUFeatures.useAVX512
        defer { CPUFeatures.useAVX512 = saved }
        for avx512 in kernels {
            CPUFeatures.useAVX512 = avx512
            try check(out: 576, inF: 576, m: 1, type: .nf4, blockSize: 64, doubleQuant: true)
            try check(out: 37, inF: 1536, m: 1, type: .nf4, blockSize: 64, doubleQuant: false)
            try check(out: 193, inF: 128, m: 2, type: .fp4, blockSize: 32, doubleQuant: true)
            try check(out: 5, inF: 256, m: 3, type: .nf4, blockSize: 256, doubleQuant: true)
            try check(out: 64, inF: 192, m: 4, type: .fp4, blockSize: 64, doubleQuant: false)
            try check(out: 3, inF: 4096, m: 1, type: .nf4, blockSize: 4096, doubleQuant: true)
        }
    }

    func testLinearTakesTheGEMVForFewRowsAndAgreesWithTheTiledPath() throws {
        let rng = RandomGenerator(seed: 3)
        let (out, inF) = (1536, 576)
        let q = try QuantizedBlockwise4Bit.quantize((0..<(out * inF)).map { _ in rng.normal() * 0.05 }, shape: [out, inF],
                                                    type: .nf4, blockSize: 64, doubleQuant: true)
        let x = Tensor.randn([1, 1, inF], rng: rng)
        let savedKernel = CPUFeatures.useAVX512
        defer { CPUFeatures.useAVX512 = savedKernel }
        CPUFeatures.useAVX512 = false
        let fused = x.linear4Bit(q).scalars
        let saved = Tensor.linear4BitGEMVRows
        Tensor.linear4BitGEMVRows = 0
        defer { Tensor.linear4BitGEMVRows = saved }
        let tiled = x.linear4Bit(q).scalars
        XCTAssertEqual(fused.count, out)
        for i in 0..<out { XCTAssertEqual(fused[i], tiled[i], accuracy: 1e-5 * (1 + abs(tiled[i])), "y[\(i)]") }
        XCTAssertNotEqual(fused, tiled, "the two paths sum in different orders; identical bits mean one path ran twice")
    }

    func testRowsThatDoNotStartBlocksAreNotSupported() throws {
        let q = try QuantizedBlockwise4Bit.quantize([Float](repeating: 0.5, count: 300 * 96), shape: [300, 96],
                                                    type: .nf4, blockSize: 64)
        XCTAssertFalse(q.supportsGEMV)
    }
}
