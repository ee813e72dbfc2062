// FastMath — vector exp (and what is built on it) for softmax, SiLU and GELU.
// Cephes' expf: range reduction x = n·ln2 + r (n rounded to nearest), a degree-6 polynomial for e^r, scaling by 2^n through
// the exponent bits. Relative error about 2e-7 (tested against Foundation's exp over [-87, 88]).
// Inputs are clamped to [-87.3, 88.7]: far-negative inputs give ~1e-38 rather than 0, so code
// that needs an exact zero (masked attention) writes it explicitly.
public enum FastMath {
    @inlinable @inline(__always)
    public static func exp(_ xIn: SIMD8<Float>) -> SIMD8<Float> {
        // clamp with compare-and-select (the generic pointwiseMin/Max stayed out-of-line calls)
        let lo = SIMD8<Float>(repeating: -87.3), hi = SIMD8<Float>(repeating: 88.7)
        var x = xIn.replacing(with: lo, where: xIn .< lo)
        x = x.replacing(with: hi, where: x .> hi)
        // n = round(x·log2 e) with the 1.5·2²³ trick: plain vector adds, no per-lane rounding calls.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let r = x * 1.44269504088896341 + magic
        let fx = r - magic
        let n = unsafeBitCast(r, to: SIMD8<Int32>.self) &- 0x4B40_0000
        x = x - fx * 0.693359375
        x = x - fx * -2.12194440e-4
        let z = x * x
        var y = SIMD8<Float>(repeating: 1.9875691500e-4)
        y = y * x + 1.3981999507e-3
        y = y * x + 8.3334519073e-3
        y = y * x + 4.1665795894e-2
        y = y * x + 1.6666665459e-1
        y = y * x + 5.0000001201e-1
        y = y * z + x + 1
        let pow2 = unsafeBitCast((n &+ 127) &<< 23, to: SIMD8<Float>.self)
        return y * pow2
    }

    /// Scalar version of `exp` (same polynomial), for loop tails.
    @inlinable
    public static func exp(_ x: Float) -> Float { exp(SIMD8<Float>(repeating: x))[0] }

    /// Logistic sigmoid 1 / (1 + e^-x).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + exp(-x)) }

    @inlinable
    public static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// tanh through exp: 1 − 2 / (e^{2x} + 1); exact limits ±1 at large |x|.
    @inlinable @inline(__always)
    public static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 - 2 / (exp(2 * x) + 1) }

    @inlinable
    public static func tanh(_ x: Float) -> Float { tanh(SIMD8<Float>(repeating: x))[0] }
}
