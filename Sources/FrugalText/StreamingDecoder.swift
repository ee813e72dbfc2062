// StreamingDecoder — turns generated token ids into text one token at a time without ever
// emitting half a UTF-8 character: bytes of a character that is still incomplete at the end are
// held back until the next token completes it (an emoji's four bytes are often split over two or
// three byte-level tokens). Bytes that can no longer become valid UTF-8 are emitted as U+FFFD at
// once; `finish()` flushes what is held back, with U+FFFD for an incomplete tail. The
// concatenation of all outputs equals `BPETokenizer.decode` of all ids (the cut is always placed
// before a lead byte, where a lossy decoder starts a new sequence anyway), including the leading
// spaces a SentencePiece-style decoder strips at the start of a text (`TokenDecoder.Plan`).
// Leaves out: HF's DecodeStream prefix re-decoding; the supported decoders have no cross-token
// context beyond UTF-8 and that leading strip. Exception: a byte-fallback run that is not valid
// UTF-8 streams as lossy U+FFFDs, where `decode` gives one U+FFFD per byte (HF's rule).
public struct StreamingDecoder {
    let tokenizer: BPETokenizer
    let skipSpecialTokens: Bool
    private var pending: [UInt8] = []
    /// Leading spaces still to drop (until the first other byte).
    private var stripBudget: Int
    /// Tokens passed to the decoder so far.
    private var index = 0

    init(tokenizer: BPETokenizer, skipSpecialTokens: Bool) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
        self.stripBudget = tokenizer.decodePlan.stripLeadingSpaces
    }

    /// Bytes held back (0–3), waiting for the rest of a character.
    public var pendingByteCount: Int { pending.count }

    /// Adds one token; returns the text that became complete (possibly "").
    public mutating func append(_ id: Int) -> String {
        if skipSpecialTokens && tokenizer.isSpecialToken(id) { return "" }
        guard tokenizer.token(for: id) != nil else { return "" }
        pending.append(contentsOf: tokenizer.bytes(for: id, index: index))
        index += 1
        return appendBytes()
    }

    /// Adds raw bytes (for callers that already hold bytes).
    public mutating func append(bytes: [UInt8]) -> String {
        pending.append(contentsOf: bytes)
        return appendBytes()
    }

    private mutating func appendBytes() -> String {
        while stripBudget > 0, let first = pending.first {
            if first == 0x20 { pending.removeFirst(); stripBudget -= 1 } else { stripBudget = 0 }
        }
        let cut = Self.completePrefixLength(pending)
        if cut == 0 { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Flushes the held-back bytes (an incomplete character becomes U+FFFD) and resets.
    public mutating func finish() -> String {
        defer { pending.removeAll(); stripBudget = tokenizer.decodePlan.stripLeadingSpaces; index = 0 }
        return pending.isEmpty ? "" : String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that does not end inside a character that could still be
    /// completed: if the last ≤3 bytes are a lead byte plus valid continuations, short of the
    /// length the lead byte announces, they are excluded.
    static func completePrefixLength(_ b: [UInt8]) -> Int {
        let n = b.count
        var start = n - 1
        // Find the last byte that is not a continuation byte, at most 3 back.
        while start >= 0 && start >= n - 4 && b[start] & 0xC0 == 0x80 { start -= 1 }
        guard start >= 0 && start >= n - 4 else { return n }
        let lead = b[start]
        let need: Int
        switch lead {
        case 0xC2...0xDF: need = 2
        case 0xE0...0xEF: need = 3
        case 0xF0...0xF4: need = 4
        default: return n  // ASCII, or a byte that can never start a character
        }
        let have = n - start
        if have >= need { return n }
        // The second byte's range depends on the lead (Unicode Table 3-7).
        if have >= 2 {
            let second = b[start + 1]
            let ok: Bool
            switch lead {
            case 0xE0: ok = (0xA0...0xBF).contains(second)
            case 0xED: ok = (0x80...0x9F).contains(second)
            case 0xF0: ok = (0x90...0xBF).contains(second)
            case 0xF4: ok = (0x80...0x8F).contains(second)
            default: ok = (0x80...0xBF).contains(second)
            }
            if !ok { return n }
        }
        return start
    }
}
