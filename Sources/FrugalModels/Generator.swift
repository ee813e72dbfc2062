// Generator — autoregressive decoding with a KV cache: the prompt in one forward pass, then one
// token at a time, each sampled by `Sampler`. Tokens are handed to `onToken` as they come (the CLI
// streams them); generation stops at an end-of-sequence id, when `onToken` returns false (a stop
// string was seen), or after `maxTokens`. Only the last position's logits are computed.
import FrugalCore

public struct GenerationResult: Sendable {
    public var tokens: [Int32]
    public var stoppedAtEOS: Bool
    public var promptSeconds: Double
    public var decodeSeconds: Double
}

extension DecoderModel {
    /// Logits [N, V] of final hidden states [N, C] for decoding: through `decodingHead` when set
    /// (the 8-bit head), else the Float32 head.
    public func decodingLogits(_ hidden: Tensor) -> Tensor {
        decodingHead.map { $0(hidden) } ?? head(hidden)
    }

    /// Logits [V] of the last position after feeding `ids` (appended to the cache).
    public func nextTokenLogits(_ ids: [Int32], cache: KVCache) -> [Float] {
        withoutGrad {
            let h = hiddenStates(ids: ids, batch: 1, cache: cache)   // [1, T, C]
            let last = h.reshaped([ids.count, config.hiddenSize]).slice(ids.count - 1, 1)
            return decodingLogits(last).scalars
        }
    }

    public func generate(prompt: [Int32], maxTokens: Int, sampling: SamplingOptions = SamplingOptions(),
                         eos: Set<Int32>, onToken: (Int32) -> Bool = { _ in true }) -> GenerationResult {
        precondition(!prompt.isEmpty, "generate: the prompt has no tokens")
        let sampler = Sampler(sampling)
        let cache = KVCache(config: config, maxTokens: prompt.count + maxTokens)
        let clock = ContinuousClock()
        var out: [Int32] = []
        var logits: [Float] = []
        let promptTime = clock.measure { logits = nextTokenLogits(prompt, cache: cache) }
        var stopped = false
        let decodeTime = clock.measure {
            while out.count < maxTokens {
                let next = sampler.next(logits)
                if eos.contains(next) { stopped = true; break }
                out.append(next)
                if !onToken(next) || out.count == maxTokens { break }
                logits = nextTokenLogits([next], cache: cache)
            }
        }
        func secs(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        return GenerationResult(tokens: out, stoppedAtEOS: stopped, promptSeconds: secs(promptTime), decodeSeconds: secs(decodeTime))
    }
}
