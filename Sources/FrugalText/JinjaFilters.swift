// JinjaFilters — the `|filter` functions chat templates use, with jinja2's semantics (jinja2/filters.py):
// trim, tojson (transformers' version: json.dumps(ensure_ascii=False, indent=…), see JinjaJSON),
// length/count, upper, lower, title, capitalize, default/d, join, first, last, list, string, int,
// float, abs, replace, reverse, select/reject, selectattr/rejectattr (with any JinjaTests test),
// map (attribute=… or a filter name), items, safe, escape/e. `names` is the whole set: the parser
// refuses any other filter by name, as jinja2 does when it compiles a template.
enum JinjaFilters {
    static let names: Set<String> = ["trim", "tojson", "length", "count", "upper", "lower", "title", "capitalize",
                                     "default", "d", "join", "first", "last", "list", "string", "int", "float", "abs",
                                     "replace", "reverse", "select", "reject", "selectattr", "rejectattr", "map",
                                     "items", "safe", "escape", "e"]

    static func apply(_ name: String, _ v: JinjaValue, args: [JinjaValue], kwargs: [(String, JinjaValue)],
                      line: Int) throws(ChatTemplateError) -> JinjaValue {
        func arg(_ i: Int, _ key: String) -> JinjaValue? {
            if i < args.count { return args[i] }
            return kwargs.first { $0.0 == key }?.1
        }
        switch name {
        case "trim":
            let chars: Set<Unicode.Scalar>? = { if case .string(let c)? = arg(0, "chars") { return Set(c.unicodeScalars) }; return nil }()
            return .string(JinjaMethods.string(JinjaMethods.strip(Array(v.str.unicodeScalars), chars, left: true, right: true)))
        case "tojson":
            var indent: Int? = nil
            switch arg(0, "indent") {
            case nil, .none?: break
            case .int(let n)?: indent = n
            default: throw .unsupported(construct: "tojson with a non-integer indent", line: line)
            }
            let ensureASCII = arg(1, "ensure_ascii")?.truthy ?? false
            var separators: (String, String)? = nil
            if let sep = arg(2, "separators"), case .tuple(let parts) = sep, parts.count == 2 {
                separators = (parts[0].str, parts[1].str)
            } else if let sep = arg(2, "separators"), case .list(let parts) = sep, parts.count == 2 {
                separators = (parts[0].str, parts[1].str)
            }
            let sortKeys = arg(3, "sort_keys")?.truthy ?? false
            return .string(try JinjaJSON.dumps(v, indent: indent, ensureASCII: ensureASCII, separators: separators,
                                               sortKeys: sortKeys, line: line))
        case "length", "count":
            switch v {
            case .string(let s): return .int(s.unicodeScalars.count)
            case .list(let a), .tuple(let a): return .int(a.count)
            case .dict(let d): return .int(d.count)
            case .undefined: return .int(0)
            default: throw .runtime(line: line, message: "object of type '\(v.typeName)' has no len()")
            }
        case "upper": return .string(v.str.uppercased())
        case "lower": return .string(v.str.lowercased())
        case "title": return .string(JinjaMethods.title(Array(v.str.unicodeScalars)))
        case "capitalize": return .string(JinjaMethods.capitalize(Array(v.str.unicodeScalars)))
        case "default", "d":
            let fallback = arg(0, "default_value") ?? .string("")
            let boolean = arg(1, "boolean")?.truthy ?? false
            if v.isUndefined || (boolean && !v.truthy) { return fallback }
            return v
        case "join":
            let sep = arg(0, "d")?.str ?? ""
            var parts: [String] = []
            for item in try items(v, line: line) {
                if case .string(let attr)? = arg(1, "attribute") { parts.append(try lookup(item, attr, line: line).str) }
                else { parts.append(item.str) }
            }
            return .string(parts.joined(separator: sep))
        case "first":
            return try items(v, line: line).first ?? .undefined
        case "last":
            if case .dict = v { throw .runtime(line: line, message: "'dict' object is not reversible") }
            return try items(v, line: line).last ?? .undefined
        case "list":
            return .list(try items(v, line: line))
        case "string", "safe":
            return name == "safe" && !v.isUndefined ? v : .string(v.str)
        case "escape", "e":
            var out = ""
            for c in v.str.unicodeScalars {
                switch c {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&#34;"
                case "'": out += "&#39;"
                default: out.unicodeScalars.append(c)
                }
            }
            return .string(out)
        case "int":
            let fallback = arg(0, "default") ?? .int(0)
            switch v {
            case .int: return v
            case .bool(let b): return .int(b ? 1 : 0)
            case .double(let d): return d.isFinite && abs(d) < 9.2e18 ? .int(Int(d)) : fallback
            case .string(let s):
                let t = JinjaMethods.string(JinjaMethods.strip(Array(s.unicodeScalars), nil, left: true, right: true)).replacingUnderscores
                if let n = Int(t) { return .int(n) }
                if let d = Double(t), d.isFinite, abs(d) < 9.2e18 { return .int(Int(d)) }
                return fallback
            default: return fallback
            }
        case "float":
            let fallback = arg(0, "default") ?? .double(0)
            switch v {
            case .int(let i): return .double(Double(i))
            case .bool(let b): return .double(b ? 1 : 0)
            case .double: return v
            case .string(let s):
                let t = JinjaMethods.string(JinjaMethods.strip(Array(s.unicodeScalars), nil, left: true, right: true))
                return Double(t).map { .double($0) } ?? fallback
            default: return fallback
            }
        case "abs":
            switch v {
            case .int(let i): guard i != Int.min else { throw .runtime(line: line, message: "integer overflow in abs") }; return .int(abs(i))
            case .double(let d): return .double(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            default: throw .runtime(line: line, message: "bad operand type for abs(): '\(v.typeName)'")
            }
        case "replace":
            guard let old = arg(0, "old"), let new = arg(1, "new") else { throw .runtime(line: line, message: "replace needs two arguments") }
            var count = -1
            if case .int(let n)? = arg(2, "count") { count = n }
            return .string(JinjaMethods.replace(Array(v.str.unicodeScalars), Array(old.str.unicodeScalars), Array(new.str.unicodeScalars), count))
        case "reverse":
            if case .string(let s) = v { return .string(JinjaMethods.string(s.unicodeScalars.reversed())) }
            return .list(try items(v, line: line).reversed())
        case "select", "reject", "selectattr", "rejectattr":
            let byAttribute = name.hasSuffix("attr")
            var rest = args
            var attribute: String? = nil
            if byAttribute {
                guard case .string(let a)? = rest.first else { throw .runtime(line: line, message: "\(name) needs an attribute name") }
                attribute = a
                rest.removeFirst()
            }
            var test: String? = nil
            if !rest.isEmpty {
                guard case .string(let t) = rest.removeFirst() else { throw .runtime(line: line, message: "\(name) needs a test name") }
                guard JinjaTests.names.contains(t) else { throw .unsupported(construct: "test '\(t)'", line: line) }
                test = t
            }
            let keep = name == "select" || name == "selectattr"
            var out: [JinjaValue] = []
            for item in try items(v, line: line) {
                let subject = try attribute.map { (a) throws(ChatTemplateError) in try lookup(item, a, line: line) } ?? item
                let passed = try test.map { (t) throws(ChatTemplateError) in try JinjaTests.apply(t, subject, args: rest, line: line) } ?? subject.truthy
                if passed == keep { out.append(item) }
            }
            return .list(out)
        case "map":
            if case .string(let attr)? = kwargs.first(where: { $0.0 == "attribute" })?.1 {
                let dflt = kwargs.first { $0.0 == "default" }?.1
                return .list(try items(v, line: line).map { (item) throws(ChatTemplateError) in
                    let r = try lookup(item, attr, line: line)
                    return r.isUndefined ? (dflt ?? r) : r
                })
            }
            guard case .string(let filter)? = args.first else { throw .runtime(line: line, message: "map needs attribute= or a filter name") }
            guard names.contains(filter) else { throw .unsupported(construct: "filter '\(filter)'", line: line) }
            let rest = Array(args.dropFirst())
            return .list(try items(v, line: line).map { (item) throws(ChatTemplateError) in
                try apply(filter, item, args: rest, kwargs: [], line: line)
            })
        case "items":
            switch v {
            case .dict(let d): return .list(d.pairs.map { .tuple([.string($0.key), $0.value]) })
            case .undefined: return .list([])
            default: throw .runtime(line: line, message: "can only get item pairs from a mapping, not \(v.typeName)")
            }
        default:
            throw .unsupported(construct: "filter '\(name)'", line: line)
        }
    }

    /// What a filter iterates: list/tuple items, dict keys, string characters; Undefined is empty.
    static func items(_ v: JinjaValue, line: Int) throws(ChatTemplateError) -> [JinjaValue] {
        switch v {
        case .list(let a), .tuple(let a): return a
        case .dict(let d): return d.keys.map { .string($0) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default: throw .runtime(line: line, message: "'\(v.typeName)' object is not iterable")
        }
    }

    /// jinja2's attribute getter for filters: "a.b" walks dict keys (and integer indices); missing is Undefined.
    static func lookup(_ item: JinjaValue, _ path: String, line: Int) throws(ChatTemplateError) -> JinjaValue {
        var cur = item
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            switch cur {
            case .dict(let d): cur = d[String(part)] ?? .undefined
            case .namespace(let ns): cur = ns.attributes[String(part)] ?? .undefined
            case .list(let a), .tuple(let a):
                if let i = Int(part), i >= 0, i < a.count { cur = a[i] } else { cur = .undefined }
            case .undefined: throw .runtime(line: line, message: "attribute '\(path)' of an undefined value")
            default: cur = .undefined
            }
        }
        return cur
    }
}

private extension String {
    /// Python's int() accepts "1_000".
    var replacingUnderscores: String { contains("_") ? split(separator: "_").joined() : self }
}
