// What the decoder families (Llama, Mistral, Qwen2, Qwen3, Gemma 3) share: the module tables they
// build theirs from, the config.json keys every one of them reads (transformers'
// `LlamaConfig`-style names), and their parameter inventory, derived from a family's module table.
extension ModelFamily {
    static let decoderGlobals: [ModuleName] = [
        ModuleName(.embedding, "model.embed_tokens", "token_embd"),
        ModuleName(.finalNorm, "model.norm", "output_norm"),
        ModuleName(.head, "lm_head", "output"),
    ]
    static let attentionModules: [ModuleName] = [
        ModuleName(.q, "self_attn.q_proj", "attn_q"), ModuleName(.k, "self_attn.k_proj", "attn_k"),
        ModuleName(.v, "self_attn.v_proj", "attn_v"), ModuleName(.o, "self_attn.o_proj", "attn_output"),
    ]
    static let headNormModules: [ModuleName] = [
        ModuleName(.qNorm, "self_attn.q_norm", "attn_q_norm"), ModuleName(.kNorm, "self_attn.k_norm", "attn_k_norm"),
    ]
    static let mlpModules: [ModuleName] = [
        ModuleName(.gate, "mlp.gate_proj", "ffn_gate"), ModuleName(.up, "mlp.up_proj", "ffn_up"),
        ModuleName(.down, "mlp.down_proj", "ffn_down"),
    ]
    /// Llama's two pre-norms (its "post_attention_layernorm" is the norm before the MLP).
    static let llamaNorms: [ModuleName] = [
        ModuleName(.inputNorm, "input_layernorm", "attn_norm"),
        ModuleName(.mlpNorm, "post_attention_layernorm", "ffn_norm"),
    ]

    /// A config.json's dimensions and the keys every decoder family reads the same way; the family
    /// passes its transformers class defaults.
    static func decoderConfig(_ r: HFConfigReader, architecture: ModelConfig.Architecture, kvHeadsDefault: Int?,
                              headDimDefault: Int? = nil, positionsDefault: Int, epsDefault: Double,
                              tiedDefault: Bool, activationDefault: String = "silu",
                              activationKey: String = "hidden_act") throws -> ModelConfig {
        let heads = try r.int("num_attention_heads")
        // A present-but-null num_key_value_heads means "same as heads" in every class.
        let kvHeads: Int? = r.isNull("num_key_value_heads") ? heads : (try r.optionalInt("num_key_value_heads") ?? kvHeadsDefault)
        var c = ModelConfig(
            architecture: architecture,
            vocabSize: try r.int("vocab_size"), hiddenSize: try r.int("hidden_size"),
            intermediateSize: try r.int("intermediate_size"), numLayers: try r.int("num_hidden_layers"),
            numHeads: heads, numKVHeads: kvHeads, headDim: try r.optionalInt("head_dim") ?? headDimDefault,
            maxPositionEmbeddings: try r.optionalInt("max_position_embeddings") ?? positionsDefault,
            ropeTheta: try ModelConfig.ropeParameters(r, allowLlama3: architecture == .llama).theta,
            normEps: try r.optionalDouble("rms_norm_eps") ?? epsDefault,
            tieWordEmbeddings: try r.optionalBool("tie_word_embeddings") ?? tiedDefault,
            bosTokenId: try r.tokenId("bos_token_id"), eosTokenId: try r.tokenId("eos_token_id"),
            activation: try ModelConfig.activation(r, key: activationKey, default: activationDefault))
        c.padTokenId = try r.tokenId("pad_token_id")
        return c
    }

    /// Refuses `key: true` (a feature the family's block does not implement).
    static func refuseTrue(_ r: HFConfigReader, _ key: String, _ reason: String) throws {
        if try r.optionalBool(key) == true {
            throw ModelConfigError.unsupportedFeature(source: r.source, key: key, value: "true", reason: reason)
        }
    }

    /// The common config.json keys written for a decoder family.
    static func writeDecoderKeys(_ c: ModelConfig, _ o: inout [String: Any]) {
        o["vocab_size"] = c.vocabSize; o["hidden_size"] = c.hiddenSize
        o["intermediate_size"] = c.intermediateSize; o["num_hidden_layers"] = c.numLayers
        o["num_attention_heads"] = c.numHeads; o["num_key_value_heads"] = c.numKVHeads
        o["head_dim"] = c.headDim; o["max_position_embeddings"] = c.maxPositionEmbeddings
        o["rope_theta"] = c.ropeTheta; o["rms_norm_eps"] = c.normEps
        o["tie_word_embeddings"] = c.tieWordEmbeddings
        o["hidden_act"] = c.activation.hfName
        if let p = c.padTokenId { o["pad_token_id"] = p }
    }

    /// Every parameter of a decoder family's model in registration order, from its module table.
    func decoderInventory(_ c: ModelConfig) -> [ParameterEntry] {
        var out: [ParameterEntry] = []
        func add(_ m: ModuleName, layer: Int?) {
            let shape: [Int], component: ParameterEntry.Component, bias: Bool
            switch m.role {
            case .embedding: (shape, component, bias) = ([c.vocabSize, c.hiddenSize], .embedding, false)
            case .head:
                if c.tieWordEmbeddings { return }
                (shape, component, bias) = ([c.vocabSize, c.hiddenSize], .head, false)
            case .q: (shape, component, bias) = ([c.queryWidth, c.hiddenSize], .attention, c.attentionBias)
            case .k, .v: (shape, component, bias) = ([c.kvWidth, c.hiddenSize], .attention, c.attentionBias)
            case .o: (shape, component, bias) = ([c.hiddenSize, c.queryWidth], .attention, c.attentionOutputBias)
            case .gate, .up: (shape, component, bias) = ([c.intermediateSize, c.hiddenSize], .mlp, c.mlpBias)
            case .down: (shape, component, bias) = ([c.hiddenSize, c.intermediateSize], .mlp, c.mlpBias)
            case .qNorm, .kNorm: (shape, component, bias) = ([c.headDim], .norm, false)
            case .finalNorm, .inputNorm, .mlpNorm, .postAttentionNorm, .postMLPNorm:
                (shape, component, bias) = ([c.hiddenSize], .norm, false)
            }
            let path = layer.map { "\(Self.hfLayerPrefix)\($0).\(m.hf)" } ?? m.hf
            out.append(ParameterEntry(name: path + ".weight", shape: shape, component: component, layer: layer,
                                      module: m.leaf, modulePath: path, isBias: false,
                                      linear: m.role.isLinear || m.role == .head
                                          ? .init(inFeatures: shape[1], outFeatures: shape[0]) : nil))
            if bias {
                out.append(ParameterEntry(name: path + ".bias", shape: [shape[0]], component: component, layer: layer,
                                          module: m.leaf, modulePath: path, isBias: true, linear: nil))
            }
        }
        for m in globalModules where m.role == .embedding { add(m, layer: nil) }
        for i in 0..<c.numLayers { for m in layerModules { add(m, layer: i) } }
        for m in globalModules where m.role != .embedding { add(m, layer: nil) }
        return out
    }
}

extension ModelConfig.Activation {
    /// The name written as config.json's hidden_act.
    public var hfName: String {
        switch self { case .silu: return "silu"; case .gelu: return "gelu"; case .geluTanh: return "gelu_pytorch_tanh" }
    }
}
