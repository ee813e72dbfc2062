// BnbCheckpoint reading: the checkpoints transformers + bitsandbytes wrote (Fixtures/bnb/) load back
// into the exact QuantizedBlockwise4Bit / BnbInt8Weight that quantizing the original weights gives,
// and damaged checkpoints give typed errors naming the tensor.
import Foundation
import XCTest
@testable import FrugalIO
import FrugalQuant

final class BnbCheckpointTests: XCTestCase {
    private func original(_ dir: String, _ name: String) throws -> (shape: [Int], data: [Float]) {
        try SafetensorsCheckpoint(path: Fixture.path("bnb/\(dir)/model.safetensors")).loadFloat32(name)
    }

    func testLoadNF4DoubleQuantFromTransformersCheckpoint() throws {
        let dir = Fixture.path("bnb/tiny_bf16_nf4_dq")
        for module in ["model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.k_proj", "model.layers.1.mlp.down_proj"] {
            let q = try BnbCheckpoint.load4bit(directory: dir, module: module)
            let w = try original("tiny_bf16", module + ".weight")
            let expected = try QuantizedBlockwise4Bit.quantize(w.data, shape: w.shape, type: .nf4, doubleQuant: true, dtype: .bfloat16)
            XCTAssertEqual(q, expected, module)
            XCTAssertEqual(q.shape, w.shape)
            XCTAssertTrue(q.isDoubleQuantized)
            XCTAssertEqual(q.dtype, .bfloat16)
        }
        // ".weight" names work too, and what was loaded dequantizes close to the original.
        let q = try BnbCheckpoint.load4bit(directory: dir, module: "model.layers.0.mlp.up_proj.weight")
        let w = try original("tiny_bf16", "model.layers.0.mlp.up_proj.weight")
        let snr = QuantizeErrorStats.measure(w.data, q.dequantize()).snrDB!
        XCTAssertGreaterThan(snr, 15)
        let ck = try SafetensorsCheckpoint(path: dir + "/model.safetensors")
        XCTAssertTrue(BnbCheckpoint.is4bit(ck, module: "model.layers.0.mlp.up_proj"))
        XCTAssertFalse(BnbCheckpoint.is4bit(ck, module: "lm_head"))
    }

    func testLoadFP4WithPartialBlocks() throws {
        let q = try BnbCheckpoint.load4bit(directory: Fixture.path("bnb/tiny_f32_fp4"), module: "model.layers.0.self_attn.v_proj")
        let w = try original("tiny_f32", "model.layers.0.self_attn.v_proj.weight")
        XCTAssertEqual(q, try QuantizedBlockwise4Bit.quantize(w.data, shape: w.shape, type: .fp4))
        XCTAssertEqual(q.count, 288)
        XCTAssertEqual(q.blockCount, 5)  // 4 full blocks of 64 and one of 32
        XCTAssertFalse(q.isDoubleQuantized)
    }

    func testLoadInt8FromTransformersCheckpoint() throws {
        for module in ["model.layers.0.mlp.gate_proj", "model.layers.0.self_attn.k_proj"] {
            let q = try BnbCheckpoint.loadInt8(directory: Fixture.path("bnb/tiny_f32_int8"), module: module)
            let w = try original("tiny_f32", module + ".weight")
            XCTAssertEqual(q, try BnbInt8Weight.quantize(w.data, rows: w.shape[0], cols: w.shape[1]), module)
        }
    }

    func testInt8ScaleIsReciprocalTimes127() throws {
        // torch's `127.0 / row_stats` is reciprocal(row_stats) * 127. For absmax 1.2578125 that is
        // 100.96895 (the plain division gives 100.96894), so -0.62890625 * scale = -63.500004 -> -64,
        // where the plain division would give -63.499996 -> -63. torch.int8 result: [127, -64].
        let q = try BnbInt8Weight.quantize([1.2578125, -0.62890625], rows: 1, cols: 2)
        XCTAssertEqual(q.quantized.codes, [127, -64])
        XCTAssertEqual(q.scb, [1.2578125])
        // The weight is rounded to fp16 first: 0.1 -> 0.0999755859375 in fp16, which is the row absmax.
        let r = try BnbInt8Weight.quantize([0.1, -0.05], rows: 1, cols: 2)
        XCTAssertEqual(r.scb, [Float(Float16(0.1))])
    }

    func testNotQuantizedModule() throws {
        XCTAssertThrowsError(try BnbCheckpoint.load4bit(directory: Fixture.path("bnb/tiny_bf16_nf4_dq"), module: "model.embed_tokens")) {
            guard case BnbCheckpointError.notQuantized(_, let m) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(m, "model.embed_tokens")
        }
        XCTAssertThrowsError(try BnbCheckpoint.loadInt8(directory: Fixture.path("bnb/tiny_bf16_nf4_dq"), module: "model.layers.0.mlp.up_proj"))
    }

    /// Rewrites the nf4 fixture with `edit` applied to its tensors and loads q_proj from it.
    private func loadDamaged(_ edit: (inout [SafetensorsTensor]) -> Void) throws -> QuantizedBlockwise4Bit {
        let src = try SafetensorsFile(path: Fixture.path("bnb/tiny_bf16_nf4_dq/model.safetensors"))
        var tensors = src.tensors.map { SafetensorsTensor(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: Array(src.rawBytes(of: $0))) }
        edit(&tensors)
        let dir = temporaryDirectory(self)
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: dir.appendingPathComponent("model.safetensors").path)
        return try BnbCheckpoint.load4bit(directory: dir.path, module: "model.layers.0.self_attn.q_proj")
    }

    func testDamagedCheckpoints() throws {
        let p = "model.layers.0.self_attn.q_proj.weight"
        XCTAssertNoThrow(try loadDamaged { _ in })
        XCTAssertThrowsError(try loadDamaged { $0.removeAll { $0.name == p + ".nested_absmax" } }) {
            XCTAssertEqual($0 as? BnbCheckpointError, .missingTensor(path: "", tensor: p + ".nested_absmax").withPath($0))
        }
        XCTAssertThrowsError(try loadDamaged { t in
            let i = t.firstIndex { $0.name == p + ".absmax" }!
            t[i] = SafetensorsTensor(name: t[i].name, dtype: .U8, shape: [t[i].shape[0] - 1], bytes: Array(t[i].bytes.dropLast()))
        }) { e in
            guard case BnbCheckpointError.wrongShape(_, let name, _, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(name, p + ".absmax")
        }
        XCTAssertThrowsError(try loadDamaged { t in
            let i = t.firstIndex { $0.name == p + ".quant_map" }!
            var b = t[i].bytes; b[0] ^= 1
            t[i] = SafetensorsTensor(name: t[i].name, dtype: .F32, shape: [16], bytes: b)
        }) { e in
            guard case BnbCheckpointError.customQuantMap = e else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try loadDamaged { t in
            let i = t.firstIndex { $0.name == p }!
            t[i] = SafetensorsTensor(name: p, shape: [t[i].bytes.count / 4], float32: [Float](repeating: 0, count: t[i].bytes.count / 4))
        }) { e in
            guard case BnbCheckpointError.wrongDType(_, let name, "F32", "U8") = e else { return XCTFail("\(e)") }
            XCTAssertEqual(name, p)
        }
        XCTAssertThrowsError(try loadDamaged { t in
            let i = t.firstIndex { $0.name == p + ".quant_state.bitsandbytes__nf4" }!
            let json = Array("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": [64, 65]}".utf8)
            t[i] = SafetensorsTensor(name: t[i].name, dtype: .U8, shape: [json.count], bytes: json)
        }) { e in
            guard case BnbCheckpointError.wrongShape(_, let name, _, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(name, p)  // packed bytes no longer match the claimed shape
        }
        XCTAssertThrowsError(try loadDamaged { t in
            let i = t.firstIndex { $0.name == p + ".quant_state.bitsandbytes__nf4" }!
            let json = Array("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": [4611686018427387904, 4]}".utf8)
            t[i] = SafetensorsTensor(name: t[i].name, dtype: .U8, shape: [json.count], bytes: json)
        })  // a huge claimed shape is refused, never allocated
    }
}

private extension BnbCheckpointError {
    /// The same error with the path of `other` (tests compare everything but temporary paths).
    func withPath(_ other: Error) -> BnbCheckpointError {
        guard case .missingTensor(let p, _)? = other as? BnbCheckpointError, case .missingTensor(_, let t) = self else { return self }
        return .missingTensor(path: p, tensor: t)
    }
}
