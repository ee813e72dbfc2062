// MemoryInference — memory to run a model: weights in the chosen format (itemized with their
// quantization constants), the KV cache for `batch` sequences of `context` tokens, the prefill
// working set of one layer, and the last-position logits.
//
//   KV cache   2 (k and v) · L · B · T · K · D · bytes   (fp32 for an fp32 model, else 16-bit)
//   prefill    one layer live at a time: max(attention phase, MLP phase), where
//              attention = 2·B·T·C (residual, normed) + B·T·(H+2K)·D (q,k,v) + B·H·T·T·(a + 4)
//                          (scores in the compute dtype, softmax in fp32; eager attention)
//              MLP       = 2·B·T·C + 3·B·T·F (gate, up, product) for SwiGLU, 2·B·T·F for GPT-2
//   logits     B · V · 4 (HF generation keeps only the last position, upcast to fp32)
// Leaves out: framework/runtime overhead (CUDA context, allocator fragmentation) and the
// tokenizer. FlashAttention/SDPA avoid materializing the T×T scores, so the attention phase is
// an upper bound for them.
import Foundation
import FrugalSpec

public enum InferenceMemory {
    public static func estimate(_ c: ModelConfig, format: WeightFormat, batch: Int, context: Int) -> MemoryEstimate {
        let a = format == .fp32 ? 4.0 : 2.0
        var lines = MemoryWeights.lines(c, format: format)
        let B = Double(batch), T = Double(context), C = Double(c.hiddenSize), F = Double(c.intermediateSize)
        let H = Double(c.numHeads), K = Double(c.numKVHeads), D = Double(c.headDim), L = Double(c.numLayers)
        lines.append(MemoryLine("KV cache", 2 * L * B * T * K * D * a,
                                "2·L·B·T·K·D·\(a.clean) B = 2·\(c.numLayers)·\(batch)·\(context)·\(c.numKVHeads)·\(c.headDim)·\(a.clean)"))
        let attention = (2 * B * T * C + B * T * (H + 2 * K) * D) * a + B * H * T * T * (a + 4)
        let mlp = (2 * B * T * C + (c.mlpKind == .gated ? 3 : 2) * B * T * F) * a
        lines.append(MemoryLine("prefill working set (one layer)", max(attention, mlp),
                                "max(attention \(attention.bytesShort), MLP \(mlp.bytesShort))"))
        lines.append(MemoryLine("logits of the last position (fp32)", B * Double(c.vocabSize) * 4, "B·V·4 B"))
        return MemoryEstimate(title: "inference, \(format.rawValue) weights, batch \(batch) × \(context) tokens",
                              lines: lines)
    }
}

extension Double {
    /// Decimal bytes with a unit: 1.5e9 → "1.50 GB".
    public var bytesShort: String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var v = self, i = 0
        while abs(v) >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(Int(v)) B" : String(format: "%.2f %@", v, units[i])
    }
}
