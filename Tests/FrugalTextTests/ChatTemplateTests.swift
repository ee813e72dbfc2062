// Chat templates: SmolLM2's (renderings from transformers' apply_chat_template) and ChatML
// variants (renderings from jinja2 with trim_blocks/lstrip_blocks), plus refusals.
import Foundation
import XCTest
@testable import FrugalText

final class ChatTemplateTests: XCTestCase {
    func messages(_ v: Any?) -> [ChatMessage] {
        (v as! [[String: String]]).map { ChatMessage(role: $0["role"]!, content: $0["content"]!) }
    }

    func testSmolLM2TemplateFromTheGGUFMetadata() throws {
        let root = try FixtureLoader.json("smollm2_encodings")
        let source = try XCTUnwrap(root["chat_template"] as? String)
        XCTAssertEqual(source, ChatTemplate.smolLM2Source)
        let t = try ChatTemplate(template: source)
        XCTAssertEqual(t, ChatTemplate.smolLM2)
        XCTAssertEqual(t.messagePrefix, "<|im_start|>")
        XCTAssertEqual(t.roleSeparator, "\n")
        XCTAssertEqual(t.messageSuffix, "<|im_end|>\n")
        XCTAssertEqual(t.defaultSystemBlock, "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n")
        XCTAssertEqual(t.generationPrompt, "<|im_start|>assistant\n")
        let tok = try FixtureLoader.smolSubset()
        for chat in root["chats"] as! [[String: Any]] {
            let rendered = t.render(messages(chat["messages"]), addGenerationPrompt: chat["add_generation_prompt"] as! Bool)
            XCTAssertEqual(rendered, chat["rendered"] as? String)
            XCTAssertEqual(tok.encode(rendered), FixtureLoader.ints(chat["ids"]))
        }
        XCTAssertEqual(t.render([]), "")
        XCTAssertEqual(t.render([], addGenerationPrompt: true), "<|im_start|>assistant\n")
    }

    func testChatMLVariantsMatchJinja() throws {
        let root = try FixtureLoader.json("chat_templates")
        let cases = root["cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 18)
        for c in cases {
            let t = try ChatTemplate(template: c["template"] as! String)
            XCTAssertEqual(t.render(messages(c["messages"]), addGenerationPrompt: c["add_generation_prompt"] as! Bool),
                           c["rendered"] as? String, c["template"] as! String)
        }
    }

    func testSpansMarkTheParts() {
        let t = ChatTemplate.smolLM2
        let spans = t.spans([ChatMessage(role: "user", content: "Hi"), ChatMessage(role: "assistant", content: "Hello")],
                            addGenerationPrompt: false)
        XCTAssertEqual(spans.map(\.kind), [.defaultSystem, .header, .content, .footer, .header, .content, .footer])
        XCTAssertEqual(spans[5], .init(text: "Hello", kind: .content, role: "assistant"))
        XCTAssertEqual(spans[4].text, "<|im_start|>assistant\n")
    }

    func assertUnsupported(_ template: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ChatTemplate(template: template), file: file, line: line) { error in
            guard case ChatTemplateError.unsupported(let t, let reason) = error else {
                return XCTFail("\(error)", file: file, line: line)
            }
            XCTAssertEqual(t, template, file: file, line: line)
            XCTAssertTrue(reason.contains(fragment), reason, file: file, line: line)
            XCTAssertTrue("\(error)".hasPrefix("unsupported chat template \""), file: file, line: line)
        }
    }

    func testRefusesWhatItDoesNotUnderstand() {
        // Llama 3: bos_token, a set statement and a filter.
        assertUnsupported("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}",
                          "unknown statement {% set loop_messages = messages %}")
        // Zephyr-style: literal text and role tests.
        assertUnsupported("{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% endif %}\n{% endfor %}",
                          "literal text \"\\n\"")
        assertUnsupported("Hello {{ messages }}", "literal text \"Hello \"")
        assertUnsupported("{% for message in messages %}{{ message['content'] + message['role'] }}{% endfor %}", "PREFIX")
        assertUnsupported("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] | trim + '<|im_end|>\n' }}{% endfor %}", "loop body")
        assertUnsupported("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}{% endfor %}{{ eos_token }}", "after the message loop")
        assertUnsupported("{% for message in messages %", "unclosed")
        assertUnsupported("", "loop over messages")
    }
}
