// TokenizedDataset — all examples of a split, encoded up front (so every error, and the token
// counts the estimator and progress bars need, are known before training). Examples left with no
// target token (a prompt longer than maxSeqLen, say) are dropped and counted, since they would add
// nothing to the loss and could make a batch's mean loss 0/0.
public struct TokenizedDataset: Sendable {
    public var examples: [TokenizedExample]
    /// Examples cut at maxSeqLen (still used).
    public private(set) var truncatedCount: Int
    /// Examples dropped because truncation left no target token; their file:line for reporting.
    public private(set) var dropped: [String]

    public init(records: [DatasetRecord], encoder: ExampleEncoder) throws {
        examples = []
        examples.reserveCapacity(records.count)
        truncatedCount = 0
        dropped = []
        for r in records {
            let e = try encoder.encode(r)
            if e.truncated { truncatedCount += 1 }
            if e.targetCount == 0 { dropped.append("\(r.path):\(r.line)"); continue }
            examples.append(e)
        }
    }

    public init(examples: [TokenizedExample]) {
        self.examples = examples
        truncatedCount = examples.filter(\.truncated).count
        dropped = []
    }

    public var tokenCount: Int { examples.reduce(0) { $0 + $1.ids.count } }
    public var targetCount: Int { examples.reduce(0) { $0 + $1.targetCount } }
}
