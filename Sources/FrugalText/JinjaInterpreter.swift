// JinjaInterpreter — runs a parsed chat template (JinjaNode tree) against variables, producing the
// text jinja2 would (transformers' ImmutableSandboxedEnvironment, autoescape off, default Undefined).
// Scoping follows jinja2: a for loop's body gets its own scope (a `set` inside does not leak out; use
// namespace()), `if` does not; macros see the scope they were defined in. Globals: raise_exception,
// strftime_now, namespace, range, dict. Operators keep Python semantics (// and % floor, / is float,
// 'a' + 1 is an error, `and`/`or` return an operand). Limits instead of traps: 2,000,000 evaluation
// steps, 64 nested macro calls, 64 MiB of output, range() of at most 100,000 (jinja2's sandbox limit);
// Int overflow is an error. Filters live in JinjaFilters, tests in JinjaTests, methods in JinjaMethods.
import Foundation

final class JinjaScope {
    var variables: [String: JinjaValue] = [:]
    let parent: JinjaScope?
    init(parent: JinjaScope?) { self.parent = parent }

    func lookup(_ name: String) -> JinjaValue? {
        var s: JinjaScope? = self
        while let cur = s {
            if let v = cur.variables[name] { return v }
            s = cur.parent
        }
        return nil
    }
}

final class JinjaInterpreter {
    static let maxSteps = 2_000_000
    static let maxDepth = 64
    static let maxOutputBytes = 64 << 20
    static let maxRange = 100_000

    var steps = 0
    var depth = 0

    enum Flow { case normal, breakLoop, continueLoop }

    static let builtins = ["raise_exception", "strftime_now", "namespace", "range", "dict"]

    /// Renders `nodes` with `variables` on top of the globals.
    static func render(_ nodes: [JinjaNode], variables: [String: JinjaValue]) throws(ChatTemplateError) -> String {
        let globals = JinjaScope(parent: nil)
        for b in builtins { globals.variables[b] = .callable(JinjaCallable(name: b, kind: .builtin)) }
        let root = JinjaScope(parent: globals)
        root.variables = variables
        var out = ""
        let interpreter = JinjaInterpreter()
        _ = try interpreter.run(nodes, root, &out)
        return out
    }

    func tick(_ line: Int) throws(ChatTemplateError) {
        steps &+= 1
        if steps > JinjaInterpreter.maxSteps {
            throw .runtime(line: line, message: "the template ran more than \(JinjaInterpreter.maxSteps) steps (an endless loop?)")
        }
    }

    // MARK: statements

    func run(_ nodes: [JinjaNode], _ scope: JinjaScope, _ out: inout String) throws(ChatTemplateError) -> Flow {
        for node in nodes {
            switch node {
            case .text(let t):
                try append(t, to: &out, line: 0)
            case .output(let e):
                try append(try eval(e, scope).str, to: &out, line: e.line)
            case let .ifBlock(branches, otherwise):
                var taken = false
                for (condition, body) in branches where try eval(condition, scope).truthy {
                    let f = try run(body, scope, &out)
                    if f != .normal { return f }
                    taken = true
                    break
                }
                if !taken {
                    let f = try run(otherwise, scope, &out)
                    if f != .normal { return f }
                }
            case let .forLoop(targets, iterable, condition, body, otherwise, line):
                try runFor(targets: targets, iterable: iterable, condition: condition, body: body,
                           otherwise: otherwise, line: line, scope, &out)
            case let .set(target, attribute, value, line):
                let v = try eval(value, scope)
                if let attribute {
                    guard case .namespace(let ns)? = scope.lookup(target) else {
                        throw .runtime(line: line, message: "cannot assign attribute '\(attribute)' on '\(target)': it is not a namespace()")
                    }
                    ns.attributes[attribute] = v
                } else {
                    scope.variables[target] = v
                }
            case let .setTuple(targets, value, line):
                let items = try unpack(try eval(value, scope), count: targets.count, line: line)
                for (t, v) in zip(targets, items) { scope.variables[t] = v }
            case let .setBlock(target, body):
                var captured = ""
                _ = try run(body, scope, &captured)
                scope.variables[target] = .string(captured)
            case .macro(let m):
                scope.variables[m.name] = .callable(JinjaCallable(name: m.name, kind: .macro(m, JinjaClosure(scope))))
            case let .callBlock(call, body, line):
                guard case let .call(callee, args, kwargs, _) = call else { throw .syntax(line: line, message: "{% call %} needs a macro call") }
                let caller = JinjaValue.callable(JinjaCallable(name: "caller", kind: .caller(body, JinjaClosure(scope))))
                let f = try eval(callee, scope)
                let result = try callValue(f, args: try args.map { (e) throws(ChatTemplateError) in try eval(e, scope) },
                                           kwargs: try evalKwargs(kwargs, scope), caller: caller, line: line)
                try append(result.str, to: &out, line: line)
            case .breakLoop:
                return .breakLoop
            case .continueLoop:
                return .continueLoop
            }
        }
        return .normal
    }

    func append(_ s: String, to out: inout String, line: Int) throws(ChatTemplateError) {
        out += s
        if out.utf8.count > JinjaInterpreter.maxOutputBytes {
            throw .runtime(line: line, message: "the rendering grew past \(JinjaInterpreter.maxOutputBytes >> 20) MiB")
        }
    }

    func runFor(targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode], otherwise: [JinjaNode],
                line: Int, _ scope: JinjaScope, _ out: inout String) throws(ChatTemplateError) {
        var items = try iterate(try eval(iterable, scope), line: line)
        if let condition {
            var kept: [JinjaValue] = []
            for item in items {
                let s = JinjaScope(parent: scope)
                try bind(targets, item, s, line: line)
                if try eval(condition, s).truthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            _ = try run(otherwise, scope, &out)
            return
        }
        let n = items.count
        for (i, item) in items.enumerated() {
            try tick(line)
            let s = JinjaScope(parent: scope)
            try bind(targets, item, s, line: line)
            var loop = JinjaDict()
            loop["index"] = .int(i + 1)
            loop["index0"] = .int(i)
            loop["revindex"] = .int(n - i)
            loop["revindex0"] = .int(n - i - 1)
            loop["first"] = .bool(i == 0)
            loop["last"] = .bool(i == n - 1)
            loop["length"] = .int(n)
            loop["depth"] = .int(1)
            loop["depth0"] = .int(0)
            loop["previtem"] = i > 0 ? items[i - 1] : .undefined
            loop["nextitem"] = i + 1 < n ? items[i + 1] : .undefined
            s.variables["loop"] = .dict(loop)
            if try run(body, s, &out) == .breakLoop { break }
        }
    }

    func bind(_ targets: [String], _ item: JinjaValue, _ scope: JinjaScope, line: Int) throws(ChatTemplateError) {
        if targets.count == 1 { scope.variables[targets[0]] = item; return }
        let parts = try unpack(item, count: targets.count, line: line)
        for (t, v) in zip(targets, parts) { scope.variables[t] = v }
    }

    func unpack(_ v: JinjaValue, count: Int, line: Int) throws(ChatTemplateError) -> [JinjaValue] {
        let items = try iterate(v, line: line)
        guard items.count == count else {
            throw .runtime(line: line, message: "cannot unpack \(items.count) values into \(count) names")
        }
        return items
    }

    /// Python iteration: lists, tuples, dict keys, string characters; Undefined is empty.
    func iterate(_ v: JinjaValue, line: Int) throws(ChatTemplateError) -> [JinjaValue] {
        switch v {
        case .list(let a), .tuple(let a): return a
        case .dict(let d): return d.keys.map { .string($0) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default: throw .runtime(line: line, message: "'\(v.typeName)' object is not iterable")
        }
    }

    // MARK: expressions

    func eval(_ e: JinjaExpr, _ scope: JinjaScope) throws(ChatTemplateError) -> JinjaValue {
        try tick(e.line)
        switch e {
        case .literal(let v, _):
            return v
        case .name(let n, _):
            return scope.lookup(n) ?? .undefined
        case .list(let items, _):
            return .list(try items.map { (x) throws(ChatTemplateError) in try eval(x, scope) })
        case .tuple(let items, _):
            return .tuple(try items.map { (x) throws(ChatTemplateError) in try eval(x, scope) })
        case .dict(let pairs, let line):
            var d = JinjaDict()
            for (k, v) in pairs {
                guard case .string(let key) = try eval(k, scope) else { throw .unsupported(construct: "a dict literal with non-string keys", line: line) }
                d[key] = try eval(v, scope)
            }
            return .dict(d)
        case let .attribute(base, name, line):
            return try attribute(try eval(base, scope), name, line: line)
        case let .subscript(base, index, line):
            return try item(try eval(base, scope), try eval(index, scope), line: line)
        case let .slice(base, start, stop, step, line):
            func opt(_ x: JinjaExpr?) throws(ChatTemplateError) -> JinjaValue? { guard let x else { return nil }; return try eval(x, scope) }
            return try slice(try eval(base, scope), try opt(start), try opt(stop), try opt(step), line: line)
        case let .call(callee, args, kwargs, line):
            let argValues = try args.map { (x) throws(ChatTemplateError) in try eval(x, scope) }
            let kw = try evalKwargs(kwargs, scope)
            if case let .attribute(base, name, _) = callee {
                let obj = try eval(base, scope)
                if let r = try JinjaMethods.call(obj, name, args: argValues, kwargs: kw, line: line) { return r }
                return try callValue(try attribute(obj, name, line: line), args: argValues, kwargs: kw, caller: nil, line: line)
            }
            return try callValue(try eval(callee, scope), args: argValues, kwargs: kw, caller: nil, line: line)
        case let .filter(base, name, args, kwargs, line):
            let v = try eval(base, scope)
            return try JinjaFilters.apply(name, v, args: try args.map { (x) throws(ChatTemplateError) in try eval(x, scope) },
                                          kwargs: try evalKwargs(kwargs, scope), line: line)
        case let .test(base, name, args, negated, line):
            let v = try eval(base, scope)
            let r = try JinjaTests.apply(name, v, args: try args.map { (x) throws(ChatTemplateError) in try eval(x, scope) }, line: line)
            return .bool(r != negated)
        case let .unary(op, operand, line):
            let v = try eval(operand, scope)
            switch op {
            case "not": return .bool(!v.truthy)
            case "-":
                switch v {
                case .int(let i):
                    guard i != Int.min else { throw .runtime(line: line, message: "integer overflow") }
                    return .int(-i)
                case .double(let d): return .double(-d)
                case .bool(let b): return .int(b ? -1 : 0)
                default: throw .runtime(line: line, message: "bad operand type for unary -: '\(v.typeName)'")
                }
            default:
                guard v.number != nil else { throw .runtime(line: line, message: "bad operand type for unary +: '\(v.typeName)'") }
                if case .bool(let b) = v { return .int(b ? 1 : 0) }
                return v
            }
        case let .binary(op, l, r, line):
            if op == "and" { let a = try eval(l, scope); return a.truthy ? try eval(r, scope) : a }
            if op == "or" { let a = try eval(l, scope); return a.truthy ? a : try eval(r, scope) }
            return try JinjaOperators.binary(op, try eval(l, scope), try eval(r, scope), line: line)
        case let .compare(first, rest, line):
            var left = try eval(first, scope)
            for (op, expr) in rest {
                let right = try eval(expr, scope)
                if !(try JinjaOperators.compare(op, left, right, line: line)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case let .conditional(value, condition, otherwise, _):
            if try eval(condition, scope).truthy { return try eval(value, scope) }
            guard let otherwise else { return .undefined }
            return try eval(otherwise, scope)
        }
    }

    func evalKwargs(_ kwargs: [(String, JinjaExpr)], _ scope: JinjaScope) throws(ChatTemplateError) -> [(String, JinjaValue)] {
        try kwargs.map { (kv) throws(ChatTemplateError) in (kv.0, try eval(kv.1, scope)) }
    }

    /// `obj.name`: a dict's key or a namespace's attribute; Undefined otherwise (an error on Undefined).
    func attribute(_ obj: JinjaValue, _ name: String, line: Int) throws(ChatTemplateError) -> JinjaValue {
        switch obj {
        case .dict(let d): return d[name] ?? .undefined
        case .namespace(let ns): return ns.attributes[name] ?? .undefined
        case .undefined: throw .runtime(line: line, message: "'\(name)' of an undefined value (jinja2 UndefinedError)")
        default: return .undefined
        }
    }

    /// `obj[index]`: jinja2's getitem — missing keys and indices out of range give Undefined.
    func item(_ obj: JinjaValue, _ index: JinjaValue, line: Int) throws(ChatTemplateError) -> JinjaValue {
        switch (obj, index) {
        case let (.list(a), .int(i)), let (.tuple(a), .int(i)):
            let k = i < 0 ? a.count + i : i
            return k >= 0 && k < a.count ? a[k] : .undefined
        case let (.string(s), .int(i)):
            let u = Array(s.unicodeScalars)
            let k = i < 0 ? u.count + i : i
            return k >= 0 && k < u.count ? .string(String(u[k])) : .undefined
        case let (.dict(d), .string(k)): return d[k] ?? .undefined
        case let (.namespace(ns), .string(k)): return ns.attributes[k] ?? .undefined
        case (.undefined, _): throw .runtime(line: line, message: "subscript of an undefined value (jinja2 UndefinedError)")
        default: return .undefined
        }
    }

    func slice(_ obj: JinjaValue, _ start: JinjaValue?, _ stop: JinjaValue?, _ step: JinjaValue?, line: Int) throws(ChatTemplateError) -> JinjaValue {
        func int(_ v: JinjaValue?) throws(ChatTemplateError) -> Int? {
            switch v {
            case nil, .none?: return nil
            case .int(let i)?: return i
            case .bool(let b)?: return b ? 1 : 0
            default: throw .runtime(line: line, message: "slice indices must be integers or None")
            }
        }
        let st = try int(step) ?? 1
        guard st != 0 else { throw .runtime(line: line, message: "slice step cannot be zero") }
        func indices(_ n: Int) throws(ChatTemplateError) -> [Int] {
            // Python's slice.indices(n).
            func clamp(_ v: Int?, _ dflt: Int) -> Int {
                guard var x = v else { return dflt }
                if x < 0 { x = x &+ n; if x < 0 { x = st < 0 ? -1 : 0 } } else if x >= n { x = st < 0 ? n - 1 : n }
                return x
            }
            let a = clamp(try int(start), st < 0 ? n - 1 : 0)
            let b = clamp(try int(stop), st < 0 ? -1 : n)
            var out: [Int] = []
            var i = a
            while st > 0 ? i < b : i > b { out.append(i); let (next, o) = i.addingReportingOverflow(st); if o { break }; i = next }
            return out
        }
        switch obj {
        case .list(let a): return .list(try indices(a.count).map { a[$0] })
        case .tuple(let a): return .tuple(try indices(a.count).map { a[$0] })
        case .string(let s):
            let u = Array(s.unicodeScalars)
            var v = String.UnicodeScalarView()
            for i in try indices(u.count) { v.append(u[i]) }
            return .string(String(v))
        case .undefined: throw .runtime(line: line, message: "slice of an undefined value (jinja2 UndefinedError)")
        default: return .undefined
        }
    }

    // MARK: calls

    func callValue(_ f: JinjaValue, args: [JinjaValue], kwargs: [(String, JinjaValue)], caller: JinjaValue?,
                   line: Int) throws(ChatTemplateError) -> JinjaValue {
        guard case .callable(let c) = f else {
            if case .undefined = f { throw .runtime(line: line, message: "call of an undefined function") }
            throw .runtime(line: line, message: "'\(f.typeName)' object is not callable")
        }
        switch c.kind {
        case .builtin:
            return try callBuiltin(c.name, args: args, kwargs: kwargs, line: line)
        case let .macro(def, closure):
            return try callMacro(def, closure, args: args, kwargs: kwargs, caller: caller, line: line)
        case let .caller(body, closure):
            depth += 1
            defer { depth -= 1 }
            guard depth <= JinjaInterpreter.maxDepth else { throw .runtime(line: line, message: "macro calls nest deeper than \(JinjaInterpreter.maxDepth)") }
            var out = ""
            _ = try run(body, JinjaScope(parent: closure.scope), &out)
            return .string(out)
        }
    }

    func callMacro(_ def: JinjaMacroDefinition, _ closure: JinjaClosure, args: [JinjaValue], kwargs: [(String, JinjaValue)],
                   caller: JinjaValue?, line: Int) throws(ChatTemplateError) -> JinjaValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= JinjaInterpreter.maxDepth else { throw .runtime(line: line, message: "macro calls nest deeper than \(JinjaInterpreter.maxDepth)") }
        guard args.count <= def.parameters.count else {
            throw .runtime(line: line, message: "macro '\(def.name)' takes \(def.parameters.count) arguments, \(args.count) given")
        }
        let s = JinjaScope(parent: closure.scope)
        // A macro can call itself by name.
        s.variables[def.name] = .callable(JinjaCallable(name: def.name, kind: .macro(def, closure)))
        for (i, (name, dflt)) in def.parameters.enumerated() {
            if i < args.count { s.variables[name] = args[i] }
            else if let kv = kwargs.first(where: { $0.0 == name }) { s.variables[name] = kv.1 }
            else if let dflt { s.variables[name] = try eval(dflt, s) }
            else { s.variables[name] = .undefined }
        }
        for (k, _) in kwargs where !def.parameters.contains(where: { $0.0 == k }) {
            throw .runtime(line: line, message: "macro '\(def.name)' has no parameter named '\(k)'")
        }
        if let caller { s.variables["caller"] = caller }
        var out = ""
        _ = try run(def.body, s, &out)
        return .string(out)
    }

    func callBuiltin(_ name: String, args: [JinjaValue], kwargs: [(String, JinjaValue)], line: Int) throws(ChatTemplateError) -> JinjaValue {
        switch name {
        case "raise_exception":
            throw .raised(message: (args.first ?? kwargs.first?.1 ?? .string("")).str, line: line)
        case "strftime_now":
            guard case .string(let format)? = args.first else { throw .runtime(line: line, message: "strftime_now needs a format string") }
            return .string(JinjaInterpreter.strftimeNow(format))
        case "namespace", "dict":
            var d = JinjaDict()
            for a in args {
                guard case .dict(let given) = a else { throw .runtime(line: line, message: "\(name)() takes a dict and keyword arguments") }
                for p in given.pairs { d[p.key] = p.value }
            }
            for (k, v) in kwargs { d[k] = v }
            return name == "dict" ? .dict(d) : .namespace(JinjaNamespace(d))
        case "range":
            var ints: [Int] = []
            for a in args {
                guard case .int(let i) = a else { throw .runtime(line: line, message: "range() takes integers") }
                ints.append(i)
            }
            let (start, stop, step): (Int, Int, Int)
            switch ints.count {
            case 1: (start, stop, step) = (0, ints[0], 1)
            case 2: (start, stop, step) = (ints[0], ints[1], 1)
            case 3: (start, stop, step) = (ints[0], ints[1], ints[2])
            default: throw .runtime(line: line, message: "range() takes 1 to 3 integers")
            }
            guard step != 0 else { throw .runtime(line: line, message: "range() step must not be zero") }
            var out: [JinjaValue] = []
            var i = start
            while step > 0 ? i < stop : i > stop {
                out.append(.int(i))
                guard out.count <= JinjaInterpreter.maxRange else {
                    throw .runtime(line: line, message: "range() is longer than \(JinjaInterpreter.maxRange) (jinja2's sandbox limit)")
                }
                let (next, o) = i.addingReportingOverflow(step)
                if o { break }
                i = next
            }
            return .list(out)
        default:
            throw .unsupported(construct: "function '\(name)'", line: line)
        }
    }

    /// datetime.now().strftime(format), through the C library as CPython does.
    static func strftimeNow(_ format: String) -> String {
        var t = time(nil)
        var parts = tm()
        localtime_r(&t, &parts)
        var buffer = [Int8](repeating: 0, count: 512)
        let n = strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
