// `frugal quantize` (QuantizeJob) against transformers 5.23 + bitsandbytes 0.50.2: the same tiny
// models quantized by Python (reference/bnb_checkpoint_fixtures.py, Fixtures/bnb/) and by Swift must
// give byte-identical model.safetensors files and config.json files, and the side files must be
// copied byte for byte.
import Foundation
import XCTest
@testable import FrugalIO
import FrugalQuant

final class BnbQuantizeTests: XCTestCase {
    private func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Quantizes fixture `input` with `options` and compares the output with fixture `expected`.
    @discardableResult
    private func checkAgainstPython(input: String, expected: String, options: QuantizeOptions,
                                    file: StaticString = #filePath, line: UInt = #line) throws -> QuantizeReport {
        let out = temporaryDirectory(self).appendingPathComponent("out").path
        let report = try QuantizeJob.run(source: .hfDirectory(path: Fixture.path("bnb/" + input)), options: options, output: out)
        let mine = try SafetensorsFile(path: out + "/model.safetensors")
        let theirs = try SafetensorsFile(path: Fixture.path("bnb/\(expected)/model.safetensors"))
        // Tensor by tensor first (a readable failure), then the whole file.
        XCTAssertEqual(mine.tensors.map(\.name).sorted(), theirs.tensors.map(\.name).sorted(), file: file, line: line)
        for t in theirs.tensors {
            guard let m = mine.tensor(named: t.name) else { continue }
            XCTAssertEqual(m.dtype, t.dtype, t.name, file: file, line: line)
            XCTAssertEqual(m.shape, t.shape, t.name, file: file, line: line)
            XCTAssertEqual(Array(mine.rawBytes(of: m)), Array(theirs.rawBytes(of: t)), "bytes of \(t.name)", file: file, line: line)
        }
        XCTAssertEqual(try bytes(out + "/model.safetensors"), try bytes(Fixture.path("bnb/\(expected)/model.safetensors")),
                       "model.safetensors is not byte-identical", file: file, line: line)
        // config.json: equal values, and in fact equal bytes (transformers' own formatting).
        let myConfig = try bytes(out + "/config.json"), theirConfig = try bytes(Fixture.path("bnb/\(expected)/config.json"))
        let a = try JSONSerialization.jsonObject(with: Data(myConfig)) as! NSDictionary
        let b = try JSONSerialization.jsonObject(with: Data(theirConfig)) as! NSDictionary
        XCTAssertEqual(a["quantization_config"] as? NSDictionary, b["quantization_config"] as? NSDictionary, file: file, line: line)
        XCTAssertEqual(a, b, file: file, line: line)
        XCTAssertEqual(String(decoding: myConfig, as: UTF8.self), String(decoding: theirConfig, as: UTF8.self), file: file, line: line)
        XCTAssertEqual(try bytes(out + "/generation_config.json"), try bytes(Fixture.path("bnb/\(expected)/generation_config.json")),
                       file: file, line: line)
        return report
    }

    func testNF4DoubleQuantBF16MatchesTransformers() throws {
        let report = try checkAgainstPython(input: "tiny_bf16", expected: "tiny_bf16_nf4_dq",
                                            options: QuantizeOptions(target: .nf4, doubleQuant: true))
        // 2 layers x 7 projections quantized; embeddings, lm_head and norms copied.
        XCTAssertEqual(report.tensors.count, 14)
        XCTAssertEqual(report.copiedTensors, 2 + 2 * 2 + 1)
        XCTAssertEqual(report.tensors.map(\.name), report.tensors.map(\.name).sorted())
        XCTAssertFalse(report.tensors.contains { $0.name.contains("embed") || $0.name.contains("lm_head") })
        for t in report.tensors {
            XCTAssertEqual(t.format, "nf4+dq/64")
            XCTAssertEqual(t.inputDType, "BF16")
            XCTAssertGreaterThan(t.rmse, 0)
            XCTAssertGreaterThanOrEqual(t.maxAbsError, t.rmse)
            // NF4 on Gaussian weights: ~20 dB (the QLoRA paper's 4-bit regime); far from 0 and from lossless.
            XCTAssertGreaterThan(t.snrDB!, 15, t.name)
            XCTAssertLessThan(t.snrDB!, 25, t.name)
            // Exactly: n/2 packed + n/64 absmax codes + 4 per 256 blocks + 64 (quant map) + 1024
            // (nested map) + the quant_state JSON (~170 bytes).
            let n = t.shape.reduce(1, *), blocks = n / 64
            let fixed = n / 2 + blocks + 4 * ((blocks + 255) / 256) + 64 + 1024
            XCTAssertEqual(t.bytesBefore, 2 * n)
            XCTAssertGreaterThan(t.bytesAfter - fixed, 150, t.name)
            XCTAssertLessThan(t.bytesAfter - fixed, 200, t.name)
        }
        // The tokenizer files are copied byte for byte.
        XCTAssertEqual(Set(report.files), ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"])
        for f in ["tokenizer.json", "tokenizer_config.json"] {
            XCTAssertEqual(try bytes(report.output + "/" + f), try bytes(Fixture.path("bnb/tiny_bf16/" + f)), f)
        }
        XCTAssertLessThan(report.bytesAfter, report.bytesBefore)
    }

    func testFP4Float32PartialBlocksMatchesTransformers() throws {
        // Odd layer sizes (hidden 24): k_proj / v_proj hold 288 values, four full 64-blocks and a
        // partial one. transformers + bitsandbytes write that, and so does Frugal by default, with a
        // note that bnb's AVX512-BF16 CPU path cannot run it.
        let report = try checkAgainstPython(input: "tiny_f32", expected: "tiny_f32_fp4", options: QuantizeOptions(target: .fp4))
        XCTAssertTrue(report.notes.contains { $0.contains("AVX512-BF16") }, "\(report.notes)")
        XCTAssertEqual(report.tensors.count, 7)
        XCTAssertEqual(report.copiedTensors, 4)  // tied embeddings, two norms, final norm
        XCTAssertTrue(report.tensors.allSatisfy { $0.format == "fp4/64" && $0.inputDType == "F32" })
    }

    func testInt8Float32MatchesTransformers() throws {
        let report = try checkAgainstPython(input: "tiny_f32", expected: "tiny_f32_int8", options: QuantizeOptions(target: .int8))
        XCTAssertEqual(report.tensors.count, 7)
        for t in report.tensors {
            XCTAssertEqual(t.format, "int8/row")
            XCTAssertGreaterThan(t.snrDB!, 30, t.name)  // 8 bits: ~6 dB per bit, far better than 4-bit
        }
    }
}
