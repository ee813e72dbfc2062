// PythonFloatRepr — a Double written exactly as Python's `repr(float)` / `json.dumps` writes it.
//
// bitsandbytes stores `nested_offset` in the quant_state JSON via `json.dumps(offset.item())`, so a
// byte-identical checkpoint needs Python's spelling: the shortest digits that round-trip (Swift's
// `description` finds the same digits), fixed notation when the decimal exponent is in [-4, 16),
// otherwise `d.ddde±XX` with at least two exponent digits; integral values end in ".0".
// json.dumps spells non-finite values NaN, Infinity, -Infinity.
public enum PythonFloatRepr {
    public static func string(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let sign = value < 0 ? "-" : ""
        // Swift's shortest round-trip digits, then Python's layout
        let s = "\(Swift.abs(value))"
        var mantissa = Substring(s), exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = s[..<e]
            exponent = Int(s[s.index(after: e)...])!
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = parts[0], frac = parts.count > 1 ? parts[1] : ""
        var digits = Array(intPart + frac)
        var decpt = intPart.count + exponent  // value = 0.d1d2... * 10^decpt
        while digits.first == "0" { digits.removeFirst(); decpt -= 1 }
        while digits.last == "0" { digits.removeLast() }
        let d = String(digits)
        if decpt > -4 && decpt <= 16 {
            if decpt <= 0 { return sign + "0." + String(repeating: "0", count: -decpt) + d }
            if decpt >= d.count { return sign + d + String(repeating: "0", count: decpt - d.count) + ".0" }
            return sign + String(d.prefix(decpt)) + "." + String(d.dropFirst(decpt))
        }
        let e = decpt - 1
        let expText = (e < 0 ? "-" : "+") + (Swift.abs(e) < 10 ? "0" : "") + String(Swift.abs(e))
        let m = d.count == 1 ? d : String(d.prefix(1)) + "." + String(d.dropFirst())
        return sign + m + "e" + expText
    }
}
