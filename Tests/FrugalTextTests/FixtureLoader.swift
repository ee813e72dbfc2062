// Test helpers: loading the JSON fixtures written by reference/tokenizer_fixtures.py.
import Foundation
import XCTest
@testable import FrugalText

enum FixtureLoader {
    static func url(_ name: String, _ ext: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures") else {
            throw XCTSkip("fixture \(name).\(ext) missing; run reference/tokenizer_fixtures.py")
        }
        return url
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(name, "json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func ints(_ v: Any?) -> [Int] { (v as? [Any] ?? []).map { ($0 as! NSNumber).intValue } }

    /// The SmolLM2 subset tokenizer (ids identical to the full vocabulary on the fixture texts).
    static func smolSubset() throws -> BPETokenizer {
        // BOS/EOS/PAD as SmolLM2-Instruct's GGUF metadata gives them (ids 1 / 2 / 2).
        try BPETokenizer(tokenizerJSON: url("smollm2_subset_tokenizer", "json"), bosToken: "<|im_start|>",
                         eosToken: "<|im_end|>", padToken: "<|im_end|>")
    }

    static let ggufPath = "/root/.cache/frugal/models/SmolLM2-135M-Instruct.Q4_1.gguf"
}
