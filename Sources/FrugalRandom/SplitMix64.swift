// SplitMix64 — the project's one seeded pseudo-random generator of this kind (Steele, Lea & Flood,
// "Fast splittable pseudorandom number generators", OOPSLA 2014; the constants of Vigna's
// splitmix64.c): the same seed gives the same sequence on every platform, which
// `SystemRandomNumberGenerator` does not. Not cryptographic. Its own module so that every target
// (FrugalCore's xoshiro seeding and dropout hashes, FrugalText's shuffles, FrugalEstimate's
// bootstrap) uses this one definition without depending on each other.
import Foundation

public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    /// The increment γ (the golden ratio in 64 bits).
    public static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    public init(seed: UInt64) { state = seed }

    /// The output function: a bijective 64-bit mix (also usable alone as a counter-based hash).
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= Self.gamma
        return Self.mix(state)
    }

    /// Uniform in [0, 1), 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform integer in 0..<n (n > 0) by a plain modulo: its bias is below n / 2^64.
    public mutating func index(below n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Standard normal by Box–Muller (one draw per call).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 0x1p-60), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A uniform integer in 0..<n (rejection sampling, no modulo bias). n > 0.
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0, "nextInt(below:) needs n > 0, got \(n)")
        let bound = UInt64(n)
        let threshold = (0 &- bound) % bound
        while true {
            let r = next()
            if r >= threshold { return Int(r % bound) }
        }
    }

    /// Fisher–Yates shuffle of `array` in place (deterministic for a given state).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}
