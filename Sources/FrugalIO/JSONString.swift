// JSONString — one JSON string escaper for the files Frugal writes byte-identical to a reference
// writer: `"` `\` and the control characters get their short escapes (\n \r \t \b \f) or \u00XX;
// with `asciiOnly` (CPython's json, ensure_ascii=True, as transformers writes config.json) every
// other scalar outside 0x20…0x7E becomes \uXXXX (a UTF-16 surrogate pair above U+FFFF); without it
// (serde_json, as the safetensors header is written) other Unicode stays verbatim.
enum JSONString {
    static func quoted(_ s: String, asciiOnly: Bool) -> String {
        var out = "\""
        func u(_ v: UInt32) { let h = String(v, radix: 16); out += "\\u" + String(repeating: "0", count: 4 - h.count) + h }
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
                if c.value < 0x20 || (asciiOnly && c.value > 0x7E && c.value <= 0xFFFF) {
                    u(c.value)
                } else if asciiOnly && c.value > 0xFFFF {
                    let v = c.value - 0x10000
                    u(0xD800 + (v >> 10)); u(0xDC00 + (v & 0x3FF))
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}
