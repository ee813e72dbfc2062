// ChatTemplateSpans — splits a chat-template rendering into per-message spans (header, content,
// footer) for loss masks, for any template the interpreter runs (see ChatTemplate's contract):
//  1. render with every message's content replaced by a sentinel (U+F8F0 index U+F8F1, private use),
//     which shows where each content lands, in text order (a template may move or drop messages);
//  2. put the real contents back — as given, or stripped as `| trim` / `.strip()` would — and require
//     the result to equal the real rendering byte for byte (else: ChatTemplateError.spans);
//  3. a message's footer is the longest common prefix of what follows its content in the real
//     rendering and what follows it when the conversation ends with that message (its end-of-turn
//     text, e.g. "<|im_end|>\n"), cut at a character boundary.
// Everything else is header text of the next message placed (or the generation prompt at the end).
enum ChatTemplateSpans {
    static let open: [UInt8] = Array("\u{F8F0}".utf8)
    static let close: [UInt8] = Array("\u{F8F1}".utf8)

    static func sentinel(_ i: Int) -> String { "\u{F8F0}\(i)\u{F8F1}" }

    enum Piece { case text(ArraySlice<UInt8>), message(Int) }

    static func spans(_ t: ChatTemplate, _ messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String?,
                      eosToken: String?, variables: [String: JinjaValue]) throws(ChatTemplateError) -> [ChatTemplate.Span] {
        for m in messages where m.content.utf8.contains(open[0]) && (m.content.contains("\u{F8F0}") || m.content.contains("\u{F8F1}")) {
            throw .spans("a message contains the private-use characters U+F8F0/U+F8F1 used as markers")
        }
        func render(_ ms: [ChatMessage], _ gen: Bool) throws(ChatTemplateError) -> [UInt8] {
            Array(try t.render(ms, addGenerationPrompt: gen, bosToken: bosToken, eosToken: eosToken, variables: variables).utf8)
        }
        let full = try render(messages, addGenerationPrompt)
        let marked = messages.enumerated().map { ChatMessage(role: $0.element.role, content: sentinel($0.offset)) }
        let markedRendering: [UInt8]
        do { markedRendering = try render(marked, addGenerationPrompt) } catch {
            throw .spans("the template fails when message contents are replaced by markers (\(error))")
        }
        let pieces = try split(markedRendering, count: messages.count)

        // Walk the real rendering along the marked one.
        var located: [(index: Int, range: Range<Int>)] = []
        var p = 0
        for (k, piece) in pieces.enumerated() {
            switch piece {
            case .text(let lit):
                guard full[p...].starts(with: lit) else { throw .spans("the rendering differs from the marked rendering at byte \(p)") }
                p += lit.count
            case .message(let i):
                var next: ArraySlice<UInt8> = []
                if k + 1 < pieces.count, case .text(let lit) = pieces[k + 1] { next = lit }
                let content = Array(messages[i].content.unicodeScalars)
                var candidates: [[UInt8]] = []
                for c in [content[...], JinjaMethods.strip(content, nil, left: true, right: true),
                          JinjaMethods.strip(content, nil, left: false, right: true), JinjaMethods.strip(content, nil, left: true, right: false)] {
                    let bytes = Array(JinjaMethods.string(c).utf8)
                    if !candidates.contains(bytes) { candidates.append(bytes) }
                }
                guard let c = candidates.first(where: { full[p...].starts(with: $0) && full[(p + $0.count)...].starts(with: next) }) else {
                    throw .spans("message \(i) (\(messages[i].role)) is rendered changed beyond trimming")
                }
                located.append((i, p..<(p + c.count)))
                p += c.count
            }
        }
        guard p == full.count else { throw .spans("the rendering is longer than the marked rendering") }

        // Footers: what follows the content when the conversation ends with that message.
        var out: [ChatTemplate.Span] = []
        var cursor = 0
        func text(_ r: Range<Int>) -> String { String(decoding: full[r], as: UTF8.self) }
        for (n, (i, range)) in located.enumerated() {
            let limit = n + 1 < located.count ? located[n + 1].range.lowerBound : full.count
            var footer = 0
            if let prefix = try? render(Array(marked[...i]), false),
               let end = find(Array(sentinel(i).utf8), in: prefix) {
                var after = prefix[end...]
                if let nextMarker = find(open, in: Array(after)) { after = after.prefix(nextMarker) }
                let real = full[range.upperBound..<limit]
                footer = zip(after, real).prefix { $0 == $1 }.count
                // Back off to a character boundary.
                while footer > 0, range.upperBound + footer < full.count, full[range.upperBound + footer] & 0xC0 == 0x80 { footer -= 1 }
            }
            let role = messages[i].role
            if range.lowerBound > cursor { out.append(.init(text: text(cursor..<range.lowerBound), kind: .header, role: role)) }
            out.append(.init(text: text(range), kind: .content, role: role))
            if footer > 0 { out.append(.init(text: text(range.upperBound..<(range.upperBound + footer)), kind: .footer, role: role)) }
            cursor = range.upperBound + footer
        }
        if cursor < full.count {
            out.append(.init(text: text(cursor..<full.count), kind: addGenerationPrompt ? .generationPrompt : .footer, role: nil))
        }
        return out
    }

    /// The marked rendering → literal pieces and message markers; each message at most once.
    static func split(_ r: [UInt8], count: Int) throws(ChatTemplateError) -> [Piece] {
        var pieces: [Piece] = []
        var seen = Set<Int>()
        var start = 0
        var i = 0
        while i < r.count {
            guard r[i...].starts(with: open) else { i += 1; continue }
            var j = i + open.count
            var index = 0
            var digits = 0
            while j < r.count, r[j] >= 48, r[j] <= 57, digits < 9 { index = index &* 10 &+ Int(r[j] - 48); j += 1; digits += 1 }
            guard digits > 0, r[j...].starts(with: close), index < count else { throw .spans("the template altered a content marker") }
            guard seen.insert(index).inserted else { throw .spans("message \(index)'s content is rendered more than once") }
            if i > start { pieces.append(.text(r[start..<i])) }
            pieces.append(.message(index))
            i = j + close.count
            start = i
        }
        if start < r.count { pieces.append(.text(r[start...])) }
        return pieces
    }

    /// The index just after the first occurrence of `needle` in `hay`.
    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard !needle.isEmpty, needle.count <= hay.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) {
            return i + needle.count
        }
        return nil
    }
}
