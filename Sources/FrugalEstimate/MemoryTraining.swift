// MemoryTraining — memory for one training step, itemized:
//   full, fp32        weights 4N + gradients 4N + optimizer
//   full, bf16/fp16   weights 2N + fp32 master 4N + gradients 2N + optimizer (mixed precision)
//   lora              frozen base in the compute dtype + adapters, their gradients and optimizer
//   qlora             frozen base in NF4 (+double quant) for the block linears; embeddings and
//                     head in the compute dtype, norms and biases in fp32 (QLoRA `qlora.py` after
//                     PEFT's prepare_model_for_kbit_training); adapters, gradients, optimizer
//   optimizer         AdamW: m and v in fp32, 8 B per trainable parameter. 8-bit AdamW
//                     (bitsandbytes, blockwise, block 256): 1 B each for m and v plus one fp32
//                     absmax per 256 per state; tensors under 4096 elements stay 32-bit
//                     (bitsandbytes `min_8bit_size`).
//   activations       MemoryActivations' per-layer tensors × L, or with gradient checkpointing
//                     (one checkpoint per decoder layer, as HF does) the L layer inputs plus one
//                     layer recomputed during backward; the final norm; logits [B,T,V] in the
//                     compute dtype, the fp32 log-softmax kept by cross-entropy and the fp32
//                     gradient of the logits
//   workspace         the largest backward transient of one layer: max(2·B·H·T·T·4 (gradients of
//                     P and of the scores), 2·B·T·F·a) + 2·B·T·C·a (residual gradients); for a
//                     quantized base also one dequantized weight of the largest linear (16-bit).
// With `engine: .frugal` the estimate is MemoryFrugalEngine's instead: Frugal's own storage, whose
// lines add up to the predicted peak of MemoryStats.
// Leaves out: paged-optimizer offload (QLoRA's paged AdamW moves states to CPU under pressure),
// CUDA context and allocator slack, data-loader buffers.
import FrugalSpec

public struct TrainingEstimate: Codable, Equatable, Sendable {
    public var options: TrainingOptions
    public var memory: MemoryEstimate
    public var trainableParameters: Int
    public var loraParameters: Int
    public var perLayerActivations: [ActivationTensor]
}

public enum TrainingMemory {
    public static func estimate(_ c: ModelConfig, _ o: TrainingOptions) throws -> TrainingEstimate {
        try o.validate()
        let modules = try o.loraModules(for: c)
        if o.engine == .frugal { return try FrugalEngineMemory.estimate(c, o, modules: modules) }
        let p = ParameterBreakdown(c)
        let a = o.dtype.bytes
        let B = Double(o.batch), T = Double(o.seqLen), C = Double(c.hiddenSize), F = Double(c.intermediateSize)
        let H = Double(c.numHeads), V = Double(c.vocabSize), L = Double(c.numLayers)
        var lines: [MemoryLine] = []

        // Trainable tensors (for the optimizer's per-tensor 8-bit rule) and base weights.
        var trainable: [Int] = []
        var loraCount = 0
        switch o.method {
        case .full:
            trainable = c.parameterInventory.map(\.count)
            let n = Double(p.total)
            if o.dtype == .fp32 {
                lines.append(MemoryLine("weights (fp32)", 4 * n, "\(p.total.grouped) × 4 B"))
                lines.append(MemoryLine("gradients (fp32)", 4 * n, "N × 4 B"))
            } else {
                let d = o.dtype.rawValue
                lines.append(MemoryLine("weights (\(d))", 2 * n, "\(p.total.grouped) × 2 B"))
                lines.append(MemoryLine("master weights (fp32)", 4 * n, "N × 4 B (mixed precision)"))
                lines.append(MemoryLine("gradients (\(d))", 2 * n, "N × 2 B"))
            }
        case .lora, .qlora:
            if o.method == .lora {
                let fmt: WeightFormat = o.dtype == .fp32 ? .fp32 : (o.dtype == .fp16 ? .fp16 : .bf16)
                lines += MemoryWeights.lines(c, format: fmt).map {
                    MemoryLine("frozen base " + $0.item, $0.bytes, $0.formula)
                }
            } else {
                lines += MemoryWeights.lines(c, format: o.baseFormat, embeddingBytes: a, normBytes: 4).map {
                    MemoryLine("frozen base " + $0.item, $0.bytes, $0.formula)
                }
            }
            for _ in 0..<c.numLayers {
                for m in c.linearModules where modules.contains(m.module) {
                    trainable.append(o.rank * m.inFeatures)     // lora_A [r, in]
                    trainable.append(m.outFeatures * o.rank)    // lora_B [out, r]
                }
            }
            loraCount = trainable.reduce(0, +)
            let ab = o.adapterDType.bytes
            let per = c.linearModules.filter { modules.contains($0.module) }
                .map { "\(o.rank)·(\($0.inFeatures)+\($0.outFeatures))" }.joined(separator: " + ")
            lines.append(MemoryLine("LoRA adapters A, B (\(o.adapterDType.rawValue))", Double(loraCount) * ab,
                                    "L·Σ r·(in+out) = \(c.numLayers)·(\(per)) = \(loraCount.grouped) × \(ab.clean) B"))
            lines.append(MemoryLine("LoRA gradients (\(o.adapterDType.rawValue))", Double(loraCount) * ab,
                                    "\(loraCount.grouped) × \(ab.clean) B"))
        }
        lines += optimizerLines(o.optimizer, tensors: trainable)

        // Activations.
        let weights = TrainableWeights(baseWeights: o.method == .full, loraModules: modules,
                                       loraRank: o.method == .full ? 0 : o.rank, adapterBytes: o.adapterDType.bytes)
        let layer = ActivationModel.perLayer(c, batch: o.batch, seqLen: o.seqLen, computeBytes: a, trainable: weights)
        let layerBytes = layer.reduce(0) { $0 + $1.bytes }
        if o.gradientCheckpointing {
            let input = layer[ActivationModel.layerInputIndex].bytes
            lines.append(MemoryLine("activations: checkpointed layer inputs", L * input,
                                    "L·B·T·C·\(a.clean) B"))
            lines.append(MemoryLine("activations: one layer recomputed in backward", layerBytes - input,
                                    "per-layer tensors minus the checkpointed input"))
        } else {
            lines.append(MemoryLine("activations: \(c.numLayers) layers", L * layerBytes,
                                    "L × \(layerBytes.bytesShort) per layer (see the per-layer table)"))
        }
        let stats = c.normKind == .layerNorm ? 2.0 : 1.0
        let headTrains = o.method == .full
        let finalNorm = B * T * C * a + stats * B * T * 4 + (headTrains ? B * T * C * a : 0)
        lines.append(MemoryLine("final norm input, statistics\(headTrains ? ", output" : "")", finalNorm,
                                headTrains ? "2·B·T·C·a + B·T·4" : "B·T·C·a + B·T·4"))
        lines.append(MemoryLine("logits (\(o.dtype.rawValue))", B * T * V * a, "B·T·V·\(a.clean) B"))
        lines.append(MemoryLine("log-softmax for cross-entropy (fp32)", B * T * V * 4, "B·T·V·4 B"))
        lines.append(MemoryLine("gradient of the logits (fp32)", B * T * V * 4, "B·T·V·4 B"))

        // Workspace.
        let attnWork = 2 * B * H * T * T * 4, mlpWork = 2 * B * T * F * a
        lines.append(MemoryLine("backward workspace (one layer)", max(attnWork, mlpWork) + 2 * B * T * C * a,
                                "max(2·B·H·T·T·4, 2·B·T·F·a) + 2·B·T·C·a"))
        if o.method == .qlora {
            let largest = c.linearModules.map { Double($0.inFeatures * $0.outFeatures) }.max() ?? 0
            lines.append(MemoryLine("dequantized weight buffer (largest linear)", largest * a, "max(in·out) × \(a.clean) B"))
        }

        let title = "\(o.method.rawValue) training, \(o.dtype.rawValue), \(o.optimizer.rawValue), batch \(o.batch) × \(o.seqLen) tokens"
            + (o.method == .full ? "" : ", r=\(o.rank)") + (o.gradientCheckpointing ? ", gradient checkpointing" : "")
        return TrainingEstimate(options: o, memory: MemoryEstimate(title: title, lines: lines),
                                trainableParameters: o.method == .full ? p.total : loraCount,
                                loraParameters: loraCount, perLayerActivations: layer)
    }

    static func optimizerLines(_ kind: OptimizerKind, tensors: [Int]) -> [MemoryLine] {
        let n = Double(tensors.reduce(0, +))
        switch kind {
        case .adamw:
            return [MemoryLine("AdamW first moment m (fp32)", 4 * n, "\(Int(n).grouped) × 4 B"),
                    MemoryLine("AdamW second moment v (fp32)", 4 * n, "\(Int(n).grouped) × 4 B")]
        case .adamw8bit:
            var state = 0.0, small = 0
            for t in tensors {
                if t < 4096 { state += 4 * Double(t); small += 1 }
                else { state += Double(t) + Double((t + 255) / 256) * 4 }
            }
            let f = "n × 1 B + ceil(n/256) × 4 B per tensor" + (small > 0 ? "; \(small) tensors < 4096 kept fp32" : "")
            return [MemoryLine("AdamW 8-bit first moment m", state, f),
                    MemoryLine("AdamW 8-bit second moment v", state, f)]
        }
    }
}
