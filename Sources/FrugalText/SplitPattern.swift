// SplitPattern — the regexes a `Split` pre-tokenizer (or ByteLevel's built-in regex) may carry,
// recognized by their exact source text and matched by hand over Unicode scalars, plus literal
// string patterns. No general regex engine: the three patterns every supported family uses are
// short alternations whose leftmost-first, greedy-with-backtracking semantics (Oniguruma's, which
// HF tokenizers uses) reduce to a few scalar-class tests, and that is an order of magnitude faster
// than NSRegularExpression. Any other regex is refused by name when loading (`recognize`).
//
//   gpt2    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   llama3  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   qwen2   the same with \p{N} (one digit at a time)   (Qwen2, Qwen2.5, Qwen3)
// Classes come from `ScalarClass` (\s = White_Space, \p{L}, \p{N}). `(?i:…)` folds case as
// Oniguruma does: 's' also matches 'S' and U+017F ſ (whose case fold is 's'); the other letters
// of the contractions have only their ASCII pair. Sources: HF tokenizers `pre_tokenizers/split.rs`,
// the families' tokenizer.json files, llama.cpp `llama-vocab.cpp` (LLAMA3 / QWEN2 pre types).
public enum SplitPattern: Sendable, Equatable {
    case gpt2
    case llama3
    case qwen2
    /// A literal string (tokenizer.json `{"String": …}`).
    case string(String)

    static let gpt2Source = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Source = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Source = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The pattern a regex source text stands for, or nil when it is not one of the known ones.
    public static func recognize(regex source: String) -> SplitPattern? {
        switch source {
        case gpt2Source: return .gpt2
        case llama3Source: return .llama3
        case qwen2Source: return .qwen2
        default: return nil
        }
    }

    /// The (range, isMatch) runs covering `r` of `s`, in order, as HF `Pattern::find_matches`
    /// returns them (empty matches never occur: every known pattern consumes at least one scalar).
    func runs(_ s: [UInt32], _ r: Range<Int>, into out: inout [(Range<Int>, Bool)]) {
        switch self {
        case .gpt2, .llama3, .qwen2:
            // These patterns match every scalar class, so the runs are all matches, back to back.
            var i = r.lowerBound
            while i < r.upperBound {
                let e: Int
                switch self {
                case .gpt2: e = Self.gpt2End(s, from: i, end: r.upperBound)
                case .llama3: e = Self.llama3End(s, from: i, end: r.upperBound, maxDigits: 3)
                default: e = Self.llama3End(s, from: i, end: r.upperBound, maxDigits: 1)
                }
                out.append((i..<e, true))
                i = e
            }
        case let .string(lit):
            let p = ScalarText.scalars(of: lit)
            guard let first = p.first else { out.append((r, false)); return }
            var gap = r.lowerBound
            var i = r.lowerBound
            while i + p.count <= r.upperBound {
                if s[i] == first && s[i..<(i + p.count)].elementsEqual(p) {
                    if gap < i { out.append((gap..<i, false)) }
                    out.append((i..<(i + p.count), true))
                    i += p.count
                    gap = i
                } else {
                    i += 1
                }
            }
            if gap < r.upperBound { out.append((gap..<r.upperBound, false)) }
        }
    }

    /// End (exclusive) of the GPT-2 regex match starting at `i` in `s[..<end]`; always > i.
    static func gpt2End(_ s: [UInt32], from i: Int, end: Int) -> Int {
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

    /// `(?i:)` folding for the contraction letters: lowercase ASCII, and ſ (U+017F) → s.
    @inline(__always)
    private static func fold(_ v: UInt32) -> UInt32 {
        if v >= 0x41 && v <= 0x5A { return v + 32 }
        return v == 0x17F ? 0x73 : v
    }

    @inline(__always)
    private static func isNewline(_ v: UInt32) -> Bool { v == 0x0A || v == 0x0D }

    /// End (exclusive) of the Llama 3 (`maxDigits` 3) / Qwen2 (`maxDigits` 1) regex match starting
    /// at `i` in `s[..<end]`; always > i. Alternatives are tried in the regex's order.
    static func llama3End(_ s: [UInt32], from i: Int, end: Int, maxDigits: Int) -> Int {
        let c = s[i]
        // 1. (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if c == 0x27 && i + 1 < end {
            let c1 = fold(s[i + 1])
            if c1 == 0x73 || c1 == 0x74 || c1 == 0x6D || c1 == 0x64 { return i + 2 }  // s t m d
            if i + 2 < end {
                let c2 = fold(s[i + 2])
                if (c1 == 0x72 && c2 == 0x65) || (c1 == 0x76 && c2 == 0x65) || (c1 == 0x6C && c2 == 0x6C) {
                    return i + 3  // re ve ll
                }
            }
        }
        let cls = ScalarClass.of(c)
        // 2. [^\r\n\p{L}\p{N}]?\p{L}+
        var letters = -1
        if cls == .letter {
            letters = i + 1
        } else if cls != .number && !isNewline(c) && i + 1 < end && ScalarClass.of(s[i + 1]) == .letter {
            letters = i + 2
        }
        if letters >= 0 {
            var k = letters
            while k < end && ScalarClass.of(s[k]) == .letter { k += 1 }
            return k
        }
        // 3. \p{N}{1,maxDigits}
        if cls == .number {
            var k = i + 1
            while k < end && k - i < maxDigits && ScalarClass.of(s[k]) == .number { k += 1 }
            return k
        }
        // 4. ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var j = i
        if c == 0x20 && i + 1 < end && ScalarClass.of(s[i + 1]) == .other { j = i + 1 }
        if ScalarClass.of(s[j]) == .other {
            var k = j + 1
            while k < end && ScalarClass.of(s[k]) == .other { k += 1 }
            while k < end && isNewline(s[k]) { k += 1 }
            return k
        }
        // c is whitespace from here on.
        // 5. \s*[\r\n]+ — \s* backtracks to the last newline of the whitespace run.
        var k = i
        var lastNewline = -1
        while k < end && ScalarClass.of(s[k]) == .whitespace {
            if isNewline(s[k]) { lastNewline = k }
            k += 1
        }
        if lastNewline >= 0 { return lastNewline + 1 }
        // 6. \s+(?!\S), 7. \s+
        if k == end { return k }
        return k - 1 > i ? k - 1 : k
    }
}
