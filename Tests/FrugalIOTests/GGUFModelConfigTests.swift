// ModelConfig from GGUF metadata written by hand: integers of every width, fallbacks, and the
// refusals (architecture, RoPE scaling, sliding window, experts, partial rotary, missing keys).
import XCTest
import FrugalSpec
@testable import FrugalIO

final class GGUFModelConfigTests: XCTestCase {
    private lazy var dir = temporaryDirectory(self)

    /// A metadata value: type code and bytes.
    private enum KV { case u8(UInt8), i16(Int16), u32(UInt32), i32(Int32), u64(UInt64), f32(Float), f64(Double), s(String), strings([String]) }

    private func gguf(_ kvs: [(String, KV)], tensors: [String] = [], dims: [UInt64] = [8]) throws -> GGUFFile {
        var g = Bytes()
        g.header(tensors: UInt64(tensors.count), kvs: UInt64(kvs.count))
        for (k, v) in kvs {
            g.str(k)
            switch v {
            case .u8(let x): g.u32(0); g.u8(x)
            case .i16(let x): g.u32(3); g.u8(UInt8(truncatingIfNeeded: x)); g.u8(UInt8(truncatingIfNeeded: x >> 8))
            case .u32(let x): g.u32(4); g.u32(x)
            case .i32(let x): g.u32(5); g.u32(UInt32(bitPattern: x))
            case .u64(let x): g.u32(10); g.u64(x)
            case .f32(let x): g.u32(6); g.f32(x)
            case .f64(let x): g.u32(12); g.u64(x.bitPattern)
            case .s(let x): g.u32(8); g.str(x)
            case .strings(let a): g.u32(9); g.u32(8); g.u64(UInt64(a.count)); for x in a { g.str(x) }
            }
        }
        for (i, t) in tensors.enumerated() { g.tensorInfo(t, dims: dims, type: 0, offset: UInt64(32 * i)) }
        g.pad(to: 32)
        g.b += [UInt8](repeating: 0, count: 32 * tensors.count)
        let url = dir.appendingPathComponent("m-\(UUID().uuidString).gguf")
        g.write(to: url)
        return try GGUFFile(path: url.path)
    }

    private var base: [(String, KV)] {
        [("general.architecture", .s("llama")), ("llama.context_length", .u64(4096)), ("llama.embedding_length", .i32(64)),
         ("llama.block_count", .u8(2)), ("llama.feed_forward_length", .i16(160)), ("llama.attention.head_count", .u32(8)),
         ("llama.attention.head_count_kv", .u64(2)), ("llama.rope.freq_base", .f64(500000)),
         ("llama.attention.layer_norm_rms_epsilon", .f32(1e-5))]
    }

    func testAnyIntegerWidthAndFallbacks() throws {
        let f = try gguf(base + [("tokenizer.ggml.tokens", .strings(["a", "b", "c"]))], tensors: ["output.weight", "blk.0.attn_q.bias"])
        let c = try f.modelConfig()
        XCTAssertEqual(c, ModelConfig(architecture: .llama, vocabSize: 3, hiddenSize: 64, intermediateSize: 160, numLayers: 2,
                                      numHeads: 8, numKVHeads: 2, headDim: 8, maxPositionEmbeddings: 4096, ropeTheta: 500_000,
                                      normEps: 1e-5, tieWordEmbeddings: false, attentionBias: true,
                                      attentionOutputBias: false))   // biases as the tensors present say
        // No head_count_kv: as many KV heads as heads; no rope/eps: defaults.
        let g = try gguf(base.filter { !["llama.attention.head_count_kv", "llama.rope.freq_base", "llama.attention.layer_norm_rms_epsilon"].contains($0.0) }
                         + [("llama.vocab_size", .u32(10))])
        XCTAssertEqual(try g.modelConfig().numKVHeads, 8)
        XCTAssertEqual(try g.modelConfig().ropeTheta, 10_000)
        XCTAssertEqual(try g.modelConfig().vocabSize, 10)
        XCTAssertTrue(try g.modelConfig().tieWordEmbeddings)
    }

    private func refused(_ kvs: [(String, KV)], tensors: [String] = [], dims: [UInt64] = [8], line: UInt = #line,
                         _ check: (GGUFError) -> Bool) throws {
        let f = try gguf(kvs, tensors: tensors, dims: dims)
        XCTAssertThrowsError(try f.modelConfig(), line: line) { e in
            guard let g = e as? GGUFError, check(g) else { return XCTFail("\(e)", line: line) }
            XCTAssertTrue(g.description.contains(f.path), line: line)
        }
    }

    func testRefusals() throws {
        let vocab: [(String, KV)] = [("llama.vocab_size", .u32(10))]
        try refused([("general.architecture", .s("mamba"))]) { if case .unsupportedArchitecture(_, "mamba") = $0 { return true }; return false }
        try refused([]) { if case .missingKey(_, "general.architecture") = $0 { return true }; return false }
        try refused([("general.architecture", .u32(1))]) { if case .wrongValueType = $0 { return true }; return false }
        try refused(base + vocab + [("llama.rope.scaling.type", .s("yarn"))]) { if case .unsupportedFeature(_, "RoPE scaling", _) = $0 { return true }; return false }
        try refused(base + vocab + [("llama.rope.scaling.factor", .f32(8))]) { if case .unsupportedFeature(_, "RoPE scaling", _) = $0 { return true }; return false }
        // Llama 3.1's rope_freqs: D/2 = 4 positive factors, else refused.
        try refused(base + vocab, tensors: ["rope_freqs.weight"]) { if case .badShape = $0 { return true }; return false }
        try refused(base + vocab, tensors: ["rope_freqs.weight"], dims: [4]) { if case .invalidValue = $0 { return true }; return false }
        try refused(base + vocab + [("llama.attention.sliding_window", .u32(4096))]) { if case .unsupportedFeature = $0 { return true }; return false }
        try refused(base + vocab + [("llama.expert_count", .u32(8))]) { if case .unsupportedFeature(_, "mixture of experts", _) = $0 { return true }; return false }
        try refused(base + vocab + [("llama.rope.dimension_count", .u32(4))]) { if case .unsupportedFeature(_, "partial rotary embeddings", _) = $0 { return true }; return false }
        try refused(base.filter { $0.0 != "llama.block_count" } + vocab) { if case .missingKey(_, "llama.block_count") = $0 { return true }; return false }
        try refused(base.filter { $0.0 != "llama.block_count" } + vocab + [("llama.block_count", .s("2"))]) { if case .wrongValueType = $0 { return true }; return false }
        try refused(base.filter { $0.0 != "llama.attention.head_count_kv" } + vocab + [("llama.attention.head_count_kv", .u32(3))]) {
            if case .invalidValue = $0 { return true }; return false
        }
        try refused(base) { if case .missingKey(_, "llama.vocab_size") = $0 { return true }; return false }
        try refused(base + vocab + [("llama.attention.key_length", .u32(7)), ("llama.attention.value_length", .u32(7))]) {
            if case .invalidValue(_, "llama.attention.key_length", _) = $0 { return true }; return false
        }
    }

    func testBadQProjectionShapesAreErrorsNotCrashes() throws {
        // 8 values where 8 heads × 8 rows are expected, and a 0-dimensional tensor.
        for dims: [UInt64] in [[8], []] {
            let f = try gguf(base + [("llama.vocab_size", .u32(10))], tensors: ["blk.0.attn_q.weight"], dims: dims)
            XCTAssertThrowsError(try GGUFModel(file: f).loadFloat32(hf: "model.layers.0.self_attn.q_proj.weight")) { e in
                guard case .badShape? = e as? GGUFError else { return XCTFail("\(e)") }
            }
        }
    }

    func testTokenizerMetadataErrors() throws {
        let f = try gguf([("tokenizer.ggml.model", .s("gpt2")), ("tokenizer.ggml.tokens", .strings(["a"])), ("tokenizer.ggml.bos_token_id", .u32(5))])
        XCTAssertThrowsError(try f.tokenizerMetadata()) { e in
            guard case .invalidValue(_, "tokenizer.ggml.bos_token_id", _)? = e as? GGUFError else { return XCTFail("\(e)") }
        }
        let g = try gguf([("tokenizer.ggml.model", .s("gpt2"))])
        XCTAssertThrowsError(try g.tokenizerMetadata()) { e in
            XCTAssertEqual(e as? GGUFError, .missingKey(path: g.path, key: "tokenizer.ggml.tokens"))
        }
    }
}
