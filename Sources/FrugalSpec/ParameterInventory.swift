// ParameterInventory — every parameter tensor that transformers instantiates for a ModelConfig,
// with its HF checkpoint name and shape, in transformers' registration order (the order of
// `model.named_parameters()`). The model builder, the quantizer and the PEFT adapter writer take
// names from here; the estimator counts from its own closed forms and is tested against this list.
//
// Decoder families take names from their ModelFamily module table (ModelFamily+Decoder.swift);
// e.g. Llama / Mistral / Qwen2 (`LlamaForCausalLM` etc.), per layer i:
//     model.embed_tokens.weight                        [V, C]
//     model.layers.i.self_attn.q_proj.weight           [H·D, C]   (+ .bias [H·D]: Llama attention_bias, Qwen2)
//     model.layers.i.self_attn.k_proj.weight           [K·D, C]   (+ .bias [K·D])
//     model.layers.i.self_attn.v_proj.weight           [K·D, C]   (+ .bias [K·D])
//     model.layers.i.self_attn.o_proj.weight           [C, H·D]   (+ .bias [C]: Llama attention_bias only)
//     model.layers.i.mlp.gate_proj.weight / up_proj    [F, C]     (+ .bias [F]: Llama mlp_bias)
//     model.layers.i.mlp.down_proj.weight              [C, F]     (+ .bias [C])
//     model.layers.i.input_layernorm.weight            [C]
//     model.layers.i.post_attention_layernorm.weight   [C]
//     model.norm.weight                                [C]
//     lm_head.weight                                   [V, C]     (absent when tie_word_embeddings)
//   Qwen3 and Gemma 3 add self_attn.q_norm / k_norm [D]; Gemma 3 four norms per layer [C].
//   GPT-2 (`GPT2LMHeadModel`; Conv1D stores weights as [in, out]):
//     transformer.wte.weight [V, C], transformer.wpe.weight [P, C],
//     transformer.h.i.ln_1.{weight,bias} [C], attn.c_attn.weight [C, 3C] + bias [3C],
//     attn.c_proj.weight [C, C] + bias [C], ln_2.{weight,bias} [C], mlp.c_fc.weight [C, F] + bias [F],
//     mlp.c_proj.weight [F, C] + bias [C], transformer.ln_f.{weight,bias} [C]; lm_head tied to wte.
// Leaves out: buffers (rotary inv_freq, GPT-2's causal-mask buffer) and tied duplicates, which are
// not parameters; LoRA tensors (their names derive from `module` below).
public struct ParameterEntry: Codable, Equatable, Hashable, Sendable {
    /// Which part of the model a tensor belongs to (the estimator's breakdown).
    public enum Component: String, Codable, Sendable, CaseIterable {
        case embedding, positionEmbedding, attention, mlp, norm, head
    }
    /// Input and output features of a Linear (or GPT-2 Conv1D) weight: y[out] = W x[in].
    public struct LinearShape: Codable, Equatable, Hashable, Sendable {
        public var inFeatures: Int
        public var outFeatures: Int
    }

    public var name: String            // HF checkpoint name
    public var shape: [Int]            // as stored in the checkpoint
    public var component: Component
    public var layer: Int?             // decoder layer index, nil outside the blocks
    public var module: String          // module leaf name: q_proj, c_attn, embed_tokens, lm_head, ln_1, ...
    public var modulePath: String      // full module name: model.layers.0.self_attn.q_proj
    public var isBias: Bool
    public var linear: LinearShape?    // set on the weight of a linear layer (a LoRA / quantization target)

    public var count: Int { shape.reduce(1, *) }
}

extension ModelConfig {
    /// Every parameter transformers instantiates for this config, in registration order (from the
    /// family's module table; GPT-2's Conv1D layout below).
    public var parameterInventory: [ParameterEntry] {
        architecture == .gpt2 ? gpt2Inventory : family.decoderInventory(self)
    }

    /// The per-layer linear modules (name, in, out) in registration order, e.g. q_proj [C → H·D].
    /// These are the names PEFT's `target_modules` matches; "all-linear" means all of them.
    public var linearModules: [(module: String, inFeatures: Int, outFeatures: Int)] {
        parameterInventory.filter { $0.layer == 0 && $0.linear != nil }
            .map { ($0.module, $0.linear!.inFeatures, $0.linear!.outFeatures) }
    }

    private var gpt2Inventory: [ParameterEntry] {
        let c = hiddenSize, f = intermediateSize
        var out: [ParameterEntry] = []
        // Conv1D: weight [in, out], bias [out].
        func conv(_ path: String, _ module: String, _ inF: Int, _ outF: Int, _ component: ParameterEntry.Component, _ i: Int) {
            out.append(ParameterEntry(name: path + ".weight", shape: [inF, outF], component: component, layer: i,
                                      module: module, modulePath: path, isBias: false,
                                      linear: .init(inFeatures: inF, outFeatures: outF)))
            out.append(ParameterEntry(name: path + ".bias", shape: [outF], component: component, layer: i,
                                      module: module, modulePath: path, isBias: true, linear: nil))
        }
        func norm(_ path: String, _ module: String, _ i: Int?) {
            for (suffix, isBias) in [("weight", false), ("bias", true)] {
                out.append(ParameterEntry(name: "\(path).\(suffix)", shape: [c], component: .norm, layer: i,
                                          module: module, modulePath: path, isBias: isBias, linear: nil))
            }
        }
        out.append(ParameterEntry(name: "transformer.wte.weight", shape: [vocabSize, c], component: .embedding,
                                  layer: nil, module: "wte", modulePath: "transformer.wte", isBias: false, linear: nil))
        out.append(ParameterEntry(name: "transformer.wpe.weight", shape: [maxPositionEmbeddings, c],
                                  component: .positionEmbedding, layer: nil, module: "wpe",
                                  modulePath: "transformer.wpe", isBias: false, linear: nil))
        for i in 0..<numLayers {
            let h = "transformer.h.\(i)"
            norm(h + ".ln_1", "ln_1", i)
            conv(h + ".attn.c_attn", "c_attn", c, 3 * c, .attention, i)
            conv(h + ".attn.c_proj", "c_proj", c, c, .attention, i)
            norm(h + ".ln_2", "ln_2", i)
            conv(h + ".mlp.c_fc", "c_fc", c, f, .mlp, i)
            conv(h + ".mlp.c_proj", "c_proj", f, c, .mlp, i)
        }
        norm("transformer.ln_f", "ln_f", nil)
        if !tieWordEmbeddings {
            out.append(ParameterEntry(name: "lm_head.weight", shape: [vocabSize, c], component: .head, layer: nil,
                                      module: "lm_head", modulePath: "lm_head", isBias: false,
                                      linear: .init(inFeatures: c, outFeatures: vocabSize)))
        }
        return out
    }
}
