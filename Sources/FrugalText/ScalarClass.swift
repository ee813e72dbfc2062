// ScalarClass — the Unicode character classes the pre-tokenizer regexes (`SplitPattern`) need.
//
// `\s` = White_Space (Oniguruma's Unicode `\s`: 9–13, 0x85 and the Zs/Zl/Zp categories, which is
// the White_Space property); `\p{L}` = general categories Lu Ll Lt Lm Lo; `\p{N}` = Nd Nl No
// (also Rust's `char::is_numeric`, used by HF's Digits pre-tokenizer). The Basic Multilingual Plane
// is answered from a 64 Ki-entry table built on first use (a few milliseconds; property lookups
// would otherwise dominate pre-tokenizing non-ASCII text); other scalars from the standard
// library's Unicode properties. The Unicode version is the standard library's, which can differ
// from Oniguruma's for scalars assigned recently.
enum ScalarClass: UInt8 {
    case whitespace, letter, number, other

    private static let bmp: [ScalarClass] = (0..<0x10000).map { v in
        // Surrogate code points are not scalars; they never occur in a String.
        classify(slow: Unicode.Scalar(UInt32(v)) ?? "\u{FFFD}")
    }

    @inline(__always)
    static func of(_ value: UInt32) -> ScalarClass {
        if value < 0x10000 { return bmp[Int(value)] }
        return classify(slow: Unicode.Scalar(value) ?? "\u{FFFD}")
    }

    static func classify(slow s: Unicode.Scalar) -> ScalarClass {
        let p = s.properties
        if p.isWhitespace { return .whitespace }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// Rust regex `\w` (Unicode): Alphabetic, marks, decimal numbers, connector punctuation,
    /// Join_Control. Used only for added tokens with `single_word`.
    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        let p = s.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }
}
