// Tests for BFloat16Bits, Float16Bits, HalfConversion and HalfBuffer: bit-exact against torch's
// .to(bfloat16)/.to(float16) (fixture half.json), exhaustive checks of the decoding direction and a
// strided sweep of all Float32 patterns against Swift's Float16, closed-form edge cases, and the
// fast SIMD/threaded converters against the scalar reference on ragged lengths.
import XCTest
@testable import FrugalQuant

final class HalfFloatTests: XCTestCase {
    func testMatchesTorchOnFixture() throws {
        let f = try Fixture.load("half")
        let x = Fixture.f32(f["f32"]), bf = Fixture.u16(f["bf16"]), hf = Fixture.u16(f["fp16"])
        XCTAssertEqual(x.count, f["count"] as? Int)
        // NaN inputs: torch's *vectorized* CPU casts differ from its scalar c10 rule (bf16: 0xFFFF
        // instead of 0x7FC0; fp16: F16C keeps the payload instead of sign|0x7E00), so for NaN only
        // NaN-ness is compared; the pinned NaN patterns are tested in the closed-form tests.
        let fastBF = HalfConversion.encode(x, format: .bf16), fastHF = HalfConversion.encode(x, format: .fp16)
        var nanInputs = 0
        for i in x.indices {
            if x[i].isNaN {
                nanInputs += 1
                XCTAssertTrue(BFloat16Bits.toFloat(bf[i]).isNaN && BFloat16Bits.toFloat(BFloat16Bits.fromFloat(x[i])).isNaN)
                XCTAssertTrue(Float16Bits.toFloat(hf[i]).isNaN && Float16Bits.toFloat(Float16Bits.fromFloat(x[i])).isNaN)
                continue
            }
            let hex = String(x[i].bitPattern, radix: 16)
            XCTAssertEqual(BFloat16Bits.fromFloat(x[i]), bf[i], "bf16 of 0x\(hex)")
            XCTAssertEqual(Float16Bits.fromFloat(x[i]), hf[i], "fp16 of 0x\(hex)")
            XCTAssertEqual(fastBF[i], bf[i], "bulk bf16 of 0x\(hex)")
            XCTAssertEqual(fastHF[i], hf[i], "bulk fp16 of 0x\(hex)")
        }
        XCTAssertGreaterThan(nanInputs, 5)
        // decoding: exact, NaN payloads included (torch quiets and keeps them, as Float16Bits does)
        assertBitsEqual(bf.map(BFloat16Bits.toFloat), Fixture.f32(f["bf16_to_f32"]), "bf16 -> f32")
        assertBitsEqual(hf.map(Float16Bits.toFloat), Fixture.f32(f["fp16_to_f32"]), "fp16 -> f32")
        assertBitsEqual(HalfConversion.decode(hf, format: .fp16), Fixture.f32(f["fp16_to_f32"]), "bulk fp16 -> f32")
    }

    func testBF16EdgeCasesClosedForm() {
        XCTAssertEqual(BFloat16Bits.fromFloat(.nan), 0x7FC0)
        XCTAssertEqual(BFloat16Bits.fromFloat(-Float.nan), 0x7FC0, "sign of NaN dropped, as PyTorch")
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(bitPattern: 0x7F80_0001)), 0x7FC0, "signalling NaN")
        XCTAssertEqual(BFloat16Bits.fromFloat(.infinity), 0x7F80)
        XCTAssertEqual(BFloat16Bits.fromFloat(-.infinity), 0xFF80)
        XCTAssertEqual(BFloat16Bits.fromFloat(-0.0), 0x8000)
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(bitPattern: 0x3F80_8000)), 0x3F80, "tie to even (down)")
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(bitPattern: 0x3F81_8000)), 0x3F82, "tie to even (up)")
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(bitPattern: 0x3F80_8001)), 0x3F81, "above the tie")
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(bitPattern: 0x7F7F_7FFF)), 0x7F7F, "largest finite")
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(bitPattern: 0x7F7F_8000)), 0x7F80, "overflow to inf")
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(bitPattern: 0x0000_8000)), 0x0000, "subnormal tie to even 0")
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(bitPattern: 0x0001_8000)), 0x0002, "subnormal tie up")
        XCTAssertEqual(BFloat16Bits.fromFloat(Float(bitPattern: 0x0000_8001)), 0x0001, "smallest bf16 subnormal")
        XCTAssertEqual(BFloat16Bits.toFloat(0x0001), Float(sign: .plus, exponent: -133, significand: 1))
        XCTAssertEqual(BFloat16Bits.toFloat(0x7F7F), Float(bitPattern: 0x7F7F_0000))
    }

    func testFP16EdgeCasesClosedForm() {
        XCTAssertEqual(Float16Bits.fromFloat(65504), 0x7BFF)
        XCTAssertEqual(Float16Bits.fromFloat(65519.996), 0x7BFF, "just below the overflow threshold")
        XCTAssertEqual(Float16Bits.fromFloat(65520), 0x7C00, "65520 rounds to inf")
        XCTAssertEqual(Float16Bits.fromFloat(-65520), 0xFC00)
        XCTAssertEqual(Float16Bits.fromFloat(.nan), 0x7E00)
        XCTAssertEqual(Float16Bits.fromFloat(-Float.nan), 0xFE00, "NaN keeps its sign (c10 Half)")
        XCTAssertEqual(Float16Bits.fromFloat(0x1p-14), 0x0400, "smallest normal")
        XCTAssertEqual(Float16Bits.fromFloat(0x1p-24), 0x0001, "smallest subnormal")
        XCTAssertEqual(Float16Bits.fromFloat(0x1p-25), 0x0000, "half the smallest subnormal: tie to even 0")
        XCTAssertEqual(Float16Bits.fromFloat(0x1.8p-24), 0x0002, "1.5 ulp: tie to even 2")
        XCTAssertEqual(Float16Bits.fromFloat(0x1.0000_02p-25), 0x0001, "just above the tie")
        XCTAssertEqual(Float16Bits.fromFloat(1 + 0x1p-11), 0x3C00, "tie at 1: to even")
        XCTAssertEqual(Float16Bits.fromFloat(1 + 0x3p-11), 0x3C02, "tie at 1 + ulp: to even")
        XCTAssertEqual(Float16Bits.toFloat(0x0001), 0x1p-24)
        XCTAssertEqual(Float16Bits.toFloat(0x03FF), 0x1.ff8p-15)
        XCTAssertEqual(Float16Bits.toFloat(0x7C00), .infinity)
        XCTAssertEqual(Float16Bits.toFloat(0x8000).bitPattern, 0x8000_0000)
    }

    #if arch(x86_64) || arch(arm64)
    func testFP16AgreesWithSwiftFloat16() {
        // decode: every one of the 65536 patterns (NaNs compared by NaN-ness)
        for h in 0...UInt16.max {
            let ours = Float16Bits.toFloat(h), swift = Float(Float16(bitPattern: h))
            if swift.isNaN { XCTAssertTrue(ours.isNaN); continue }
            XCTAssertEqual(ours.bitPattern, swift.bitPattern, "decode 0x\(String(h, radix: 16))")
        }
        // encode: a strided sweep over all Float32 bit patterns, plus every pattern around the
        // fp16 rounding boundaries of a few binades
        var patterns: [UInt32] = Array(stride(from: UInt32(0), to: UInt32.max - 40_000, by: 40_009))
        for base: UInt32 in [0x3380_0000, 0x3880_0000, 0x477F_E000, 0x3F80_0000] {
            patterns += (0..<20_000).map { base &+ UInt32($0) }
        }
        var mismatches = 0
        for u in patterns {
            let x = Float(bitPattern: u)
            if x.isNaN { continue }
            if Float16Bits.fromFloat(x) != Float16(x).bitPattern { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0, "fp32 -> fp16 differs from Swift's Float16 on \(mismatches) inputs")
    }
    #endif

    func testBF16DecodeIsExactInverseOfEncodeOnAllPatterns() {
        for h in 0...UInt16.max {
            let f = BFloat16Bits.toFloat(h)
            if f.isNaN { XCTAssertEqual(BFloat16Bits.fromFloat(f), 0x7FC0); continue }
            XCTAssertEqual(BFloat16Bits.fromFloat(f), h)
        }
    }

    func testFastConvertersMatchReferenceOnRaggedLengths() {
        var rng = TestRNG(seed: 16)
        for n in [0, 1, 7, 8, 9, 15, 17, 100, 1003, 70_001] {
            var x: [Float] = (0..<n).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
            if n > 10 { x[3] = .nan; x[4] = -.infinity; x[5] = 65520; x[6] = 0x1p-25 }
            for format in HalfFormat.allCases {
                let fast = HalfConversion.encode(x, format: format)
                XCTAssertEqual(fast, HalfConversion.encodeReference(x, format: format), "encode \(format) n=\(n)")
                let bits = (0..<n).map { _ in UInt16(truncatingIfNeeded: rng.next()) }
                assertBitsEqual(HalfConversion.decode(bits, format: format),
                                HalfConversion.decodeReference(bits, format: format), "decode \(format) n=\(n)")
            }
        }
    }

    func testHalfBufferConvertsOnUse() {
        let values: [Float] = [1, -2.5, 0.1, 65504, 1e-8, 3e38]
        let bf = HalfBuffer(values, format: .bf16)
        XCTAssertEqual(bf.byteCount, 12)
        XCTAssertEqual(bf[0], 1)
        XCTAssertEqual(bf[2], BFloat16Bits.toFloat(BFloat16Bits.fromFloat(0.1)))
        XCTAssertEqual(bf[2], 0.10009765625)
        let hf = bf.converted(to: .fp16)
        XCTAssertEqual(hf.format, .fp16)
        XCTAssertEqual(hf[5], .infinity, "3e38 overflows fp16")
        XCTAssertEqual(hf[4], 0x1p-27 * 0, "1e-8 underflows fp16 to 0")
        var out = [Float](repeating: 0, count: 3)
        out.withUnsafeMutableBufferPointer { bf.toFloat(1..<4, into: $0) }
        XCTAssertEqual(out, [-2.5, 0.10009765625, 65536])
        var m = bf
        m[1] = 3.0
        XCTAssertEqual(m[1], 3.0)
        XCTAssertEqual(m.toFloat().count, 6)
    }
}
