// MemoryWeights — bytes of a model's weights in one storage format, itemized. Quantized formats
// (int8, nf4, nf4-dq) apply to the linear layers inside the decoder blocks only, as transformers'
// bitsandbytes integration does: embeddings, the LM head, norms and biases stay unquantized,
// in the bytes given by `unquantizedBytes` (16-bit for inference; see MemoryTraining for QLoRA).
// Quantization constants are summed per tensor (ceil of blocks per tensor), not per model.
import FrugalSpec

enum MemoryWeights {
    /// Lines for all weights of `config` stored as `format`.
    /// - embeddingBytes: bytes/element for embeddings and head when they are not in `format`.
    /// - normBytes: bytes/element for norms and biases when they are not in `format`.
    static func lines(_ config: ModelConfig, format: WeightFormat,
                      embeddingBytes: Double? = nil, normBytes: Double? = nil) -> [MemoryLine] {
        let p = ParameterBreakdown(config)
        guard format.isQuantized else {
            let b = format.plainBytes
            return [MemoryLine("weights (\(format.rawValue))", Double(p.total) * b,
                               "\(p.total.grouped) params × \(b.clean) B")]
        }
        var data = 0.0, constants = 0.0, tensors = 0
        for e in config.parameterInventory where e.layer != nil && e.linear != nil {
            let rows = e.linear!.outFeatures
            let t = format.tensorBytes(count: e.count, rows: rows)
            data += t.data
            constants += t.constants
            tensors += 1
        }
        let n = p.blockLinearWeights
        var lines: [MemoryLine] = []
        switch format {
        case .int8:
            lines.append(MemoryLine("block linear weights (int8)", data, "\(n.grouped) params × 1 B"))
            lines.append(MemoryLine("int8 row scales (SCB, fp32)", constants, "Σ out_features × 4 B over \(tensors) tensors"))
        case .nf4:
            lines.append(MemoryLine("block linear weights (4-bit packed)", data, "\(n.grouped) params × 0.5 B"))
            lines.append(MemoryLine("4-bit absmax (fp32 per 64)", constants,
                                    "Σ ceil(n/64) × 4 B + quant_map 64 B, \(tensors) tensors"))
        case .nf4DoubleQuant:
            lines.append(MemoryLine("block linear weights (4-bit packed)", data, "\(n.grouped) params × 0.5 B"))
            lines.append(MemoryLine("4-bit absmax (double quant)", constants,
                                    "Σ ceil(n/64) × 1 B + ceil(blocks/256) × 4 B + offset 4 B + maps 1088 B, \(tensors) tensors"))
        default: break
        }
        let eb = embeddingBytes ?? format.plainBytes
        let nb = normBytes ?? format.plainBytes
        let embed = p.embedding + p.positionEmbedding + p.head
        lines.append(MemoryLine("embeddings + head (unquantized)", Double(embed) * eb,
                                "\(embed.grouped) params × \(eb.clean) B"))
        let small = p.norms + p.attentionBiases + p.mlpBiases
        lines.append(MemoryLine("norms + biases (unquantized)", Double(small) * nb, "\(small.grouped) params × \(nb.clean) B"))
        return lines
    }
}

extension Int {
    /// 134515008 → "134,515,008" (formulas in memory lines).
    var grouped: String {
        let s = String(self.magnitude)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (self < 0 ? "-" : "") + out
    }
}

extension Double {
    /// 2.0 → "2", 0.5 → "0.5" (formulas in memory lines).
    var clean: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
