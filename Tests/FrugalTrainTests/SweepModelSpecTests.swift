// `frugal pretrain --config FILE.json`: PretrainModelSpec files — missing keys keep defaults,
// unknown keys and wrong types are refused with the key and file named, shapes are validated.
import Foundation
import XCTest
import FrugalEstimate
@testable import FrugalTrain

final class SweepModelSpecTests: XCTestCase {
    func write(_ json: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-spec-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testFullAndPartialFiles() throws {
        let full = try PretrainModelSpec.read(contentsOf: write(
            #"{"hidden": 96, "layers": 3, "heads": 6, "kv_heads": 3, "intermediate": 200, "seq_len": 128}"#))
        XCTAssertEqual(full, PretrainModelSpec(hidden: 96, layers: 3, heads: 6, kvHeads: 3, intermediate: 200, seqLen: 128))
        let partial = try PretrainModelSpec.read(contentsOf: write(#"{"layers": 4}"#))
        XCTAssertEqual(partial, PretrainModelSpec(hidden: 64, layers: 4, heads: 4, kvHeads: 2, intermediate: nil, seqLen: 64))
        XCTAssertEqual(partial.resolvedIntermediate, 176)   // 8/3·64 = 170.67, rounded up to a multiple of 8
        // The config it builds: byte vocabulary, tied head, context = seq_len.
        let c = full.modelConfig
        XCTAssertEqual(c.vocabSize, 256); XCTAssertTrue(c.tieWordEmbeddings)
        XCTAssertEqual(c.maxPositionEmbeddings, 128); XCTAssertEqual(c.intermediateSize, 200)
        // Round trip through its own encoding (snake_case keys).
        let enc = try JSONEncoder().encode(full)
        XCTAssertEqual(try JSONDecoder().decode(PretrainModelSpec.self, from: enc), full)
        let keys = try XCTUnwrap(JSONSerialization.jsonObject(with: enc) as? [String: Any]).keys
        XCTAssertEqual(Set(keys), ["hidden", "layers", "heads", "kv_heads", "intermediate", "seq_len"])
    }

    func testUnknownKeyIsRefusedByName() throws {
        let url = try write(#"{"hidden": 64, "hiden_size": 32}"#)
        XCTAssertThrowsError(try PretrainModelSpec.read(contentsOf: url)) { e in
            guard case let .badModelConfig(path, reason)? = e as? SweepError else { return XCTFail("\(e)") }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue(reason.contains("hiden_size"), reason)
            XCTAssertTrue(reason.contains("kv_heads"), reason)  // lists the valid keys
        }
        // camelCase is not an alias.
        XCTAssertThrowsError(try PretrainModelSpec.read(contentsOf: write(#"{"kvHeads": 2}"#)))
    }

    func testWrongTypesAndNonObjectsAreRefused() throws {
        for json in [#"{"hidden": "64"}"#, #"{"layers": 2.5}"#, #"[1, 2]"#, "not json", #"{"heads": null}"#] {
            let url = try write(json)
            if json.contains("null") {
                // null means "not given": keeps the default.
                XCTAssertEqual(try PretrainModelSpec.read(contentsOf: url).heads, 4)
                continue
            }
            XCTAssertThrowsError(try PretrainModelSpec.read(contentsOf: url), json) { e in
                guard case .badModelConfig? = e as? SweepError else { return XCTFail("\(json): \(e)") }
            }
        }
        XCTAssertThrowsError(try PretrainModelSpec.read(contentsOf: URL(fileURLWithPath: "/nonexistent/model.json"))) { e in
            guard case .unreadable? = e as? SweepError else { return XCTFail("\(e)") }
        }
    }

    func testValidation() throws {
        try PretrainModelSpec().validate()
        let bad: [(PretrainModelSpec, String)] = [
            (PretrainModelSpec(hidden: 0), "hidden"),
            (PretrainModelSpec(layers: -1), "layers"),
            (PretrainModelSpec(hidden: 60, heads: 8, kvHeads: 2), "hidden"),     // not a multiple of heads
            (PretrainModelSpec(heads: 4, kvHeads: 3), "heads"),                  // heads not a multiple of kv_heads
            (PretrainModelSpec(hidden: 12, heads: 4, kvHeads: 2), "hidden"),     // head dim 3 is odd (RoPE)
            (PretrainModelSpec(seqLen: 0), "seq_len"),
            (PretrainModelSpec(intermediate: 0), "intermediate"),
        ]
        for (spec, field) in bad {
            XCTAssertThrowsError(try spec.validate(), "\(spec)") { e in
                guard case let .invalid(f, _, _)? = e as? SweepError else { return XCTFail("\(e)") }
                XCTAssertEqual(f, field, "\(spec)")
            }
        }
    }

    func testPretrainerFlopsAreTheItemizedTrainingCount() throws {
        let spec = PretrainModelSpec(hidden: 16, layers: 1, heads: 2, kvHeads: 1, seqLen: 16)
        var o = PretrainOptions(); o.steps = 3; o.batch = 2; o.seqLen = 16; o.evalEvery = 0; o.evalWindows = 2
        let corpus = SweepCorpus.generate(bytes: 4_000, seed: 2).bytes
        let t = try Pretrainer(config: spec.modelConfig, corpus: corpus, options: o)
        let expected = try FlopsTraining.estimate(spec.modelConfig, TrainingOptions(method: .full, batch: 2, seqLen: 16)).total
        XCTAssertEqual(t.flopsPerToken, expected)
        XCTAssertGreaterThan(t.flopsPerToken, 6 * Double(t.model.parameterCount))  // attention and loss terms on top
        var steps: [PretrainStep] = []
        t.run { steps.append($0) }
        XCTAssertEqual(steps.map(\.tokens), [32, 64, 96])
        XCTAssertEqual(steps.last!.flops, expected * 96)
    }
}
