// Float16Bits — scalar conversion between Float32 and IEEE binary16 bit patterns (UInt16).
//
// binary16: 1 sign, 5 exponent, 10 mantissa bits, bias 15. Implemented with integer and float bit
// tricks (Maratyszcza's FP16 library, which PyTorch c10/util/Half.h uses), not with Swift's Float16,
// so results are identical on every platform and NaN handling is pinned:
//   Float32 -> fp16: round to nearest, ties to even, gradual underflow into subnormals, |x| >= 65520
//   overflows to ±inf, every NaN becomes `sign | 0x7E00`.
//   fp16 -> Float32: exact; subnormals are normalised; NaN payloads are kept (and quieted).
// The float steps rely on IEEE round-to-nearest multiplication and addition (never compile this with
// fast-math). Swift's Float16 agrees on every non-NaN input; the tests check that.
public enum Float16Bits {
    @inlinable
    public static func fromFloat(_ x: Float) -> UInt16 {
        let scaleToInf = Float(bitPattern: 0x7780_0000)   // 2^112
        let scaleToZero = Float(bitPattern: 0x0880_0000)  // 2^-110
        let w = x.bitPattern
        var base = (Float(bitPattern: w & 0x7FFF_FFFF) * scaleToInf) * scaleToZero
        let shl1 = w &+ w
        let sign = w & 0x8000_0000
        var bias = shl1 & 0xFF00_0000
        if bias < 0x7100_0000 { bias = 0x7100_0000 }
        base = Float(bitPattern: (bias >> 1) &+ 0x0780_0000) + base
        let b = base.bitPattern
        let expBits = (b >> 13) & 0x0000_7C00
        let mantBits = b & 0x0000_0FFF
        let nonsign = expBits &+ mantBits
        return UInt16(truncatingIfNeeded: (sign >> 16) | (shl1 > 0xFF00_0000 ? 0x7E00 : nonsign))
    }

    @inlinable
    public static func toFloat(_ h: UInt16) -> Float {
        let w = UInt32(h) << 16
        let sign = w & 0x8000_0000
        let twoW = w &+ w
        let expOffset: UInt32 = 0xE0 << 23
        let expScale = Float(bitPattern: 0x0780_0000)     // 2^-112
        let normalized = Float(bitPattern: (twoW >> 4) &+ expOffset) * expScale
        let magicMask: UInt32 = 126 << 23
        let denormalized = Float(bitPattern: (twoW >> 17) | magicMask) - 0.5
        let cutoff: UInt32 = 1 << 27
        let bits = twoW < cutoff ? denormalized.bitPattern : normalized.bitPattern
        return Float(bitPattern: sign | bits)
    }
}
