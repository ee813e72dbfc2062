import Foundation
import FrugalRandom
// RandomGenerator — a seeded generator so that runs repeat exactly: xoshiro256** seeded through
// SplitMix64 (Blackman & Vigna), uniform floats from the top 24 bits, normals by Box–Muller.
// A reference type so that an op (dropout) and its checkpointed recomputation can share it.
public final class RandomGenerator: RandomNumberGenerator, @unchecked Sendable {
    public var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Float?

    public init(seed: UInt64) {
        var s = SplitMix64(seed: seed)
        state = (s.next(), s.next(), s.next(), s.next())
    }

    public func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1).
    public func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [low, high).
    public func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * uniform() }

    /// Standard normal (mean 0, standard deviation 1).
    public func normal() -> Float {
        if let s = spareNormal { spareNormal = nil; return s }
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2 * log(u1)).squareRoot()
        spareNormal = Float(r * sin(2 * .pi * u2))
        return Float(r * cos(2 * .pi * u2))
    }
}

extension Tensor {
    /// Normal(mean, std) entries.
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: RandomGenerator,
                             requiresGrad: Bool = false) -> Tensor {
        let t = uninitialized(shape)
        for i in 0..<t.count { t.data[i] = mean + std * rng.normal() }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Uniform[low, high) entries.
    public static func uniform(_ shape: [Int], _ low: Float, _ high: Float, rng: RandomGenerator,
                               requiresGrad: Bool = false) -> Tensor {
        let t = uninitialized(shape)
        for i in 0..<t.count { t.data[i] = rng.uniform(low, high) }
        t.requiresGrad = requiresGrad
        return t
    }
}
