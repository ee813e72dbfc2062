// ModelFiles: MODEL resolved and opened once, then handed to the loader and the tokenizer; and
// --chat-template FILE, which replaces a model's template (or gives one to a model without).
import XCTest
import FrugalIO
import FrugalText
@testable import FrugalModels

final class ModelFilesTests: XCTestCase {
    func fixture(_ family: String) -> String {
        Bundle.module.url(forResource: "families", withExtension: nil, subdirectory: "Fixtures")!
            .appendingPathComponent(family).appendingPathComponent("model.gguf").path
    }

    func testOpenedOnceGivesTheSameModelAndTokenizer() throws {
        let files = try ModelFiles.open(fixture("qwen3"))
        XCTAssertEqual(files.config.architecture, .qwen3)
        guard case .gguf = files.opened else { return XCTFail("a GGUF file") }
        let a = try DecoderModel.load(files), b = try DecoderModel.load(fixture("qwen3"))
        XCTAssertEqual(a.namedTensors.map(\.0), b.namedTensors.map(\.0))
        for ((_, x), (_, y)) in zip(a.namedTensors, b.namedTensors) { XCTAssertEqual(x.scalars, y.scalars) }
        XCTAssertEqual(try ModelTokenizer.load(files).tokenizer.encode("t1t2t3"),
                       try ModelTokenizer.load(fixture("qwen3")).tokenizer.encode("t1t2t3"))
    }

    func testChatTemplateFileReplacesTheModelsOwn() throws {
        let files = try ModelFiles.open(fixture("qwen2"))
        XCTAssertNil(try ModelTokenizer.load(files).chatTemplate, "the fixture GGUF carries no template")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tpl-\(getpid()).jinja")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("{% for m in messages %}[{{ m.role }}]{{ m.content | trim }}\n{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}".utf8)
            .write(to: url)
        let t = try ModelTokenizer.load(files, chatTemplateFile: url.path)
        let rendered = try XCTUnwrap(t.chatTemplate).render([ChatMessage(role: "user", content: " hi ")], addGenerationPrompt: true)
        XCTAssertEqual(rendered, "[user]hi\n[assistant]")
        XCTAssertThrowsError(try ModelTokenizer.load(files, chatTemplateFile: "/nonexistent/t.jinja")) {
            XCTAssertEqual($0 as? ModelTokenizerError, .unreadableChatTemplate(path: "/nonexistent/t.jinja"))
        }
        XCTAssertTrue("\(ModelTokenizerError.noChatTemplate(model: "m.gguf"))".contains("--chat-template FILE"))
    }
}
