// ByteLevelPreTokenizer — splits text into the pieces BPE runs on, as HF tokenizers'
// `Sequence[Digits(individual_digits=true), ByteLevel(add_prefix_space, use_regex=true)]` does.
//
// Stage 1 (optional, `splitDigits`): every `\p{N}` scalar becomes its own piece (HF `Digits`,
// llama.cpp's `\p{N}` split for the "smollm"/"starcoder" pre-tokenizers).
// Stage 2 (optional, `addPrefixSpace`): a space is prepended to each stage-1 piece that does not
// start with one (HF ByteLevel `add_prefix_space`).
// Stage 3: within each stage-1 piece, the GPT-2 regex
//     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// is matched by hand over Unicode scalars with the regex engine's leftmost-first alternation and
// greedy-with-backtracking semantics (see `matchEnd`). No NSRegularExpression: it is slow, and the
// lookahead must see the end of the stage-1 piece, not of the whole text.
// Leaves out: other regexes (Llama 3, Qwen2 `Split` patterns), which `BPETokenizer` refuses.
public struct ByteLevelPreTokenizer: Sendable, Equatable {
    public var splitDigits: Bool
    public var addPrefixSpace: Bool

    public init(splitDigits: Bool, addPrefixSpace: Bool = false) {
        self.splitDigits = splitDigits
        self.addPrefixSpace = addPrefixSpace
    }

    /// A piece: its scalars' UTF-8 bytes (with the synthetic prefix space, if any) and the byte
    /// range of the source text it came from.
    struct Piece {
        var bytes: [UInt8]
        var source: Range<Int>
        /// 1 when a synthetic space was prepended (it has no source bytes).
        var syntheticPrefix: Int
    }

    /// Splits `scalars` (with `offsets[i]` the UTF-8 byte offset of scalar i in the source text and
    /// `offsets[count]` its end) into pieces.
    func split(scalars: [UInt32], offsets: [Int]) -> [Piece] {
        var pieces: [Piece] = []
        let n = scalars.count
        if n == 0 { return pieces }
        // Stage 1: digit isolation.
        var stage1: [Range<Int>] = []
        if splitDigits {
            var start = 0
            for i in 0..<n where ScalarClass.of(scalars[i]) == .number {
                if start < i { stage1.append(start..<i) }
                stage1.append(i..<(i + 1))
                start = i + 1
            }
            if start < n { stage1.append(start..<n) }
        } else {
            stage1.append(0..<n)
        }
        for r in stage1 {
            if addPrefixSpace && scalars[r.lowerBound] != 0x20 {
                var buf: [UInt32] = [0x20]
                buf.append(contentsOf: scalars[r])
                var i = 0
                while i < buf.count {
                    let e = Self.matchEnd(buf, from: i, end: buf.count)
                    // buf index j ≥ 1 corresponds to scalar r.lowerBound + j - 1.
                    let srcStart = i == 0 ? offsets[r.lowerBound] : offsets[r.lowerBound + i - 1]
                    let srcEnd = offsets[r.lowerBound + e - 1]
                    pieces.append(Piece(bytes: Self.utf8(buf[i..<e]), source: srcStart..<srcEnd,
                                        syntheticPrefix: i == 0 ? 1 : 0))
                    i = e
                }
            } else {
                var i = r.lowerBound
                while i < r.upperBound {
                    let e = Self.matchEnd(scalars, from: i, end: r.upperBound)
                    pieces.append(Piece(bytes: Self.utf8(scalars[i..<e]), source: offsets[i]..<offsets[e],
                                        syntheticPrefix: 0))
                    i = e
                }
            }
        }
        return pieces
    }

    /// The pieces as strings (for tests and inspection).
    public func pieces(of text: String) -> [String] {
        let (scalars, offsets) = Self.scalarsAndOffsets(Array(text.utf8)[...])
        return split(scalars: scalars, offsets: offsets).map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    /// End (exclusive) of the GPT-2 regex match starting at `i` in `s[..<end]`; always > i.
    static func matchEnd(_ s: [UInt32], from i: Int, end: Int) -> Int {
        let c = s[i]
        // 's|'t|'re|'ve|'m|'ll|'d  (ASCII apostrophe, case-sensitive)
        if c == 0x27 && i + 1 < end {
            let c1 = s[i + 1]
            if c1 == 0x73 || c1 == 0x74 || c1 == 0x6D || c1 == 0x64 { return i + 2 }  // s t m d
            if i + 2 < end {
                let c2 = s[i + 2]
                if (c1 == 0x72 && c2 == 0x65) || (c1 == 0x76 && c2 == 0x65) || (c1 == 0x6C && c2 == 0x6C) {
                    return i + 3  // re ve ll
                }
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional U+0020, then a run of one class.
        var j = i
        if c == 0x20 && i + 1 < end && ScalarClass.of(s[i + 1]) != .whitespace { j = i + 1 }
        let cls = ScalarClass.of(s[j])
        if cls != .whitespace {
            var k = j + 1
            while k < end && ScalarClass.of(s[k]) == cls { k += 1 }
            return k
        }
        // `\s+(?!\S)` then `\s+`: the whitespace run, minus its last scalar when a non-space follows
        // (backtracking to satisfy the lookahead), unless that would leave it empty.
        var k = i + 1
        while k < end && ScalarClass.of(s[k]) == .whitespace { k += 1 }
        if k == end { return k }
        return k - 1 > i ? k - 1 : k
    }

    static func utf8(_ scalars: ArraySlice<UInt32>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(scalars.count)
        for v in scalars {
            switch v {
            case 0..<0x80:
                out.append(UInt8(v))
            case 0x80..<0x800:
                out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
            case 0x800..<0x10000:
                out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (v & 0x3F)))
            default:
                out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
                out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
            }
        }
        return out
    }

    /// Decodes valid UTF-8 (a slice of a Swift String's bytes) into scalar values and the byte
    /// offset of each (relative to the slice's own indices), plus the end offset.
    static func scalarsAndOffsets(_ bytes: ArraySlice<UInt8>) -> ([UInt32], [Int]) {
        var scalars: [UInt32] = []
        var offsets: [Int] = []
        scalars.reserveCapacity(bytes.count)
        offsets.reserveCapacity(bytes.count + 1)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b0 = UInt32(bytes[i])
            offsets.append(i)
            if b0 < 0x80 {
                scalars.append(b0); i += 1
            } else if b0 < 0xE0 {
                scalars.append(((b0 & 0x1F) << 6) | (UInt32(bytes[i + 1]) & 0x3F)); i += 2
            } else if b0 < 0xF0 {
                scalars.append(((b0 & 0x0F) << 12) | ((UInt32(bytes[i + 1]) & 0x3F) << 6)
                               | (UInt32(bytes[i + 2]) & 0x3F)); i += 3
            } else {
                scalars.append(((b0 & 0x07) << 18) | ((UInt32(bytes[i + 1]) & 0x3F) << 12)
                               | ((UInt32(bytes[i + 2]) & 0x3F) << 6) | (UInt32(bytes[i + 3]) & 0x3F)); i += 4
            }
        }
        offsets.append(bytes.endIndex)
        return (scalars, offsets)
    }
}
