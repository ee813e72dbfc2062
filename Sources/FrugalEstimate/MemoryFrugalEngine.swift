// MemoryFrugalEngine — the peak memory of one training step on Frugal's own engine, itemized so
// that the lines add up to the predicted peak of MemoryStats (all tensor storage, FrugalCore).
// Checked against the measured peak in FrugalTrainTests/EstimateVsMeasuredTests.
//
// How Frugal stores a step (FrugalTrain.Trainer, FrugalCore autograd), everything Float32:
//   state       weights: fp32 (full, lora); qlora = NF4 block linears (packed ⌈n/2⌉ + uint8 absmax
//               per 64 + fp32 nested absmax per 256 blocks + fp32 offset, no code tables as
//               tensors) with fp32 embeddings, head, norms, biases; LoRA A, B fp32; AdamW m and v
//               fp32 for the trainable tensors only (allocated when the trainer is made).
//   activations MemoryFrugalBlock's kept tensors: without checkpointing, the tensors the recorded
//               ops saved for their backward (each freed once its node has run); with per-block
//               checkpointing, the L+1 residual-stream tensors between blocks. Then the final
//               norm's output [B,T,C]; for full training also the logits [B,T,V] (cross-entropy
//               keeps the logits, no probabilities).
//   peak        the largest of three moments of the step:
//               head   frozen head (lora, qlora): the head fused with its loss, one chunk of logits
//                      [R,V] with its rows' hidden states and gradients and the [B,T,C] gradient;
//                      full: gradient of the logits [B,T,V] next to the logits, then — once the
//                      logits are freed — next to dX [B,T,C] and the head weight's gradient [V,C];
//               block  one block's backward: with checkpointing, its recomputed forward (kept
//                      tensors of one block) + the largest backward transient + the gradients so far;
//               end    (full training) every weight gradient + the embedding's scatter gradient.
//               Gradients appear only during the backward: at the head moment there are none yet.
// The optimizer update allocates nothing. Leaves out: Swift arrays (RMSNorm statistics,
// cross-entropy's per-row losses, token ids), OpenBLAS's internal buffers, the process itself —
// what process RSS adds on top (FrugalBench reports both).
import FrugalSpec

enum FrugalEngineMemory {
    static func estimate(_ c: ModelConfig, _ o: TrainingOptions, modules: Set<String>) throws -> TrainingEstimate {
        if c.architecture == .gpt2 {
            throw EstimateError.invalidOption("engine frugal", "Frugal trains Llama-family models only; this config is GPT-2")
        }
        if o.dtype != .fp32 {
            throw EstimateError.invalidOption("--dtype", "Frugal's engine computes in fp32; use --dtype fp32 with the frugal engine")
        }
        if o.method != .full && o.adapterDType != .fp32 {
            throw EstimateError.invalidOption("--adapter-dtype", "Frugal keeps LoRA adapters in fp32; use --adapter-dtype fp32")
        }
        if o.optimizer != .adamw {
            throw EstimateError.invalidOption("--optimizer", "Frugal's optimizer is AdamW with fp32 states; use --optimizer adamw")
        }
        let p = ParameterBreakdown(c)
        let B = Double(o.batch), T = Double(o.seqLen), N = B * T
        let C = Double(c.hiddenSize), V = Double(c.vocabSize), L = Double(c.numLayers)
        let full = o.method == .full
        var lines: [MemoryLine] = []

        // MARK: state (alive for the whole step)
        var loraCount = 0
        if !full {
            for _ in 0..<c.numLayers {
                for m in c.linearModules where modules.contains(m.module) { loraCount += o.rank * (m.inFeatures + m.outFeatures) }
            }
        }
        let trainable = Double(full ? p.total : loraCount)
        if o.method == .qlora {
            lines += quantizedWeightLines(c, doubleQuant: o.baseFormat == .nf4DoubleQuant)
        } else {
            lines.append(MemoryLine(full ? "weights (fp32)" : "frozen base weights (fp32)", 4 * Double(p.total),
                                    "\(p.total.grouped) params × 4 B"))
        }
        if !full {
            let per = c.linearModules.filter { modules.contains($0.module) }
                .map { "\(o.rank)·(\($0.inFeatures)+\($0.outFeatures))" }.joined(separator: " + ")
            lines.append(MemoryLine("LoRA adapters A, B (fp32)", 4 * trainable,
                                    "L·Σ r·(in+out) = \(c.numLayers)·(\(per)) = \(loraCount.grouped) × 4 B"))
        }
        lines.append(MemoryLine("AdamW first moment m (fp32)", 4 * trainable, "\(Int(trainable).grouped) × 4 B"))
        lines.append(MemoryLine("AdamW second moment v (fp32)", 4 * trainable, "\(Int(trainable).grouped) × 4 B"))

        // MARK: activations saved for the backward
        let dropout = !full && o.loraDropout > 0
        let block0 = FrugalBlockModel.trace(c, batch: o.batch, seqLen: o.seqLen, rank: o.rank, lora: modules,
                                            fullTraining: full, inputRequiresGrad: full, dropout: dropout)
        let block = FrugalBlockModel.trace(c, batch: o.batch, seqLen: o.seqLen, rank: o.rank, lora: modules,
                                           fullTraining: full, inputRequiresGrad: true, dropout: dropout)
        if o.gradientCheckpointing {
            lines.append(MemoryLine("activations: residual stream between blocks (checkpoints)", 4 * (L + 1) * N * C,
                                    "(L+1)·B·T·C·4 B: the embedding output and every block's output"))
        } else {
            let h0 = block0.inputKept ? N * C : 0
            lines.append(MemoryLine("activations: embedding output", 4 * h0, block0.inputKept ? "B·T·C·4 B" : "not kept"))
            let rest = block0.keptElements + (L - 1) * block.keptElements
            lines.append(MemoryLine("activations: \(c.numLayers) blocks", 4 * rest,
                                    "block 0 \((4 * block0.keptElements).bytesShort) + (L−1) × \((4 * block.keptElements).bytesShort) (see the per-layer table)"))
        }
        lines.append(MemoryLine("final norm output", 4 * N * C, "B·T·C·4 B"))
        let vc = V * C
        let head: [MemoryLine]
        let headPhase: String
        if full {
            // The head weight trains: linear then cross-entropy, unfused. Cross-entropy keeps the
            // logits; its backward holds them and their gradient, then the head's backward holds
            // that gradient and makes dX [B,T,C] and dW after the logits were freed.
            lines.append(MemoryLine("logits (fp32, kept by cross-entropy)", 4 * N * V, "B·T·V·4 B"))
            let headAfter = N * C + vc
            head = [
                MemoryLine("gradient of the logits (fp32)", 4 * N * V, "B·T·V·4 B"),
                MemoryLine("head backward outputs beyond the freed logits", 4 * max(0, headAfter - N * V),
                           "max(0, B·T·C + V·C − B·T·V)·4 B"),
            ]
            headPhase = "head backward"
        } else {
            // Frozen head: the head and its loss are one op (linearCrossEntropy), which makes the
            // logits R rows at a time (R·V ≤ 2²⁵ floats) and the gradient of the hidden states in the
            // forward. Its moment: one chunk of logits, the chunk's hidden rows and their gradient
            // [R,C] each, and the [B,T,C] gradient being filled.
            let chunks = max(1, (N * V / 33_554_432).rounded(.up))
            let rows = (N / chunks).rounded(.up)
            head = [
                MemoryLine("logits of one chunk of \(Int(rows)) rows (head fused with the loss)", 4 * rows * V,
                           "R·V·4 B, R = ⌈B·T / ⌈B·T·V / 2²⁵⌉⌉"),
                MemoryLine("the chunk's hidden rows and their gradient", 4 * 2 * rows * C, "2·R·C·4 B"),
                MemoryLine("gradient of the hidden states (made in the forward)", 4 * N * C, "B·T·C·4 B"),
            ]
            headPhase = "head (fused with the loss)"
        }

        let transient = FrugalBlockModel.backwardTransient(c, batch: o.batch, seqLen: o.seqLen)
        let gradsSoFar = full ? 4 * (Double(p.total) - Double(p.embedding)) + (c.tieWordEmbeddings ? 4 * vc : 0) : 4 * trainable
        var blockLines: [MemoryLine] = []
        if o.gradientCheckpointing {
            let recomputed = max(block.keptElements, block0.keptElements)
            blockLines.append(MemoryLine("one block recomputed for its backward", 4 * recomputed,
                                         "kept tensors of one block (see the per-layer table)"))
            if o.method == .qlora {
                // linear4Bit keeps a recomputed weight's dequantized tile (when the weight is one tile
                // of at most 2²⁰ floats) for its backward; the last projection is not recomputed.
                let kept = c.linearModules.filter { $0.module != "down_proj" && $0.outFeatures * $0.inFeatures <= 1 << 20 }
                let floats = kept.reduce(0.0) { $0 + Double($1.outFeatures * $1.inFeatures) }
                if floats > 0 {
                    blockLines.append(MemoryLine("dequantized weights the recomputed block keeps for its backward", 4 * floats,
                                                 kept.map(\.module).joined(separator: ", ") + ": out·in·4 B each"))
                }
            }
        }
        blockLines += [
            MemoryLine("block backward transient", 4 * transient.elements, transient.formula + " × 4 B"),
            MemoryLine("gradients so far (at most)", gradsSoFar, full ? "every weight but the embedding (+ the tied head's)" : "all adapter gradients"),
        ]
        var end: [MemoryLine] = []
        if full {
            let embedCopies = c.tieWordEmbeddings ? 3.0 : 1.0
            end = [
                MemoryLine("weight gradients but the embedding", 4 * (Double(p.total) - Double(p.embedding)), "(N − V·C)·4 B"),
                MemoryLine("embedding gradient being formed", 4 * embedCopies * vc,
                           c.tieWordEmbeddings ? "3·V·C·4 B (the head's part, the scatter, their sum)" : "V·C·4 B (the scatter)"),
                MemoryLine("gradient of the embedding output", 4 * N * C, "B·T·C·4 B"),
            ]
        }
        let phases: [(String, [MemoryLine])] = [(headPhase, head), ("block backward", blockLines), ("end of backward", end)]
        let sum = { (l: [MemoryLine]) in l.reduce(0) { $0 + $1.bytes } }
        let peak = phases.max { sum($0.1) < sum($1.1) }!
        lines += peak.1.map { MemoryLine("at the peak (\(peak.0)): " + $0.item, $0.bytes, $0.formula) }

        let perLayer = block.keptItems.map {
            ActivationTensor(name: $0.name, shape: $0.shape, elements: $0.elements, bytesPerElement: 4)
        }
        let title = "\(o.method.rawValue) training on Frugal's engine (fp32, AdamW), batch \(o.batch) × \(o.seqLen) tokens"
            + (full ? "" : ", r=\(o.rank)") + (o.gradientCheckpointing ? ", gradient checkpointing" : "")
            + "; peak during the \(peak.0)"
        return TrainingEstimate(options: o, memory: MemoryEstimate(title: title, lines: lines),
                                trainableParameters: full ? p.total : loraCount, loraParameters: loraCount,
                                perLayerActivations: perLayer)
    }

    /// QLoRA base as FrugalQuant stores it (QuantizedBlockwise4Bit.byteCount, block 64, nested 256):
    /// no code tables (they are shared constants, not tensors).
    static func quantizedWeightLines(_ c: ModelConfig, doubleQuant: Bool) -> [MemoryLine] {
        let p = ParameterBreakdown(c)
        var packed = 0.0, constants = 0.0, tensors = 0
        for e in c.parameterInventory where e.layer != nil && e.linear != nil {
            let blocks = (e.count + 63) / 64
            packed += Double((e.count + 1) / 2)
            constants += doubleQuant ? Double(blocks) + 4 * Double((blocks + 255) / 256) + 4 : 4 * Double(blocks)
            tensors += 1
        }
        let embed = p.embedding + p.positionEmbedding + p.head
        let small = p.norms + p.attentionBiases + p.mlpBiases
        return [
            MemoryLine("block linear weights (4-bit packed)", packed, "\(p.blockLinearWeights.grouped) params × 0.5 B"),
            MemoryLine(doubleQuant ? "4-bit absmax (double quant)" : "4-bit absmax (fp32 per 64)", constants,
                       doubleQuant ? "Σ ⌈n/64⌉ × 1 B + ⌈blocks/256⌉ × 4 B + offset 4 B, \(tensors) tensors"
                                   : "Σ ⌈n/64⌉ × 4 B, \(tensors) tensors"),
            MemoryLine("embeddings + head (fp32)", 4 * Double(embed), "\(embed.grouped) params × 4 B"),
            MemoryLine("norms + biases (fp32)", 4 * Double(small), "\(small.grouped) params × 4 B"),
        ]
    }
}
