// PEFT adapter files: Frugal reads what PEFT 0.21.2 saved (reference/peft_fixtures.py), and what it
// writes back is byte-identical safetensors with the same config values.
import XCTest
import Foundation
@testable import FrugalIO

final class PEFTAdapterTests: XCTestCase {
    var fixture: URL { Bundle.module.url(forResource: "peft", withExtension: nil, subdirectory: "Fixtures")! }

    func testReadsPEFTAdapter() throws {
        let (config, pairs) = try PEFTAdapter.read(fixture.appendingPathComponent("adapter").path)
        XCTAssertTrue(String(decoding: config, as: UTF8.self).contains(#""peft_type": "LORA""#))
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
        try PEFTAdapter.write(configJSON: config, pairs: pairs, to: out.path)
        let ours = try Data(contentsOf: out.appendingPathComponent("adapter_model.safetensors"))
        let theirs = try Data(contentsOf: src.appendingPathComponent("adapter_model.safetensors"))
        XCTAssertEqual(ours, theirs, "adapter_model.safetensors differs from PEFT's")
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("adapter_config.json")), config)
    }

    func testMissingFilesAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peft-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try PEFTAdapter.read(dir.path)) { XCTAssertTrue("\($0)".contains("adapter_config.json is missing")) }
        try Data("{}".utf8).write(to: dir.appendingPathComponent("adapter_config.json"))
        XCTAssertThrowsError(try PEFTAdapter.read(dir.path)) { XCTAssertTrue("\($0)".contains("adapter_model.safetensors is missing"), "\($0)") }
    }
}
