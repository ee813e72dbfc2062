// BPETokenizer built from GGUF-style arrays (as FrugalIO's GGUF reader will call it), on a tiny
// hand-made vocabulary whose ids can be worked out by hand.
import XCTest
@testable import FrugalText

final class GGUFArraysTokenizerTests: XCTestCase {
    /// ids 0–1 control, 2–257 the byte tokens in byte order, then merges' results.
    func tiny(pre: String? = "smollm", addBOS: Bool = false) throws -> BPETokenizer {
        var tokens = ["<|endoftext|>", "<|im_start|>"]
        tokens += (0..<256).map { String(Character(ByteUnicodeMap.byteToScalar[$0])) }
        let merges = ["Ġ t", "h e", "Ġt he", "l l", "ll o", "he llo"]
        tokens += ["Ġt", "he", "Ġthe", "ll", "llo", "hello"]  // ids 258…263
        tokens += ["<tool>"]                                 // id 264, user-defined
        var types = [Int32](repeating: 1, count: tokens.count)
        types[0] = 3; types[1] = 3; types[264] = 4
        return try BPETokenizer(tokens: tokens, merges: merges, tokenTypes: types, bosID: 1, eosID: 0,
                                unkID: 0, padID: 0, addBOS: addBOS, model: "gpt2", pre: pre, source: "tiny.gguf")
    }

    func byteID(_ c: Character) -> Int { Int(c.asciiValue!) + 2 }

    func testHandWorkedIDs() throws {
        let tok = try tiny()
        XCTAssertEqual(tok.vocabularySize, 265)
        XCTAssertEqual(tok.encode(" the"), [260])                      // Ġ t → Ġt, h e → he, Ġt he
        XCTAssertEqual(tok.encode("hello"), [263])                     // he, ll, llo, then he+llo
        XCTAssertEqual(tok.encode("hex"), [259, byteID("x")])
        XCTAssertEqual(tok.encode("<|im_start|>the<tool>"), [1, byteID("t"), 259, 264])
        XCTAssertEqual(tok.encode("a1"), [byteID("a"), byteID("1")])
        XCTAssertTrue(tok.isSpecialToken(1))
        XCTAssertFalse(tok.isSpecialToken(264))
        XCTAssertEqual(tok.decode([1, 260, 264], skipSpecialTokens: true), " the<tool>")
        XCTAssertEqual(tok.decode([99_999, -1, 260]), " the", "unknown ids are skipped")
        XCTAssertEqual(try tiny(addBOS: true).encode("the"), [1, byteID("t"), 259])
        XCTAssertEqual(try tiny(addBOS: true).encode("the", addSpecialTokens: false), [byteID("t"), 259])
    }

    func testDegenerateVocabulariesDoNotCrash() throws {
        let empty = try BPETokenizer(tokens: [], merges: [])
        XCTAssertEqual(empty.vocabularySize, 0)
        XCTAssertEqual(empty.encode("hello"), [])
        XCTAssertEqual(empty.decode([0, 1]), "")
        let ab = try BPETokenizer(tokens: ["a", "b"], merges: [])
        XCTAssertEqual(ab.encode("abcab"), [0, 1, 0, 1], "bytes without a token are dropped, as HF does without an unk token")
    }

    func testRefusals() throws {
        XCTAssertThrowsError(try tiny(pre: "deepseek-llm")) { e in
            XCTAssertTrue("\(e)".contains("tokenizer.ggml.pre = \"deepseek-llm\""), "\(e)")
        }
        XCTAssertThrowsError(try BPETokenizer(tokens: ["a"], merges: [], model: "t5")) { e in
            XCTAssertTrue("\(e)".contains("tokenizer.ggml.model = \"t5\""), "\(e)")
        }
        XCTAssertThrowsError(try BPETokenizer(tokens: ["a"], merges: [], model: "llama")) { e in
            XCTAssertTrue("\(e)".contains("tokenizer.ggml.scores"), "\(e)")
        }
        XCTAssertThrowsError(try BPETokenizer(tokens: ["a", "b"], merges: [], scores: [0], model: "llama")) { e in
            XCTAssertTrue("\(e)".contains("scores has 1 entries"), "\(e)")
        }
        XCTAssertThrowsError(try BPETokenizer(tokens: ["a", "b"], merges: [], tokenTypes: [1])) { e in
            XCTAssertTrue("\(e)".contains("token_type has 1 entries"), "\(e)")
        }
        XCTAssertThrowsError(try BPETokenizer(tokens: ["a", "b"], merges: ["ab"])) { e in
            XCTAssertTrue("\(e)".contains("merge #0 \"ab\""), "\(e)")
        }
        XCTAssertThrowsError(try BPETokenizer(tokens: ["a", "b"], merges: ["a b"])) { e in
            XCTAssertTrue("\(e)".contains("\"ab\" is not in the vocabulary"), "\(e)")
        }
        XCTAssertThrowsError(try BPETokenizer(tokens: ["a", "b"], merges: [], bosID: 7)) { e in
            XCTAssertTrue("\(e)".contains("bos token id 7"), "\(e)")
        }
    }
}
