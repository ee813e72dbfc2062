// Sampler — picks the next token from a row of logits: greedy (temperature 0), or temperature,
// then top-k, then top-p (nucleus) filtering, as transformers' generate applies its warpers
// (temperature → top-k → top-p), sampling with a seeded generator so runs repeat.
import FrugalCore

public struct SamplingOptions: Codable, Equatable, Sendable {
    public var temperature: Float = 0      // 0 = greedy
    public var topK: Int = 0               // 0 = off
    public var topP: Float = 1             // 1 = off
    public var seed: UInt64 = 0
    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, seed: UInt64 = 0) {
        self.temperature = temperature; self.topK = topK; self.topP = topP; self.seed = seed
    }
}

public final class Sampler {
    public let options: SamplingOptions
    let rng: RandomGenerator

    public init(_ options: SamplingOptions) {
        precondition(options.temperature >= 0 && options.topK >= 0 && options.topP > 0 && options.topP <= 1,
                     "Sampler: temperature ≥ 0, top-k ≥ 0 and 0 < top-p ≤ 1 required")
        self.options = options
        rng = RandomGenerator(seed: options.seed)
    }

    /// The next token id from `logits` (one row of V values).
    public func next(_ logits: [Float]) -> Int32 {
        if options.temperature == 0 {
            var best = 0
            for i in 1..<logits.count where logits[i] > logits[best] { best = i }
            return Int32(best)
        }
        // Candidates sorted by logit, descending (ties: lower id first).
        var order = Array(0..<logits.count)
        order.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        if options.topK > 0 { order = Array(order.prefix(options.topK)) }
        let m = logits[order[0]]
        var probs = order.map { Double(FastMath.exp((logits[$0] - m) / options.temperature)) }
        var total = probs.reduce(0, +)
        if options.topP < 1 {
            // Keep the smallest prefix whose probability reaches top-p (at least one token).
            var acc = 0.0, keep = 0
            for p in probs { acc += p / total; keep += 1; if acc >= Double(options.topP) { break } }
            probs = Array(probs.prefix(keep)); order = Array(order.prefix(keep))
            total = probs.reduce(0, +)
        }
        var u = Double(rng.uniform()) * total
        for (i, p) in probs.enumerated() {
            u -= p
            if u < 0 { return Int32(order[i]) }
        }
        return Int32(order[probs.count - 1])
    }
}
