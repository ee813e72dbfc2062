// JinjaParser — JinjaLexer tokens → JinjaNode tree, by recursive descent with jinja2's grammar and
// operator precedence (jinja2/parser.py): conditional `a if c else b` < or < and < not < comparisons
// (chained; in, not in) < + - < ~ < * / // % < ** < unary - + < postfix (.attr, [sub], [a:b:c], call)
// and then filters `|f(args)` and tests `is [not] t args`, left to right.
// Statements: if/elif/else, for (tuple targets, `if` filter, else), set (name, tuple, `ns.attr`, block),
// macro, call, break/continue (loopcontrols), generation (transformers' assistant-mask tag; rendered
// as its body). Unknown filters and tests are refused here, as jinja2 does when it compiles the template;
// statements outside the subset (include, import, extends, block, raw, filter, with, do, …) are
// refused by name with their line (`ChatTemplateError.unsupported`).
struct JinjaParser {
    var tokens: [JinjaToken]
    var pos = 0

    static func parse(_ template: String) throws(ChatTemplateError) -> [JinjaNode] {
        var p = JinjaParser(tokens: try JinjaLexer.tokenize(template))
        let (nodes, end) = try p.parseBody(until: [])
        if let end { throw .syntax(line: end.line, message: "unexpected {% \(end.name) %}") }
        return nodes
    }

    // MARK: token helpers

    var current: JinjaToken? { pos < tokens.count ? tokens[pos] : nil }
    var line: Int { current?.line ?? tokens.last?.line ?? 1 }

    func isOp(_ op: String) -> Bool { if case .op(op)? = current?.kind { return true }; return false }
    func isName(_ n: String) -> Bool { if case .name(n)? = current?.kind { return true }; return false }
    mutating func skipOp(_ op: String) -> Bool { if isOp(op) { pos += 1; return true }; return false }
    mutating func skipName(_ n: String) -> Bool { if isName(n) { pos += 1; return true }; return false }

    mutating func expectOp(_ op: String) throws(ChatTemplateError) {
        guard skipOp(op) else { throw .syntax(line: line, message: "expected '\(op)', found \(describe(current))") }
    }
    mutating func expectName() throws(ChatTemplateError) -> String {
        guard case .name(let n)? = current?.kind else { throw .syntax(line: line, message: "expected a name, found \(describe(current))") }
        pos += 1
        return n
    }
    mutating func expectBlockEnd() throws(ChatTemplateError) {
        guard case .blockEnd? = current?.kind else { throw .syntax(line: line, message: "expected %}, found \(describe(current))") }
        pos += 1
    }

    func describe(_ t: JinjaToken?) -> String {
        switch t?.kind {
        case nil: return "the end of the template"
        case .text?: return "text"
        case .blockBegin?: return "{%"
        case .blockEnd?: return "%}"
        case .variableBegin?: return "{{"
        case .variableEnd?: return "}}"
        case .name(let n)?: return "'\(n)'"
        case .string(let s)?: return "string \(s.debugDescription)"
        case .integer(let n)?: return "\(n)"
        case .float(let d)?: return "\(d)"
        case .op(let o)?: return "'\(o)'"
        }
    }

    // MARK: statements

    /// Parses nodes until a `{% name %}` with name in `until` (consumed up to the name), or the end.
    mutating func parseBody(until: Set<String>) throws(ChatTemplateError) -> ([JinjaNode], (name: String, line: Int)?) {
        var nodes: [JinjaNode] = []
        while let t = current {
            switch t.kind {
            case .text(let s):
                nodes.append(.text(s)); pos += 1
            case .variableBegin:
                pos += 1
                let e = try parseExpression()
                guard case .variableEnd? = current?.kind else { throw .syntax(line: line, message: "expected }}, found \(describe(current))") }
                pos += 1
                nodes.append(.output(e))
            case .blockBegin:
                pos += 1
                let tagLine = line
                let name = try expectName()
                if until.contains(name) { return (nodes, (name, tagLine)) }
                nodes.append(try parseStatement(name, line: tagLine))
            default:
                throw .syntax(line: t.line, message: "unexpected \(describe(t))")
            }
        }
        if !until.isEmpty {
            let names = until.sorted().map { "{% \($0) %}" }.joined(separator: " or ")
            throw .syntax(line: line, message: "the template ends before \(names)")
        }
        return (nodes, nil)
    }

    mutating func parseStatement(_ name: String, line tagLine: Int) throws(ChatTemplateError) -> JinjaNode {
        switch name {
        case "if":
            var branches: [(JinjaExpr, [JinjaNode])] = []
            var condition = try parseExpression()
            try expectBlockEnd()
            while true {
                let (body, end) = try parseBody(until: ["elif", "else", "endif"])
                branches.append((condition, body))
                switch end?.name {
                case "elif":
                    condition = try parseExpression(); try expectBlockEnd()
                case "else":
                    try expectBlockEnd()
                    let (otherwise, _) = try parseBody(until: ["endif"])
                    try expectBlockEnd()
                    return .ifBlock(branches: branches, otherwise: otherwise)
                default:
                    try expectBlockEnd()
                    return .ifBlock(branches: branches, otherwise: [])
                }
            }
        case "for":
            var targets = [try expectName()]
            while skipOp(",") { targets.append(try expectName()) }
            guard skipName("in") else { throw .syntax(line: line, message: "expected 'in' in the for loop") }
            let iterable = try parseConditionalFree()
            var condition: JinjaExpr? = nil
            if skipName("if") { condition = try parseConditionalFree() }
            if isName("recursive") { throw .unsupported(construct: "recursive for loop", line: tagLine) }
            try expectBlockEnd()
            let (body, end) = try parseBody(until: ["else", "endfor"])
            var otherwise: [JinjaNode] = []
            try expectBlockEnd()
            if end?.name == "else" {
                (otherwise, _) = try parseBody(until: ["endfor"])
                try expectBlockEnd()
            }
            return .forLoop(targets: targets, iterable: iterable, condition: condition, body: body, otherwise: otherwise, line: tagLine)
        case "set":
            let target = try expectName()
            if skipOp(".") {
                let attribute = try expectName()
                try expectOp("=")
                let value = try parseTupleOrExpression()
                try expectBlockEnd()
                return .set(target: target, attribute: attribute, value: value, line: tagLine)
            }
            if isOp(",") {
                var targets = [target]
                while skipOp(",") { targets.append(try expectName()) }
                try expectOp("=")
                let value = try parseTupleOrExpression()
                try expectBlockEnd()
                return .setTuple(targets: targets, value: value, line: tagLine)
            }
            if skipOp("=") {
                let value = try parseTupleOrExpression()
                try expectBlockEnd()
                return .set(target: target, attribute: nil, value: value, line: tagLine)
            }
            if isOp("|") { throw .unsupported(construct: "filtered set block", line: tagLine) }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endset"])
            try expectBlockEnd()
            return .setBlock(target: target, body: body)
        case "macro":
            let macroName = try expectName()
            let parameters = try parseParameters()
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endmacro"])
            try expectBlockEnd()
            return .macro(JinjaMacroDefinition(name: macroName, parameters: parameters, body: body, line: tagLine))
        case "call":
            if isOp("(") { throw .unsupported(construct: "call block with caller parameters", line: tagLine) }
            let call = try parseExpression()
            guard case .call = call else { throw .syntax(line: tagLine, message: "{% call %} needs a macro call") }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endcall"])
            try expectBlockEnd()
            return .callBlock(call: call, body: body, line: tagLine)
        case "break":
            try expectBlockEnd(); return .breakLoop(line: tagLine)
        case "continue":
            try expectBlockEnd(); return .continueLoop(line: tagLine)
        case "generation":
            // transformers' AssistantTracker tag: marks assistant text for masks; renders its body.
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endgeneration"])
            try expectBlockEnd()
            return .ifBlock(branches: [(.literal(.bool(true), line: tagLine), body)], otherwise: [])
        default:
            throw .unsupported(construct: "{% \(name) %}", line: tagLine)
        }
    }

    mutating func parseParameters() throws(ChatTemplateError) -> [(String, JinjaExpr?)] {
        try expectOp("(")
        var out: [(String, JinjaExpr?)] = []
        while !skipOp(")") {
            if !out.isEmpty { try expectOp(",") }
            if skipOp(")") { break }
            let n = try expectName()
            out.append((n, skipOp("=") ? try parseExpression() : nil))
        }
        return out
    }

    // MARK: expressions

    /// `a, b` (a tuple without parentheses) or one expression, as in `{% set x = 1, 2 %}`.
    mutating func parseTupleOrExpression() throws(ChatTemplateError) -> JinjaExpr {
        let first = try parseExpression()
        guard isOp(",") else { return first }
        var items = [first]
        while skipOp(",") {
            if case .blockEnd? = current?.kind { break }
            items.append(try parseExpression())
        }
        return .tuple(items, line: first.line)
    }

    mutating func parseExpression() throws(ChatTemplateError) -> JinjaExpr {
        let l = line
        let value = try parseOr()
        if skipName("if") {
            let condition = try parseOr()
            let otherwise: JinjaExpr? = skipName("else") ? try parseExpression() : nil
            return .conditional(value, condition: condition, otherwise: otherwise, line: l)
        }
        return value
    }

    /// An expression without a trailing `if` (for-loop iterables and filters).
    mutating func parseConditionalFree() throws(ChatTemplateError) -> JinjaExpr { try parseOr() }

    mutating func parseOr() throws(ChatTemplateError) -> JinjaExpr {
        var left = try parseAnd()
        while isName("or") { let l = line; pos += 1; left = .binary("or", left, try parseAnd(), line: l) }
        return left
    }

    mutating func parseAnd() throws(ChatTemplateError) -> JinjaExpr {
        var left = try parseNot()
        while isName("and") { let l = line; pos += 1; left = .binary("and", left, try parseNot(), line: l) }
        return left
    }

    mutating func parseNot() throws(ChatTemplateError) -> JinjaExpr {
        if isName("not") { let l = line; pos += 1; return .unary("not", try parseNot(), line: l) }
        return try parseCompare()
    }

    mutating func parseCompare() throws(ChatTemplateError) -> JinjaExpr {
        let l = line
        let left = try parseMath1()
        var ops: [(String, JinjaExpr)] = []
        while true {
            if case .op(let o)? = current?.kind, ["==", "!=", "<", "<=", ">", ">="].contains(o) {
                pos += 1; ops.append((o, try parseMath1()))
            } else if isName("in") {
                pos += 1; ops.append(("in", try parseMath1()))
            } else if isName("not"), pos + 1 < tokens.count, case .name("in") = tokens[pos + 1].kind {
                pos += 2; ops.append(("notin", try parseMath1()))
            } else { break }
        }
        return ops.isEmpty ? left : .compare(left, ops, line: l)
    }

    mutating func parseMath1() throws(ChatTemplateError) -> JinjaExpr {
        var left = try parseConcat()
        while case .op(let o)? = current?.kind, o == "+" || o == "-" {
            let l = line; pos += 1
            left = .binary(o, left, try parseConcat(), line: l)
        }
        return left
    }

    mutating func parseConcat() throws(ChatTemplateError) -> JinjaExpr {
        var left = try parseMath2()
        while isOp("~") { let l = line; pos += 1; left = .binary("~", left, try parseMath2(), line: l) }
        return left
    }

    mutating func parseMath2() throws(ChatTemplateError) -> JinjaExpr {
        var left = try parsePow()
        while case .op(let o)? = current?.kind, ["*", "/", "//", "%"].contains(o) {
            let l = line; pos += 1
            left = .binary(o, left, try parsePow(), line: l)
        }
        return left
    }

    mutating func parsePow() throws(ChatTemplateError) -> JinjaExpr {
        var left = try parseUnary(withFilter: true)
        while isOp("**") { let l = line; pos += 1; left = .binary("**", left, try parseUnary(withFilter: true), line: l) }
        return left
    }

    mutating func parseUnary(withFilter: Bool) throws(ChatTemplateError) -> JinjaExpr {
        let l = line
        var node: JinjaExpr
        if skipOp("-") { node = .unary("-", try parseUnary(withFilter: false), line: l) }
        else if skipOp("+") { node = .unary("+", try parseUnary(withFilter: false), line: l) }
        else { node = try parsePostfix(try parsePrimary()) }
        if withFilter { node = try parseFilterExpression(node) }
        return node
    }

    mutating func parsePrimary() throws(ChatTemplateError) -> JinjaExpr {
        let l = line
        guard let t = current else { throw .syntax(line: l, message: "expected an expression, found the end of the template") }
        switch t.kind {
        case .name(let n):
            pos += 1
            switch n {
            case "true", "True": return .literal(.bool(true), line: l)
            case "false", "False": return .literal(.bool(false), line: l)
            case "none", "None": return .literal(.none, line: l)
            default: return .name(n, line: l)
            }
        case .string(var s):
            pos += 1
            while case .string(let more)? = current?.kind { s += more; pos += 1 }   // adjacent literals join
            return .literal(.string(s), line: l)
        case .integer(let n): pos += 1; return .literal(.int(n), line: l)
        case .float(let d): pos += 1; return .literal(.double(d), line: l)
        case .op("("):
            pos += 1
            if skipOp(")") { return .tuple([], line: l) }
            let first = try parseExpression()
            if skipOp(")") { return first }
            var items = [first]
            while skipOp(",") {
                if isOp(")") { break }
                items.append(try parseExpression())
            }
            try expectOp(")")
            return .tuple(items, line: l)
        case .op("["):
            pos += 1
            var items: [JinjaExpr] = []
            while !skipOp("]") {
                if !items.isEmpty { try expectOp(","); if skipOp("]") { break } }
                items.append(try parseExpression())
            }
            return .list(items, line: l)
        case .op("{"):
            pos += 1
            var items: [(JinjaExpr, JinjaExpr)] = []
            while !skipOp("}") {
                if !items.isEmpty { try expectOp(","); if skipOp("}") { break } }
                let k = try parseExpression()
                try expectOp(":")
                items.append((k, try parseExpression()))
            }
            return .dict(items, line: l)
        default:
            throw .syntax(line: l, message: "expected an expression, found \(describe(t))")
        }
    }

    mutating func parsePostfix(_ base: JinjaExpr) throws(ChatTemplateError) -> JinjaExpr {
        var node = base
        while true {
            let l = line
            if skipOp(".") {
                switch current?.kind {
                case .name(let n)?: pos += 1; node = .attribute(node, n, line: l)
                case .integer(let i)?: pos += 1; node = .subscript(node, .literal(.int(i), line: l), line: l)
                default: throw .syntax(line: l, message: "expected an attribute name after '.'")
                }
            } else if skipOp("[") {
                node = try parseSubscript(node, line: l)
            } else if isOp("(") {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    mutating func parseSubscript(_ base: JinjaExpr, line l: Int) throws(ChatTemplateError) -> JinjaExpr {
        var parts: [JinjaExpr?] = [nil]
        var isSlice = false
        while !skipOp("]") {
            if skipOp(":") {
                isSlice = true
                parts.append(nil)
                guard parts.count <= 3 else { throw .syntax(line: l, message: "a slice has at most three parts") }
                continue
            }
            guard parts[parts.count - 1] == nil else { throw .unsupported(construct: "subscript with several indices", line: l) }
            parts[parts.count - 1] = try parseExpression()
        }
        if !isSlice {
            guard let index = parts[0] else { throw .syntax(line: l, message: "empty subscript []") }
            return .subscript(base, index, line: l)
        }
        while parts.count < 3 { parts.append(nil) }
        return .slice(base, start: parts[0], stop: parts[1], step: parts[2], line: l)
    }

    mutating func parseArguments() throws(ChatTemplateError) -> ([JinjaExpr], [(String, JinjaExpr)]) {
        try expectOp("(")
        var args: [JinjaExpr] = []
        var kwargs: [(String, JinjaExpr)] = []
        while !skipOp(")") {
            if !args.isEmpty || !kwargs.isEmpty { try expectOp(","); if skipOp(")") { break } }
            if isOp("*") || isOp("**") { throw .unsupported(construct: "*args / **kwargs in a call", line: line) }
            if case .name(let n)? = current?.kind, pos + 1 < tokens.count, case .op("=") = tokens[pos + 1].kind {
                pos += 2
                kwargs.append((n, try parseExpression()))
            } else {
                args.append(try parseExpression())
            }
        }
        return (args, kwargs)
    }

    mutating func parseCall(_ callee: JinjaExpr) throws(ChatTemplateError) -> JinjaExpr {
        let l = line
        let (args, kwargs) = try parseArguments()
        return .call(callee, args: args, kwargs: kwargs, line: l)
    }

    mutating func parseFilterExpression(_ base: JinjaExpr) throws(ChatTemplateError) -> JinjaExpr {
        var node = base
        while true {
            let l = line
            if skipOp("|") {
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                guard JinjaFilters.names.contains(name) else { throw .unsupported(construct: "filter '\(name)'", line: l) }
                var args: [JinjaExpr] = [], kwargs: [(String, JinjaExpr)] = []
                if isOp("(") { (args, kwargs) = try parseArguments() }
                node = .filter(node, name: name, args: args, kwargs: kwargs, line: l)
            } else if isName("is") {
                pos += 1
                let negated = skipName("not")
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                guard JinjaTests.names.contains(name) else { throw .unsupported(construct: "test '\(name)'", line: l) }
                var args: [JinjaExpr] = []
                if isOp("(") {
                    var kwargs: [(String, JinjaExpr)] = []
                    (args, kwargs) = try parseArguments()
                    if !kwargs.isEmpty { throw .unsupported(construct: "keyword arguments to test '\(name)'", line: l) }
                } else if let k = current?.kind, startsBareTestArgument(k) {
                    args = [try parsePostfix(try parsePrimary())]
                }
                node = .test(node, name: name, args: args, negated: negated, line: l)
            } else if isOp("(") {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    /// jinja2 takes one argument without parentheses (`is divisibleby 3`, `is equalto 'x'`).
    func startsBareTestArgument(_ k: JinjaToken.Kind) -> Bool {
        switch k {
        case .name(let n): return !["else", "or", "and", "if", "in", "not", "is"].contains(n)
        case .string, .integer, .float: return true
        case .op(let o): return o == "[" || o == "{"   // jinja2 also allows "(", which we read as call syntax
        default: return false
        }
    }
}
