// Chat templates: SmolLM2's (renderings from transformers' apply_chat_template), ChatML variants
// (renderings from jinja2 with trim_blocks/lstrip_blocks), spans, and templates the old ChatML-only
// recognizer refused that the interpreter now renders. More: JinjaFixtureTests, JinjaInterpreterTests.
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
        XCTAssertEqual(t.source, ChatTemplate.smolLM2.source)
        let tok = try FixtureLoader.smolSubset()
        for chat in root["chats"] as! [[String: Any]] {
            let rendered = try t.render(messages(chat["messages"]), addGenerationPrompt: chat["add_generation_prompt"] as! Bool)
            XCTAssertEqual(rendered, chat["rendered"] as? String)
            XCTAssertEqual(tok.encode(rendered), FixtureLoader.ints(chat["ids"]))
        }
        XCTAssertEqual(try t.render([]), "")
        XCTAssertEqual(try t.render([], addGenerationPrompt: true), "<|im_start|>assistant\n")
    }

    func testChatMLVariantsMatchJinja() throws {
        let root = try FixtureLoader.json("chat_templates")
        let cases = root["cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 18)
        for c in cases {
            let t = try ChatTemplate(template: c["template"] as! String)
            XCTAssertEqual(try t.render(messages(c["messages"]), addGenerationPrompt: c["add_generation_prompt"] as! Bool),
                           c["rendered"] as? String, c["template"] as! String)
        }
    }

    func testSpansMarkTheParts() throws {
        let t = ChatTemplate.smolLM2
        let spans = try t.spans([ChatMessage(role: "user", content: "Hi"), ChatMessage(role: "assistant", content: "Hello")],
                                addGenerationPrompt: false)
        XCTAssertEqual(spans.map(\.kind), [.header, .content, .footer, .header, .content, .footer])
        // The default system block belongs to the first message's header.
        XCTAssertEqual(spans[0], .init(text: "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\n", kind: .header, role: "user"))
        XCTAssertEqual(spans[3].text, "<|im_start|>assistant\n")
        XCTAssertEqual(spans[4], .init(text: "Hello", kind: .content, role: "assistant"))
        XCTAssertEqual(spans[5], .init(text: "<|im_end|>\n", kind: .footer, role: "assistant"))
        let prompt = try t.spans([ChatMessage(role: "user", content: "Hi")], addGenerationPrompt: true)
        XCTAssertEqual(prompt.last, .init(text: "<|im_start|>assistant\n", kind: .generationPrompt, role: nil))
    }

    func testSpansFollowMovedAndTrimmedContent() throws {
        // Mistral v0.3 puts the system prompt into the last user turn; Gemma 3 trims contents.
        let mistral = try ChatTemplate(template: "{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content'] %}{%- set loop_messages = messages[1:] %}{%- else %}{%- set loop_messages = messages %}{%- endif %}{{- bos_token }}{%- for message in loop_messages %}{%- if message['role'] == 'user' %}{%- if loop.last and system_message is defined %}{{- '[INST] ' + system_message + '\\n\\n' + message['content'] + '[/INST]' }}{%- else %}{{- '[INST] ' + message['content'] + '[/INST]' }}{%- endif %}{%- else %}{{- ' ' + message['content']|trim + eos_token }}{%- endif %}{%- endfor %}",
                                       bosToken: "<s>", eosToken: "</s>")
        let ms = [ChatMessage(role: "system", content: "S"), ChatMessage(role: "user", content: "Q1"),
                  ChatMessage(role: "assistant", content: " A1 "), ChatMessage(role: "user", content: "Q2")]
        let spans = try mistral.spans(ms)
        XCTAssertEqual(spans.map(\.text).joined(), "<s>[INST] Q1[/INST] A1</s>[INST] S\n\nQ2[/INST]")
        XCTAssertEqual(spans.filter { $0.role == "assistant" && $0.kind != .header }.map(\.text), ["A1", "</s>"])
        XCTAssertEqual(spans.first { $0.kind == .content && $0.role == "system" }?.text, "S")
    }

    func testTemplatesTheChatMLRecognizerRefusedNowRender() throws {
        // Llama 3: bos_token, set statements and the trim filter.
        let llama3 = try ChatTemplate(template: "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}",
                                      bosToken: "<|begin_of_text|>")
        XCTAssertEqual(try llama3.render([ChatMessage(role: "user", content: " Hi ")], addGenerationPrompt: true),
                       "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        // Zephyr-style: literal text between tags, trim_blocks.
        let zephyr = try ChatTemplate(template: "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% endif %}\n{% endfor %}", eosToken: "</s>")
        XCTAssertEqual(try zephyr.render([ChatMessage(role: "user", content: "Hi")]), "<|user|>\nHi</s>\n")
        XCTAssertEqual(try ChatTemplate(template: "Hello {{ messages | length }}").render([]), "Hello 0")
    }
}
