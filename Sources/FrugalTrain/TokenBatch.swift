// TokenBatch — one micro-batch of already-tokenized training examples: B rows of T token ids and
// T labels each, flattened row-major.
//
// Label convention (the one place it is decided): labels are ALREADY SHIFTED. labels[b·T + t] is
// the token the model should predict at position t, i.e. ids[b·T + t + 1] of the same text, or
// -100 where the position is not supervised (prompt tokens, padding, the last position). The
// trainer compares logits[b, t] with labels[b·T + t] directly. (transformers instead passes
// labels == input_ids and shifts inside the model; `init(sequences:supervised:)` performs that
// shift once here.)
public struct TokenBatch: Codable, Equatable, Sendable {
    /// Token ids [B·T].
    public var ids: [Int32]
    /// Target ids [B·T], -100 = ignored.
    public var labels: [Int32]
    /// B.
    public var batch: Int
    /// Position ids [B·T] when rows are packed (each example restarts at 0: the model then keeps the
    /// examples of a row from attending to each other); nil for 0..<T in every row.
    public var positions: [Int32]?

    public static let ignoreIndex: Int32 = -100

    public init(ids: [Int32], labels: [Int32], batch: Int, positions: [Int32]? = nil) {
        precondition(batch > 0 && ids.count % batch == 0 && labels.count == ids.count,
                     "TokenBatch: \(ids.count) ids and \(labels.count) labels do not form \(batch) equal rows")
        precondition(positions == nil || positions!.count == ids.count,
                     "TokenBatch: \(positions?.count ?? 0) positions for \(ids.count) ids")
        self.ids = ids; self.labels = labels; self.batch = batch; self.positions = positions
    }

    /// `positions` as the model takes them.
    public var positionIDs: [Int]? { positions?.map { Int($0) } }

    /// From B sequences of T+1 tokens each: ids are tokens 0..<T, labels tokens 1...T, with label t
    /// ignored unless `supervised[b][t + 1]` (default: every position supervised).
    public init(sequences: [[Int32]], supervised: [[Bool]]? = nil) {
        precondition(!sequences.isEmpty && sequences.allSatisfy { $0.count == sequences[0].count && $0.count >= 2 },
                     "TokenBatch: sequences must be non-empty, of equal length ≥ 2")
        var ids: [Int32] = [], labels: [Int32] = []
        for (b, s) in sequences.enumerated() {
            ids += s.dropLast()
            for t in 1..<s.count {
                let on = supervised.map { $0[b][t] } ?? true
                labels.append(on ? s[t] : Self.ignoreIndex)
            }
        }
        self.init(ids: ids, labels: labels, batch: sequences.count)
    }

    /// T.
    public var tokensPerRow: Int { ids.count / batch }
    /// B·T input tokens.
    public var tokenCount: Int { ids.count }
    /// Labels that count in the loss.
    public var supervisedCount: Int { labels.reduce(0) { $0 + ($1 == Self.ignoreIndex ? 0 : 1) } }
}
