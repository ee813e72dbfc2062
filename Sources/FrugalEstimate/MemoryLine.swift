// MemoryLine / MemoryEstimate — an itemized memory budget: one line per buffer, with the formula
// that produced it, so a user can see which term dominates and check it by hand. Bytes are Double
// (exact for integers below 2^53, far above any real model) so no product can overflow.
public struct MemoryLine: Codable, Equatable, Sendable {
    public var item: String      // what the buffer is
    public var bytes: Double
    public var formula: String   // how it was computed, in the dimension letters of ModelConfig

    public init(_ item: String, _ bytes: Double, _ formula: String) {
        self.item = item
        self.bytes = bytes
        self.formula = formula
    }
}

public struct MemoryEstimate: Codable, Equatable, Sendable {
    public var title: String
    public var lines: [MemoryLine]
    public var total: Double { lines.reduce(0) { $0 + $1.bytes } }

    public init(title: String, lines: [MemoryLine]) {
        self.title = title
        self.lines = lines
    }

    /// Sum of the lines whose item starts with `prefix` (for tests and summaries).
    public func bytes(startingWith prefix: String) -> Double {
        lines.filter { $0.item.hasPrefix(prefix) }.reduce(0) { $0 + $1.bytes }
    }
}
