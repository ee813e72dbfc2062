// JinjaJSON — the `tojson` filter as transformers defines it: Python's json.dumps(x, ensure_ascii=False,
// indent=None, separators=None, sort_keys=False), byte for byte: ", " / ": " separators without indent,
// "," / ": " with one, newline + indent per level, empty containers as [] / {}, floats as repr(),
// strings escaped as json's encoder does (\" \\ \n \r \t \b \f, other controls \u00XX; with
// ensure_ascii every non-ASCII character as \uXXXX, surrogate pairs above U+FFFF). Undefined,
// namespaces and macros are not serializable (an error, as in Python); NaN/inf print NaN/Infinity.
enum JinjaJSON {
    static let maxDepth = 256

    static func dumps(_ v: JinjaValue, indent: Int?, ensureASCII: Bool, separators: (String, String)?, sortKeys: Bool,
                      line: Int) throws(ChatTemplateError) -> String {
        let (itemSep, keySep) = separators ?? (indent == nil ? ", " : ",", ": ")
        var out = ""
        func encode(_ v: JinjaValue, _ level: Int) throws(ChatTemplateError) {
            guard level < maxDepth else { throw .runtime(line: line, message: "tojson: nesting deeper than \(maxDepth)") }
            func newline(_ l: Int) { if let indent { out += "\n" + String(repeating: " ", count: max(0, indent) * l) } }
            switch v {
            case .none: out += "null"
            case .bool(let b): out += b ? "true" : "false"
            case .int(let i): out += String(i)
            case .double(let d):
                out += d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : JinjaValue.pythonFloat(d)
            case .string(let s): out += quote(s, ensureASCII: ensureASCII)
            case .list(let a), .tuple(let a):
                if a.isEmpty { out += "[]"; return }
                out += "["
                for (i, x) in a.enumerated() {
                    if i > 0 { out += itemSep }
                    newline(level + 1)
                    try encode(x, level + 1)
                }
                newline(level)
                out += "]"
            case .dict(let d):
                if d.isEmpty { out += "{}"; return }
                out += "{"
                let pairs = sortKeys ? d.pairs.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) { $0.value < $1.value } } : d.pairs
                for (i, p) in pairs.enumerated() {
                    if i > 0 { out += itemSep }
                    newline(level + 1)
                    out += quote(p.key, ensureASCII: ensureASCII) + keySep
                    try encode(p.value, level + 1)
                }
                newline(level)
                out += "}"
            case .undefined, .namespace, .callable:
                throw .runtime(line: line, message: "tojson: object of type \(v.typeName) is not JSON serializable")
            }
        }
        try encode(v, 0)
        return out
    }

    static func quote(_ s: String, ensureASCII: Bool) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if c.value < 0x20 || (ensureASCII && c.value > 0x7E) {
                    if c.value > 0xFFFF {
                        let v = c.value - 0x10000
                        out += "\\u" + JinjaValue.hex(0xD800 + (v >> 10), 4) + "\\u" + JinjaValue.hex(0xDC00 + (v & 0x3FF), 4)
                    } else {
                        out += "\\u" + JinjaValue.hex(c.value, 4)
                    }
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}
