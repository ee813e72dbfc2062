// JinjaLexer — a chat template's text → tokens (text runs, tag delimiters, names, literals, operators),
// each with its 1-based line. Follows jinja2's lexer (jinja2/lexer.py) with the options transformers'
// `apply_chat_template` uses: trim_blocks (the newline right after `%}` or `#}` is dropped) and
// lstrip_blocks (spaces and tabs between a line's start and `{%` / `{#` are dropped), plus the `-`
// (strip all whitespace on that side) and `+` (keep it) modifiers. Comments vanish here. Inside a tag,
// brackets are balanced before an end delimiter is recognized, so `{{ {'a': {}} }}` lexes as jinja2 does.
// String literals take Python's escapes (\n \t \r \\ \' \" \xNN \uNNNN \UNNNNNNNN; others stay literal).
// Left out: custom delimiters, line statements, `{% raw %}` (the parser refuses it by name).
struct JinjaToken: Equatable {
    enum Kind: Equatable {
        case text(String)
        case blockBegin, blockEnd, variableBegin, variableEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case op(String)
    }
    var kind: Kind
    var line: Int
}

enum JinjaLexer {
    static let operators2: Set<String> = ["//", "**", "==", "!=", "<=", ">="]
    static let operators1: Set<Unicode.Scalar> = ["+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]",
                                                   "{", "}", ",", ".", ":", "|", "=", "!"]

    static func tokenize(_ template: String) throws(ChatTemplateError) -> [JinjaToken] {
        let s = Array(template.unicodeScalars)
        var tokens: [JinjaToken] = []
        var i = 0
        var line = 1
        var text = String.UnicodeScalarView()
        var textLine = 1
        var stripNextLeading = false   // `-%}` / `-}}` / `-#}` before this text

        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" }
        var lineStarting = true       // the last tag's text ended with a newline (or nothing came yet)
        func flush(stripTrailing: Bool, lstrip: Bool) {
            var t = Array(text)
            text = String.UnicodeScalarView()
            if stripTrailing {
                while let last = t.last, last.properties.isWhitespace { t.removeLast() }
            } else if lstrip {
                // jinja2: strip the whitespace between the line's start and the tag, if that is all there is.
                let lpos = (t.lastIndex(of: "\n") ?? -1) + 1
                if lpos > 0 || lineStarting, lpos < t.count, t[lpos...].allSatisfy({ $0.properties.isWhitespace }) {
                    t.removeSubrange(lpos..<t.count)
                }
            }
            if !t.isEmpty { tokens.append(JinjaToken(kind: .text(String(String.UnicodeScalarView(t))), line: textLine)) }
        }

        while i < s.count {
            guard s[i] == "{", i + 1 < s.count, s[i + 1] == "%" || s[i + 1] == "{" || s[i + 1] == "#" else {
                if text.isEmpty { textLine = line }
                if stripNextLeading && s[i].properties.isWhitespace {
                    if s[i] == "\n" { line += 1 }
                    lineStarting = s[i] == "\n"
                    i += 1; continue
                }
                stripNextLeading = false
                if s[i] == "\n" { line += 1 }
                text.append(s[i]); i += 1
                continue
            }
            stripNextLeading = false
            let kind = s[i + 1]
            let tagLine = line
            var j = i + 2
            let minus = j < s.count && s[j] == "-"
            let plus = j < s.count && s[j] == "+"
            if minus || plus { j += 1 }
            // lstrip_blocks applies to blocks and comments, unless `{%+`.
            flush(stripTrailing: minus, lstrip: kind != "{" && !plus)

            if kind == "#" {
                // Comment: up to `#}`; its `-` strips what follows.
                var closed = false
                while j + 1 < s.count {
                    if s[j] == "\n" { line += 1 }
                    if s[j] == "#" && s[j + 1] == "}" {
                        let stripAfter = j > i + 2 && s[j - 1] == "-"
                        j += 2; closed = true
                        if stripAfter { stripNextLeading = true } else { j = trimBlock(s, j, &line) }
                        lineStarting = s[j - 1] == "\n"
                        break
                    }
                    j += 1
                }
                guard closed else { throw .syntax(line: tagLine, message: "a comment {# is never closed with #}") }
                i = j
                continue
            }

            tokens.append(JinjaToken(kind: kind == "%" ? .blockBegin : .variableBegin, line: tagLine))
            let close: Unicode.Scalar = kind == "%" ? "%" : "}"
            var depth = 0
            var closed = false
            while j < s.count {
                let c = s[j]
                if c == "\n" { line += 1; j += 1; continue }
                if isSpace(c) { j += 1; continue }
                if depth == 0 {
                    // End delimiters: `-%}`, `+%}`, `%}` (or the `}}` forms).
                    if (c == "-" || c == "+") && j + 2 < s.count && s[j + 1] == close && s[j + 2] == "}" {
                        tokens.append(JinjaToken(kind: kind == "%" ? .blockEnd : .variableEnd, line: line))
                        j += 3; closed = true
                        if c == "-" { stripNextLeading = true }   // `+%}` keeps the newline
                        lineStarting = false
                        break
                    }
                    if c == close && j + 1 < s.count && s[j + 1] == "}" {
                        tokens.append(JinjaToken(kind: kind == "%" ? .blockEnd : .variableEnd, line: line))
                        j += 2; closed = true
                        if kind == "%" { j = trimBlock(s, j, &line) }
                        lineStarting = s[j - 1] == "\n"
                        break
                    }
                }
                let tokLine = line
                if c == "'" || c == "\"" {
                    let (value, next) = try stringLiteral(s, j, &line)
                    tokens.append(JinjaToken(kind: .string(value), line: tokLine)); j = next; continue
                }
                if isDigit(c) {
                    let (tok, next) = try number(s, j, tokLine)
                    tokens.append(JinjaToken(kind: tok, line: tokLine)); j = next; continue
                }
                if c == "_" || c.properties.isAlphabetic {
                    var name = String.UnicodeScalarView()
                    while j < s.count, s[j] == "_" || s[j].properties.isAlphabetic || isDigit(s[j]) { name.append(s[j]); j += 1 }
                    tokens.append(JinjaToken(kind: .name(String(name)), line: tokLine)); continue
                }
                if j + 1 < s.count {
                    let two = String(String.UnicodeScalarView([c, s[j + 1]]))
                    if operators2.contains(two) { tokens.append(JinjaToken(kind: .op(two), line: tokLine)); j += 2; continue }
                }
                if operators1.contains(c) {
                    if c == "(" || c == "[" || c == "{" { depth += 1 }
                    if c == ")" || c == "]" || c == "}" { depth -= 1 }
                    if c == "!" { throw .syntax(line: tokLine, message: "unexpected '!' (did you mean '!=' or 'not'?)") }
                    tokens.append(JinjaToken(kind: .op(String(c)), line: tokLine)); j += 1; continue
                }
                throw .syntax(line: tokLine, message: "unexpected character \(String(c).debugDescription)")
            }
            guard closed else {
                throw .syntax(line: tagLine, message: kind == "%" ? "a block tag {% is never closed with %}" : "an output tag {{ is never closed with }}")
            }
            i = j
        }
        flush(stripTrailing: false, lstrip: false)
        return tokens
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }

    /// trim_blocks: one newline ("\n" or "\r\n") right after a block or comment tag is dropped.
    static func trimBlock(_ s: [Unicode.Scalar], _ j: Int, _ line: inout Int) -> Int {
        if j < s.count && s[j] == "\n" { line += 1; return j + 1 }
        if j + 1 < s.count && s[j] == "\r" && s[j + 1] == "\n" { line += 1; return j + 2 }
        return j
    }

    static func number(_ s: [Unicode.Scalar], _ start: Int, _ line: Int) throws(ChatTemplateError) -> (JinjaToken.Kind, Int) {
        var j = start
        var digits = ""
        var isFloat = false
        func take() { while j < s.count, isDigit(s[j]) || s[j] == "_" { if s[j] != "_" { digits.unicodeScalars.append(s[j]) }; j += 1 } }
        take()
        if j + 1 < s.count, s[j] == ".", isDigit(s[j + 1]) { isFloat = true; digits += "."; j += 1; take() }
        if j < s.count, s[j] == "e" || s[j] == "E" {
            var k = j + 1
            if k < s.count, s[k] == "+" || s[k] == "-" { k += 1 }
            if k < s.count, isDigit(s[k]) {
                isFloat = true
                digits += "e"
                if s[j + 1] == "-" { digits += "-" }
                j = k; take()
            }
        }
        if isFloat {
            guard let d = Double(digits) else { throw .syntax(line: line, message: "bad number \(digits)") }
            return (.float(d), j)
        }
        guard let n = Int(digits) else { throw .syntax(line: line, message: "integer \(digits) is too large") }
        return (.integer(n), j)
    }

    /// A string literal starting at its quote → its value (Python escapes) and the index after it.
    static func stringLiteral(_ s: [Unicode.Scalar], _ start: Int, _ line: inout Int) throws(ChatTemplateError) -> (String, Int) {
        let q = s[start]
        let startLine = line
        var j = start + 1
        var out = String.UnicodeScalarView()
        while j < s.count {
            let c = s[j]
            if c == q { return (String(out), j + 1) }
            if c == "\n" { line += 1 }
            if c == "\\" && j + 1 < s.count {
                let e = s[j + 1]
                func hex(_ n: Int) -> Unicode.Scalar? {
                    guard j + 2 + n <= s.count, let v = UInt32(String(String.UnicodeScalarView(s[(j + 2)..<(j + 2 + n)])), radix: 16) else { return nil }
                    return Unicode.Scalar(v)
                }
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\\", "'", "\"": out.append(e)
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "v": out.append("\u{0B}")
                case "0": out.append("\u{00}")
                case "\n": line += 1   // backslash-newline joins lines
                case "x", "u", "U":
                    let n = e == "x" ? 2 : e == "u" ? 4 : 8
                    guard let u = hex(n) else { throw .syntax(line: line, message: "bad \\\(e) escape in a string") }
                    out.append(u); j += 2 + n; continue
                default: out.append(c); out.append(e)
                }
                j += 2; continue
            }
            out.append(c); j += 1
        }
        throw .syntax(line: startLine, message: "a string literal is never closed")
    }
}
