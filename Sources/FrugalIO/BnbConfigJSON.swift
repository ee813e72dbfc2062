// BnbConfigJSON — a JSON value that keeps what Python's `json` module distinguishes (int vs float
// literals, key order as read), with a writer that spells it exactly as transformers writes
// config.json: `json.dumps(d, indent=2, sort_keys=True) + "\n"` (PretrainedConfig.to_json_string).
//
// Why not JSONSerialization: it turns `10000.0` into `10000`, escapes "/" and orders keys its own
// way, so a quantized model's config.json would differ from transformers' in more than the added
// `quantization_config`. With this value, reading a transformers-written config.json and writing it
// back gives the same bytes.
//
// Writer rules (CPython `json.encoder`): ints as their digits; floats as `repr(float)`
// (PythonFloatRepr; NaN/Infinity spelled as Python does); strings with ensure_ascii (\" \\ \n \r
// \t \b \f, every other character outside 0x20...0x7E as \uXXXX, astral characters as surrogate
// pairs); "{}" and "[]" when empty; otherwise one item per line, indented by 2 per level, items
// separated by ",", keys by ": "; keys sorted by code point.
// Leaves out: duplicate keys (the last wins, as in Python), JSON documents over 16 MB (refused).
import Foundation
import FrugalQuant

public indirect enum BnbConfigJSON: Equatable, Sendable {
    case null
    case bool(Bool)
    /// An integer literal, kept as its digits (Python ints are unbounded).
    case int(String)
    case double(Double)
    case string(String)
    case array([BnbConfigJSON])
    /// Keys in the order read (or built).
    case object([(key: String, value: BnbConfigJSON)])

    public static func == (a: BnbConfigJSON, b: BnbConfigJSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The value under `key` of an object (the last one, as Python keeps).
    public subscript(key: String) -> BnbConfigJSON? {
        guard case .object(let items) = self else { return nil }
        return items.last(where: { $0.key == key })?.value
    }

    /// An object with `key` set to `value` (replacing an existing entry in place, else appended).
    public func setting(_ key: String, to value: BnbConfigJSON) -> BnbConfigJSON {
        guard case .object(var items) = self else { return self }
        if let i = items.firstIndex(where: { $0.key == key }) {
            items[i].value = value
        } else {
            items.append((key, value))
        }
        return .object(items)
    }

    // MARK: reading

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let offset: Int
        public let reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Parses a complete JSON document (RFC 8259, plus Python's NaN / Infinity / -Infinity).
    public static func parse(_ bytes: [UInt8]) throws -> BnbConfigJSON {
        guard bytes.count <= 16 << 20 else { throw ParseError(offset: 0, reason: "document larger than 16 MB") }
        var p = Parser(b: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw ParseError(offset: p.i, reason: "trailing characters after the value") }
        return v
    }

    private struct Parser {
        let b: [UInt8]
        var i = 0

        mutating func skipSpace() { while i < b.count, [0x20, 0x09, 0x0A, 0x0D].contains(b[i]) { i += 1 } }
        func fail(_ r: String) -> ParseError { ParseError(offset: i, reason: r) }

        mutating func literal(_ s: String) -> Bool {
            let u = Array(s.utf8)
            guard i + u.count <= b.count, Array(b[i..<(i + u.count)]) == u else { return false }
            i += u.count
            return true
        }

        mutating func value(depth: Int) throws -> BnbConfigJSON {
            guard depth < 512 else { throw fail("nested more than 512 levels") }
            guard i < b.count else { throw fail("unexpected end of document") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1
                var items = [(key: String, value: BnbConfigJSON)]()
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(items) }
                while true {
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                    let k = try string()
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':' after key \"\(k)\"") }
                    i += 1
                    skipSpace()
                    let v = try value(depth: depth + 1)
                    items.removeAll { $0.key == k }
                    items.append((k, v))
                    skipSpace()
                    guard i < b.count else { throw fail("unterminated object") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return .object(items) }
                    throw fail("expected ',' or '}' in an object")
                }
            case UInt8(ascii: "["):
                i += 1
                var items = [BnbConfigJSON]()
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < b.count else { throw fail("unterminated array") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    throw fail("expected ',' or ']' in an array")
                }
            case UInt8(ascii: "\""): return .string(try string())
            default:
                if literal("true") { return .bool(true) }
                if literal("false") { return .bool(false) }
                if literal("null") { return .null }
                if literal("NaN") { return .double(.nan) }
                if literal("Infinity") { return .double(.infinity) }
                if literal("-Infinity") { return .double(-.infinity) }
                return try number()
            }
        }

        mutating func number() throws -> BnbConfigJSON {
            let start = i
            var isFloat = false
            if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
            let digitsStart = i
            while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
            guard i > digitsStart else { throw fail("expected a value") }
            if b[digitsStart] == 0x30 && i - digitsStart > 1 { throw fail("a number with a leading zero") }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                isFloat = true
                i += 1
                let f = i
                while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
                guard i > f else { throw fail("digits expected after '.'") }
            }
            if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                isFloat = true
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                let e = i
                while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
                guard i > e else { throw fail("digits expected in the exponent") }
            }
            let text = String(decoding: b[start..<i], as: UTF8.self)
            if isFloat {
                guard let d = Double(text) else { throw fail("bad number \(text)") }
                return .double(d)
            }
            return .int(text == "-0" ? "0" : text)
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                throw fail("bad \\u escape")
            }
            i += 4
            return v
        }

        mutating func string() throws -> String {
            i += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var run = [UInt8]()
            func flush() {
                if !run.isEmpty { scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars); run.removeAll() }
            }
            while true {
                guard i < b.count else { throw fail("unterminated string") }
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; break }
                if c < 0x20 { throw fail("control character in a string") }
                if c != UInt8(ascii: "\\") { run.append(c); i += 1; continue }
                flush()
                i += 1
                guard i < b.count else { throw fail("unterminated escape") }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var v = try hex4()
                    if (0xD800..<0xDC00).contains(v), i + 6 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let lo = try hex4()
                        if (0xDC00..<0xE000).contains(lo) { v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00) } else { i = save }
                    }
                    scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                default: throw fail("unknown escape \\\(Character(Unicode.Scalar(e)))")
                }
            }
            flush()
            return String(scalars)
        }
    }

    // MARK: writing

    /// `json.dumps(self, indent=2, sort_keys=True) + "\n"`, as transformers writes config.json.
    public var pythonConfigText: String {
        var out = ""
        write(into: &out, level: 0)
        return out + "\n"
    }

    private func write(into out: inout String, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let v): out += v ? "true" : "false"
        case .int(let t): out += t
        case .double(let d): out += PythonFloatRepr.string(d)
        case .string(let s): out += Self.pythonString(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            let inner = "\n" + String(repeating: " ", count: 2 * (level + 1))
            out += "["
            for (n, v) in items.enumerated() {
                out += (n == 0 ? "" : ",") + inner
                v.write(into: &out, level: level + 1)
            }
            out += "\n" + String(repeating: " ", count: 2 * level) + "]"
        case .object(let items):
            if items.isEmpty { out += "{}"; return }
            let inner = "\n" + String(repeating: " ", count: 2 * (level + 1))
            let sorted = items.sorted { Array($0.key.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.key.unicodeScalars.map(\.value)) }
            out += "{"
            for (n, kv) in sorted.enumerated() {
                out += (n == 0 ? "" : ",") + inner + Self.pythonString(kv.key) + ": "
                kv.value.write(into: &out, level: level + 1)
            }
            out += "\n" + String(repeating: " ", count: 2 * level) + "}"
        }
    }

    /// A string as CPython's json writes it with ensure_ascii=True.
    static func pythonString(_ s: String) -> String { JSONString.quoted(s, asciiOnly: true) }
}
