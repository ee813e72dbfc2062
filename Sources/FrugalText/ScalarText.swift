// ScalarText — text as Unicode scalar values, each remembering where in the source text (a UTF-8
// byte offset) it came from. It is what normalizers rewrite and pre-tokenizers cut into pieces.
//
// `starts[i]` is the source offset where scalar i begins and `starts[count]` the source end; the
// array never decreases, so scalars a..<b came from source bytes starts[a]..<starts[b]. A scalar a
// normalizer inserts (Prepend, Metaspace's ▁) gets the start of the scalar after it, so it covers
// no source bytes; when one source run becomes several scalars (NFC, Replace, Lowercase), the first
// covers the whole run and the others none. HF tokenizers tracks the same alignment per byte
// (`tokenizer/normalizer.rs`, `NormalizedString`); an expansion's offsets can differ from HF's by
// that convention. Leaves out: invalid UTF-8 (its input is a Swift String's bytes, always valid).
struct ScalarText: Equatable {
    var scalars: [UInt32]
    var starts: [Int]

    var count: Int { scalars.count }

    /// The source byte range of scalars `r`.
    func source(_ r: Range<Int>) -> Range<Int> { starts[r.lowerBound]..<starts[r.upperBound] }

    /// Decodes valid UTF-8 (a slice of a Swift String's bytes); offsets are the slice's own indices.
    init(utf8 bytes: ArraySlice<UInt8>) {
        (scalars, starts) = ScalarText.decode(bytes)
    }

    init(scalars: [UInt32], starts: [Int]) {
        self.scalars = scalars
        self.starts = starts
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> ([UInt32], [Int]) {
        var scalars: [UInt32] = []
        var offsets: [Int] = []
        scalars.reserveCapacity(bytes.count)
        offsets.reserveCapacity(bytes.count + 1)
        var i = bytes.startIndex
        let end = bytes.endIndex
        // Tolerant of truncation (a malformed tail decodes as U+FFFD) so that no input traps.
        @inline(__always) func cont(_ k: Int) -> UInt32 { k < end ? UInt32(bytes[k]) & 0x3F : 0 }
        while i < end {
            let b0 = UInt32(bytes[i])
            offsets.append(i)
            if b0 < 0x80 {
                scalars.append(b0); i += 1
            } else if b0 < 0xE0 {
                scalars.append(((b0 & 0x1F) << 6) | cont(i + 1)); i += 2
            } else if b0 < 0xF0 {
                scalars.append(((b0 & 0x0F) << 12) | (cont(i + 1) << 6) | cont(i + 2)); i += 3
            } else {
                scalars.append(((b0 & 0x07) << 18) | (cont(i + 1) << 12) | (cont(i + 2) << 6) | cont(i + 3)); i += 4
            }
        }
        offsets.append(end)
        return (scalars, offsets)
    }

    /// UTF-8 length of a scalar value.
    @inline(__always)
    static func utf8Width(_ v: UInt32) -> Int { v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4 }

    /// Appends the UTF-8 encoding of `v` to `out`.
    @inline(__always)
    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | ((v >> 18) & 0x07))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    static func utf8<C: Collection>(_ scalars: C) -> [UInt8] where C.Element == UInt32 {
        var out: [UInt8] = []
        out.reserveCapacity(scalars.count)
        for v in scalars { appendUTF8(v, to: &out) }
        return out
    }

    static func scalars(of s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    /// Builds an edited copy of a text: unchanged runs are copied with their offsets, rewritten
    /// runs are emitted with the source range they stand for.
    struct Builder {
        var scalars: [UInt32] = []
        var starts: [Int] = []
        /// How far the source text has been consumed (for callers that copy gaps between edits).
        var mark = 0

        init(capacity: Int) {
            scalars.reserveCapacity(capacity)
            starts.reserveCapacity(capacity + 1)
        }

        /// Copies scalars `r` of `t` unchanged.
        mutating func copy(_ t: ScalarText, _ r: Range<Int>) {
            scalars.append(contentsOf: t.scalars[r])
            starts.append(contentsOf: t.starts[r])
        }

        /// Appends `new` standing for source bytes `source` (the first covers them all).
        mutating func emit(_ new: [UInt32], source: Range<Int>) {
            for (k, v) in new.enumerated() {
                scalars.append(v)
                starts.append(k == 0 ? source.lowerBound : source.upperBound)
            }
        }

        func finish(end: Int) -> ScalarText {
            ScalarText(scalars: scalars, starts: starts + [end])
        }
    }
}
