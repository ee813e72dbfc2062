// ByteUnicodeMap — the GPT-2 byte ↔ printable-character table used by byte-level BPE.
//
// Bytes 33–126, 161–172 and 174–255 map to the code point of the same value; the other 68 bytes
// (0–32, 127–160, 173) map in ascending order to U+0100, U+0101, … (so space is "Ġ" U+0120,
// "\n" is "Ċ", "\t" is "ĉ"). Follows HF tokenizers `pre_tokenizers/byte_level.rs:bytes_char`
// and GPT-2 `encoder.py:bytes_to_unicode`. Leaves out nothing: the table is total on bytes.
public enum ByteUnicodeMap {
    /// byte → mapped scalar (256 entries).
    public static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
            if printable {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// mapped scalar value → byte, or -1. Indexed by scalar value (the table covers 0..<324).
    static let scalarToByteTable: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (b, s) in byteToScalar.enumerated() { table[Int(s.value)] = Int16(b) }
        return table
    }()

    /// The byte a mapped scalar stands for, or nil if the scalar is not in the table's image.
    @inline(__always)
    public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = Int(scalar.value)
        guard v < scalarToByteTable.count else { return nil }
        let b = scalarToByteTable[v]
        return b < 0 ? nil : UInt8(b)
    }

    /// Maps raw bytes to the byte-level string the vocabulary is written in.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(byteToScalar[Int(b)]) }
        return String(s)
    }

    /// Maps a byte-level string back to bytes; nil if some scalar is outside the table's image.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            guard let b = byte(for: s) else { return nil }
            out.append(b)
        }
        return out
    }
}
