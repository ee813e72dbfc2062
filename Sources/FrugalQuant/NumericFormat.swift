// NumericFormat — the number formats Frugal stores weights in, described side by side (what
// `frugal formats` prints): bit layout, range, precision, where values overflow and underflow, and
// storage cost. Every number is computed from the format's definition, not typed in:
//   IEEE-style floats (fp32, fp16, bf16) with e exponent and m mantissa bits, bias 2^(e-1) - 1:
//     largest (2 - 2^-m) 2^bias, smallest normal 2^(1-bias), smallest subnormal 2^(1-bias-m),
//     epsilon 2^-m (the gap above 1), overflow at (2 - 2^-(m+1)) 2^bias (rounds to inf),
//     underflow at 2^(-bias-m) (half the smallest subnormal; ties to even give 0);
//   block-scaled codes (int8 absmax, NF4, FP4) from their code tables, in units of the block's
//     absmax: largest 1, epsilon = the gap *below* 1 (the top of the grid), no overflow (the block
//     is rescaled), and the interval rounding to 0 from the nearest-code midpoints.
// Leaves out: fp8 formats and GGML's block formats (Q4_0, Q4_1, ...), which FrugalIO describes.
import Foundation
public struct NumericFormat: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Sign, exponent and mantissa fields, IEEE 754 semantics (bf16 is fp32's upper half).
        case ieeeFloat
        /// A signed integer code times a per-block absmax / 127.
        case scaledInteger
        /// A 4-bit index into a 16-value table, times a per-block absmax.
        case scaledCodebook
    }

    public let name: String
    public let kind: Kind
    public let totalBits: Int
    /// Field widths; nil where the format has no such field (NF4 is a pure lookup table).
    public let signBits: Int?
    public let exponentBits: Int?
    public let mantissaBits: Int?
    public let exponentBias: Int?
    /// Values are multiples of a per-block scale (absmax): largest etc. are in units of it.
    public let blockScaled: Bool
    public let largest: Double
    /// Smallest positive normal value (for code books: smallest positive value that is not subnormal).
    public let smallestNormal: Double
    /// Smallest positive subnormal, or nil if the format has none.
    public let smallestSubnormal: Double?
    /// IEEE: 2^-m, the gap between 1 and the next larger value. Scaled codes: 1 minus the largest
    /// code below 1 (their largest value is 1).
    public let epsilon: Double
    /// |x| at or above which the value rounds to ±inf; nil when the format cannot overflow.
    public let overflowThreshold: Double?
    /// Values x with -zeroBelow < x < zeroAbove round to (±)0; `zeroInclusive` tells whether the
    /// endpoints do too (negative, positive side).
    public let zeroBelow: Double
    public let zeroAbove: Double
    public let zeroInclusive: [Bool]
    /// Storage bits per value, counting the per-block scale (block 64, Float32 absmax for 4-bit).
    public let bitsPerValue: Double
    /// With double quantization of the absmax (4-bit only).
    public let bitsPerValueDoubleQuant: Double?
    public let overflow: String
    public let underflow: String

    /// fp32, fp16, bf16, int8, nf4, fp4.
    public static let all: [NumericFormat] = [ieee("fp32", e: 8, m: 23), ieee("fp16", e: 5, m: 10), ieee("bf16", e: 8, m: 7),
                                              int8Absmax, codebook(.nf4), codebook(.fp4)]

    public static func named(_ name: String) -> NumericFormat? { all.first { $0.name == name } }

    static func pow2(_ k: Int) -> Double { Double(sign: .plus, exponent: k, significand: 1) }

    /// An IEEE-style binary float with `e` exponent bits and `m` mantissa bits.
    static func ieee(_ name: String, e: Int, m: Int) -> NumericFormat {
        let bias = (1 << (e - 1)) - 1
        let largest = (2 - pow2(-m)) * pow2(bias)
        let overflowAt = (2 - pow2(-(m + 1))) * pow2(bias)
        let tiny = pow2(1 - bias - m), zero = pow2(-bias - m)
        return NumericFormat(
            name: name, kind: .ieeeFloat, totalBits: 1 + e + m, signBits: 1, exponentBits: e, mantissaBits: m,
            exponentBias: bias, blockScaled: false, largest: largest, smallestNormal: pow2(1 - bias), smallestSubnormal: tiny,
            epsilon: pow2(-m), overflowThreshold: overflowAt, zeroBelow: zero, zeroAbove: zero, zeroInclusive: [true, true],
            bitsPerValue: Double(1 + e + m), bitsPerValueDoubleQuant: nil,
            overflow: "|x| >= \(short(overflowAt)) rounds to ±inf",
            underflow: "|x| <= \(short(zero)) (2^\(-bias - m)) rounds to ±0; below \(short(pow2(1 - bias))) (2^\(1 - bias)) values are subnormal and lose precision gradually")
    }

    /// Symmetric absmax int8: codes -127...127 times absmax/127 (per tensor, row or block).
    static let int8Absmax: NumericFormat = {
        let zero = 0.5 / 127
        return NumericFormat(
            name: "int8", kind: .scaledInteger, totalBits: 8, signBits: 1, exponentBits: 0, mantissaBits: 7, exponentBias: nil,
            blockScaled: true, largest: 1, smallestNormal: 1.0 / 127, smallestSubnormal: nil, epsilon: 1.0 / 127,
            overflowThreshold: nil, zeroBelow: zero, zeroAbove: zero, zeroInclusive: [true, true],
            bitsPerValue: 8 + 32.0 / 64, bitsPerValueDoubleQuant: nil,
            overflow: "cannot overflow: x is divided by its block's absmax; an outlier instead coarsens its whole block",
            underflow: "|x| <= \(short(zero)) × absmax (half a step, ties to even) rounds to 0")
    }()

    /// NF4 or FP4 as bitsandbytes defines them, block 64 with a Float32 absmax.
    static func codebook(_ type: FourBitType) -> NumericFormat {
        let table = type.codebook.map(Double.init)
        let mids = type.midpoints.map(Double.init)
        let sorted = type.sortedOrder.map { table[Int($0)] }
        // the bucket(s) decoding to 0: first and last midpoint index whose bucket holds a zero code
        let zeroBuckets = sorted.indices.filter { sorted[$0] == 0 }
        let below = -mids[zeroBuckets.first! - 1], above = mids[zeroBuckets.last!]
        let largest = table.max()!, belowOne = sorted.filter { $0 < largest }.max()!
        let positive = table.filter { $0 > 0 }
        let subnormal: Double?, normal: Double
        var sign: Int?, exp: Int?, man: Int?
        if type == .fp4 {
            // bit 3 sign, bits 2-1 exponent, bit 0 mantissa: exponent field 00 is subnormal
            sign = 1; exp = 2; man = 1
            subnormal = table[0b001]
            normal = (0b010...0b111).map { table[$0] }.min()!
        } else {
            subnormal = nil
            normal = positive.min()!
        }
        let name = type.rawValue
        return NumericFormat(
            name: name, kind: .scaledCodebook, totalBits: 4, signBits: sign, exponentBits: exp, mantissaBits: man, exponentBias: nil,
            blockScaled: true, largest: largest, smallestNormal: normal, smallestSubnormal: subnormal, epsilon: largest - belowOne,
            overflowThreshold: nil, zeroBelow: below, zeroAbove: above, zeroInclusive: [false, true],
            bitsPerValue: QuantizedBlockwise4Bit.bitsPerParameter(blockSize: 64, doubleQuant: false),
            bitsPerValueDoubleQuant: QuantizedBlockwise4Bit.bitsPerParameter(blockSize: 64, doubleQuant: true),
            overflow: "cannot overflow: x is divided by its block's absmax; an outlier instead coarsens its whole block",
            underflow: "\(short(-below)) × absmax < x <= \(short(above)) × absmax rounds to 0 (nearest code, ties to the lower code)")
    }

    /// A compact decimal for messages (7 significant digits, %g style).
    public static func short(_ x: Double) -> String { String(format: "%.7g", x) }
}
