// ChatTemplate.gemma3Source (the template Frugal gives Gemma GGUFs that carry none) is byte-equal to
// google/gemma-3-*-it's template as the Jinja fixtures pin it, and renders a turn as Gemma expects.
import XCTest
import Foundation
@testable import FrugalText

final class ChatTemplateGemma3Tests: XCTestCase {
    func testSourceIsTheFixturesGemma3Template() throws {
        let data = try Data(contentsOf: FixtureLoader.url("chat_template_renders", "json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let templates = try XCTUnwrap(root["templates"] as? [String: Any])
        XCTAssertEqual(ChatTemplate.gemma3Source, templates["gemma-3-it"] as? String)
    }

    func testRendersGemmaTurns() throws {
        let t = try ChatTemplate(template: ChatTemplate.gemma3Source, bosToken: "<bos>", eosToken: "<eos>")
        XCTAssertEqual(try t.render([ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: " Hi ")],
                                    addGenerationPrompt: true),
                       "<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\n")
    }
}
