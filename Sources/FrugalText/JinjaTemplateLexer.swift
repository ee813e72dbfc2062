// JinjaTemplateLexer — splits a chat template into literal text, `{% statement %}` and
// `{{ expression }}` parts, applying Jinja's whitespace control (`{%-`, `-%}`, `{{-`, `-}}`) and the
// `trim_blocks` / `lstrip_blocks` options that transformers' `apply_chat_template` enables.
// It also reads the expressions ChatML templates use: `+`-concatenations of string literals
// (Python-style escapes) and `message['role']` / `message.content` lookups. This is not a Jinja
// interpreter: filters, tests, `~`, function calls and everything else are reported as unknown.
enum JinjaTemplateLexer {
    enum Part: Equatable {
        case text(String)
        case statement(String)   // whitespace-collapsed, e.g. "for message in messages"
        case expression(String)  // raw inner text
    }

    enum Atom: Equatable {
        case literal(String)
        case field(variable: String, name: String)
    }

    static func parts(_ template: String) throws -> [Part] {
        var out: [Part] = []
        let s = Array(template.unicodeScalars)
        var i = 0
        var text = String.UnicodeScalarView()
        var trimNextLeading = false    // `-%}` / `-}}`: strip all leading whitespace of next text
        var trimNextNewline = false    // trim_blocks: drop one newline right after `%}`
        func flushText(stripTrailing: Bool, lstripBlock: Bool) {
            var t = String(text)
            text = String.UnicodeScalarView()
            if stripTrailing {
                while let last = t.unicodeScalars.last, last.properties.isWhitespace { t.unicodeScalars.removeLast() }
            } else if lstripBlock {
                // lstrip_blocks: spaces and tabs between the line start and `{%` are removed.
                var u = t.unicodeScalars
                var k = u.endIndex
                while k > u.startIndex, u[u.index(before: k)] == " " || u[u.index(before: k)] == "\t" { k = u.index(before: k) }
                if k == u.startIndex || u[u.index(before: k)] == "\n" { u.removeSubrange(k..<u.endIndex); t = String(u) }
            }
            if !t.isEmpty { out.append(.text(t)) }
        }
        while i < s.count {
            if s[i] == "{" && i + 1 < s.count && (s[i + 1] == "%" || s[i + 1] == "{" || s[i + 1] == "#") {
                let kind = s[i + 1]
                let close: Unicode.Scalar = kind == "{" ? "}" : kind
                var j = i + 2
                let stripBefore = j < s.count && s[j] == "-"
                if stripBefore || (j < s.count && s[j] == "+") { j += 1 }
                flushText(stripTrailing: stripBefore, lstripBlock: kind != "{")
                // Find the closing delimiter, skipping string literals.
                var inner = String.UnicodeScalarView()
                var quote: Unicode.Scalar? = nil
                var closed = false
                while j < s.count {
                    let c = s[j]
                    if let q = quote {
                        inner.append(c)
                        if c == "\\" && j + 1 < s.count { inner.append(s[j + 1]); j += 2; continue }
                        if c == q { quote = nil }
                        j += 1; continue
                    }
                    if c == "'" || c == "\"" { quote = c; inner.append(c); j += 1; continue }
                    if (c == "-" || c == "+") && j + 2 < s.count && s[j + 1] == close && s[j + 2] == "}" {
                        trimNextLeading = c == "-"; j += 3; closed = true; break
                    }
                    if c == close && j + 1 < s.count && s[j + 1] == "}" { trimNextLeading = false; j += 2; closed = true; break }
                    inner.append(c); j += 1
                }
                guard closed else {
                    throw ChatTemplateError.unsupported(template: template, reason: "an unclosed {\(kind) tag")
                }
                let body = String(inner)
                switch kind {
                case "%":
                    out.append(.statement(body.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")))
                    trimNextNewline = true
                case "{":
                    out.append(.expression(body))
                    trimNextNewline = false
                default:
                    trimNextNewline = true  // comments behave like blocks for trim_blocks
                }
                i = j
                if trimNextLeading {
                    while i < s.count && s[i].properties.isWhitespace { i += 1 }
                } else if trimNextNewline && i < s.count && s[i] == "\n" {
                    i += 1
                }
                continue
            }
            text.append(s[i]); i += 1
        }
        flushText(stripTrailing: false, lstripBlock: false)
        return out
    }

    /// Reads `'a' + message['role'] + "b"` into atoms; nil if the expression is anything else.
    static func concatenation(_ expr: String) -> [Atom]? {
        let s = Array(expr.unicodeScalars)
        var i = 0
        var atoms: [Atom] = []
        var expectOperand = true
        func skipSpace() { while i < s.count && s[i].properties.isWhitespace { i += 1 } }
        while true {
            skipSpace()
            if i == s.count { return expectOperand ? nil : atoms }
            if !expectOperand {
                guard s[i] == "+" else { return nil }
                i += 1; expectOperand = true; continue
            }
            if s[i] == "'" || s[i] == "\"" {
                guard let (lit, next) = stringLiteral(s, at: i) else { return nil }
                atoms.append(.literal(lit)); i = next
            } else {
                // identifier ( '.' name | '[' 'name' ']' )
                var name = String.UnicodeScalarView()
                while i < s.count && (s[i].properties.isAlphabetic || s[i] == "_" || ("0"..."9").contains(s[i])) { name.append(s[i]); i += 1 }
                guard !name.isEmpty else { return nil }
                skipSpace()
                var field: String? = nil
                if i < s.count && s[i] == "." {
                    i += 1
                    var f = String.UnicodeScalarView()
                    while i < s.count && (s[i].properties.isAlphabetic || s[i] == "_") { f.append(s[i]); i += 1 }
                    field = String(f)
                } else if i < s.count && s[i] == "[" {
                    i += 1; skipSpace()
                    guard i < s.count, let (f, next) = stringLiteral(s, at: i) else { return nil }
                    i = next; skipSpace()
                    guard i < s.count && s[i] == "]" else { return nil }
                    i += 1
                    field = f
                }
                guard let field, !field.isEmpty else { return nil }
                atoms.append(.field(variable: String(name), name: field))
            }
            expectOperand = false
        }
    }

    /// A Jinja string literal at `s[i]` (quote char) → its value and the index after it.
    static func stringLiteral(_ s: [Unicode.Scalar], at start: Int) -> (String, Int)? {
        let q = s[start]
        guard q == "'" || q == "\"" else { return nil }
        var i = start + 1
        var out = String.UnicodeScalarView()
        while i < s.count {
            let c = s[i]
            if c == q { return (String(out), i + 1) }
            if c == "\\" {
                guard i + 1 < s.count else { return nil }
                let e = s[i + 1]
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\\", "'", "\"": out.append(e)
                case "u":
                    guard i + 5 < s.count, let v = UInt32(String(String.UnicodeScalarView(s[(i + 2)...(i + 5)])), radix: 16),
                          let u = Unicode.Scalar(v) else { return nil }
                    out.append(u); i += 6; continue
                default: return nil
                }
                i += 2; continue
            }
            out.append(c); i += 1
        }
        return nil
    }
}
