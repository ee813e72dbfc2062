// SmolLM2 tokenizer against HF tokenizers (fixtures from reference/tokenizer_fixtures.py): the
// subset tokenizer.json always, and the full vocabulary read from the real GGUF (CI's setup
// fetches it; a missing file is a failure that says to run scripts/setup, not a skip).
import Foundation
import XCTest
@testable import FrugalText

final class SmolLM2TokenizerTests: XCTestCase {
    struct Case { let text: String; let ids: [Int]; let plain: [Int]; let decoded: String; let decodedSkip: String }

    func cases() throws -> [Case] {
        let root = try FixtureLoader.json("smollm2_encodings")
        return (root["cases"] as! [[String: Any]]).map {
            Case(text: $0["text"] as! String, ids: FixtureLoader.ints($0["ids"]),
                 plain: FixtureLoader.ints($0["ids_plain_bytelevel"]),
                 decoded: $0["decoded"] as! String, decodedSkip: $0["decoded_skip_special"] as! String)
        }
    }

    func checkAgainstFixture(_ tok: BPETokenizer, file: StaticString = #filePath, line: UInt = #line) throws {
        let all = try cases()
        XCTAssertGreaterThan(all.count, 50)
        for c in all {
            XCTAssertEqual(tok.encode(c.text, addSpecialTokens: false), c.ids, "encode \(c.text.debugDescription)", file: file, line: line)
            XCTAssertEqual(tok.encode(c.text), c.ids, "SmolLM2 adds no special tokens", file: file, line: line)
            XCTAssertEqual(tok.decode(c.ids), c.decoded, "decode \(c.text.debugDescription)", file: file, line: line)
            XCTAssertEqual(tok.decode(c.ids, skipSpecialTokens: true), c.decodedSkip, "decode skipping specials \(c.text.debugDescription)", file: file, line: line)
        }
        let root = try FixtureLoader.json("smollm2_encodings")
        for chat in root["chats"] as! [[String: Any]] {
            XCTAssertEqual(tok.encode(chat["rendered"] as! String), FixtureLoader.ints(chat["ids"]), file: file, line: line)
        }
        for d in root["decode_cases"] as! [[String: Any]] {
            XCTAssertEqual(tok.decode(FixtureLoader.ints(d["ids"])), d["decoded"] as? String, file: file, line: line)
            XCTAssertEqual(d["decoded"] as? String, d["python_replace"] as? String, file: file, line: line)
        }
    }

    func testSubsetTokenizerMatchesHF() throws {
        let tok = try FixtureLoader.smolSubset()
        try checkAgainstFixture(tok)
        XCTAssertEqual(tok.id(for: "<|im_start|>"), 1)
        XCTAssertEqual(tok.id(for: "<|im_end|>"), 2)
        XCTAssertTrue(tok.isSpecialToken(0))
        XCTAssertEqual([tok.bosID, tok.eosID, tok.padID], [1, 2, 2])
        XCTAssertThrowsError(try BPETokenizer(tokenizerJSON: FixtureLoader.url("smollm2_subset_tokenizer", "json"), eosToken: "</s>")) { e in
            XCTAssertTrue("\(e)".contains("eos_token \"</s>\" is not in the vocabulary"), "\(e)")
        }
        XCTAssertFalse(tok.isSpecialToken(17))
        XCTAssertEqual(tok.preTokenizer, ByteLevelPreTokenizer(splitDigits: true).preTokenizer)
    }

    func testDigestVectors() throws {
        // The test vectors of formats-and-algorithms.md §8, copied here.
        let tok = try FixtureLoader.smolSubset()
        XCTAssertEqual(tok.encode("Hello, world!"), [19556, 28, 905, 17])
        XCTAssertEqual(tok.encode("The year 2024 had 365 days."), [504, 713, 216, 34, 32, 34, 36, 761, 216, 35, 38, 37, 2009, 30])
        XCTAssertEqual(tok.encode("<|im_start|>user\nWhat is 2+2?<|im_end|>\n"), [1, 4093, 198, 1780, 314, 216, 34, 27, 34, 47, 2, 198])
        XCTAssertEqual(tok.encode("don't I'll we've"), [12420, 982, 339, 3060, 392, 3543])
    }

    /// The real GGUF's tokenizer; `pre` nil means the file's own `tokenizer.ggml.pre`.
    func ggufTokenizer(pre: String?) throws -> (BPETokenizer, TestGGUFMetadata) {
        let path = FixtureLoader.ggufPath
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(path) is missing: run scripts/setup (it fetches the default model)")
            throw XCTSkip("no model file")
        }
        let meta = try TestGGUFMetadata(path: path)
        let pre = pre ?? meta.string("tokenizer.ggml.pre")
        let tok = try BPETokenizer(tokens: try XCTUnwrap(meta.strings("tokenizer.ggml.tokens")),
                                   merges: try XCTUnwrap(meta.strings("tokenizer.ggml.merges")),
                                   tokenTypes: meta.int32s("tokenizer.ggml.token_type"),
                                   bosID: meta.int("tokenizer.ggml.bos_token_id"),
                                   eosID: meta.int("tokenizer.ggml.eos_token_id"),
                                   unkID: meta.int("tokenizer.ggml.unknown_token_id"),
                                   padID: meta.int("tokenizer.ggml.padding_token_id"),
                                   addBOS: meta.bool("tokenizer.ggml.add_bos_token") ?? false,
                                   model: meta.string("tokenizer.ggml.model") ?? "?",
                                   pre: pre, source: path)
        return (tok, meta)
    }

    func testFullGGUFVocabularyMatchesHF() throws {
        let (tok, meta) = try ggufTokenizer(pre: nil)
        XCTAssertEqual(meta.string("tokenizer.ggml.pre"), "smollm")
        XCTAssertEqual(tok.vocabularySize, 49152)
        XCTAssertEqual(tok.bosID, 1)
        XCTAssertEqual(tok.eosID, 2)
        XCTAssertEqual(tok.padID, 2)
        XCTAssertEqual(tok.unkID, 0)
        XCTAssertEqual(tok.prefixIDs, [])
        try checkAgainstFixture(tok)
        let root = try FixtureLoader.json("smollm2_encodings")
        XCTAssertEqual(meta.string("tokenizer.chat_template"), root["chat_template"] as? String)
        XCTAssertEqual(meta.strings("tokenizer.ggml.merges")?.count, 48900)
    }

    func testPlainByteLevelMatchesTransformersGGUFConverter() throws {
        // transformers' GGUF converter builds plain ByteLevel (no Digits stage); "gpt2" does that.
        let (tok, _) = try ggufTokenizer(pre: "gpt2")
        var differing = 0
        for c in try cases() {
            XCTAssertEqual(tok.encode(c.text), c.plain, "plain ByteLevel \(c.text.debugDescription)")
            if c.plain != c.ids { differing += 1 }
        }
        XCTAssertGreaterThan(differing, 0, "the fixture should contain texts where the Digits stage matters")
    }

    func testDecodeRoundTripAndOffsets() throws {
        let tok = try FixtureLoader.smolSubset()
        for c in try cases() {
            let enc = tok.encodeWithOffsets(c.text, addSpecialTokens: false)
            XCTAssertEqual(enc.ids, c.ids)
            let utf8 = Array(c.text.utf8)
            // Offsets are in order, inside the text, and each token's bytes are its source bytes
            // (except where bytes without a token were dropped).
            var last = 0
            for (id, r) in zip(enc.ids, enc.offsets) {
                XCTAssertGreaterThanOrEqual(r.lowerBound, last)
                XCTAssertLessThanOrEqual(r.upperBound, utf8.count)
                last = r.upperBound
                if c.decoded == c.text {
                    XCTAssertEqual(Array(tok.bytes(for: id)), Array(utf8[r]), "token \(id) in \(c.text.debugDescription)")
                }
            }
            if c.decoded == c.text { XCTAssertEqual(last, utf8.count) }
        }
    }

    func testStreamingDecoderHoldsBackSplitEmoji() throws {
        let tok = try FixtureLoader.smolSubset()
        let root = try FixtureLoader.json("smollm2_encodings")
        let emojiCase = (root["cases"] as! [[String: Any]]).first { $0["text"] as? String == "🤗" }!
        let ids = FixtureLoader.ints(emojiCase["ids"])
        XCTAssertGreaterThan(ids.count, 1, "🤗 should be split over several byte-level tokens")
        var stream = tok.makeStreamingDecoder()
        var outputs: [String] = []
        for id in ids { outputs.append(stream.append(id)) }
        XCTAssertEqual(outputs.dropLast().joined(), "", "no partial character may be emitted")
        XCTAssertEqual(outputs.last, "🤗")
        XCTAssertEqual(stream.finish(), "")

        // Every fixture text: the streamed pieces concatenate to decode(ids), and no piece ever
        // contains U+FFFD unless the full decode does.
        for c in try cases() {
            var s = tok.makeStreamingDecoder()
            var text = ""
            for id in c.ids {
                let piece = s.append(id)
                if !c.decoded.contains("\u{FFFD}") { XCTAssertFalse(piece.contains("\u{FFFD}"), c.text.debugDescription) }
                text += piece
            }
            text += s.finish()
            XCTAssertEqual(text, c.decoded, c.text.debugDescription)
        }
        for d in root["decode_cases"] as! [[String: Any]] {
            var s = tok.makeStreamingDecoder()
            let text = FixtureLoader.ints(d["ids"]).map { s.append($0) }.joined() + s.finish()
            XCTAssertEqual(text, d["decoded"] as? String)
        }
    }

    func testStreamingDecoderFlushesIncompleteTailAsReplacement() throws {
        let tok = try FixtureLoader.smolSubset()
        let emoji = Array("🤗".utf8)
        let byteIDs = emoji.prefix(3).map { tok.id(for: String(Character(ByteUnicodeMap.byteToScalar[Int($0)])))! }
        var s = tok.makeStreamingDecoder()
        XCTAssertEqual(byteIDs.map { s.append($0) }.joined(), "")
        XCTAssertEqual(s.pendingByteCount, 3)
        XCTAssertEqual(s.finish(), "\u{FFFD}")
        XCTAssertEqual(s.pendingByteCount, 0)
        // Skipping specials.
        var k = tok.makeStreamingDecoder(skipSpecialTokens: true)
        XCTAssertEqual(k.append(1), "")
        XCTAssertEqual(k.append(tok.id(for: "Hello")!), "Hello")
    }
}
