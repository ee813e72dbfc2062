// TokenizedExample — one training example as token ids and a loss mask (true where the token is a
// target of the loss). Shapes: ids [T], lossMask [T], T ≤ maxSeqLen.
public struct TokenizedExample: Equatable, Sendable {
    public var ids: [Int]
    public var lossMask: [Bool]
    /// Whether tokens beyond maxSeqLen were cut off.
    public var truncated: Bool

    public init(ids: [Int], lossMask: [Bool], truncated: Bool = false) {
        precondition(ids.count == lossMask.count, "ids (\(ids.count)) and lossMask (\(lossMask.count)) differ in length")
        self.ids = ids
        self.lossMask = lossMask
        self.truncated = truncated
    }

    public var targetCount: Int { lossMask.reduce(0) { $0 + ($1 ? 1 : 0) } }
}
