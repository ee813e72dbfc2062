// PreTokenizer — the tokenizer.json `pre_tokenizer` stage: cuts normalized text into the pieces
// the model tokenizes independently, as HF tokenizers `pre_tokenizers/*.rs` do.
//
//   ByteLevel(addPrefixSpace, useRegex)  a space before each piece that lacks one, then (useRegex)
//                         the GPT-2 regex. Mapping bytes to the byte-level alphabet is left to the
//                         model (`BPEModel.Alphabet.bytes`), so ByteLevel must be the last step.
//   Split(pattern, behavior, invert)     cut at `SplitPattern` matches; behavior keeps, drops or
//                         merges the matches (HF `SplitDelimiterBehavior`, `normalizer.rs:split`).
//   Metaspace(replacement, prependScheme, split)  spaces become the replacement (▁); it is put in
//                         front of a piece that does not start with it (always; first: only the
//                         piece at the very start of the input; never); split: cut before each ▁.
//   Digits(individual)    numbers (\p{N}) isolated one by one, or as runs.
//   Sequence              in order, each step on every piece of the one before.
// Leaves out: Whitespace, WhitespaceSplit, Punctuation, BertPreTokenizer, CharDelimiterSplit,
// UnicodeScripts, FixedLength — refused by name when loading.
public indirect enum PreTokenizer: Sendable, Equatable {
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(pattern: SplitPattern, behavior: SplitBehavior, invert: Bool)
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme, split: Bool)
    case digits(individual: Bool)
    case sequence([PreTokenizer])

    /// HF `SplitDelimiterBehavior`.
    public enum SplitBehavior: String, Sendable, Equatable {
        case removed, isolated, mergedWithPrevious, mergedWithNext, contiguous
    }

    /// HF Metaspace `PrependScheme`.
    public enum PrependScheme: String, Sendable, Equatable {
        case always, first, never
    }

    /// Whether the byte-level alphabet is in use (a ByteLevel step anywhere).
    var isByteLevel: Bool {
        switch self {
        case .byteLevel: return true
        case let .sequence(list): return list.contains { $0.isByteLevel }
        default: return false
        }
    }

    /// Text with its current pieces (scalar ranges, in order, non-empty).
    struct Pieces {
        var text: ScalarText
        var ranges: [Range<Int>]
    }

    func apply(_ p: inout Pieces) {
        switch self {
        case let .sequence(list):
            for step in list { step.apply(&p) }
        case let .byteLevel(addPrefixSpace, useRegex):
            if addPrefixSpace {
                let t = p.text
                Self.prepend(0x20, to: &p, selected: p.ranges.map { t.scalars[$0.lowerBound] != 0x20 })
            }
            if useRegex { Self.split(&p, pattern: .gpt2, behavior: .isolated, invert: false) }
        case let .split(pattern, behavior, invert):
            Self.split(&p, pattern: pattern, behavior: behavior, invert: invert)
        case let .digits(individual):
            Self.splitScalars(&p, behavior: individual ? .isolated : .contiguous) { ScalarClass.of($0) == .number }
        case let .metaspace(replacement, scheme, split):
            let rep = replacement.value
            for r in p.ranges {
                for i in r where p.text.scalars[i] == 0x20 { p.text.scalars[i] = rep }
            }
            let t = p.text
            switch scheme {
            case .always:
                Self.prepend(rep, to: &p, selected: p.ranges.map { t.scalars[$0.lowerBound] != rep })
            case .first:
                Self.prepend(rep, to: &p, selected: p.ranges.map { t.scalars[$0.lowerBound] != rep && t.starts[$0.lowerBound] == 0 })
            case .never:
                break
            }
            if split { Self.splitScalars(&p, behavior: .mergedWithNext) { $0 == rep } }
        }
    }

    /// The pieces of a whole string (for tests and inspection), before any byte-level mapping.
    public func pieces(of text: String) -> [String] {
        let t = ScalarText(utf8: Array(text.utf8)[...])
        var p = Pieces(text: t, ranges: t.count > 0 ? [0..<t.count] : [])
        apply(&p)
        return p.ranges.map { r in
            String(String.UnicodeScalarView(p.text.scalars[r].compactMap(Unicode.Scalar.init)))
        }
    }

    // MARK: steps

    /// Inserts `scalar` before each selected piece (it covers no source bytes).
    private static func prepend(_ scalar: UInt32, to p: inout Pieces, selected: [Bool]) {
        guard selected.contains(true) else { return }
        var b = ScalarText.Builder(capacity: p.text.count + p.ranges.count)
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(p.ranges.count)
        var copied = 0
        for (r, add) in zip(p.ranges, selected) {
            b.copy(p.text, copied..<r.lowerBound)
            let lo = b.scalars.count
            if add {
                b.scalars.append(scalar)
                b.starts.append(p.text.starts[r.lowerBound])
            }
            b.copy(p.text, r)
            copied = r.upperBound
            ranges.append(lo..<b.scalars.count)
        }
        b.copy(p.text, copied..<p.text.count)
        p.text = b.finish(end: p.text.starts[p.text.count])
        p.ranges = ranges
    }

    private static func split(_ p: inout Pieces, pattern: SplitPattern, behavior: SplitBehavior, invert: Bool) {
        var out: [Range<Int>] = []
        out.reserveCapacity(p.ranges.count * 4)
        var runs: [(Range<Int>, Bool)] = []
        for r in p.ranges {
            runs.removeAll(keepingCapacity: true)
            pattern.runs(p.text.scalars, r, into: &runs)
            if invert { for k in runs.indices { runs[k].1.toggle() } }
            apply(behavior, runs, into: &out)
        }
        p.ranges = out
    }

    /// Split where each scalar satisfying `isMatch` is one match (HF's `char` / `Fn(char)` patterns).
    private static func splitScalars(_ p: inout Pieces, behavior: SplitBehavior, _ isMatch: (UInt32) -> Bool) {
        var out: [Range<Int>] = []
        var runs: [(Range<Int>, Bool)] = []
        for r in p.ranges {
            runs.removeAll(keepingCapacity: true)
            var gap = r.lowerBound
            for i in r where isMatch(p.text.scalars[i]) {
                if gap < i { runs.append((gap..<i, false)) }
                runs.append((i..<(i + 1), true))
                gap = i + 1
            }
            if gap < r.upperBound { runs.append((gap..<r.upperBound, false)) }
            apply(behavior, runs, into: &out)
        }
        p.ranges = out
    }

    /// HF `NormalizedString::split`'s behaviors over the (range, isMatch) runs of one piece.
    private static func apply(_ behavior: SplitBehavior, _ runs: [(Range<Int>, Bool)], into out: inout [Range<Int>]) {
        let first = out.count
        switch behavior {
        case .isolated:
            for (r, _) in runs { out.append(r) }
        case .removed:
            for (r, m) in runs where !m { out.append(r) }
        case .contiguous:
            var previous = false
            for (r, m) in runs {
                if m == previous, out.count > first { out[out.count - 1] = out[out.count - 1].lowerBound..<r.upperBound }
                else { out.append(r) }
                previous = m
            }
        case .mergedWithPrevious:
            var previous = false
            for (r, m) in runs {
                if m && !previous, out.count > first { out[out.count - 1] = out[out.count - 1].lowerBound..<r.upperBound }
                else { out.append(r) }
                previous = m
            }
        case .mergedWithNext:
            var reversed: [Range<Int>] = []
            var previous = false
            for (r, m) in runs.reversed() {
                if m && !previous, let last = reversed.last { reversed[reversed.count - 1] = r.lowerBound..<last.upperBound }
                else { reversed.append(r) }
                previous = m
            }
            out.append(contentsOf: reversed.reversed())
        }
        // Empty pieces are dropped (HF filters them after splitting).
        if out[first...].contains(where: { $0.isEmpty }) {
            let kept = out[first...].filter { !$0.isEmpty }
            out.removeSubrange(first...)
            out.append(contentsOf: kept)
        }
    }
}
