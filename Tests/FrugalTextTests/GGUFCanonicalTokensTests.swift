// GGUF vocabularies may hold tokens that differ only in Unicode composition (Gemma 3: "ά" U+03AC
// and "ά" U+1F71 are two ids). Swift's String equality is canonical equivalence, so a String-keyed
// map merges them; the tokenizer keeps each id's own bytes (found by Gemma3RealModelTests on
// "Γειά", which transformers encodes as the U+03AC id).
import XCTest
@testable import FrugalText

final class GGUFCanonicalTokensTests: XCTestCase {
    func testCanonicallyEquivalentTokensKeepTheirIDs() throws {
        let tonos = "\u{03AC}", oxia = "\u{1F71}"
        XCTAssertEqual(tonos, oxia, "Swift compares them as equal: the reason for this test")
        var tokens = ["<unk>", "<s>", "</s>"]
        var types: [Int32] = [2, 3, 3]
        for b in 0..<256 { tokens.append(String(format: "<0x%02X>", b)); types.append(6) }
        tokens += [tonos, "x", oxia]; types += [1, 1, 1]
        let tok = try BPETokenizer(tokens: tokens, merges: [], tokenTypes: types, scores: [Float](repeating: 0, count: tokens.count),
                                   bosID: 1, eosID: 2, unkID: 0, addSpacePrefix: false, model: "llama")
        XCTAssertEqual(tok.encode(tonos, addSpecialTokens: false), [259])
        XCTAssertEqual(tok.encode(oxia, addSpecialTokens: false), [261])
        XCTAssertEqual(Array(tok.decode([259]).unicodeScalars), [Unicode.Scalar(0x03AC)!])
        XCTAssertEqual(Array(tok.decode([261]).unicodeScalars), [Unicode.Scalar(0x1F71)!])
        XCTAssertEqual(Array(tok.bytes(for: 259)), Array(tonos.utf8))
        XCTAssertEqual(Array(tok.bytes(for: 261)), Array(oxia.utf8))
    }
}
