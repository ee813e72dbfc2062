// FitRandom — SplitMix64 (Steele, Lea, Flood 2014), a small seeded generator so bootstrap
// resamples are reproducible on every platform. Not cryptographic. FrugalEstimate does not
// import FrugalCore, so it keeps its own.
import Foundation

public struct FitRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform integer in 0..<n (n > 0); the modulo bias is below 2^-40 for any n we use.
    public mutating func index(below n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Standard normal by Box–Muller.
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 0x1p-60), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
