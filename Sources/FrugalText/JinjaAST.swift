// JinjaAST — the parsed form of a chat template: statements (JinjaNode) and expressions (JinjaExpr),
// each carrying the 1-based template line it came from, so runtime errors can name it.
// Mirrors the subset of jinja2/nodes.py that chat templates use; JinjaParser builds it.
indirect enum JinjaExpr: Sendable {
    case literal(JinjaValue, line: Int)
    case name(String, line: Int)
    case list([JinjaExpr], line: Int)
    case tuple([JinjaExpr], line: Int)
    case dict([(JinjaExpr, JinjaExpr)], line: Int)
    case attribute(JinjaExpr, String, line: Int)
    case `subscript`(JinjaExpr, JinjaExpr, line: Int)
    case slice(JinjaExpr, start: JinjaExpr?, stop: JinjaExpr?, step: JinjaExpr?, line: Int)
    case call(JinjaExpr, args: [JinjaExpr], kwargs: [(String, JinjaExpr)], line: Int)
    case filter(JinjaExpr, name: String, args: [JinjaExpr], kwargs: [(String, JinjaExpr)], line: Int)
    case test(JinjaExpr, name: String, args: [JinjaExpr], negated: Bool, line: Int)
    case unary(String, JinjaExpr, line: Int)              // "-", "+", "not"
    case binary(String, JinjaExpr, JinjaExpr, line: Int)  // + - * / // % ** ~ and or
    case compare(JinjaExpr, [(String, JinjaExpr)], line: Int)  // == != < <= > >= in notin, chained
    case conditional(JinjaExpr, condition: JinjaExpr, otherwise: JinjaExpr?, line: Int)

    var line: Int {
        switch self {
        case let .literal(_, l), let .name(_, l), let .list(_, l), let .tuple(_, l), let .dict(_, l),
             let .attribute(_, _, l), let .subscript(_, _, l), let .slice(_, _, _, _, l), let .call(_, _, _, l),
             let .filter(_, _, _, _, l), let .test(_, _, _, _, l), let .unary(_, _, l), let .binary(_, _, _, l),
             let .compare(_, _, l), let .conditional(_, _, _, l):
            return l
        }
    }
}

indirect enum JinjaNode: Sendable {
    case text(String)
    case output(JinjaExpr)
    case ifBlock(branches: [(JinjaExpr, [JinjaNode])], otherwise: [JinjaNode])
    case forLoop(targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode], otherwise: [JinjaNode], line: Int)
    case set(target: String, attribute: String?, value: JinjaExpr, line: Int)
    case setTuple(targets: [String], value: JinjaExpr, line: Int)
    case setBlock(target: String, body: [JinjaNode])
    case macro(JinjaMacroDefinition)
    case callBlock(call: JinjaExpr, body: [JinjaNode], line: Int)
    case breakLoop(line: Int)
    case continueLoop(line: Int)
}

/// `{% macro name(a, b='x') %}body{% endmacro %}`.
struct JinjaMacroDefinition: Sendable {
    var name: String
    var parameters: [(String, JinjaExpr?)]
    var body: [JinjaNode]
    var line: Int
}
