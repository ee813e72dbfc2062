// TokenBatch — one batch for a causal language model, in the layout transformers uses.
// Shapes (row-major, B rows of T tokens): inputIDs [B*T], labels [B*T], attentionMask [B*T],
// positionIDs [B*T]. Labels are NOT shifted: labels[b, t] is the token at t when it is a target,
// else `ignoreIndex` (-100, also on padding); the loss compares logits[b, t-1] with labels[b, t].
// positionIDs restart at 0 at the start of every packed example (0 on padding).
public struct TokenBatch: Equatable, Sendable {
    public static let ignoreIndex = -100

    public let batchSize: Int        // B
    public let sequenceLength: Int   // T
    public var inputIDs: [Int]
    public var labels: [Int]
    public var attentionMask: [Int]  // 1 real token, 0 padding
    public var positionIDs: [Int]

    public init(batchSize: Int, sequenceLength: Int, inputIDs: [Int], labels: [Int], attentionMask: [Int], positionIDs: [Int]) {
        let n = batchSize * sequenceLength
        precondition(inputIDs.count == n && labels.count == n && attentionMask.count == n && positionIDs.count == n,
                     "TokenBatch arrays must all have B*T = \(batchSize)*\(sequenceLength) entries")
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.inputIDs = inputIDs
        self.labels = labels
        self.attentionMask = attentionMask
        self.positionIDs = positionIDs
    }

    /// Terms of the shifted loss: labels[b, t] != ignoreIndex for t ≥ 1.
    public var targetCount: Int {
        var n = 0
        for b in 0..<batchSize {
            for t in 1..<max(sequenceLength, 1) where labels[b * sequenceLength + t] != Self.ignoreIndex { n += 1 }
        }
        return n
    }

    /// Row `b` of inputIDs (for tests and logging).
    public func row(_ b: Int) -> ArraySlice<Int> { inputIDs[(b * sequenceLength)..<((b + 1) * sequenceLength)] }
}
