// The families' GGUF <-> HF name tables and the Q/K row permutation, against closed-form expectations.
import XCTest
import FrugalSpec
@testable import FrugalIO

final class GGUFNamesAndPermutationTests: XCTestCase {
    func testNameTable() {
        let pairs = [
            ("token_embd.weight", "model.embed_tokens.weight"),
            ("output_norm.weight", "model.norm.weight"),
            ("output.weight", "lm_head.weight"),
            ("blk.0.attn_q.weight", "model.layers.0.self_attn.q_proj.weight"),
            ("blk.29.attn_k.weight", "model.layers.29.self_attn.k_proj.weight"),
            ("blk.3.attn_v.weight", "model.layers.3.self_attn.v_proj.weight"),
            ("blk.3.attn_output.weight", "model.layers.3.self_attn.o_proj.weight"),
            ("blk.7.attn_norm.weight", "model.layers.7.input_layernorm.weight"),
            ("blk.7.ffn_norm.weight", "model.layers.7.post_attention_layernorm.weight"),
            ("blk.12.ffn_gate.weight", "model.layers.12.mlp.gate_proj.weight"),
            ("blk.12.ffn_up.weight", "model.layers.12.mlp.up_proj.weight"),
            ("blk.12.ffn_down.weight", "model.layers.12.mlp.down_proj.weight"),
            ("blk.1.attn_q.bias", "model.layers.1.self_attn.q_proj.bias"),
        ]
        for (g, h) in pairs {
            XCTAssertEqual(ModelFamily.llama.hfName(gguf: g), h)
            XCTAssertEqual(ModelFamily.llama.ggufName(hf: h), g)
        }
        for bad in ["blk.x.attn_q.weight", "blk.01.attn_q.weight", "blk.-1.attn_q.weight", "blk.0.nope", "rope_freqs.weight", "blk..attn_q.weight"] {
            XCTAssertNil(ModelFamily.llama.hfName(gguf: bad), bad)
        }
        XCTAssertNil(ModelFamily.llama.ggufName(hf: "model.layers.0.mlp.nope.weight"))
        XCTAssertNil(ModelFamily.llama.ggufName(hf: "model.layers.0.self_attn.q_norm.weight"), "Llama has no q_norm")
    }

    /// Gemma 3's norms: its "post_attention_layernorm" is the attention output's norm, not the MLP's.
    func testFamilyNameTables() {
        let pairs: [(ModelFamily, String, String)] = [
            (.qwen3, "blk.2.attn_q_norm.weight", "model.layers.2.self_attn.q_norm.weight"),
            (.qwen3, "blk.2.attn_k_norm.weight", "model.layers.2.self_attn.k_norm.weight"),
            (.qwen3, "blk.2.ffn_norm.weight", "model.layers.2.post_attention_layernorm.weight"),
            (.qwen2, "blk.0.attn_v.bias", "model.layers.0.self_attn.v_proj.bias"),
            (.gemma3, "blk.5.attn_norm.weight", "model.layers.5.input_layernorm.weight"),
            (.gemma3, "blk.5.post_attention_norm.weight", "model.layers.5.post_attention_layernorm.weight"),
            (.gemma3, "blk.5.ffn_norm.weight", "model.layers.5.pre_feedforward_layernorm.weight"),
            (.gemma3, "blk.5.post_ffw_norm.weight", "model.layers.5.post_feedforward_layernorm.weight"),
            (.gemma3, "blk.5.attn_k_norm.weight", "model.layers.5.self_attn.k_norm.weight"),
            (.gemma3, "token_embd.weight", "model.embed_tokens.weight"),
        ]
        for (f, g, h) in pairs {
            XCTAssertEqual(f.hfName(gguf: g), h, "\(f.architecture)")
            XCTAssertEqual(f.ggufName(hf: h), g, "\(f.architecture)")
        }
        XCTAssertEqual(ModelFamily.gemma3.role(ofHF: "model.layers.5.post_attention_layernorm.weight")?.role, .postAttentionNorm)
        XCTAssertEqual(ModelFamily.llama.role(ofHF: "model.layers.5.post_attention_layernorm.weight")?.role, .mlpNorm)
        XCTAssertTrue(ModelFamily.llama.ggufPermutesQK)
        XCTAssertFalse(ModelFamily.qwen2.ggufPermutesQK || ModelFamily.qwen3.ggufPermutesQK || ModelFamily.gemma3.ggufPermutesQK)
    }

    func testUnpermuteClosedForm() {
        // One head, D = 4, one column: GGUF rows [r0, r1, r2, r3] hold HF rows [0, 2, 1, 3].
        XCTAssertEqual(QKPermutation.unpermute([10, 12, 11, 13], rows: 4, cols: 1, heads: 1), [10, 11, 12, 13])
        // Two heads, D = 4, two columns.
        let hf: [Float] = (0..<16).map(Float.init)
        let gg = QKPermutation.permute(hf, rows: 8, cols: 2, heads: 2)
        XCTAssertEqual(gg, [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15])
        XCTAssertEqual(QKPermutation.unpermute(gg, rows: 8, cols: 2, heads: 2), hf)
    }

    func testRoundTripRaggedShapes() {
        for (heads, d, cols) in [(1, 2, 1), (3, 64, 5), (9, 8, 3), (2, 6, 7)] {
            let rows = heads * d
            let x = (0..<(rows * cols)).map { Float($0) * 0.5 - 3 }
            XCTAssertEqual(QKPermutation.unpermute(QKPermutation.permute(x, rows: rows, cols: cols, heads: heads),
                                                   rows: rows, cols: cols, heads: heads), x)
        }
    }
}
