// BFloat16Bits — scalar conversion between Float32 and bfloat16 bit patterns (UInt16).
//
// bfloat16: 1 sign, 8 exponent, 7 mantissa bits, bias 127 — the top half of a Float32.
// Float32 -> bf16 follows PyTorch c10/util/BFloat16.h `round_to_nearest_even`: round to nearest,
// ties to even, via `(u + 0x7FFF + ((u >> 16) & 1)) >> 16`; subnormals round the same way (no
// flushing); ±inf stay ±inf; finite values at or above 0x7F7F8000 in magnitude overflow to ±inf;
// every NaN becomes 0x7FC0 (sign and payload dropped). GGML keeps the NaN's sign instead
// (`(u >> 16) | 0x40`); that variant is not implemented here.
// bf16 -> Float32 is exact: `u16 << 16`.
public enum BFloat16Bits {
    /// The canonical quiet NaN PyTorch produces for any NaN input.
    public static let nan: UInt16 = 0x7FC0

    @inlinable
    public static func fromFloat(_ x: Float) -> UInt16 {
        if x.isNaN { return nan }
        let u = x.bitPattern
        return UInt16(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
    }

    @inlinable
    public static func toFloat(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
