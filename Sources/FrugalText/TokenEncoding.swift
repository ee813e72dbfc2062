// TokenEncoding — the result of encoding text: token ids and, for each, the UTF-8 byte range of the
// input it came from (empty for tokens added by post-processing, such as a BOS).
public struct TokenEncoding: Sendable, Equatable {
    public var ids: [Int]
    /// UTF-8 byte offsets into the encoded string; `offsets.count == ids.count`.
    public var offsets: [Range<Int>]

    public init(ids: [Int], offsets: [Range<Int>]) {
        precondition(ids.count == offsets.count, "ids (\(ids.count)) and offsets (\(offsets.count)) differ in count")
        self.ids = ids
        self.offsets = offsets
    }
}
