// JinjaValue — a value inside a chat template: what Python objects jinja2 sees when transformers
// renders one (None, bool, int, float, str, list, tuple, dict, Undefined, namespace, macro, function).
// Carries Python's semantics where templates can see them: truthiness, `==` (1 == 1.0 == True),
// `str()` (True, None, ['a', 1], {'k': 'v'}), `repr()` of strings (quote choice and escapes), and
// ordering. Dictionaries keep insertion order (JinjaDict); keys are strings (templates and JSON use no
// others). Strings are indexed and measured in Unicode scalars, as Python's code points.
public enum JinjaValue: Sendable {
    case undefined
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([JinjaValue])
    case tuple([JinjaValue])
    case dict(JinjaDict)
    case namespace(JinjaNamespace)
    case callable(JinjaCallable)

    var isUndefined: Bool { if case .undefined = self { return true }; return false }

    /// Python truthiness.
    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let a), .tuple(let a): return !a.isEmpty
        case .dict(let d): return !d.isEmpty
        case .namespace, .callable: return true
        }
    }

    /// A number as Double (bools count as 0/1, as in Python); nil otherwise.
    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    var typeName: String {
        switch self {
        case .undefined: return "undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .callable: return "function"
        }
    }

    /// Python's `str()`, which `{{ value }}` prints (Undefined prints nothing).
    var str: String {
        switch self {
        case .undefined: return ""
        case .string(let s): return s
        default: return repr
        }
    }

    /// Python's `repr()`.
    var repr: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return JinjaValue.pythonFloat(d)
        case .string(let s): return JinjaValue.pythonRepr(s)
        case .list(let a): return "[" + a.map(\.repr).joined(separator: ", ") + "]"
        case .tuple(let a): return a.count == 1 ? "(" + a[0].repr + ",)" : "(" + a.map(\.repr).joined(separator: ", ") + ")"
        case .dict(let d): return "{" + d.pairs.map { JinjaValue.pythonRepr($0.key) + ": " + $0.value.repr }.joined(separator: ", ") + "}"
        case .namespace(let n): return "<Namespace " + JinjaValue.dict(n.attributes).repr + ">"
        case .callable(let c): return "<function \(c.name)>"
        }
    }

    /// Python's float repr: shortest round-trip digits, exponent outside [1e-4, 1e16).
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let a = abs(d)
        if a >= 1e16 || a < 1e-4 {
            // Swift prints e.g. "1e-05" / "1.5e+16" like Python for these magnitudes.
            return "\(d)"   // Swift and Python agree here: "1e-05", "1.5e+16"
        }
        var s = "\(d)"
        if s.contains("e") {
            // Swift switches to exponent notation earlier than Python; expand the digits.
            s = expandExponent(s)
        }
        if !s.contains(".") { s += ".0" }
        return s
    }

    static func expandExponent(_ s: String) -> String {
        let parts = s.split(separator: "e")
        guard parts.count == 2, let exp = Int(parts[1]) else { return s }
        var mantissa = String(parts[0])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(pieces[0])
        let frac = pieces.count > 1 ? String(pieces[1]) : ""
        var digits = intPart + frac
        var point = intPart.count + exp
        if point <= 0 { digits = String(repeating: "0", count: 1 - point) + digits; point = 1 }
        if point >= digits.count { digits += String(repeating: "0", count: point - digits.count); return (negative ? "-" : "") + digits + ".0" }
        let idx = digits.index(digits.startIndex, offsetBy: point)
        var fracOut = String(digits[idx...])
        while fracOut.hasSuffix("0") && fracOut.count > 1 { fracOut.removeLast() }
        return (negative ? "-" : "") + String(digits[..<idx]) + "." + fracOut
    }

    /// Python's `repr(str)`: single quotes unless the text has ' and no ".
    static func pythonRepr(_ s: String) -> String {
        let quote: Unicode.Scalar = s.unicodeScalars.contains("'") && !s.unicodeScalars.contains("\"") ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for c in s.unicodeScalars {
            switch c {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case quote: out.append("\\"); out.append(c)
            default:
                if c.value < 0x20 || (c.value >= 0x7f && c.value <= 0xa0) || c.value == 0xad {
                    out.append(contentsOf: ("\\x" + hex(c.value, 2)).unicodeScalars)
                } else {
                    out.append(c)
                }
            }
        }
        out.append(quote)
        return String(out)
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    /// Python `==`.
    static func equal(_ a: JinjaValue, _ b: JinjaValue) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case let (.string(x), .string(y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case let (.list(x), .list(y)), let (.tuple(x), .tuple(y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case let (.dict(x), .dict(y)):
            return x.count == y.count && x.pairs.allSatisfy { p in y[p.key].map { equal(p.value, $0) } ?? false }
        case let (.namespace(x), .namespace(y)): return x === y
        default:
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }
}

/// An insertion-ordered string-keyed dictionary (Python 3.7+ dict order, which tojson and items() keep).
public struct JinjaDict: Sendable {
    private(set) var keys: [String] = []
    private var storage: [String: JinjaValue] = [:]

    public init() {}
    public init(_ pairs: [(String, JinjaValue)]) { for (k, v) in pairs { self[k] = v } }

    public subscript(key: String) -> JinjaValue? {
        get { storage[key] }
        set {
            if let v = newValue {
                if storage.updateValue(v, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }
    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    var pairs: [(key: String, value: JinjaValue)] { keys.map { ($0, storage[$0] ?? .none) } }
}

/// `namespace(...)`: the one mutable object templates have (`{% set ns.x = … %}` inside loops).
public final class JinjaNamespace: @unchecked Sendable {
    var attributes: JinjaDict
    init(_ attributes: JinjaDict) { self.attributes = attributes }
}

/// A macro, `caller`, or a built-in function (raise_exception, strftime_now, namespace, range, …).
public struct JinjaCallable: Sendable {
    let name: String
    let kind: Kind
    enum Kind: Sendable {
        case builtin
        case macro(JinjaMacroDefinition, JinjaClosure)
        case caller([JinjaNode], JinjaClosure)
    }
}

/// The scope a macro or caller was defined in (reference: later sets at top level stay visible).
final class JinjaClosure: @unchecked Sendable {
    let scope: JinjaScope
    init(_ scope: JinjaScope) { self.scope = scope }
}
