// JinjaMethods — the Python methods chat templates call on values: str (strip/lstrip/rstrip,
// startswith/endswith, split/rsplit, upper/lower/title/capitalize, replace, format with {} / {0} /
// {name} fields, join, find, count, is*), dict (items, keys, values, get). Semantics are CPython's,
// on Unicode scalars (Python's code points); whitespace is str.isspace(). Mutating methods (append,
// update, …) are refused, as jinja2's ImmutableSandboxedEnvironment refuses them; unknown methods are
// `ChatTemplateError.unsupported`. Returns nil when `obj` has no methods (the caller then calls an attribute).
enum JinjaMethods {
    typealias Scalars = [Unicode.Scalar]

    static func call(_ obj: JinjaValue, _ name: String, args: [JinjaValue], kwargs: [(String, JinjaValue)],
                     line: Int) throws(ChatTemplateError) -> JinjaValue? {
        func arg(_ i: Int, _ key: String) -> JinjaValue? {
            if i < args.count { return args[i] }
            return kwargs.first { $0.0 == key }?.1
        }
        func stringArg(_ i: Int, _ key: String) throws(ChatTemplateError) -> String? {
            switch arg(i, key) {
            case nil, .none?: return nil
            case .string(let s)?: return s
            case let v?: throw .runtime(line: line, message: "\(name)() argument must be str or None, not \(v.typeName)")
            }
        }
        func intArg(_ i: Int, _ key: String, _ dflt: Int) throws(ChatTemplateError) -> Int {
            switch arg(i, key) {
            case nil, .none?: return dflt
            case .int(let n)?: return n
            case let v?: throw .runtime(line: line, message: "\(name)() argument must be int, not \(v.typeName)")
            }
        }
        switch obj {
        case .string(let str):
            let s = Array(str.unicodeScalars)
            switch name {
            case "strip", "lstrip", "rstrip":
                let chars = try stringArg(0, "chars").map { Set($0.unicodeScalars) }
                return .string(string(strip(s, chars, left: name != "rstrip", right: name != "lstrip")))
            case "upper": return .string(str.uppercased())
            case "lower": return .string(str.lowercased())
            case "title": return .string(title(s))
            case "capitalize": return .string(capitalize(s))
            case "startswith", "endswith":
                let candidates: [String]
                switch arg(0, "prefix") {
                case .string(let p)?: candidates = [p]
                case .tuple(let t)?, .list(let t)?: candidates = t.compactMap { if case .string(let x) = $0 { return x }; return nil }
                default: throw .runtime(line: line, message: "\(name)() needs a string or a tuple of strings")
                }
                return .bool(candidates.contains { c in
                    let p = Array(c.unicodeScalars)
                    return name == "startswith" ? s.starts(with: p) : s.reversed().starts(with: p.reversed())
                })
            case "split", "rsplit":
                let sep = try stringArg(0, "sep")
                let maxsplit = try intArg(1, "maxsplit", -1)
                if let sep, sep.isEmpty { throw .runtime(line: line, message: "empty separator") }
                let parts = name == "split" ? split(s, sep.map { Array($0.unicodeScalars) }, maxsplit)
                    : split(s.reversed(), sep.map { Array($0.unicodeScalars.reversed()) }, maxsplit).reversed().map { Array($0.reversed()) }
                return .list(parts.map { .string(string($0)) })
            case "replace":
                guard let old = try stringArg(0, "old"), let new = try stringArg(1, "new") else {
                    throw .runtime(line: line, message: "replace() needs two strings")
                }
                return .string(replace(s, Array(old.unicodeScalars), Array(new.unicodeScalars), try intArg(2, "count", -1)))
            case "find":
                guard let sub = try stringArg(0, "sub") else { throw .runtime(line: line, message: "find() needs a string") }
                return .int(find(s, Array(sub.unicodeScalars), from: 0) ?? -1)
            case "count":
                guard let sub = try stringArg(0, "sub") else { throw .runtime(line: line, message: "count() needs a string") }
                let subs = Array(sub.unicodeScalars)
                if subs.isEmpty { return .int(s.count + 1) }
                var n = 0, i = 0
                while let k = find(s, subs, from: i) { n += 1; i = k + subs.count }
                return .int(n)
            case "join":
                guard let items = arg(0, "iterable") else { throw .runtime(line: line, message: "join() needs an iterable") }
                var parts: [String] = []
                for item in try JinjaFilters.items(items, line: line) {
                    guard case .string(let p) = item else { throw .runtime(line: line, message: "join() expected str items, found \(item.typeName)") }
                    parts.append(p)
                }
                return .string(parts.joined(separator: str))
            case "format":
                return .string(try format(s, args: args, kwargs: kwargs, line: line))
            case "isdigit": return .bool(!s.isEmpty && s.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit })
            case "isalpha": return .bool(!s.isEmpty && s.allSatisfy { $0.properties.isAlphabetic })
            case "isspace": return .bool(!s.isEmpty && s.allSatisfy(isSpace))
            case "islower": return .bool(str.lowercased() == str && str.uppercased() != str)
            case "isupper": return .bool(str.uppercased() == str && str.lowercased() != str)
            default: throw .unsupported(construct: "string method '\(name)'", line: line)
            }
        case .dict(let d):
            switch name {
            case "items": return .list(d.pairs.map { .tuple([.string($0.key), $0.value]) })
            case "keys": return .list(d.keys.map { .string($0) })
            case "values": return .list(d.pairs.map(\.value))
            case "get":
                guard case .string(let k)? = arg(0, "key") else { return arg(1, "default") ?? JinjaValue.none }
                return d[k] ?? arg(1, "default") ?? JinjaValue.none
            default:
                if case .callable? = d[name] { return nil }
                throw .unsupported(construct: "dict method '\(name)'", line: line)
            }
        case .list, .tuple:
            throw .unsupported(construct: "list method '\(name)' (templates cannot change lists)", line: line)
        default:
            return nil
        }
    }

    static func string(_ s: some Sequence<Unicode.Scalar>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s)
        return String(v)
    }

    /// Python str.isspace() for one character.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    static func strip(_ s: Scalars, _ chars: Set<Unicode.Scalar>?, left: Bool, right: Bool) -> ArraySlice<Unicode.Scalar> {
        func drop(_ c: Unicode.Scalar) -> Bool { chars.map { $0.contains(c) } ?? isSpace(c) }
        var a = s.startIndex, b = s.endIndex
        if left { while a < b, drop(s[a]) { a += 1 } }
        if right { while b > a, drop(s[b - 1]) { b -= 1 } }
        return s[a..<b]
    }

    static func find(_ s: Scalars, _ sub: Scalars, from start: Int) -> Int? {
        guard !sub.isEmpty else { return start <= s.count ? start : nil }
        guard sub.count <= s.count else { return nil }
        var i = max(0, start)
        while i + sub.count <= s.count {
            if s[i] == sub[0] && s[i..<(i + sub.count)].elementsEqual(sub) { return i }
            i += 1
        }
        return nil
    }

    /// Python str.split(sep=None, maxsplit=-1) (left to right).
    static func split(_ s: Scalars, _ sep: Scalars?, _ maxsplit: Int) -> [Scalars] {
        var out: [Scalars] = []
        if let sep {
            var i = 0
            while maxsplit < 0 || out.count < maxsplit, let k = find(s, sep, from: i) {
                out.append(Array(s[i..<k])); i = k + sep.count
            }
            out.append(Array(s[i...]))
            return out
        }
        var i = 0
        while true {
            while i < s.count, isSpace(s[i]) { i += 1 }
            if i == s.count { break }
            if maxsplit >= 0 && out.count == maxsplit {
                var end = s.count
                while end > i, isSpace(s[end - 1]) { end -= 1 }
                out.append(Array(s[i..<end])); break
            }
            var j = i
            while j < s.count, !isSpace(s[j]) { j += 1 }
            out.append(Array(s[i..<j])); i = j
        }
        return out
    }

    static func replace(_ s: Scalars, _ old: Scalars, _ new: Scalars, _ count: Int) -> String {
        var out: Scalars = []
        var n = 0
        if old.isEmpty {
            for c in s { if count < 0 || n < count { out += new; n += 1 }; out.append(c) }
            if count < 0 || n < count { out += new }
            return string(out)
        }
        var i = 0
        while count < 0 || n < count, let k = find(s, old, from: i) {
            out += s[i..<k]; out += new; i = k + old.count; n += 1
        }
        out += s[i...]
        return string(out)
    }

    static func isCased(_ c: Unicode.Scalar) -> Bool { c.properties.isLowercase || c.properties.isUppercase || c.properties.changesWhenCaseMapped }

    /// Python str.title(): a cased character after an uncased one starts a word.
    static func title(_ s: Scalars) -> String {
        var out = ""
        var previousCased = false
        for c in s {
            let ch = String(c)
            out += previousCased ? ch.lowercased() : (c.properties.titlecaseMapping)
            previousCased = isCased(c)
        }
        return out
    }

    static func capitalize(_ s: Scalars) -> String {
        guard let first = s.first else { return "" }
        return first.properties.titlecaseMapping + string(s.dropFirst()).lowercased()   // Python 3.8+: titlecase
    }

    /// str.format with plain fields: {} {0} {name} and {{ }}; format specs and conversions are refused.
    static func format(_ s: Scalars, args: [JinjaValue], kwargs: [(String, JinjaValue)], line: Int) throws(ChatTemplateError) -> String {
        var out = ""
        var i = 0, auto = 0
        while i < s.count {
            let c = s[i]
            if c == "{" {
                if i + 1 < s.count && s[i + 1] == "{" { out += "{"; i += 2; continue }
                guard let close = s[i...].firstIndex(of: "}") else { throw .runtime(line: line, message: "single '{' in a format string") }
                let field = string(s[(i + 1)..<close])
                if field.contains(":") || field.contains("!") || field.contains(".") || field.contains("[") {
                    throw .unsupported(construct: "format field {\(field)}", line: line)
                }
                let value: JinjaValue?
                if field.isEmpty { value = auto < args.count ? args[auto] : nil; auto += 1 }
                else if let n = Int(field) { value = n >= 0 && n < args.count ? args[n] : nil }
                else { value = kwargs.first { $0.0 == field }?.1 }
                guard let value else { throw .runtime(line: line, message: "format(): no value for field {\(field)}") }
                out += value.str
                i = close + 1
                continue
            }
            if c == "}" {
                guard i + 1 < s.count && s[i + 1] == "}" else { throw .runtime(line: line, message: "single '}' in a format string") }
                out += "}"; i += 2; continue
            }
            out.unicodeScalars.append(c); i += 1
        }
        return out
    }
}
