// GGUFFile against tiny.gguf written by gguf-py (reference/io_fixtures.py): every metadata value
// type, alignment 64, the ModelConfig, tokenizer metadata, and every tensor type dequantized
// exactly as gguf.quants.dequantize does.
import XCTest
import FrugalSpec
@testable import FrugalIO

final class GGUFFileTests: XCTestCase {
    func testMetadataOfEveryValueType() throws {
        let f = try GGUFFile(path: Fixture.path("tiny.gguf"))
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f.alignment, 64)
        XCTAssertEqual(f.dataOffset % 64, 0)
        let m = f.metadata
        XCTAssertEqual(m["test.u8"], .uint8(200))
        XCTAssertEqual(m["test.i8"], .int8(-100))
        XCTAssertEqual(m["test.u16"], .uint16(60000))
        XCTAssertEqual(m["test.i16"], .int16(-30000))
        XCTAssertEqual(m["test.u32"], .uint32(4_000_000_000))
        XCTAssertEqual(m["test.i32"], .int32(-2_000_000_000))
        XCTAssertEqual(m["test.u64"], .uint64(1 << 63 + 5))
        XCTAssertNil(m["test.u64"]?.int, "a u64 above Int.max does not fit an Int")
        XCTAssertEqual(m["test.i64"], .int64(-(1 << 62)))
        XCTAssertEqual(m["test.f32"], .float32(0.1))
        XCTAssertEqual(m["test.f64"], .float64(0.1))
        XCTAssertEqual(m["test.bool"], .bool(true))
        XCTAssertEqual(m["test.string"], .string("héllo ✓"))
        XCTAssertEqual(m["test.array_u8"], .array(.uint8, [.uint8(1), .uint8(2), .uint8(255)]))
        XCTAssertEqual(m["test.array_i64"]?.intArray, [-1, 1 << 40])
        XCTAssertEqual(m["test.array_f64"], .array(.float64, [.float64(0.5), .float64(-2.25)]))
        XCTAssertEqual(m["test.array_bool"], .array(.bool, [.bool(true), .bool(false), .bool(true)]))
        XCTAssertEqual(m["test.nested"]?.array?.map { $0.intArray! }, [[1, 2], [3], [4, 5, 6]])
        XCTAssertEqual(m["llama.vocab_size"], .uint64(16))
        XCTAssertEqual(f.metadataKeys.first, "general.architecture")
        XCTAssertEqual(f.metadataKeys.count, m.count)
    }

    func testModelConfigFromMetadata() throws {
        let f = try GGUFFile(path: Fixture.path("tiny.gguf"))
        let c = try f.modelConfig()
        XCTAssertEqual(c, ModelConfig(architecture: .llama, vocabSize: 16, hiddenSize: 32, intermediateSize: 64,
                                      numLayers: 1, numHeads: 4, numKVHeads: 2, headDim: 8,
                                      maxPositionEmbeddings: 128, ropeTheta: 10_000, normEps: 1e-6,
                                      tieWordEmbeddings: true, attentionBias: false, bosTokenId: 1, eosTokenId: 2))
    }

    func testTokenizerMetadata() throws {
        let f = try GGUFFile(path: Fixture.path("tiny.gguf"))
        let meta = try Fixture.json("tiny_gguf.json")["meta"] as! [String: Any]
        let t = try f.tokenizerMetadata()
        XCTAssertEqual(t.model, "gpt2")
        XCTAssertEqual(t.pre, "smollm")
        XCTAssertEqual(t.tokens, meta["tokens"] as! [String])
        XCTAssertEqual(t.tokenTypes, ints(meta["token_types"]))
        XCTAssertEqual(t.merges, meta["merges"] as! [String])
        XCTAssertEqual(t.bosTokenId, 1)
        XCTAssertEqual(t.eosTokenId, 2)
        XCTAssertEqual(t.unknownTokenId, 0)
        XCTAssertNil(t.paddingTokenId)
        XCTAssertEqual(t.addBosToken, false)
        XCTAssertEqual(t.chatTemplate, "{% for m in messages %}{{ m['content'] }}{% endfor %}")
    }

    func testEveryTensorTypeDequantizesLikeGGUFPy() throws {
        let f = try GGUFFile(path: Fixture.path("tiny.gguf"))
        let expected = try Fixture.json("tiny_gguf.json")["tensors"] as! [String: [String: Any]]
        XCTAssertEqual(f.tensors.count, expected.count)
        var seen = Set<GGMLType>()
        for (name, e) in expected {
            let (shape, data) = try f.loadFloat32(name)
            XCTAssertEqual(shape, ints(e["shape"]), name)
            XCTAssertEqual(f.tensor(named: name)!.type.name, e["type"] as! String, name)
            let want = floats(e["values"])
            XCTAssertEqual(data.count, want.count, name)
            let mismatches = zip(data, want).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            XCTAssertEqual(mismatches, 0, "\(name): \(mismatches) values differ from gguf-py")
            seen.insert(f.tensor(named: name)!.type)
        }
        XCTAssertEqual(seen, [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K])
    }

    func testDequantizeIntoCallerBuffer() throws {
        let f = try GGUFFile(path: Fixture.path("tiny.gguf"))
        let want = try f.loadFloat32("test.q6_k").data
        var got = [Float](repeating: .nan, count: want.count)
        try got.withUnsafeMutableBufferPointer { try f.dequantize("test.q6_k", into: $0) }
        XCTAssertEqual(got, want)
    }

    func testHFLayoutUndoesQKPermutationLikeTransformers() throws {
        let model = try GGUFModel(path: Fixture.path("tiny.gguf"))
        let hf = try Fixture.json("tiny_gguf.json")["hf"] as! [String: Any]
        for name in ["model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight"] {
            let (shape, data) = try model.loadFloat32(hf: name)
            XCTAssertEqual(shape, name.contains("q_proj") ? [32, 32] : [16, 32])
            XCTAssertEqual(data, floats(hf[name]), name)
        }
        // V is not permuted: HF layout == GGUF layout.
        XCTAssertEqual(try model.loadFloat32(hf: "model.layers.0.self_attn.v_proj.weight").data,
                       try model.file.loadFloat32("blk.0.attn_v.weight").data)
        XCTAssertEqual(Set(model.hfTensorNames).count, 11)
        XCTAssertFalse(model.hfTensorNames.contains("lm_head.weight"))
        XCTAssertThrowsError(try model.loadFloat32(hf: "lm_head.weight")) { e in
            XCTAssertEqual(e as? GGUFError, .tensorNotFound(path: Fixture.path("tiny.gguf"), tensor: "lm_head.weight"))
        }
    }

    func testShapesAreRowMajor() throws {
        let f = try GGUFFile(path: Fixture.path("tiny.gguf"))
        let t = f.tensor(named: "test.f32_3d")!
        XCTAssertEqual(t.dims, [4, 3, 2])
        XCTAssertEqual(t.shape, [2, 3, 4])
        XCTAssertEqual(t.byteCount, 96)
        let q = f.tensor(named: "test.q4_k")!
        XCTAssertEqual(q.shape, [2, 512])
        XCTAssertEqual(q.byteCount, 4 * 144)
    }
}
