// Tests for DynamicMap, DynamicQuantLUT, QuantizedBlockwise8Bit and TorchFloatSum against
// bitsandbytes 0.50.2 on CPU (fixtures blockwise8.json, mean_repr.json), plus closed-form facts of
// the dynamic map and the nearest-code rule checked exhaustively against a linear search.
import XCTest
@testable import FrugalQuant

final class Blockwise8BitTests: XCTestCase {
    func testDynamicMapMatchesBitsandbytes() throws {
        let f = try Fixture.load("blockwise8")
        assertBitsEqual(DynamicMap.signed8, Fixture.f32(f["dynamic_map"]), "create_dynamic_map()")
    }

    func testDynamicMapClosedFormFacts() {
        let m = DynamicMap.signed8
        XCTAssertEqual(m.count, 256)
        XCTAssertEqual(m[0].bitPattern, 0xBF7E_3333, "index 0 = -0.99296875 (rounded to Float32)")
        XCTAssertEqual(m[127], 0)
        XCTAssertEqual(m[255], 1)
        XCTAssertEqual(m[254], -m[0])
        XCTAssertFalse(m.contains(-1), "the signed dynamic map has no -1")
        XCTAssertEqual(m, m.sorted())
        XCTAssertEqual(m[128], Float(1e-6) * ((0.1 + 1) / 2), "smallest positive: 1e-6 * mean(0.1, 1)")
    }

    func testTorchLinspaceMatchesTorchFMAFormula() {
        XCTAssertEqual(DynamicMap.torchLinspace(0.1, 1, 2), [0.1, 1])
        XCTAssertEqual(DynamicMap.torchLinspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(DynamicMap.torchLinspace(3, 7, 1), [3])
    }

    func testQuantizeBlockwiseMatchesBitsandbytesCPU() throws {
        let f = try Fixture.load("blockwise8")
        let cases = try XCTUnwrap(f["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            let name = c["name"] as! String, bs = c["blocksize"] as! Int, n = c["n"] as! Int
            let x: [Float] = c["x"] != nil ? Fixture.f32(c["x"])
                                           : (0..<n).map { Float(Double($0 - 20000) / 20000.0) }  // the grid case
            let q = try QuantizedBlockwise8Bit.quantize(x, blockSize: bs)
            XCTAssertEqual(q.codes, Fixture.u8(c["q"]), "\(name): codes")
            assertBitsEqual(q.absmax, Fixture.f32(c["absmax"]), "\(name): absmax")
            if c["dq"] != nil { assertBitsEqual(q.dequantize(), Fixture.f32(c["dq"]), "\(name): dequantized") }
        }
    }

    func testLUTRoundingDiffersFromNearestSomewhere() throws {
        // bnb's 65536-bin table is an approximation: its bins are 2/65535 wide, coarser than the codes
        // near 0 (spaced ~1e-7), so values can land away from the nearest code — but never by more
        // than one bin's width in value.
        let code = DynamicMap.signed8
        let x = (0...40000).map { Float(Double($0 - 20000) / 20000.0) }
        let lut = try QuantizedBlockwise8Bit.quantize(x, blockSize: 4096, rounding: .bnbCPU)
        let nearest = try QuantizedBlockwise8Bit.quantize(x, blockSize: 4096, rounding: .nearest)
        XCTAssertGreaterThan(zip(lut.codes, nearest.codes).filter { $0 != $1 }.count, 0)
        let bin = 2.0 / 65535.0
        for i in x.indices {
            let scaled = Double(x[i]) / Double(lut.absmax[i / 4096])
            let errLUT = abs(Double(code[Int(lut.codes[i])]) - scaled)
            let errNearest = abs(Double(code[Int(nearest.codes[i])]) - scaled)
            XCTAssertLessThanOrEqual(errNearest, errLUT + 1e-6)  // Float32 midpoints
            XCTAssertLessThanOrEqual(errLUT, errNearest + bin, "x = \(x[i])")
        }
    }

    func testBnbCPUSendsZeroToCode131() throws {
        // 0 falls in LUT bin trunc(fma(0.5, 65535, 0.5)) = 32768, whose value -1 + 65536/65535 is
        // above the midpoints up to code 131 (2.125e-5): bnb 0.50 on CPU gives [131, 255] for [0, 1]
        let q = try QuantizedBlockwise8Bit.quantize([0, 1], blockSize: 64)
        XCTAssertEqual(q.codes, [131, 255])
        XCTAssertEqual(DynamicQuantLUT.bin(0), 32768)
        XCTAssertEqual(try QuantizedBlockwise8Bit.quantize([0, 1], blockSize: 64, rounding: .nearest).codes, [127, 255])
    }

    func testNearestRoundingIsNearestWithTiesDown() throws {
        let code = DynamicMap.signed8
        let mids = (0..<255).map { (code[$0] + code[$0 + 1]) / 2 }
        var rng = TestRNG(seed: 8)
        var x = (0..<3000).map { _ in Float(rng.uniform() * 2 - 1) }
        x[0] = 1  // absmax exactly 1: scaled values equal x
        let q = try QuantizedBlockwise8Bit.quantize(x + mids, blockSize: x.count + mids.count, rounding: .nearest)
        for (i, v) in x.enumerated() where !mids.contains(v) {
            let best = code.indices.min { abs(Double(code[$0]) - Double(v)) < abs(Double(code[$1]) - Double(v)) }!
            XCTAssertEqual(code[Int(q.codes[i])], code[best], "x = \(v)")
        }
        // a value exactly on a (Float32) midpoint takes the lower code
        for k in 0..<255 { XCTAssertEqual(Int(q.codes[x.count + k]), k, "midpoint \(k)") }
    }

    func testBadInputIsRefused() {
        XCTAssertThrowsError(try QuantizedBlockwise8Bit.quantize([1, .nan], blockSize: 64)) { e in
            guard case .nonFinite(let index, let value)? = e as? QuantError else { return XCTFail("\(e)") }
            XCTAssertEqual(index, 1)
            XCTAssertTrue(value.isNaN)
            XCTAssertTrue("\(e)".contains("index 1"))
        }
        XCTAssertThrowsError(try QuantizedBlockwise8Bit.quantize([1, 2], blockSize: 0))
        XCTAssertThrowsError(try QuantizedBlockwise8Bit.quantize([1], blockSize: 64, code: [1, 0] + [Float](repeating: 0, count: 254)))
        XCTAssertThrowsError(try QuantizedBlockwise8Bit(codes: [1, 2, 3], absmax: [], blockSize: 2))
    }

    func testAllZeroBlockStoresZeroAbsmaxAndCodeZero() throws {
        let q = try QuantizedBlockwise8Bit.quantize([Float](repeating: 0, count: 300), blockSize: 256)
        XCTAssertEqual(q.absmax, [0, 0])
        XCTAssertTrue(q.codes.allSatisfy { $0 == 0 })
        XCTAssertTrue(q.dequantize().allSatisfy { $0 == 0 })
    }

    func testTorchMeanMatchesTorch() throws {
        let f = try Fixture.load("mean_repr")
        let means = try XCTUnwrap(f["means"] as? [[String: Any]])
        XCTAssertEqual(means.count, 15)
        for m in means {
            let n = m["n"] as! Int
            let scale = try XCTUnwrap(Double(m["scale"] as! String))
            let x = (0..<n).map { Float(Double((Int64($0) * 2_654_435_761) % 1_000_003) / 1_000_003.0 * scale) }
            XCTAssertEqual(TorchFloatSum.mean(x).bitPattern, Fixture.f32(m["mean"])[0].bitPattern, "torch.mean, n = \(n)")
        }
    }

    func testTorchSumSmallCasesClosedForm() {
        XCTAssertEqual(TorchFloatSum.sum([]), 0)
        XCTAssertEqual(TorchFloatSum.sum([1, 2, 3]), 6)
        XCTAssertEqual(TorchFloatSum.sum([Float](repeating: 1, count: 1000)), 1000)
        // 2^24 followed by 63 ones: a running sum loses every 1 (2^24 + 1 rounds to 2^24); torch's
        // 8 lanes x 4 accumulators lose only one (lane 0: 2^24 + 1 -> 2^24, then +2 +2 +2; the other
        // 7 lanes hold 8 each): 2^24 + 6 + 56.
        var x = [Float](repeating: 1, count: 64)
        x[0] = 0x1p24
        XCTAssertEqual(TorchFloatSum.sum(x), 0x1p24 + 62)
        // fewer than 8 values: torch's scalar row_sum, (((x0 + x4) + x5) + x6) + x1 + x2 + x3:
        // 3 + 2^24 ties to 2^24 + 4, and each later +1 ties back to it; a running sum gives 2^24 + 6
        XCTAssertEqual(TorchFloatSum.sum([1, 1, 1, 1, 1, 1, 0x1p24]), 0x1p24 + 4)
        XCTAssertEqual(TorchFloatSum.ceilLog2(1), 0)
        XCTAssertEqual(TorchFloatSum.ceilLog2(17), 5)
        XCTAssertEqual(TorchFloatSum.ceilLog2(16), 4)
    }
}
