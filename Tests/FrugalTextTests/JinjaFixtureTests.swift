// Golden renderings from jinja2 (reference/chat_template_fixtures.py, transformers' environment):
// the real chat templates of Llama 3.1/3.2, Qwen2.5, Qwen3, Gemma 3, Mistral v0.3, SmolLM2 and Phi-3
// over several conversations, plus small constructs; every case must match byte for byte, or fail
// with the same raise_exception message.
import Foundation
import XCTest
@testable import FrugalText

final class JinjaFixtureTests: XCTestCase {
    func fixture() throws -> JinjaValue {
        try OrderedJSON.parse(Data(contentsOf: FixtureLoader.url("chat_template_renders", "json")))
    }

    func testEveryCaseRendersLikeJinja2() throws {
        let root = try fixture()
        let templates = try XCTUnwrap(root["templates"]?.dictValue)
        let cases = try XCTUnwrap(root["cases"]).listValue
        XCTAssertGreaterThanOrEqual(cases.count, 80)
        var checked = 0
        for c in cases {
            let name = try XCTUnwrap(c["name"]?.stringValue)
            let source = try XCTUnwrap(templates[try XCTUnwrap(c["template"]?.stringValue)]?.stringValue)
            let variables = try XCTUnwrap(c["variables"]?.dictValue)
            var vars: [String: JinjaValue] = [:]
            for p in variables.pairs { vars[p.key] = p.value }
            let template: ChatTemplate
            do { template = try ChatTemplate(template: source) } catch { XCTFail("\(name): \(error)"); continue }
            if let expected = c["output"]?.stringValue {
                do {
                    let got = try template.render(variables: vars)
                    XCTAssertEqual(got, expected, name)
                    if got != expected { print("MISMATCH \(name)\n got: \(got.debugDescription)\nwant: \(expected.debugDescription)") }
                } catch { XCTFail("\(name): \(error)") }
            } else {
                let message = try XCTUnwrap(c["error"]?.stringValue)
                XCTAssertThrowsError(try template.render(variables: vars), name) { error in
                    guard case ChatTemplateError.raised(let m, _) = error else { return XCTFail("\(name): \(error)") }
                    XCTAssertEqual(m, message, name)
                }
            }
            checked += 1
        }
        XCTAssertEqual(checked, cases.count)
    }

    /// The model cases again through the ChatMessage API, and their spans reassemble the rendering
    /// with every assistant message's content and end-of-turn marked.
    func testModelCasesThroughMessagesAndSpans() throws {
        let root = try fixture()
        let templates = try XCTUnwrap(root["templates"]?.dictValue)
        var spanned = 0
        for c in try XCTUnwrap(root["cases"]).listValue {
            let name = try XCTUnwrap(c["name"]?.stringValue)
            guard !name.hasPrefix("snippet/"), let expected = c["output"]?.stringValue else { continue }
            let variables = try XCTUnwrap(c["variables"]?.dictValue)
            let messages = variables["messages"]!.listValue.map {
                ChatMessage(role: $0["role"]!.stringValue!, content: $0["content"]!.stringValue!)
            }
            var extra: [String: JinjaValue] = [:]
            for p in variables.pairs where !["messages", "add_generation_prompt", "bos_token", "eos_token"].contains(p.key) {
                extra[p.key] = p.value
            }
            let gen = variables["add_generation_prompt"]!.truthy
            let t = try ChatTemplate(template: templates[c["template"]!.stringValue!]!.stringValue!,
                                     bosToken: variables["bos_token"]?.stringValue, eosToken: variables["eos_token"]?.stringValue)
            XCTAssertEqual(try t.render(messages, addGenerationPrompt: gen, variables: extra), expected, name)
            let spans: [ChatTemplate.Span]
            do { spans = try t.spans(messages, addGenerationPrompt: gen, variables: extra) } catch {
                // Qwen3 drops or moves the <think> part of assistant contents: not splittable, and said so.
                XCTAssertTrue(name.hasPrefix("qwen3/thinking"), "\(name): \(error)")
                guard case ChatTemplateError.spans = error else { XCTFail("\(name): \(error)"); continue }
                continue
            }
            XCTAssertEqual(spans.map(\.text).joined(), expected, name)
            for m in messages where m.role == "assistant" {
                let content = spans.filter { $0.kind == .content && $0.role == "assistant" }.map(\.text)
                XCTAssertTrue(content.contains { !$0.isEmpty && m.content.contains($0) || m.content.hasSuffix($0) && !$0.isEmpty }, "\(name): \(m.content.debugDescription) not marked in \(spans)")
            }
            if messages.contains(where: { $0.role == "assistant" }) {
                XCTAssertTrue(spans.contains { $0.kind == .footer && $0.role == "assistant" }, "\(name): no assistant footer in \(spans)")
            }
            spanned += 1
        }
        XCTAssertGreaterThanOrEqual(spanned, 50)
    }
}
