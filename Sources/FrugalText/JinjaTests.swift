// JinjaTests — the `is` tests chat templates use, with jinja2's semantics (jinja2/tests.py): defined,
// undefined, none, string, mapping, iterable, sequence, number, integer, float, boolean, true, false,
// callable, odd, even, divisibleby, equalto/eq/==, ne/!=, lt/<, le/<=, gt/>, ge/>=, in, sameas, lower,
// upper. Note Python's quirks kept here: an Undefined is iterable and a sequence (it has __iter__ and
// __len__), strings and dicts are sequences, `true is number`. Others are refused by the parser.
enum JinjaTests {
    static let names: Set<String> = ["defined", "undefined", "none", "string", "mapping", "iterable", "sequence",
                                      "number", "integer", "float", "boolean", "true", "false", "callable", "odd",
                                      "even", "divisibleby", "equalto", "eq", "==", "ne", "!=", "lt", "<", "le", "<=",
                                      "gt", ">", "ge", ">=", "in", "sameas", "lower", "upper"]

    static func apply(_ name: String, _ v: JinjaValue, args: [JinjaValue], line: Int) throws(ChatTemplateError) -> Bool {
        func other() throws(ChatTemplateError) -> JinjaValue {
            guard let a = args.first else { throw .runtime(line: line, message: "test '\(name)' needs an argument") }
            return a
        }
        switch name {
        case "defined": return !v.isUndefined
        case "undefined": return v.isUndefined
        case "none": if case .none = v { return true }; return false
        case "string": if case .string = v { return true }; return false
        case "mapping": if case .dict = v { return true }; return false
        case "iterable", "sequence":
            switch v {
            case .string, .list, .tuple, .dict, .undefined: return true
            default: return false
            }
        case "number": return v.number != nil
        case "integer": if case .int = v { return true }; return false
        case "float": if case .double = v { return true }; return false
        case "boolean": if case .bool = v { return true }; return false
        case "true": if case .bool(true) = v { return true }; return false
        case "false": if case .bool(false) = v { return true }; return false
        case "callable": if case .callable = v { return true }; return false
        case "odd", "even", "divisibleby":
            guard case .int(let i) = v else { throw .runtime(line: line, message: "test '\(name)' needs an integer, not \(v.typeName)") }
            if name == "odd" { return i % 2 != 0 }
            if name == "even" { return i % 2 == 0 }
            guard case .int(let d) = try other(), d != 0 else { throw .runtime(line: line, message: "divisibleby needs a non-zero integer") }
            return i % d == 0
        case "equalto", "eq", "==": return JinjaValue.equal(v, try other())
        case "ne", "!=": return !JinjaValue.equal(v, try other())
        case "lt", "<": return try JinjaOperators.compare("<", v, try other(), line: line)
        case "le", "<=": return try JinjaOperators.compare("<=", v, try other(), line: line)
        case "gt", ">": return try JinjaOperators.compare(">", v, try other(), line: line)
        case "ge", ">=": return try JinjaOperators.compare(">=", v, try other(), line: line)
        case "in": return try JinjaOperators.contains(try other(), v, line: line)
        case "sameas":
            let o = try other()
            switch (v, o) {
            case (.none, .none), (.undefined, .undefined): return true
            case let (.bool(a), .bool(b)): return a == b
            case let (.namespace(a), .namespace(b)): return a === b
            default: return false
            }
        case "lower": return v.str.lowercased() == v.str && v.str.uppercased() != v.str
        case "upper": return v.str.uppercased() == v.str && v.str.lowercased() != v.str
        default: throw .unsupported(construct: "test '\(name)'", line: line)
        }
    }
}
