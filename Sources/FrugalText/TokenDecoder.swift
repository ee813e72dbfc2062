// TokenDecoder — the tokenizer.json `decoder` stage: token strings back to text, as HF tokenizers
// `decoders/*.rs` run it (`decode_chain` over the list of token strings, then joined).
//
//   ByteLevel      all tokens joined, each character mapped back to its byte (a token with a
//                  character outside the byte map contributes its own UTF-8), then decoded lossily
//                  into one string (invalid UTF-8 → U+FFFD, `String::from_utf8_lossy`)
//   ByteFallback   runs of "<0xNN>" tokens become their bytes; a run that is not valid UTF-8 becomes
//                  one U+FFFD per byte (HF's rule, not the lossy decoder's)
//   Metaspace      the replacement (▁) becomes a space; in the first token it is dropped unless
//                  the prepend scheme is "never"
//   Replace        a literal string → content, in each token
//   Strip          up to `start` leading / `stop` trailing `content` characters off each token
//   Fuse           all tokens joined into one (so a later Strip acts on the whole text)
//   Sequence       in order
// `decode` runs this chain exactly. Streaming (`StreamingDecoder`) needs each id's raw bytes on its
// own; `Plan` derives them: per-token steps applied to the token alone (Metaspace's first-token
// rule on the first one), a "<0xNN>" token as its raw byte, and a Strip after Fuse reduced to
// "strip up to N leading spaces of the output". The two agree except on a byte-fallback run that
// is not valid UTF-8 (streaming decodes it lossily) and Strip's `stop` after Fuse (not applied).
// Leaves out: WordPiece, BPEDecoder (end-of-word suffixes), CTC — refused by name when loading.
public indirect enum TokenDecoder: Sendable, Equatable {
    case byteLevel
    case byteFallback
    case metaspace(replacement: Unicode.Scalar, prependScheme: PreTokenizer.PrependScheme)
    case replace(pattern: String, content: String)
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case fuse
    case sequence([TokenDecoder])

    var steps: [TokenDecoder] {
        if case let .sequence(list) = self { return list.flatMap(\.steps) }
        return [self]
    }

    /// HF `Decoder::decode`: the chain, then the pieces joined.
    func decode(_ tokens: [String]) -> String { decodeChain(tokens).joined() }

    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case let .sequence(list):
            var t = tokens
            for d in list { t = d.decodeChain(t) }
            return t
        case .fuse:
            return [tokens.joined()]
        case .byteLevel:
            var bytes: [UInt8] = []
            for t in tokens {
                if let b = ByteUnicodeMap.decode(t) { bytes.append(contentsOf: b) } else { bytes.append(contentsOf: t.utf8) }
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case .byteFallback:
            var out: [String] = []
            var pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let s = String(validatingUTF8Bytes: pending) { out.append(s) }
                else { out.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count)) }
                pending.removeAll()
            }
            for t in tokens {
                if let b = Self.byteToken(t) { pending.append(b) } else { flush(); out.append(t) }
            }
            flush()
            return out
        case let .metaspace(rep, scheme):
            return tokens.enumerated().map { i, t in
                var v = String.UnicodeScalarView()
                for s in t.unicodeScalars {
                    if s == rep { if !(i == 0 && scheme != .never) { v.append(" ") } } else { v.append(s) }
                }
                return String(v)
            }
        case let .replace(pattern, content):
            return tokens.map { Self.replacing($0, pattern, content) }
        case let .strip(content, start, stop):
            return tokens.map { t in
                var s = Array(t.unicodeScalars)
                var lo = 0
                while lo < min(start, s.count) && s[lo] == content { lo += 1 }
                var hi = s.count
                while s.count - hi < stop && hi > lo && s[hi - 1] == content { hi -= 1 }
                s = Array(s[lo..<hi])
                return String(String.UnicodeScalarView(s))
            }
        }
    }

    /// "<0xNN>" → NN (exactly six characters, two hex digits, as HF checks).
    static func byteToken(_ t: String) -> UInt8? {
        let u = Array(t.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }

    /// Literal, non-overlapping, left to right (on scalars, like Rust's `str` matching).
    static func replacing(_ t: String, _ pattern: String, _ content: String) -> String {
        let p = Array(pattern.unicodeScalars)
        guard let first = p.first else { return t }
        let s = Array(t.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if s[i] == first && i + p.count <= s.count && s[i..<(i + p.count)].elementsEqual(p) {
                out.append(contentsOf: content.unicodeScalars)
                i += p.count
            } else {
                out.append(s[i]); i += 1
            }
        }
        return String(out)
    }

    // MARK: streaming plan

    /// What streaming needs: each token's raw bytes alone (the first token's may differ), and how
    /// many leading spaces of the whole output to drop.
    struct Plan {
        var steps: [TokenDecoder]
        /// Leading spaces of the output to strip (a Strip after Fuse).
        var stripLeadingSpaces: Int
        /// Metaspace (prepend scheme not "never") drops the replacement in the first token.
        var firstTokenDiffers: Bool

        init(_ decoder: TokenDecoder) {
            steps = decoder.steps
            var fused = false
            var strip = 0
            var first = false
            for s in steps {
                switch s {
                case .fuse: fused = true
                case let .strip(content, start, _) where fused && content == " ": strip = max(strip, start)
                case let .metaspace(_, scheme) where scheme != .never: first = true
                default: break
                }
            }
            stripLeadingSpaces = strip
            firstTokenDiffers = first
        }

        /// The bytes of one token, in the middle of a text or (`first`) as its first token.
        func bytes(of token: String, first: Bool = false) -> [UInt8] {
            var t = token
            var fused = false
            for s in steps {
                switch s {
                case .byteLevel:
                    return ByteUnicodeMap.decode(t) ?? Array(t.utf8)
                case .byteFallback:
                    if let b = TokenDecoder.byteToken(t) { return [b] }
                case .fuse:
                    fused = true
                case .metaspace:
                    t = s.decodeChain(first ? [t] : ["", t]).last ?? ""
                case .strip where fused:
                    break
                case .sequence:
                    break  // flattened
                default:
                    t = s.decodeChain([t]).joined()
                }
            }
            return Array(t.utf8)
        }
    }
}

extension String {
    /// The string of `bytes` if they are valid UTF-8.
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var v = String.UnicodeScalarView()
        loop: while true {
            switch decoder.decode(&it) {
            case let .scalarValue(s): v.append(s)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(v)
    }
}
