// GGUF `tokenizer.ggml.model = "llama"` (SentencePiece BPE: Llama 2, Mistral, Gemma) on a hand-made
// vocabulary, with ids worked out by hand from llama.cpp's `llm_tokenizer_spm_session` (src/
// llama-vocab.cpp): spaces → ▁, a ▁ in front of each text segment (add_space_prefix), then the
// adjacent pair whose concatenation is the highest-scoring token merges first (leftmost on ties),
// and a character without a token falls back to its "<0xNN>" tokens. (llama-cpp-python would build
// llama.cpp from source on this machine, so the expected ids are derived, with the trace below.)
//
// "▁hello▁world": ll(-3) → llo(-2) → he(-5) → hello(-1) → ▁hello(-0.5); then ▁w(-8), or(-9),
// ▁wor(-10), ld(-11), ▁world(-1.5): [▁hello, ▁world]. Scores are checked highest first, so "llo"
// (-2) is merged before "he" (-5) even though "he" is to its left.
import XCTest
@testable import FrugalText

final class SentencePieceGGUFTests: XCTestCase {
    static let pieces: [(String, Float)] = [
        ("▁", -100), ("h", -100), ("e", -100), ("l", -100), ("o", -100), ("w", -100), ("r", -100), ("d", -100),
        ("a", -100), ("he", -5), ("el", -6), ("ll", -3), ("lo", -7), ("llo", -2), ("hello", -1),
        ("▁hello", -0.5), ("▁w", -8), ("or", -9), ("▁wor", -10), ("ld", -11), ("▁world", -1.5), ("aa", -1), ("i", -100),
    ]

    func tokenizer(addSpacePrefix: Bool? = nil, addBOS: Bool? = nil) throws -> BPETokenizer {
        var tokens = ["<unk>", "<s>", "</s>"]
        var types: [Int32] = [2, 3, 3]
        var scores: [Float] = [0, 0, 0]
        for b in 0..<256 { tokens.append(String(format: "<0x%02X>", b)); types.append(6); scores.append(0) }
        for (p, s) in Self.pieces { tokens.append(p); types.append(1); scores.append(s) }
        return try BPETokenizer(tokens: tokens, merges: [], tokenTypes: types, scores: scores, bosID: 1, eosID: 2, unkID: 0,
                                addBOS: addBOS, addSpacePrefix: addSpacePrefix, model: "llama")
    }

    func id(_ piece: String) -> Int { 259 + Self.pieces.firstIndex { $0.0 == piece }! }

    func testScoreOrderedMerges() throws {
        let tok = try tokenizer()
        XCTAssertEqual(tok.encode("hello world"), [1, id("▁hello"), id("▁world")])  // BOS by default
        XCTAssertEqual(tok.encode("hello  world", addSpecialTokens: false), [id("▁hello"), id("▁"), id("▁world")])
        // Equal scores: the leftmost pair first ("▁" "aa" "a", not "▁" "a" "aa").
        XCTAssertEqual(tok.encode("aaa", addSpecialTokens: false), [id("▁"), id("aa"), id("a")])
        XCTAssertEqual(tok.encode("", addSpecialTokens: false), [])
        XCTAssertEqual(tok.encode(""), [1])
    }

    func testByteFallbackAndSpecialTokens() throws {
        let tok = try tokenizer()
        // € = E2 82 AC has no token: its bytes (ids 3 + byte).
        XCTAssertEqual(tok.encode("€", addSpecialTokens: false), [id("▁"), 3 + 0xE2, 3 + 0x82, 3 + 0xAC])
        // A control token is matched verbatim and the text after it gets its own space prefix.
        XCTAssertEqual(tok.encode("<s>hi", addSpecialTokens: false), [1, id("▁"), id("h"), id("i")])
        XCTAssertEqual(tok.decode([3 + 0xE2, 3 + 0x82, 3 + 0xAC]), "€")
        XCTAssertEqual(tok.decode([3 + 0xE2, 3 + 0x82]), "\u{FFFD}\u{FFFD}")  // ByteFallback: one per byte
    }

    func testDecodeDropsThePrefixSpace() throws {
        let tok = try tokenizer()
        let ids = tok.encode("hello world")
        XCTAssertEqual(tok.decode(ids, skipSpecialTokens: true), "hello world")
        XCTAssertEqual(tok.decode(ids), "<s> hello world")
        var s = tok.makeStreamingDecoder(skipSpecialTokens: true)
        XCTAssertEqual(ids.map { s.append($0) }.joined() + s.finish(), "hello world")
    }

    func testWithoutSpacePrefixOrBOS() throws {
        let tok = try tokenizer(addSpacePrefix: false, addBOS: false)
        XCTAssertEqual(tok.encode("hello world"), [id("hello"), id("▁world")])
        XCTAssertEqual(tok.decode([id("hello"), id("▁world")]), "hello world")
        XCTAssertEqual(tok.decode([id("▁hello")]), " hello")
    }
}
