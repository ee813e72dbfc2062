// tokenizer.json parsing, independent of the GGUF: a ~400-token byte-level BPE trained by HF
// `tokenizers` (add_prefix_space, added tokens with lstrip / rstrip / single_word, a non-special
// added token containing a space, TemplateProcessing "<s> $A </s>").
import Foundation
import XCTest
@testable import FrugalText

final class SyntheticTokenizerTests: XCTestCase {
    func check(_ tok: BPETokenizer) throws {
        let root = try FixtureLoader.json("synthetic_encodings")
        XCTAssertEqual(tok.vocabularySize, (root["vocab_size"] as! NSNumber).intValue)
        let cases = root["cases"] as! [[String: Any]]
        XCTAssertGreaterThan(cases.count, 15)
        for c in cases {
            let text = c["text"] as! String
            let ids = FixtureLoader.ints(c["ids"])
            let withSpecial = FixtureLoader.ints(c["ids_with_special"])
            XCTAssertEqual(tok.encode(text, addSpecialTokens: false), ids, text.debugDescription)
            XCTAssertEqual(tok.encode(text, addSpecialTokens: true), withSpecial, text.debugDescription)
            XCTAssertEqual(tok.decode(ids), c["decoded"] as? String, text.debugDescription)
            XCTAssertEqual(tok.decode(withSpecial, skipSpecialTokens: true), c["decoded_skip_special"] as? String, text.debugDescription)
        }
    }

    func testArrayMergesAsWrittenByTokenizers() throws {
        let tok = try BPETokenizer(tokenizerJSON: FixtureLoader.url("synthetic_tokenizer", "json"))
        XCTAssertEqual(tok.preTokenizer, ByteLevelPreTokenizer(splitDigits: false, addPrefixSpace: true).preTokenizer)
        XCTAssertEqual(tok.prefixIDs, [tok.id(for: "<s>")!])
        XCTAssertEqual(tok.suffixIDs, [tok.id(for: "</s>")!])
        XCTAssertTrue(tok.isSpecialToken(tok.id(for: "<mask>")!))
        XCTAssertFalse(tok.isSpecialToken(tok.id(for: "hello world")!))
        try check(tok)
    }

    func testStringMergesGiveTheSameTokenizer() throws {
        // The older tokenizer.json form writes each merge as "a b".
        let data = try Data(contentsOf: FixtureLoader.url("synthetic_tokenizer", "json"))
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var model = root["model"] as! [String: Any]
        let merges = model["merges"] as! [[String]]
        XCTAssertFalse(merges.isEmpty)
        model["merges"] = merges.map { "\($0[0]) \($0[1])" }
        root["model"] = model
        let rewritten = try JSONSerialization.data(withJSONObject: root)
        try check(try BPETokenizer(tokenizerJSONData: rewritten))
    }

    func mutated(_ change: (inout [String: Any]) -> Void) throws -> Data {
        let data = try Data(contentsOf: FixtureLoader.url("synthetic_tokenizer", "json"))
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        change(&root)
        return try JSONSerialization.data(withJSONObject: root)
    }

    func assertError(_ data: Data, contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try BPETokenizer(tokenizerJSONData: data, source: "t.json"), file: file, line: line) { error in
            XCTAssertTrue(error is TokenizerError, file: file, line: line)
            XCTAssertTrue("\(error)".contains(fragment), "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".hasPrefix("t.json"), "\(error)", file: file, line: line)
        }
    }

    func testRefusesWhatWouldChangeTheIDs() throws {
        assertError(try mutated { $0["normalizer"] = ["type": "BertNormalizer"] }, contains: "normalizer = \"BertNormalizer\"")
        assertError(try mutated { $0["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "\\s+"]] }, contains: "pre_tokenizer")
        assertError(try mutated { $0["pre_tokenizer"] = ["type": "Metaspace"] }, contains: "Metaspace")
        assertError(try mutated { $0["decoder"] = ["type": "WordPiece"] }, contains: "decoder = \"WordPiece\"")
        assertError(try mutated { $0["decoder"] = NSNull() }, contains: "decoder")
        assertError(try mutated { $0["post_processor"] = ["type": "BertProcessing"] }, contains: "BertProcessing")
        assertError(try mutated { var m = $0["model"] as! [String: Any]; m["type"] = "WordPiece"; $0["model"] = m }, contains: "model.type")
        assertError(try mutated { var m = $0["model"] as! [String: Any]; m["dropout"] = 0.1; $0["model"] = m }, contains: "dropout")
        assertError(try mutated { var m = $0["model"] as! [String: Any]; m["merges"] = ["Ġ"]; $0["model"] = m }, contains: "merge #0")
        assertError(try mutated { var m = $0["model"] as! [String: Any]; m["merges"] = [["Ġ", "nope"]]; $0["model"] = m }, contains: "\"nope\" is not in the vocabulary")
        assertError(try mutated { var m = $0["model"] as! [String: Any]; m["vocab"] = ["a": 10_000_000]; m["merges"] = []; $0["model"] = m }, contains: "far beyond")
        assertError(try mutated { $0.removeValue(forKey: "model") }, contains: "\"model\" is missing")
        assertError(Data("not json".utf8), contains: "not valid JSON")
    }
}
