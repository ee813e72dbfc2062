// The fast 4-bit dequantization kernels (pair table, SIMD, threads) against the naive reference,
// bit for bit, on ragged sizes, odd element ranges, row tiles, every block size, both code books,
// plain and double-quantized scales.
import XCTest
import FrugalCore
@testable import FrugalQuant

final class DequantizeKernelTests: XCTestCase {
    func testFastMatchesReferenceOnRaggedShapes() throws {
        // every inner loop: the portable table loop and, where the CPU has it, the AVX-512 lookup
        // per block and over whole blocks (rows aligned to blocks, the tiles of the 4-bit linear)
        let saved = CPUFeatures.useAVX512, savedWhole = QuantizedBlockwise4Bit.wholeBlockKernel
        defer { CPUFeatures.useAVX512 = saved; QuantizedBlockwise4Bit.wholeBlockKernel = savedWhole }
        for (wide, whole) in CPUFeatures.hasAVX512 ? [(false, false), (true, false), (true, true)] : [(false, false)] {
            CPUFeatures.useAVX512 = wide
            QuantizedBlockwise4Bit.wholeBlockKernel = whole
            try fastMatchesReference()
        }
    }

    func fastMatchesReference() throws {
        var rng = TestRNG(seed: 6)
        let shapes: [[Int]] = [[1], [3], [7, 5], [13, 1], [9, 33], [64], [65], [31, 67], [5, 1000], [129, 257]]
        for shape in shapes {
            let n = shape.reduce(1, *)
            var x = rng.normals(n, scale: 0.05)
            if n > 40 { x[n / 3] = 3; for i in 0..<min(20, n) { x[i] = 0 } }
            for type in FourBitType.allCases {
                for bs in QuantizedBlockwise4Bit.allowedBlockSizes where bs <= 4 * max(n, 32) {
                    for dq in [false, true] {
                        let q = try QuantizedBlockwise4Bit.quantize(x, shape: shape, type: type, blockSize: bs, doubleQuant: dq)
                        let ref = q.dequantizeReference()
                        assertBitsEqual(q.dequantize(), ref, "\(type) \(shape) bs \(bs) dq \(dq)")
                        // arbitrary element ranges, including odd starts and ends
                        for _ in 0..<6 {
                            let a = Int(rng.next() % UInt64(n)), b = Int(rng.next() % UInt64(n + 1))
                            let r = min(a, b)..<max(a, b)
                            var out = [Float](repeating: .nan, count: r.count)
                            out.withUnsafeMutableBufferPointer { q.dequantize(elements: r, into: $0.baseAddress!) }
                            assertBitsEqual(out, Array(ref[r]), "\(type) \(shape) bs \(bs) range \(r)")
                        }
                    }
                }
            }
        }
    }

    func testRowTilesOfALinearWeight() throws {
        // a [out, in] weight whose rows are not a multiple of the block size: blocks straddle rows
        let out = 37, inFeatures = 50
        let x = TestRNG(seed: 7).normalsArray(out * inFeatures, scale: 0.1)
        let q = try QuantizedBlockwise4Bit.quantize(x, shape: [out, inFeatures], type: .nf4, blockSize: 64, doubleQuant: true)
        let ref = q.dequantizeReference()
        var tiled = [Float](repeating: .nan, count: out * inFeatures)
        tiled.withUnsafeMutableBufferPointer { buf in
            var r0 = 0
            for tile in [1, 4, 7, 16, 9] {  // ragged tiles that cover all 37 rows
                let rows = r0..<min(out, r0 + tile)
                q.dequantizeRows(rows, into: buf.baseAddress! + rows.lowerBound * inFeatures)
                r0 = rows.upperBound
            }
            XCTAssertEqual(r0, out)
        }
        assertBitsEqual(tiled, ref, "row tiles")
        // rows of whole blocks (576 = 9 blocks of 64, as the default model's weights): each tile goes
        // through the whole-block kernel where the CPU has AVX-512
        let wide = try QuantizedBlockwise4Bit.quantize(TestRNG(seed: 8).normalsArray(40 * 576, scale: 0.1), shape: [40, 576],
                                                       type: .nf4, blockSize: 64, doubleQuant: true)
        let wideRef = wide.dequantizeReference()
        var wideTiled = [Float](repeating: .nan, count: 40 * 576)
        wideTiled.withUnsafeMutableBufferPointer { buf in
            for rows in [0..<3, 3..<32, 32..<40] { wide.dequantizeRows(rows, into: buf.baseAddress! + rows.lowerBound * 576) }
        }
        assertBitsEqual(wideTiled, wideRef, "row tiles of whole blocks")
    }

    func testLargeTensorIsThreadedAndExact() throws {
        // enough blocks for Parallel.forChunks to split the work
        let x = TestRNG(seed: 9).normalsArray(1 << 18)
        for type in FourBitType.allCases {
            let q = try QuantizedBlockwise4Bit.quantize(x, shape: [512, 512], type: type, doubleQuant: true)
            assertBitsEqual(q.dequantize(), q.dequantizeReference(), "\(type) 512x512")
        }
    }
}
