// `frugal quantize` refusals: each bad input or option gives its typed error, and no failure leaves
// DIR (or a temporary directory beside it) behind.
import Foundation
import XCTest
@testable import FrugalIO
import FrugalQuant

final class QuantizeErrorTests: XCTestCase {
    private var work: URL!
    override func setUp() { work = temporaryDirectory(self) }

    /// Nothing named after `out` exists in its parent: no DIR, no temporary sibling.
    private func assertNothingWritten(_ out: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(out) exists", file: file, line: line)
        let parent = (out as NSString).deletingLastPathComponent
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.contains("frugal-tmp") }
        XCTAssertEqual(leftovers, [], file: file, line: line)
    }

    /// A copy of fixture `name` in the work directory.
    private func copy(_ name: String) throws -> String {
        let dst = work.appendingPathComponent(name)
        try FileManager.default.copyItem(at: Fixture.url("bnb/" + name), to: dst)
        return dst.path
    }

    private func run(_ input: String, _ options: QuantizeOptions, out: String) throws -> QuantizeReport {
        try QuantizeJob.run(source: .hfDirectory(path: input), options: options, output: out)
    }

    func testMissingConfigJSON() throws {
        let dir = try copy("tiny_bf16")
        try FileManager.default.removeItem(atPath: dir + "/config.json")
        let out = work.appendingPathComponent("out").path
        XCTAssertThrowsError(try run(dir, QuantizeOptions(target: .nf4), out: out)) {
            guard case HFModelError.missingFile(let p, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(p.hasSuffix("config.json"))
        }
        XCTAssertThrowsError(try ModelSource.resolve(dir))  // the CLI's first step refuses it too
        assertNothingWritten(out)
    }

    func testMissingWeights() throws {
        let dir = try copy("tiny_bf16")
        try FileManager.default.removeItem(atPath: dir + "/model.safetensors")
        let out = work.appendingPathComponent("out").path
        XCTAssertThrowsError(try run(dir, QuantizeOptions(target: .nf4), out: out)) {
            guard case HFModelError.missingFile(let p, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(p.hasSuffix("model.safetensors"))
        }
        assertNothingWritten(out)
    }

    func testUnsupportedDType() throws {
        // q_proj stored as I32: not a float weight.
        let dir = try copy("tiny_f32")
        let path = dir + "/model.safetensors"
        let src = try SafetensorsFile(path: path)
        let tensors = src.tensors.map { t -> SafetensorsTensor in
            let b = Array(src.rawBytes(of: t))
            return SafetensorsTensor(name: t.name, dtype: t.name.hasSuffix("q_proj.weight") ? .I32 : t.dtype, shape: t.shape, bytes: b)
        }
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: path)
        let out = work.appendingPathComponent("out").path
        XCTAssertThrowsError(try run(dir, QuantizeOptions(target: .int8), out: out)) {
            XCTAssertEqual($0 as? QuantizeError, .unsupportedDType(path: dir, tensor: "model.layers.0.self_attn.q_proj.weight", dtype: "I32"))
            XCTAssertTrue("\($0)".contains("only F32, F16 and BF16"))
        }
        assertNothingWritten(out)
    }

    func testAlreadyQuantizedInput() throws {
        let out = work.appendingPathComponent("out").path
        XCTAssertThrowsError(try run(Fixture.path("bnb/tiny_bf16_nf4_dq"), QuantizeOptions(target: .nf4), out: out)) {
            guard case QuantizeError.alreadyQuantized = $0 else { return XCTFail("\($0)") }
        }
        assertNothingWritten(out)
    }

    func testBlockSizeThatDoesNotFit() throws {
        let out = work.appendingPathComponent("out").path
        // Not a bitsandbytes block size at all.
        XCTAssertThrowsError(try run(Fixture.path("bnb/tiny_bf16"), QuantizeOptions(target: .nf4, blockSize: 100), out: out)) {
            guard case QuantizeError.badOption(let m) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(m.contains("--block-size 100"))
        }
        // Larger than the rows (in_features 64): blocks straddle rows, as bitsandbytes writes them;
        // the report says its AVX512-BF16 CPU path cannot run them and which block sizes would fit.
        let straddling = try run(Fixture.path("bnb/tiny_bf16"), QuantizeOptions(target: .nf4, blockSize: 128), out: out)
        XCTAssertTrue(straddling.notes.contains { $0.contains("AVX512-BF16") && $0.contains("--block-size 32 or 64") },
                      "\(straddling.notes)")
        try FileManager.default.removeItem(atPath: out)
        // Options that make no sense for int8.
        XCTAssertThrowsError(try run(Fixture.path("bnb/tiny_bf16"), QuantizeOptions(target: .int8, blockSize: 64), out: out))
        XCTAssertThrowsError(try run(Fixture.path("bnb/tiny_bf16"), QuantizeOptions(target: .int8, doubleQuant: true), out: out))
        assertNothingWritten(out)
        // A block size that fits works, and its quant_state records it.
        let report = try run(Fixture.path("bnb/tiny_bf16"), QuantizeOptions(target: .nf4, blockSize: 32), out: out)
        XCTAssertEqual(report.blockSize, 32)
        let q = try BnbCheckpoint.load4bit(directory: out, module: "model.layers.0.self_attn.q_proj")
        XCTAssertEqual(q.blockSize, 32)
    }

    func testNonFiniteWeight() throws {
        let dir = try copy("tiny_f32")
        let path = dir + "/model.safetensors"
        let src = try SafetensorsFile(path: path)
        let tensors = try src.tensors.map { t -> SafetensorsTensor in
            guard t.name.hasSuffix("up_proj.weight") else {
                return SafetensorsTensor(name: t.name, dtype: t.dtype, shape: t.shape, bytes: Array(src.rawBytes(of: t)))
            }
            var v = try src.loadFloat32(t.name).data
            v[7] = .nan
            return SafetensorsTensor(name: t.name, shape: t.shape, float32: v)
        }
        try SafetensorsWriter.write(tensors, to: path)
        let out = work.appendingPathComponent("out").path
        for target in QuantizeOptions.Target.allCases {
            XCTAssertThrowsError(try run(dir, QuantizeOptions(target: target), out: out)) {
                guard case QuantizeError.cannotQuantize(let t, let reason) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(t, "model.layers.0.mlp.up_proj.weight")
                XCTAssertTrue(reason.contains("index 7"), reason)
            }
        }
        assertNothingWritten(out)
    }

    func testExistingOutputDirectory() throws {
        let out = work.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out + "/precious.txt"))
        XCTAssertThrowsError(try run(Fixture.path("bnb/tiny_bf16"), QuantizeOptions(target: .nf4), out: out)) {
            XCTAssertEqual($0 as? QuantizeError, .outputExists(path: out))
        }
        XCTAssertEqual(try String(contentsOfFile: out + "/precious.txt", encoding: .utf8), "keep")
        // A file in the way.
        let file = work.appendingPathComponent("file").path
        try Data().write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try run(Fixture.path("bnb/tiny_bf16"), QuantizeOptions(target: .nf4), out: file)) {
            XCTAssertEqual($0 as? QuantizeError, .outputNotADirectory(path: file))
        }
        // --force replaces the directory as a whole.
        _ = try run(Fixture.path("bnb/tiny_bf16"), QuantizeOptions(target: .nf4, force: true), out: out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/precious.txt"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/model.safetensors"))
        // An existing empty directory is fine without --force.
        let empty = work.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        _ = try run(Fixture.path("bnb/tiny_bf16"), QuantizeOptions(target: .int8), out: empty)
        XCTAssertTrue(FileManager.default.fileExists(atPath: empty + "/config.json"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.contains("frugal-tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testFailureWhileWritingLeavesNothing() throws {
        // tokenizer.json is a directory: reading it fails after the weights were already written
        // into the temporary directory, which must then disappear.
        let dir = try copy("tiny_bf16")
        try FileManager.default.removeItem(atPath: dir + "/tokenizer.json")
        try FileManager.default.createDirectory(atPath: dir + "/tokenizer.json", withIntermediateDirectories: false)
        let out = work.appendingPathComponent("nested/out").path
        XCTAssertThrowsError(try run(dir, QuantizeOptions(target: .nf4), out: out)) {
            guard case QuantizeError.writeFailed(let p, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(p, out)
        }
        assertNothingWritten(out)
        // And with --force over an existing DIR, the old DIR survives a failure untouched.
        let kept = work.appendingPathComponent("kept").path
        try FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: URL(fileURLWithPath: kept + "/old.txt"))
        XCTAssertThrowsError(try run(dir, QuantizeOptions(target: .nf4, force: true), out: kept))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: kept), ["old.txt"])
    }
}
