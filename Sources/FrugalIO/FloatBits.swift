// FloatBits — conversions between Float32 and the narrow float formats found in model files.
//
// fp16: IEEE binary16 via Swift's Float16 (RNE, gradual underflow; F16C instructions on x86-64).
// bf16: FrugalQuant's BFloat16Bits (the top 16 bits of a Float32; narrowing is PyTorch's
//   round-to-nearest-even with NaN -> 0x7FC0).
// fp8: E4M3FN (bias 7, no infinities, S.1111.111 is NaN), E5M2 (the top byte of an fp16),
//   E8M0 (2^(e-127), 0xFF is NaN), as in the OCP 8-bit float spec and PyTorch's float8 types.
// Leaves out: narrowing to fp8 (Frugal never writes fp8), FP4/FP6.
import FrugalQuant

public enum FloatBits {
    @inline(__always)
    public static func halfToFloat(_ bits: UInt16) -> Float { Float(Float16(bitPattern: bits)) }

    @inline(__always)
    public static func floatToHalf(_ x: Float) -> UInt16 { Float16(x).bitPattern }

    @inline(__always)
    public static func bf16ToFloat(_ bits: UInt16) -> Float { BFloat16Bits.toFloat(bits) }

    /// PyTorch's fp32 -> bf16 (round to nearest even; NaN becomes 0x7FC0).
    @inline(__always)
    public static func floatToBF16(_ x: Float) -> UInt16 { BFloat16Bits.fromFloat(x) }

    /// OCP FP8 E4M3FN -> Float.
    public static func e4m3ToFloat(_ b: UInt8) -> Float {
        let sign: Float = (b & 0x80) != 0 ? -1 : 1
        let e = Int((b >> 3) & 0xF), m = Int(b & 0x7)
        if e == 0xF && m == 0x7 { return .nan }
        if e == 0 { return sign * Float(m) / 8 * 0x1p-6 }
        return sign * (1 + Float(m) / 8) * Float(sign: .plus, exponent: e - 7, significand: 1)
    }

    /// OCP FP8 E5M2 -> Float (the upper byte of an IEEE half).
    public static func e5m2ToFloat(_ b: UInt8) -> Float { halfToFloat(UInt16(b) << 8) }

    /// E8M0 (scale-only, unsigned) -> Float: 2^(b-127); 0xFF is NaN.
    public static func e8m0ToFloat(_ b: UInt8) -> Float {
        if b == 0xFF { return .nan }
        return Float(sign: .plus, exponent: Int(b) - 127, significand: 1)
    }
}
