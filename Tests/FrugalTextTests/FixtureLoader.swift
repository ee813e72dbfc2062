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

    /// The default model where scripts/setup puts it: $FRUGAL_HOME/models, else ~/.cache/frugal/models
    /// (FrugalIO's DefaultModel; FrugalText's tests do not depend on FrugalIO).
    static var ggufPath: String {
        let env = ProcessInfo.processInfo.environment
        let home = env["FRUGAL_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((env["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".cache/frugal")
        return ((home as NSString).appendingPathComponent("models") as NSString)
            .appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf")
    }
}
