// SafeText — untrusted text (a key, tensor or file name read from a model file) made safe to put in
// a message: shortened to a byte budget and with every control or invisible formatting character
// shown as a Swift escape (\u{1B}), so a hostile file can neither flood a terminal nor drive it
// (retitle, clear screen) through an error message. Quotes and backslashes are escaped as in a
// Swift string literal, so the shown name is unambiguous.
// Used by the readers' error descriptions; the CLI passes every message it prints through
// `terminal(_:)` as a last line of defence.
public enum SafeText {
    /// Default budget for one untrusted name in a message, in UTF-8 bytes.
    public static let nameLimit = 200
    /// Default budget for one whole message printed to a terminal, in UTF-8 bytes.
    public static let messageLimit = 4000

    /// `s` escaped and shortened to about `limit` bytes, in double quotes; a shortened name ends
    /// with "…" and says how long it was.
    public static func quoted(_ s: String, limit: Int = nameLimit) -> String {
        "\"" + escaped(s, limit: limit, keepNewlines: false, quote: true) + "\""
    }

    /// A whole message for a terminal: control characters escaped except newline and tab,
    /// shortened to `limit` bytes.
    public static func terminal(_ s: String, limit: Int = messageLimit) -> String {
        escaped(s, limit: limit, keepNewlines: true, quote: false)
    }

    /// Whether `v` is shown as an escape: C0/C1 controls, DEL, and invisible format characters
    /// (bidirectional overrides, zero-width joiners, …) that can disguise a name.
    static func mustEscape(_ v: Unicode.Scalar) -> Bool {
        switch v.value {
        case 0..<0x20, 0x7F...0x9F: return true
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x206F, 0xFEFF, 0xFFF9...0xFFFB: return true
        default: return false
        }
    }

    static func escaped(_ s: String, limit: Int, keepNewlines: Bool, quote: Bool) -> String {
        var out = ""
        out.reserveCapacity(min(s.utf8.count, limit) + 16)
        var used = 0
        var shortened = false
        for v in s.unicodeScalars {
            let piece: String
            if keepNewlines && (v == "\n" || v == "\t") {
                piece = String(v)
            } else if mustEscape(v) {
                piece = "\\u{" + String(v.value, radix: 16, uppercase: true) + "}"
            } else if quote && (v == "\"" || v == "\\") {
                piece = "\\" + String(v)
            } else {
                piece = String(v)
            }
            let n = piece.utf8.count
            if used + n > limit { shortened = true; break }
            out += piece
            used += n
        }
        if shortened { out += "…(\(s.utf8.count) bytes)" }
        return out
    }
}
