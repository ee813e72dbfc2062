// DecoderModel+GGUF — a model written as the GGUF file llama.cpp's converter would write for its
// family (reference/family_notes.md, "GGUF: what convert_hf_to_gguf.py writes"):
//   - tensors renamed through the family's module table (ModelFamily.ggufName), dims reversed;
//     q/k rows (and biases) permuted for interleaved RoPE where `ggufPermutesQK` (QKPermutation);
//     norms written as the decoder's effective weights (Gemma's 1 + w, as the converter adds 1);
//     Llama 3.1 RoPE scaling as a `rope_freqs.weight` [D/2] tensor of frequency divisors
//     (`LlamaModel.generate_extra_tensors`), written first;
//   - 1-D tensors and norms F32; 2-D tensors in the chosen type. For the 4-bit and 6-bit types the
//     output matrix (token_embd when the head is tied) is Q6_K, or Q8_0 when its rows are not whole
//     256-blocks, as llama-quantize does (`llama_tensor_get_type`); a tensor whose rows are not
//     whole blocks of its type falls back as llama-quantize does (Q4_K → Q5_0, Q6_K → Q8_0, then
//     F16; Q8_0/Q4_0/Q4_1 → F16). No k-quant mixtures (attn_v / ffn_down upgrades of Q4_K_M):
//     `q4_k` is every matrix Q4_K, written with file type MOSTLY_Q4_K_S.
//   - metadata: general.{architecture,type,name,file_type,quantization_version}, the keys every
//     `TextModel` writes (block_count, context_length, embedding_length, feed_forward_length,
//     attention.head_count(_kv), rope.freq_base, attention.layer_norm_rms_epsilon,
//     attention.key_length/value_length) and the family's own (ModelFamily.GGUFExport), then the
//     tokenizer keys the caller passes (GGUFTokenizerExport).
// Leaves out: 4-bit (QLoRA) layers — fuse or load the base in Float32 first; vision towers, MoE.
import Foundation
import FrugalCore
import FrugalIO
import FrugalSpec

/// The tensor type of an export (`frugal export --type`).
public enum GGUFExportType: String, CaseIterable, Sendable {
    case f32, f16, bf16, q8_0, q4_0, q4_1, q4_k, q6_k

    public var ggmlType: GGMLType {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        case .q8_0: return .q8_0
        case .q4_0: return .q4_0
        case .q4_1: return .q4_1
        case .q4_k: return .q4_K
        case .q6_k: return .q6_K
        }
    }

    /// `general.file_type` (llama.cpp `llama_ftype`).
    public var fileType: UInt32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .q4_0: return 2
        case .q4_1: return 3
        case .q8_0: return 7
        case .q4_k: return 14   // MOSTLY_Q4_K_S
        case .q6_k: return 18
        case .bf16: return 32
        }
    }

    var usesQuantizedOutputRule: Bool { [.q4_0, .q4_1, .q4_k, .q6_k].contains(self) }

    /// The type of tensor `name` of row-major `shape`; `isOutput` for output.weight (or token_embd
    /// when the head is tied).
    public func tensorType(name: String, shape: [Int], isOutput: Bool) -> GGMLType {
        if shape.count <= 1 || name.hasSuffix("_norm.weight") || name == "rope_freqs.weight" { return .f32 }
        let cols = shape.last!
        var t = ggmlType
        if isOutput && usesQuantizedOutputRule { t = cols % 256 == 0 ? .q6_K : .q8_0 }
        if cols % t.blockSize != 0 {
            switch t {
            case .q4_K: t = .q5_0
            case .q6_K: t = .q8_0
            default: t = .f16
            }
            if cols % t.blockSize != 0 { t = .f16 }
        }
        return t
    }
}

public enum GGUFExportError: Error, CustomStringConvertible {
    case noGGUFLayout(String)
    case notFloat(String)
    case notFinite(String)

    public var description: String {
        switch self {
        case .noGGUFLayout(let f): return "the \(f) family has no GGUF layout in llama.cpp that Frugal writes"
        case .notFloat(let n): return "layer \(n) is not a plain Float32 linear layer (a 4-bit layer or an unfused adapter); load the base in Float32 and fuse adapters before exporting"
        case .notFinite(let n): return "tensor \(n) holds NaN or infinite values; refusing to export it"
        }
    }
}

extension DecoderModel {
    /// A writer holding this model in llama.cpp's layout; `tokenizer` are the tokenizer.* keys.
    /// Returns what the export loses (llama.cpp hard-codes part of Gemma 3's configuration).
    public func ggufWriter(type: GGUFExportType, name: String, tokenizer: [(String, GGUFValue)]) throws
        -> (writer: GGUFWriter, warnings: [String]) {
        let family = config.family
        guard let layout = family.ggufExport else { throw GGUFExportError.noGGUFLayout(family.displayName) }
        for (i, b) in blocks.enumerated() {
            for m in family.linearModules where !(b.linear(m.role) is Linear) {
                throw GGUFExportError.notFloat("model.layers.\(i).\(m.hf)")
            }
        }
        var w = try GGUFWriter()
        let c = config
        let a = layout.architecture + "."
        func u32(_ v: Int) -> GGUFValue { .uint32(UInt32(v)) }
        try w.set("general.architecture", .string(layout.architecture))
        try w.set("general.type", .string("model"))
        try w.set("general.name", .string(name))
        try w.set(a + "block_count", u32(c.numLayers))
        try w.set(a + "context_length", u32(c.maxPositionEmbeddings))
        try w.set(a + "embedding_length", u32(c.hiddenSize))
        try w.set(a + "feed_forward_length", u32(c.intermediateSize))
        try w.set(a + "attention.head_count", u32(c.numHeads))
        try w.set(a + "attention.head_count_kv", u32(c.numKVHeads))
        try w.set(a + "rope.freq_base", .float32(Float(c.ropeTheta)))
        try w.set(a + "attention.layer_norm_rms_epsilon", .float32(Float(c.normEps)))
        if layout.writesHeadLength {
            try w.set(a + "attention.key_length", u32(c.headDim))
            try w.set(a + "attention.value_length", u32(c.headDim))
        }
        try w.set("general.file_type", .uint32(type.fileType))
        for (k, v) in layout.extraKeys(c) {
            let value: GGUFValue
            switch v {
            case .uint32(let i): value = u32(i)
            case .float32(let d): value = .float32(Float(d))
            case .string(let s): value = .string(s)
            case .bool(let b): value = .bool(b)
            }
            try w.set(a + k, value)
        }
        try w.set("general.quantization_version", .uint32(2))
        for (k, v) in tokenizer { try w.set(k, v) }

        if let factors = ropeFrequencyFactors() {
            try w.addTensor(name: "rope_freqs.weight", shape: [factors.count], type: .f32, float32: factors)
        }
        let tied = lmHead == nil
        for (hf, t) in namedTensors {
            guard let g = family.ggufName(hf: hf) else { continue }
            var values = t.scalars
            guard values.allSatisfy(\.isFinite) else { throw GGUFExportError.notFinite(hf) }
            if family.ggufPermutesQK, let (role, _, _) = family.role(ofHF: hf), role == .q || role == .k {
                let heads = role == .q ? c.numHeads : c.numKVHeads
                let rows = t.shape[0]
                values = QKPermutation.permute(values, rows: rows, cols: t.count / rows, heads: heads)
            }
            let isOutput = g == "output.weight" || (tied && g == "token_embd.weight")
            try w.addTensor(name: g, shape: t.shape, type: type.tensorType(name: g, shape: t.shape, isOutput: isOutput),
                            float32: values)
        }
        return (w, ggufExportWarnings())
    }

    /// Llama 3.1's RoPE frequency divisors as the converter computes them (or as a GGUF source
    /// carried them); nil without RoPE scaling.
    func ropeFrequencyFactors() -> [Float]? {
        if let f = config.ropeFrequencyFactors { return f }
        guard let s = config.ropeScaling else { return nil }
        let dim = config.headDim
        let old = Double(s.originalMaxPositions)
        let lowWavelen = old / s.lowFreqFactor, highWavelen = old / s.highFreqFactor
        return stride(from: 0, to: dim, by: 2).map { i -> Float in
            // torch float32: freq = 1 / base^(i/D); the rest in float32 as well.
            let freq = 1 / Float(pow(Double(Float(config.ropeTheta)), Double(Float(i) / Float(dim))))
            let wavelen = Float(2 * Double.pi) / freq
            if Double(wavelen) < highWavelen { return 1 }
            if Double(wavelen) > lowWavelen { return Float(s.factor) }
            let smooth = (Float(old) / wavelen - Float(s.lowFreqFactor)) / Float(s.highFreqFactor - s.lowFreqFactor)
            return 1 / ((1 - smooth) / Float(s.factor) + smooth)
        }
    }

    /// What llama.cpp will compute differently from this model (its hard-coded Gemma 3 choices).
    func ggufExportWarnings() -> [String] {
        guard config.architecture == .gemma3 else { return [] }
        var out: [String] = []
        if let s = config.queryPreAttnScalar, s != Double(config.headDim) {
            out.append("llama.cpp scales Gemma 3 attention by 1/sqrt(key_length = \(config.headDim)); this model's query_pre_attn_scalar \(s) is not stored")
        }
        let expected = (0..<config.numLayers).map { $0 % 6 < 5 ? ModelConfig.LayerAttention.sliding : .full }
        if (0..<config.numLayers).map({ config.attention(layer: $0) }) != expected {
            out.append("llama.cpp makes every 6th Gemma 3 layer global (5, 11, …); this model's layer types differ and are not stored")
        }
        return out
    }
}
