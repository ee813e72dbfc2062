// PEFT adapter files: Frugal reads what PEFT 0.21.2 saved (reference/peft_fixtures.py), and what it
// writes back is byte-identical safetensors with the same config values.
import XCTest
import Foundation
@testable import FrugalIO

final class PEFTAdapterTests: XCTestCase {
    var fixture: URL { Bundle.module.url(forResource: "peft", withExtension: nil, subdirectory: "Fixtures")! }

    func testReadsPEFTAdapter() throws {
        let (config, pairs) = try PEFTAdapter.read(fixture.appendingPathComponent("adapter").path)
        XCTAssertEqual(config.r, 4)
        XCTAssertEqual(config.loraAlpha, 8)
        XCTAssertEqual(config.scaling, 2)
        XCTAssertEqual(config.targetModules, ["down_proj", "q_proj", "v_proj"])
        XCTAssertEqual(pairs.count, 6)
        let q = try XCTUnwrap(pairs.first { $0.module == "model.layers.0.self_attn.q_proj" })
        XCTAssertEqual(q.aShape, [4, 32]); XCTAssertEqual(q.bShape, [32, 4])
        let d = try XCTUnwrap(pairs.first { $0.module == "model.layers.1.mlp.down_proj" })
        XCTAssertEqual(d.aShape, [4, 48]); XCTAssertEqual(d.bShape, [32, 4])
    }

    func testWritesWhatPEFTWrites() throws {
        let src = fixture.appendingPathComponent("adapter")
        let (config, pairs) = try PEFTAdapter.read(src.path)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("peft-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        try PEFTAdapter.write(config: config, pairs: pairs, to: out.path)
        let ours = try Data(contentsOf: out.appendingPathComponent("adapter_model.safetensors"))
        let theirs = try Data(contentsOf: src.appendingPathComponent("adapter_model.safetensors"))
        XCTAssertEqual(ours, theirs, "adapter_model.safetensors differs from PEFT's")
        let mine = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        let peft = try JSONSerialization.jsonObject(with: Data(contentsOf: src.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        for (k, v) in mine {
            if k == "target_modules" {
                XCTAssertEqual(Set(v as! [String]), Set(peft[k] as! [String]))
            } else if let a = Double("\(v)"), let b = Double("\(peft[k] ?? "")") {
                XCTAssertEqual(a, b, "key \(k)")   // Python writes 0.0 where we write 0
            } else {
                XCTAssertEqual("\(v)", "\(peft[k] ?? "absent")", "key \(k)")
            }
        }
    }

    func testRefusesWhatItCannotApply() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peft-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try PEFTAdapter.read(dir.path)) { XCTAssertTrue("\($0)".contains("adapter_config.json is missing")) }
        let cfg = #"{"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["q_proj"], "use_dora": true}"#
        try Data(cfg.utf8).write(to: dir.appendingPathComponent("adapter_config.json"))
        try Data().write(to: dir.appendingPathComponent("adapter_model.safetensors"))
        XCTAssertThrowsError(try PEFTAdapter.read(dir.path)) { XCTAssertTrue("\($0)".contains("use_dora"), "\($0)") }
    }
}
