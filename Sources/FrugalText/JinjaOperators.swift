// JinjaOperators — Python's arithmetic and comparison operators on JinjaValue, as jinja2 evaluates
// them: + (numbers, str + str, list + list), - * / // % ** (// and % floor toward -inf, / is always
// float, str * int repeats), ~ (str() of both sides), == != < <= > >= (numbers, strings by code point,
// lists element-wise), in / not in (substring, element, dict key). Anything Python would refuse
// (TypeError, ZeroDivisionError) is a ChatTemplateError.runtime; Int overflow is an error, not a trap.
import Foundation

enum JinjaOperators {
    static let maxRepeatScalars = 1 << 24

    static func binary(_ op: String, _ a: JinjaValue, _ b: JinjaValue, line: Int) throws(ChatTemplateError) -> JinjaValue {
        func fail() -> ChatTemplateError {
            if a.isUndefined || b.isUndefined { return .runtime(line: line, message: "'\(op)' on an undefined value (jinja2 UndefinedError)") }
            return .runtime(line: line, message: "unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
        }
        func overflow() -> ChatTemplateError { .runtime(line: line, message: "integer overflow in '\(op)'") }
        if op == "~" { return .string(a.str + b.str) }
        // Integers (bools count as ints, as in Python).
        func int(_ v: JinjaValue) -> Int? {
            switch v { case .int(let i): return i; case .bool(let x): return x ? 1 : 0; default: return nil }
        }
        switch op {
        case "+":
            switch (a, b) {
            case let (.string(x), .string(y)): return .string(x + y)
            case let (.list(x), .list(y)): return .list(x + y)
            case let (.tuple(x), .tuple(y)): return .tuple(x + y)
            default: break
            }
            if let x = int(a), let y = int(b) { let (r, o) = x.addingReportingOverflow(y); if o { throw overflow() }; return .int(r) }
            if let x = a.number, let y = b.number { return .double(x + y) }
            throw fail()
        case "-":
            if let x = int(a), let y = int(b) { let (r, o) = x.subtractingReportingOverflow(y); if o { throw overflow() }; return .int(r) }
            if let x = a.number, let y = b.number { return .double(x - y) }
            throw fail()
        case "*":
            if let x = int(a), let y = int(b) { let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow() }; return .int(r) }
            if let x = a.number, let y = b.number { return .double(x * y) }
            func repeated<T>(_ items: [T], _ n: Int) throws(ChatTemplateError) -> [T] {
                guard n > 0 else { return [] }
                guard items.count.multipliedReportingOverflow(by: n).partialValue <= maxRepeatScalars,
                      !items.count.multipliedReportingOverflow(by: n).overflow else {
                    throw .runtime(line: line, message: "'*' would build a value longer than \(maxRepeatScalars)")
                }
                var out: [T] = []
                for _ in 0..<n { out += items }
                return out
            }
            switch (a, b) {
            case let (.string(s), _) where int(b) != nil: return .string(String(String.UnicodeScalarView(try repeated(Array(s.unicodeScalars), int(b) ?? 0))))
            case let (_, .string(s)) where int(a) != nil: return .string(String(String.UnicodeScalarView(try repeated(Array(s.unicodeScalars), int(a) ?? 0))))
            case let (.list(x), _) where int(b) != nil: return .list(try repeated(x, int(b) ?? 0))
            case let (_, .list(x)) where int(a) != nil: return .list(try repeated(x, int(a) ?? 0))
            default: throw fail()
            }
        case "/":
            guard let x = a.number, let y = b.number else { throw fail() }
            guard y != 0 else { throw .runtime(line: line, message: "division by zero") }
            return .double(x / y)
        case "//":
            if let x = int(a), let y = int(b) {
                guard y != 0 else { throw .runtime(line: line, message: "integer division by zero") }
                if x == Int.min && y == -1 { throw overflow() }
                var q = x / y
                if (x % y != 0) && ((x < 0) != (y < 0)) { q -= 1 }
                return .int(q)
            }
            guard let x = a.number, let y = b.number else { throw fail() }
            guard y != 0 else { throw .runtime(line: line, message: "float floor division by zero") }
            return .double((x / y).rounded(.down))
        case "%":
            if case .string = a { throw .unsupported(construct: "'%' string formatting", line: line) }
            if let x = int(a), let y = int(b) {
                guard y != 0 else { throw .runtime(line: line, message: "integer modulo by zero") }
                if y == -1 { return .int(0) }
                var r = x % y
                if r != 0 && ((r < 0) != (y < 0)) { r += y }
                return .int(r)
            }
            guard let x = a.number, let y = b.number else { throw fail() }
            guard y != 0 else { throw .runtime(line: line, message: "float modulo by zero") }
            var r = fmod(x, y)
            if r != 0 && ((r < 0) != (y < 0)) { r += y }
            return .double(r)
        case "**":
            if let x = int(a), let y = int(b), y >= 0 {
                var result = 1
                var base = x, e = y
                while e > 0 {
                    if e & 1 == 1 { let (r, o) = result.multipliedReportingOverflow(by: base); if o { throw overflow() }; result = r }
                    e >>= 1
                    if e > 0 { let (bb, o) = base.multipliedReportingOverflow(by: base); if o { throw overflow() }; base = bb }
                }
                return .int(result)
            }
            guard let x = a.number, let y = b.number else { throw fail() }
            return .double(pow(x, y))
        default:
            throw .unsupported(construct: "operator '\(op)'", line: line)
        }
    }

    /// Python ordering: <0, 0, >0, or nil when the types do not compare.
    static func order(_ a: JinjaValue, _ b: JinjaValue) -> Int? {
        switch (a, b) {
        case let (.string(x), .string(y)):
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars, by: { $0.value < $1.value }) ? -1
                : (x.unicodeScalars.elementsEqual(y.unicodeScalars) ? 0 : 1)
        case let (.list(x), .list(y)), let (.tuple(x), .tuple(y)):
            for (p, q) in zip(x, y) where !JinjaValue.equal(p, q) { return order(p, q) }
            return x.count < y.count ? -1 : (x.count == y.count ? 0 : 1)
        default:
            guard let x = a.number, let y = b.number, !x.isNaN, !y.isNaN else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        }
    }

    static func compare(_ op: String, _ a: JinjaValue, _ b: JinjaValue, line: Int) throws(ChatTemplateError) -> Bool {
        switch op {
        case "==": return JinjaValue.equal(a, b)
        case "!=": return !JinjaValue.equal(a, b)
        case "in": return try contains(b, a, line: line)
        case "notin": return !(try contains(b, a, line: line))
        default:
            guard let o = order(a, b) else {
                throw .runtime(line: line, message: "'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
            }
            switch op {
            case "<": return o < 0
            case "<=": return o <= 0
            case ">": return o > 0
            default: return o >= 0
            }
        }
    }

    /// Python `needle in haystack`.
    static func contains(_ haystack: JinjaValue, _ needle: JinjaValue, line: Int) throws(ChatTemplateError) -> Bool {
        switch haystack {
        case .string(let s):
            guard case .string(let n) = needle else {
                throw .runtime(line: line, message: "'in <string>' requires string as left operand, not \(needle.typeName)")
            }
            return n.isEmpty || JinjaMethods.find(Array(s.unicodeScalars), Array(n.unicodeScalars), from: 0) != nil
        case .list(let a), .tuple(let a): return a.contains { JinjaValue.equal($0, needle) }
        case .dict(let d):
            guard case .string(let k) = needle else { return false }
            return d[k] != nil
        case .undefined: return false
        default: throw .runtime(line: line, message: "argument of type '\(haystack.typeName)' is not iterable")
        }
    }
}
