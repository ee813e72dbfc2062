// AddedTokenSplitter — finds added tokens in UTF-8 text: leftmost match first, and at one position
// the longest token (aho-corasick `MatchKind::LeftmostLongest` in HF tokenizers
// `added_vocabulary.rs:find_matches`), then applies `single_word`, `lstrip` and `rstrip` as HF does
// (a rejected single-word match is skipped and scanning resumes after it).
//
// Matching is on bytes: tokens are valid UTF-8, so a match can only start on a scalar boundary.
// Candidates are bucketed by first byte and tried longest first.
struct AddedTokenSplitter {
    enum Segment: Equatable {
        case text(Range<Int>)
        case token(id: Int, Range<Int>)
    }

    private var buckets: [[(bytes: [UInt8], token: AddedToken)]]

    init(tokens: [AddedToken]) {
        buckets = Array(repeating: [], count: 256)
        for t in tokens where !t.content.isEmpty {
            let b = Array(t.content.utf8)
            buckets[Int(b[0])].append((b, t))
        }
        for i in 0..<256 { buckets[i].sort { $0.bytes.count > $1.bytes.count } }
    }

    var isEmpty: Bool { buckets.allSatisfy { $0.isEmpty } }

    /// Splits `text[range]` into text and token segments covering the range in order.
    func split(_ text: [UInt8], range: Range<Int>) -> [Segment] {
        var out: [Segment] = []
        var startOffset = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            guard let (len, token) = longestMatch(text, at: i, end: range.upperBound) else { i += 1; continue }
            var start = i
            var stop = i + len
            i = stop
            if token.singleWord {
                let startOK = start == range.lowerBound || !Self.endsWithWord(text, range.lowerBound..<start)
                let stopOK = stop == range.upperBound || !Self.startsWithWord(text, stop..<range.upperBound)
                if !startOK || !stopOK { continue }
            }
            if token.lstrip {
                var s = start
                while let (prev, width) = Self.scalarBefore(text, s, lowerBound: range.lowerBound),
                      prev.properties.isWhitespace { s -= width }
                start = max(s, startOffset)
            }
            if token.rstrip {
                while let (next, width) = Self.scalarAt(text, stop, upperBound: range.upperBound),
                      next.properties.isWhitespace { stop += width }
                i = stop
            }
            if startOffset < start { out.append(.text(startOffset..<start)) }
            out.append(.token(id: token.id, start..<stop))
            startOffset = stop
        }
        if startOffset < range.upperBound { out.append(.text(startOffset..<range.upperBound)) }
        return out
    }

    private func longestMatch(_ text: [UInt8], at i: Int, end: Int) -> (Int, AddedToken)? {
        for (bytes, token) in buckets[Int(text[i])] where bytes.count <= end - i {
            var ok = true
            for k in 1..<max(bytes.count, 1) where text[i + k] != bytes[k] { ok = false; break }
            if ok { return (bytes.count, token) }
        }
        return nil
    }

    private static func endsWithWord(_ text: [UInt8], _ r: Range<Int>) -> Bool {
        guard let (s, _) = scalarBefore(text, r.upperBound, lowerBound: r.lowerBound) else { return false }
        return ScalarClass.isWordCharacter(s)
    }

    private static func startsWithWord(_ text: [UInt8], _ r: Range<Int>) -> Bool {
        guard let (s, _) = scalarAt(text, r.lowerBound, upperBound: r.upperBound) else { return false }
        return ScalarClass.isWordCharacter(s)
    }

    /// The scalar ending at byte `i` (exclusive) and its width, if `i > lowerBound`.
    static func scalarBefore(_ text: [UInt8], _ i: Int, lowerBound: Int) -> (Unicode.Scalar, Int)? {
        guard i > lowerBound else { return nil }
        var s = i - 1
        while s > lowerBound && text[s] & 0xC0 == 0x80 { s -= 1 }
        return scalarAt(text, s, upperBound: i).map { ($0.0, i - s) }
    }

    /// The scalar starting at byte `i` and its width, if `i < upperBound`.
    static func scalarAt(_ text: [UInt8], _ i: Int, upperBound: Int) -> (Unicode.Scalar, Int)? {
        guard i < upperBound else { return nil }
        let b0 = text[i]
        let width = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4
        guard i + width <= upperBound else { return nil }
        let (scalars, _) = ScalarText.decode(text[i..<(i + width)])
        guard let v = scalars.first, let s = Unicode.Scalar(v) else { return nil }
        return (s, width)
    }
}
