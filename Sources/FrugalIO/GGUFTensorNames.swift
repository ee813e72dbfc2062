// GGUFTensorNames — the one table between llama.cpp's GGUF tensor names and Hugging Face names
// for the Llama family (llama.cpp `gguf-py/gguf/tensor_mapping.py`, MODEL_ARCH.LLAMA;
// transformers `integrations/ggml.py`). Checkpoint names are data: nothing else in Frugal spells
// `blk.N.attn_q`. Per-layer names carry the layer number N in both spellings.
public enum GGUFTensorNames {
    /// Whole-model tensors: (GGUF, HF).
    public static let global: [(gguf: String, hf: String)] = [
        ("token_embd.weight", "model.embed_tokens.weight"),
        ("output_norm.weight", "model.norm.weight"),
        ("output.weight", "lm_head.weight"),
    ]

    /// Per-layer tensors, after the `blk.N.` / `model.layers.N.` prefix: (GGUF, HF).
    public static let perLayer: [(gguf: String, hf: String)] = [
        ("attn_norm.weight", "input_layernorm.weight"),
        ("attn_q.weight", "self_attn.q_proj.weight"),
        ("attn_k.weight", "self_attn.k_proj.weight"),
        ("attn_v.weight", "self_attn.v_proj.weight"),
        ("attn_output.weight", "self_attn.o_proj.weight"),
        ("attn_q.bias", "self_attn.q_proj.bias"),
        ("attn_k.bias", "self_attn.k_proj.bias"),
        ("attn_v.bias", "self_attn.v_proj.bias"),
        ("attn_output.bias", "self_attn.o_proj.bias"),
        ("ffn_norm.weight", "post_attention_layernorm.weight"),
        ("ffn_gate.weight", "mlp.gate_proj.weight"),
        ("ffn_up.weight", "mlp.up_proj.weight"),
        ("ffn_down.weight", "mlp.down_proj.weight"),
    ]

    static let ggufPrefix = "blk.", hfPrefix = "model.layers."
    private static let toHF = Dictionary(uniqueKeysWithValues: perLayer.map { ($0.gguf, $0.hf) })
    private static let toGGUF = Dictionary(uniqueKeysWithValues: perLayer.map { ($0.hf, $0.gguf) })

    /// HF name for a GGUF tensor name, or nil if the name is not in the table.
    public static func hfName(gguf name: String) -> String? {
        if let g = global.first(where: { $0.gguf == name }) { return g.hf }
        guard let (layer, rest) = split(name, prefix: ggufPrefix), let hf = toHF[rest] else { return nil }
        return "\(hfPrefix)\(layer).\(hf)"
    }

    /// GGUF name for an HF tensor name, or nil if the name is not in the table.
    public static func ggufName(hf name: String) -> String? {
        if let g = global.first(where: { $0.hf == name }) { return g.gguf }
        guard let (layer, rest) = split(name, prefix: hfPrefix), let g = toGGUF[rest] else { return nil }
        return "\(ggufPrefix)\(layer).\(g)"
    }

    /// "blk.12.attn_q.weight" -> (12, "attn_q.weight").
    private static func split(_ name: String, prefix: String) -> (Int, String)? {
        guard name.hasPrefix(prefix) else { return nil }
        let tail = name.dropFirst(prefix.count)
        guard let dot = tail.firstIndex(of: "."), let n = Int(tail[..<dot]), n >= 0,
              String(n) == tail[..<dot] else { return nil }
        return (n, String(tail[tail.index(after: dot)...]))
    }
}
