// The Jinja interpreter's own behaviour: refusals (construct + line), raise_exception, whitespace
// control, loop variables, limits. Expected strings are jinja2's (checked by hand against
// reference/chat_template_fixtures.py's environment).
import XCTest
@testable import FrugalText

final class JinjaInterpreterTests: XCTestCase {
    func render(_ source: String, _ variables: [String: JinjaValue] = [:]) throws -> String {
        try ChatTemplate(template: source).render(variables: variables)
    }

    func assertUnsupported(_ source: String, _ construct: String, line: Int, file: StaticString = #filePath, lineNo: UInt = #line) {
        do {
            _ = try render(source)
            XCTFail("no error for \(source.debugDescription)", file: file, line: lineNo)
        } catch ChatTemplateError.unsupported(let c, let l) {
            XCTAssertEqual(c, construct, file: file, line: lineNo)
            XCTAssertEqual(l, line, file: file, line: lineNo)
        } catch {
            XCTFail("\(error)", file: file, line: lineNo)
        }
    }

    func testUnsupportedConstructsAreNamedWithTheirLine() {
        assertUnsupported("{% include 'x.jinja' %}", "{% include %}", line: 1)
        assertUnsupported("a\nb\n{% for m in messages %}\n{{ m | wordcount }}\n{% endfor %}", "filter 'wordcount'", line: 4)
        assertUnsupported("\n\n{{ 3 is prime }}", "test 'prime'", line: 3)
        assertUnsupported("x\n{% raw %}{{ }}{% endraw %}", "{% raw %}", line: 2)
        assertUnsupported("{% extends 'base' %}", "{% extends %}", line: 1)
        // Methods are found when called.
        assertUnsupported("\n{{ 'a'.zfill(3) }}", "string method 'zfill'", line: 2)
        assertUnsupported("{% set xs = [] %}\n\n{{ xs.append(1) }}", "list method 'append' (templates cannot change lists)", line: 3)
    }

    func testUnknownFunctionIsAnError() {
        XCTAssertThrowsError(try render("\n{{ lipsum() }}")) { error in
            XCTAssertEqual(error as? ChatTemplateError, .runtime(line: 2, message: "call of an undefined function"))
        }
    }

    func testSyntaxErrorsNameTheLine() {
        XCTAssertThrowsError(try render("ok\n{% if x %}\nnever closed")) { error in
            guard case ChatTemplateError.syntax(let line, let message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 3)
            XCTAssertTrue(message.contains("endif"), message)
        }
        XCTAssertThrowsError(try render("{{ 'unterminated }}")) { error in
            guard case ChatTemplateError.syntax(1, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try render("{% for %}")) { error in
            guard case ChatTemplateError.syntax(1, _) = error else { return XCTFail("\(error)") }
        }
    }

    func testRaiseExceptionCarriesTheMessageAndLine() {
        let t = "{% for m in messages %}\n{% if m.role == 'tool' %}\n{{ raise_exception('Tools are not supported: ' ~ m.content) }}\n{% endif %}\n{% endfor %}"
        XCTAssertThrowsError(try ChatTemplate(template: t).render([ChatMessage(role: "tool", content: "x")])) { error in
            XCTAssertEqual(error as? ChatTemplateError, .raised(message: "Tools are not supported: x", line: 3))
            XCTAssertTrue("\(error)".contains("Tools are not supported: x"))
        }
    }

    func testWhitespaceControl() throws {
        // trim_blocks drops the newline after a block tag; lstrip_blocks the indentation before one.
        XCTAssertEqual(try render("{% if true %}\nx\n{% endif %}\ny"), "x\ny")
        XCTAssertEqual(try render("a\n    {% if true %}\n    b\n    {% endif %}\nc"), "a\n    b\nc")
        // `-` strips all whitespace on its side, newlines included; output tags keep their newline.
        XCTAssertEqual(try render("a   {{- 'b' -}}   c  {%- if true -%}  d  {%- endif %}"), "abcd")
        XCTAssertEqual(try render("{{ 'a' }}\n{{ 'b' }}\n"), "a\nb\n")
        // `+` keeps the indentation lstrip_blocks would remove; comments vanish like blocks.
        XCTAssertEqual(try render("  {%+ if true %}x{% endif %}"), "  x")
        XCTAssertEqual(try render("a\n  {# note #}\nb"), "a\nb")
        // Tags in the middle of a line keep the text before them.
        XCTAssertEqual(try render("a  {% if true %}b{% endif %}"), "a  b")
    }

    func testLoopVariables() throws {
        let xs: [String: JinjaValue] = ["xs": .list([.string("a"), .string("b"), .string("c")])]
        XCTAssertEqual(try render("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.length }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}[{{ loop.previtem }}|{{ loop.nextitem }}] {% endfor %}", xs),
                       "10323F[|b] 21213[a|c] 32103L[b|] ")
        XCTAssertEqual(try render("{% for x in xs if x != 'b' %}{{ loop.index }}/{{ loop.length }}{{ x }} {% else %}none{% endfor %}", xs), "1/2a 2/2c ")
        XCTAssertEqual(try render("{% for x in [] %}x{% else %}empty{% endfor %}"), "empty")
        XCTAssertEqual(try render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}{{ v }}{% endfor %}"), "a1b2")
        XCTAssertEqual(try render("{% for n in range(10) %}{% if n is odd %}{% continue %}{% endif %}{% if n > 6 %}{% break %}{% endif %}{{ n }}{% endfor %}"), "0246")
        // A set inside a loop does not leak out; a namespace does.
        XCTAssertEqual(try render("{% set a = 0 %}{% set ns = namespace(a=0) %}{% for x in xs %}{% set a = a + 1 %}{% set ns.a = ns.a + 1 %}{% endfor %}{{ a }}{{ ns.a }}", xs), "03")
    }

    func testPythonSemantics() throws {
        XCTAssertEqual(try render("{{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 1 == 1.0 }} {{ 'a' ~ none }} {{ [1, 'x'] }} {{ (1,) }}"), "-4 2 3.5 True aNone [1, 'x'] (1,)")
        XCTAssertEqual(try render("{{ 'It\\'s' }} {{ [\"it's\"] }} {{ {'k': 'v'} }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1e-5 }} {{ 123456789.0 * 10 }}"),
                       "It's [\"it's\"] {'k': 'v'} 0.30000000000000004 1e+20 1e-05 1234567890.0")
        XCTAssertThrowsError(try render("{{ 'a' + 1 }}")) { XCTAssertEqual($0 as? ChatTemplateError, .runtime(line: 1, message: "unsupported operand type(s) for +: 'str' and 'int'")) }
        XCTAssertThrowsError(try render("{{ 9223372036854775807 + 1 }}")) { XCTAssertEqual($0 as? ChatTemplateError, .runtime(line: 1, message: "integer overflow in '+'")) }
        XCTAssertThrowsError(try render("{{ 1 // 0 }}"))
        XCTAssertThrowsError(try render("{{ missing.attr }}"))
        XCTAssertEqual(try render("{{ missing }}{{ {}.x }}{{ [1][5] }}|{{ missing | default('d') }}"), "|d")
    }

    func testLimitsInsteadOfTraps() {
        XCTAssertThrowsError(try render("{{ range(1000000) | length }}"))
        XCTAssertThrowsError(try render("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")) { error in
            guard case ChatTemplateError.runtime(_, let m) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(m.contains("nest deeper"), m)
        }
        XCTAssertThrowsError(try render("{% for a in range(2000) %}{% for b in range(2000) %}{% endfor %}{% endfor %}"))
        XCTAssertThrowsError(try render("{{ 'x' * 100000000 }}"))
    }

    func testTojsonMatchesTransformers() throws {
        let d = JinjaValue.dict(JinjaDict([("name", .string("é\"\n")), ("xs", .list([.int(1), .double(2.5), .none, .bool(true)])), ("e", .dict(JinjaDict()))]))
        XCTAssertEqual(try render("{{ d | tojson }}", ["d": d]), "{\"name\": \"é\\\"\\n\", \"xs\": [1, 2.5, null, true], \"e\": {}}")
        XCTAssertEqual(try render("{{ d | tojson(indent=2) }}", ["d": .dict(JinjaDict([("a", .list([.int(1)]))]))]), "{\n  \"a\": [\n    1\n  ]\n}")
        XCTAssertThrowsError(try render("{{ missing | tojson }}"))
    }
}
