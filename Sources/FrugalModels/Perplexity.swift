// Perplexity — mean negative log-likelihood of a token stream under a model, in windows of at most
// `window` tokens that overlap by `stride` as in transformers' perplexity guide: each window scores
// only the tokens not scored by the previous one, with the earlier tokens as context.
import FrugalCore
import Foundation

public struct PerplexityResult: Sendable, Codable {
    public var tokens: Int          // tokens scored
    public var meanNLL: Double      // nats per token
    public var perplexity: Double { Foundation.exp(meanNLL) }
}

extension DecoderModel {
    public func perplexity(_ ids: [Int32], window: Int = 512, stride: Int = 256,
                           progress: (Int, Int) -> Void = { _, _ in }) -> PerplexityResult {
        precondition(window >= 2 && stride >= 1 && stride <= window, "perplexity: need window ≥ 2 and 1 ≤ stride ≤ window")
        guard ids.count >= 2 else { return PerplexityResult(tokens: 0, meanNLL: .nan) }
        var total = 0.0, scored = 0
        var scoredUpTo = 1          // token 0 has no context; it is never scored
        var start = 0
        while true {
            let end = Swift.min(ids.count, start + window)
            let chunk = Array(ids[start..<end])
            // Targets: positions whose token index ≥ scoredUpTo; others ignored.
            var targets = [Int32](repeating: -100, count: chunk.count)
            for t in 0..<(chunk.count - 1) where start + t + 1 >= scoredUpTo { targets[t] = chunk[t + 1] }
            let n = Tensor.countedTargets(targets)
            if n > 0 {
                let loss = withoutGrad { logits(ids: chunk, batch: 1).crossEntropy(targets: targets, reduction: .sum) }
                total += Double(loss.item); scored += n
            }
            scoredUpTo = end
            progress(scoredUpTo, ids.count)
            if end == ids.count { break }
            start += stride
        }
        return PerplexityResult(tokens: scored, meanNLL: total / Double(Swift.max(scored, 1)))
    }
}
