// The HF config.json reader: published configs parse to the preset values; irrelevant keys are
// ignored; keys that change the math and are not implemented are refused by name; bad JSON and
// wrong types give typed errors naming the file and key.
import Foundation
import XCTest
@testable import FrugalSpec

final class HFConfigParsingTests: XCTestCase {
    func parse(_ json: String, source: String = "config.json") throws -> ModelConfig {
        try ModelConfig(hfConfigJSON: Data(json.utf8), source: source)
    }

    /// Asserts that parsing throws the given error (compared by case and payload).
    func assertRefused(_ json: String, _ expected: ModelConfigError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(json), file: file, line: line) { error in
            XCTAssertEqual(error as? ModelConfigError, expected, file: file, line: line)
        }
    }

    // SmolLM2-135M-Instruct's config.json (HF Hub; formats-and-algorithms §7.2), with the
    // transformers bookkeeping keys that the reader must ignore.
    static let smolLM2 = #"""
    {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
     "bos_token_id": 1, "eos_token_id": 2, "head_dim": 64, "hidden_act": "silu", "hidden_size": 576,
     "initializer_range": 0.041666666666666664, "intermediate_size": 1536, "is_llama_config": true,
     "max_position_embeddings": 8192, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 9,
     "num_hidden_layers": 30, "num_key_value_heads": 3, "pad_token_id": 2, "pretraining_tp": 1,
     "rms_norm_eps": 1e-05, "rope_interleaved": false, "rope_scaling": null, "rope_theta": 100000,
     "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.42.3",
     "use_cache": true, "vocab_size": 49152}
    """#

    func testSmolLM2ConfigMatchesPreset() throws {
        let c = try parse(Self.smolLM2)
        var expected = try ModelPreset.named("SmolLM2-135M").config
        expected.bosTokenId = 1   // the Instruct model's ids; the base preset has 0/0
        expected.eosTokenId = 2
        expected.padTokenId = 2   // pad_token_id: the embedding row that gets no gradient
        XCTAssertEqual(c, expected)
    }

    func testTransformers5RopeParametersGiveTheta() throws {
        let json = Self.smolLM2.replacingOccurrences(of: #""rope_theta": 100000,"#,
                                                     with: #""rope_parameters": {"rope_type": "default", "rope_theta": 250000.0},"#)
        XCTAssertEqual(try parse(json).ropeTheta, 250_000)
    }

    func testRopeScalingIsRefusedByName() throws {
        let json = Self.smolLM2.replacingOccurrences(
            of: #""rope_scaling": null"#,
            with: #""rope_scaling": {"factor": 8.0, "rope_type": "linear"}"#)
        XCTAssertThrowsError(try parse(json)) { error in
            guard case .unsupportedFeature(_, let key, let value, _)? = error as? ModelConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "rope_scaling")
            XCTAssertTrue(value.contains("linear"))
        }
        // Llama 3.1's "llama3" scaling is read (Llama 3.2 1B's values), and needs all four keys.
        let llama3 = Self.smolLM2.replacingOccurrences(
            of: #""rope_scaling": null"#,
            with: #""rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"}"#)
        XCTAssertEqual(try parse(llama3).ropeScaling,
                       ModelConfig.RoPEScaling(factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192))
        let partial = Self.smolLM2.replacingOccurrences(of: #""rope_scaling": null"#,
                                                        with: #""rope_scaling": {"factor": 8.0, "rope_type": "llama3"}"#)
        XCTAssertThrowsError(try parse(partial)) { error in
            guard case .missingKey(_, "low_freq_factor")? = error as? ModelConfigError else { return XCTFail("\(error)") }
        }
        let v5 = Self.smolLM2.replacingOccurrences(of: #""rope_theta": 100000,"#,
                                                   with: #""rope_parameters": {"rope_type": "yarn", "factor": 4.0},"#)
        XCTAssertThrowsError(try parse(v5)) { error in
            guard case .unsupportedFeature(_, "rope_parameters", _, _)? = error as? ModelConfigError else { return XCTFail("\(error)") }
        }
    }

    static let mistral = #"""
    {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
     "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 32768,
     "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
     "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096, "tie_word_embeddings": false,
     "torch_dtype": "bfloat16", "transformers_version": "4.34.0.dev0", "use_cache": true, "vocab_size": 32000}
    """#

    func testMistralSlidingWindowIsRefusedUnlessNull() throws {
        XCTAssertThrowsError(try parse(Self.mistral)) { error in
            guard case .unsupportedFeature(_, "sliding_window", "4096", _)? = error as? ModelConfigError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("config.json"))
        }
        let v02 = Self.mistral.replacingOccurrences(of: #""sliding_window": 4096"#, with: #""sliding_window": null"#)
        XCTAssertEqual(try parse(v02), try ModelPreset.named("Mistral-7B").config)
    }

    static let qwen = #"""
    {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151643,
     "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02, "intermediate_size": 4864,
     "max_position_embeddings": 32768, "max_window_layers": 24, "model_type": "qwen2", "num_attention_heads": 14,
     "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
     "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
     "transformers_version": "4.40.1", "use_cache": true, "use_mrope": false, "use_sliding_window": false,
     "vocab_size": 151936}
    """#

    func testQwen2ParsesAndRefusesSlidingWindow() throws {
        XCTAssertEqual(try parse(Self.qwen), try ModelPreset.named("Qwen2.5-0.5B").config)
        let on = Self.qwen.replacingOccurrences(of: #""use_sliding_window": false"#, with: #""use_sliding_window": true"#)
        assertRefused(on, .unsupportedFeature(source: "config.json", key: "use_sliding_window", value: "true",
                                              reason: "sliding-window attention on the upper layers is not implemented"))
    }

    func testGPT2Parses() throws {
        let json = #"""
        {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
         "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
         "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768, "n_head": 12,
         "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1, "summary_activation": null,
         "summary_first_dropout": 0.1, "summary_proj_to_labels": true, "summary_type": "cls_index",
         "summary_use_proj": true, "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
         "vocab_size": 50257}
        """#
        XCTAssertEqual(try parse(json), try ModelPreset.named("GPT-2").config)
        let cross = json.replacingOccurrences(of: #""n_ctx": 1024,"#, with: #""add_cross_attention": true,"#)
        XCTAssertThrowsError(try parse(cross)) { error in
            guard case .unsupportedFeature(_, "add_cross_attention", _, _)? = error as? ModelConfigError else { return XCTFail("\(error)") }
        }
    }

    func testUnknownModelTypeAndMissingType() {
        assertRefused(#"{"model_type": "mixtral", "hidden_size": 8}"#, .unsupportedModelType(source: "config.json", modelType: "mixtral"))
        assertRefused(#"{"hidden_size": 8}"#, .unsupportedModelType(source: "config.json", modelType: nil))
    }

    func testMissingKeyWrongTypeAndNotJSON() {
        assertRefused(#"{"model_type": "llama", "hidden_size": 8, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2}"#,
                      .missingKey(source: "config.json", key: "vocab_size"))
        assertRefused(#"{"model_type": "llama", "vocab_size": 8, "hidden_size": true, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2}"#,
                      .wrongType(source: "config.json", key: "hidden_size", expected: "an integer"))
        XCTAssertThrowsError(try parse("not json")) { error in
            guard case .notJSON(source: "config.json", _)? = error as? ModelConfigError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try parse("[1, 2]")) { error in
            guard case .notJSON? = error as? ModelConfigError else { return XCTFail("\(error)") }
        }
    }

    func testUnknownActivationIsRefused() {
        let json = Self.smolLM2.replacingOccurrences(of: #""hidden_act": "silu""#, with: #""hidden_act": "relu2""#)
        XCTAssertThrowsError(try parse(json)) { error in
            guard case .unsupportedFeature(_, "hidden_act", "\"relu2\"", _)? = error as? ModelConfigError else { return XCTFail("\(error)") }
        }
    }

    func testDefaultsFollowTransformersClasses() throws {
        // Llama without num_key_value_heads → MHA; Mistral's class default is 8 KV heads.
        let llama = try parse(#"{"model_type": "llama", "vocab_size": 32, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 1, "num_attention_heads": 16}"#)
        XCTAssertEqual(llama.numKVHeads, 16)
        XCTAssertEqual(llama.maxPositionEmbeddings, 2048)
        XCTAssertEqual(llama.normEps, 1e-6)
        XCTAssertEqual(llama.ropeTheta, 10_000)
        let mistral = try parse(#"{"model_type": "mistral", "vocab_size": 32, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 1, "num_attention_heads": 16, "sliding_window": null}"#)
        XCTAssertEqual(mistral.numKVHeads, 8)
        XCTAssertEqual(mistral.maxPositionEmbeddings, 131_072)
    }

    func testEosListTakesTheFirstId() throws {
        let json = Self.smolLM2.replacingOccurrences(of: #""eos_token_id": 2,"#, with: #""eos_token_id": [2, 0],"#)
        XCTAssertEqual(try parse(json).eosTokenId, 2)
    }
}
