// Normalizer — the tokenizer.json `normalizer` stage: rewrites the text between added tokens before
// pre-tokenization, keeping each scalar's source offset (`ScalarText`).
//
// Follows HF tokenizers `normalizers/{unicode,replace,prepend,utils}.rs` and `NormalizedString`:
//   NFC / NFD / NFKC / NFKD   Unicode normalization (the standard library's / Foundation's tables,
//                             whose Unicode version can differ from Rust's `unicode-normalization`
//                             for recently assigned scalars). Runs of ASCII (and, for NFC, of
//                             scalars below U+0300) are left alone without a table lookup: they are
//                             stable starters, so only the runs between them are normalized.
//   Lowercase                 each scalar's full lowercase mapping (Rust `char::to_lowercase`, no
//                             context: a final Σ becomes σ, İ becomes i + U+0307)
//   Replace(pattern, content) every non-overlapping occurrence of a literal string, left to right
//   Prepend(s)                `s` before a non-empty text
//   Sequence                  in order
// Leaves out: Replace with a regex pattern, Strip, StripAccents, BertNormalizer, Precompiled
// (SentencePiece's charsmap), NMT, ByteLevel — refused by name when loading.
import Foundation

public indirect enum Normalizer: Sendable, Equatable {
    case nfc, nfd, nfkc, nfkd
    case lowercase
    case replace(pattern: String, content: String)
    case prepend(String)
    case sequence([Normalizer])

    func apply(_ text: ScalarText) -> ScalarText {
        switch self {
        case .nfc, .nfd, .nfkc, .nfkd: return unicodeNormalized(text)
        case .lowercase: return Self.lowercased(text)
        case let .replace(pattern, content): return Self.replaced(text, pattern: ScalarText.scalars(of: pattern), content: ScalarText.scalars(of: content))
        case let .prepend(s):
            guard text.count > 0 else { return text }
            let p = ScalarText.scalars(of: s)
            return ScalarText(scalars: p + text.scalars, starts: [Int](repeating: text.starts[0], count: p.count) + text.starts)
        case let .sequence(list):
            var t = text
            for n in list { t = n.apply(t) }
            return t
        }
    }

    /// The public face for tests and tools: normalizes a whole string.
    public func normalize(_ s: String) -> String {
        let t = apply(ScalarText(utf8: Array(s.utf8)[...]))
        var v = String.UnicodeScalarView()
        for x in t.scalars { if let u = Unicode.Scalar(x) { v.append(u) } }
        return String(v)
    }

    // MARK: Unicode normalization

    private func unicodeNormalized(_ text: ScalarText) -> ScalarText {
        // A scalar below `stable` is a starter that never composes with what precedes it and is its
        // own normal form, so normalization never crosses it: cut there, normalize only the runs.
        let stable: UInt32 = self == .nfc ? 0x300 : 0x80
        let s = text.scalars
        guard s.contains(where: { $0 >= stable }) else { return text }
        var b = ScalarText.Builder(capacity: s.count)
        var i = 0
        while i < s.count {
            guard s[i] >= stable else { i += 1; continue }
            // Run of unstable scalars, plus the stable starter before it (it may compose with a mark).
            var lo = i
            if lo > 0 { lo -= 1 }
            var hi = i
            while hi < s.count && s[hi] >= stable { hi += 1 }
            b.copy(text, b.mark..<lo)
            let chunk = String(String.UnicodeScalarView(s[lo..<hi].compactMap(Unicode.Scalar.init)))
            let normalized: String
            switch self {
            case .nfc: normalized = chunk.precomposedStringWithCanonicalMapping
            case .nfd: normalized = chunk.decomposedStringWithCanonicalMapping
            case .nfkc: normalized = chunk.precomposedStringWithCompatibilityMapping
            default: normalized = chunk.decomposedStringWithCompatibilityMapping
            }
            let out = normalized.unicodeScalars.map(\.value)
            if out.elementsEqual(s[lo..<hi]) {
                b.copy(text, lo..<hi)
            } else {
                b.emit(out, source: text.source(lo..<hi))
            }
            i = hi
            b.mark = hi
        }
        b.copy(text, b.mark..<s.count)
        return b.finish(end: text.starts[s.count])
    }

    // MARK: Lowercase, Replace

    private static func lowercased(_ text: ScalarText) -> ScalarText {
        var b = ScalarText.Builder(capacity: text.count)
        for (i, v) in text.scalars.enumerated() {
            if v < 0x80 {
                b.emit([v >= 0x41 && v <= 0x5A ? v + 32 : v], source: text.source(i..<(i + 1)))
                continue
            }
            guard let u = Unicode.Scalar(v) else { b.copy(text, i..<(i + 1)); continue }
            let lower = u.properties.lowercaseMapping.unicodeScalars.map(\.value)
            b.emit(lower, source: text.source(i..<(i + 1)))
        }
        return b.finish(end: text.starts[text.count])
    }

    private static func replaced(_ text: ScalarText, pattern: [UInt32], content: [UInt32]) -> ScalarText {
        guard let first = pattern.first, text.count >= pattern.count else { return text }
        let s = text.scalars
        var b = ScalarText.Builder(capacity: s.count)
        var i = 0
        while i < s.count {
            if s[i] == first && i + pattern.count <= s.count && s[i..<(i + pattern.count)].elementsEqual(pattern) {
                b.copy(text, b.mark..<i)
                b.emit(content, source: text.source(i..<(i + pattern.count)))
                i += pattern.count
                b.mark = i
            } else {
                i += 1
            }
        }
        b.copy(text, b.mark..<s.count)
        return b.finish(end: text.starts[s.count])
    }
}
