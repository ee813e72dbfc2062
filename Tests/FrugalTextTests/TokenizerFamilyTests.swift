// The tokenizer.json pipeline against HF `tokenizers` 0.23.3, one small trained tokenizer per
// family configuration (reference/tokenizer_family_fixtures.py): Llama 3 (Split regex + ByteLevel,
// ignore_merges, BOS template), Qwen2 (NFC + Split regex + ByteLevel), Llama 2 (Prepend + Replace
// normalizers, byte-fallback BPE, Replace/ByteFallback/Fuse/Strip decoders), Gemma (Replace +
// Split(" ")), Mistral (Metaspace "first"), and a mix of NFKC, Lowercase, Digits, Metaspace(split).
// Ids with and without special tokens, decodes (with and without skipping specials), decoder-only
// id lists, streaming, offsets; and the same vocabularies through the GGUF "llama-bpe"/"qwen2" path.
import Foundation
import XCTest
@testable import FrugalText

final class TokenizerFamilyTests: XCTestCase {
    static let families = ["llama3", "qwen2", "llama2", "gemma", "mistral", "mixed"]

    func load(_ family: String) throws -> (BPETokenizer, [String: Any]) {
        let tok = try BPETokenizer(tokenizerJSON: FixtureLoader.url("family_\(family)_tokenizer", "json"))
        return (tok, try FixtureLoader.json("family_\(family)_encodings"))
    }

    func cases(_ root: [String: Any]) -> [[String: Any]] { (root["cases"] as? [[String: Any]]) ?? [] }

    func testIDsAndDecodesMatchHF() throws {
        for family in Self.families {
            let (tok, root) = try load(family)
            XCTAssertEqual(tok.vocabularySize, (root["vocab_size"] as? NSNumber)?.intValue, family)
            let all = cases(root)
            XCTAssertGreaterThan(all.count, 150, family)
            var failures = 0
            for c in all {
                let text = c["text"] as! String
                let label = "\(family) \(text.debugDescription)"
                let ids = FixtureLoader.ints(c["ids"])
                let withSpecial = FixtureLoader.ints(c["ids_with_special"])
                let got = tok.encode(text, addSpecialTokens: false)
                if got != ids { failures += 1 }
                XCTAssertEqual(got, ids, label)
                XCTAssertEqual(tok.encode(text, addSpecialTokens: true), withSpecial, label)
                XCTAssertEqual(tok.decode(ids), c["decoded"] as? String, label)
                XCTAssertEqual(tok.decode(withSpecial, skipSpecialTokens: true), c["decoded_skip_special"] as? String, label)
                if failures > 10 { XCTFail("\(family): stopping after 10 encode mismatches"); break }
            }
        }
    }

    func testDecoderChainsMatchHF() throws {
        for family in Self.families {
            let (tok, root) = try load(family)
            let list = (root["decode_cases"] as? [[String: Any]]) ?? []
            XCTAssertFalse(list.isEmpty, family)
            for c in list {
                let ids = FixtureLoader.ints(c["ids"])
                XCTAssertEqual(tok.decode(ids), c["decoded"] as? String, "\(family) \(ids)")
                XCTAssertEqual(tok.decode(ids, skipSpecialTokens: true), c["decoded_skip_special"] as? String, "\(family) \(ids)")
            }
        }
    }

    func testStreamingEqualsDecodeAndOffsetsAreOrdered() throws {
        for family in Self.families {
            let (tok, root) = try load(family)
            for c in cases(root) {
                let text = c["text"] as! String
                let label = "\(family) \(text.debugDescription)"
                let withSpecial = FixtureLoader.ints(c["ids_with_special"])
                for skip in [false, true] {
                    var s = tok.makeStreamingDecoder(skipSpecialTokens: skip)
                    var streamed = ""
                    for id in withSpecial { streamed += s.append(id) }
                    streamed += s.finish()
                    XCTAssertEqual(streamed, tok.decode(withSpecial, skipSpecialTokens: skip), label)
                }
                let enc = tok.encodeWithOffsets(text, addSpecialTokens: false)
                let n = text.utf8.count
                var last = 0
                for r in enc.offsets {
                    XCTAssertTrue(r.lowerBound >= last && r.upperBound <= n, "\(label) \(enc.offsets)")
                    last = r.lowerBound
                }
            }
        }
    }

    func testPipelineIsWhatTheFileSays() throws {
        let (llama3, _) = try load("llama3")
        XCTAssertEqual(llama3.preTokenizer, .sequence([.split(pattern: .llama3, behavior: .isolated, invert: false),
                                                       .byteLevel(addPrefixSpace: false, useRegex: false)]))
        XCTAssertEqual(llama3.prefixIDs, [llama3.id(for: "<|begin_of_text|>")!])
        let (qwen2, _) = try load("qwen2")
        XCTAssertEqual(qwen2.normalizer, .nfc)
        let (llama2, _) = try load("llama2")
        XCTAssertEqual(llama2.normalizer, .sequence([.prepend("▁"), .replace(pattern: " ", content: "▁")]))
        XCTAssertNil(llama2.preTokenizer)
        XCTAssertEqual(llama2.decodePlan.stripLeadingSpaces, 1)
    }

    /// The Llama 3 / Qwen2 vocabularies as GGUF arrays (control tokens for the added ones), with
    /// llama.cpp's pre-tokenizer names: the same ids as HF (Qwen2's GGUF path has no NFC step, so
    /// only NFC-stable texts are compared).
    func testGGUFPreTokenizerNamesGiveHFIDs() throws {
        for (family, pre) in [("llama3", "llama-bpe"), ("qwen2", "qwen2")] {
            let data = try Data(contentsOf: FixtureLoader.url("family_\(family)_tokenizer", "json"))
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            let model = json["model"] as! [String: Any]
            let vocab = model["vocab"] as! [String: Any]
            var tokens = [String](repeating: "", count: vocab.count)
            var types = [Int32](repeating: 1, count: vocab.count)
            for (t, id) in vocab { tokens[(id as! NSNumber).intValue] = t }
            for a in json["added_tokens"] as! [[String: Any]] { types[(a["id"] as! NSNumber).intValue] = 3 }
            let merges = (model["merges"] as! [[String]]).map { "\($0[0]) \($0[1])" }
            let bos = family == "llama3" ? tokens.firstIndex(of: "<|begin_of_text|>") : nil
            let tok = try BPETokenizer(tokens: tokens, merges: merges, tokenTypes: types, bosID: bos,
                                       model: "gpt2", pre: pre)
            let (_, root) = try load(family)
            var compared = 0
            for c in cases(root) {
                let text = c["text"] as! String
                guard family == "llama3" || Normalizer.nfc.normalize(text).unicodeScalars.elementsEqual(text.unicodeScalars) else { continue }
                XCTAssertEqual(tok.encode(text, addSpecialTokens: true), FixtureLoader.ints(c["ids_with_special"]), "\(pre) \(text.debugDescription)")
                XCTAssertEqual(tok.decode(FixtureLoader.ints(c["ids"])), c["decoded"] as? String)
                compared += 1
            }
            XCTAssertGreaterThan(compared, 120)
        }
    }

    func testUnknownSplitRegexIsRefusedByName() throws {
        let data = try Data(contentsOf: FixtureLoader.url("family_llama3_tokenizer", "json"))
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        root["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "\\p{N}{1,4}"], "behavior": "Isolated", "invert": false]
        let changed = try JSONSerialization.data(withJSONObject: root)
        XCTAssertThrowsError(try BPETokenizer(tokenizerJSONData: changed, source: "t.json")) { e in
            XCTAssertTrue("\(e)".hasPrefix("t.json: pre_tokenizer Split.pattern = Regex \"\\p{N}{1,4}\""), "\(e)")
        }
        root["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [["type": "ByteLevel", "add_prefix_space": false],
                                                                      ["type": "Digits", "individual_digits": true]]]
        XCTAssertThrowsError(try BPETokenizer(tokenizerJSONData: try JSONSerialization.data(withJSONObject: root))) { e in
            XCTAssertTrue("\(e)".contains("ByteLevel must come last"), "\(e)")
        }
        root["pre_tokenizer"] = NSNull()
        root["normalizer"] = ["type": "Replace", "pattern": ["Regex": " +"], "content": " "]
        XCTAssertThrowsError(try BPETokenizer(tokenizerJSONData: try JSONSerialization.data(withJSONObject: root))) { e in
            XCTAssertTrue("\(e)".contains("normalizer Replace.pattern = Regex"), "\(e)")
        }
    }
}
