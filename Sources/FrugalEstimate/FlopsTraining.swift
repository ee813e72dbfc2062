// FlopsTraining — FLOPs per token of inference and of one training token per method, from the
// itemized forward (FlopsPerToken), next to the 2N / 6N rules of thumb (Kaplan et al. 2020:
// forward ≈ 2N, training ≈ 6N: backward = 2× forward, half for input gradients, half for
// weight gradients).
//   full    forward + input gradients + weight gradients of every weight matmul (+ norm weights)
//   lora    forward (+ LoRA branches 2·r·(in+out) per wrapped module) + input gradients of every
//           op (the frozen base still passes gradients down) + LoRA input and weight gradients;
//           no base weight gradients
//   qlora   as lora + dequantizing every block linear weight (2 ops per element) once per forward,
//           backward and recompute pass, amortized over the B·T tokens of the step
//   gradient checkpointing adds one more forward of the decoder layers (not the head, not the loss).
// Time = tokens · FLOPs per token / (FLOP/s), at the sustained rate the user supplies.
import FrugalSpec

public struct FlopsEstimate: Codable, Equatable, Sendable {
    public var forwardLines: [FlopsLine]
    public var forward: Double              // per token
    public var loraForward: Double          // per token, LoRA branches
    public var backwardInput: Double        // per token
    public var backwardWeight: Double       // per token
    public var recompute: Double            // per token, gradient checkpointing
    public var dequantization: Double       // per token, QLoRA
    public var total: Double { forward + loraForward + backwardInput + backwardWeight + recompute + dequantization }
    public var twoN: Double                 // 2·N, N = total parameters
    public var sixN: Double                 // 6·N
    public var sixNNonEmbedding: Double     // 6·N_nonembedding (Kaplan)
}

public enum FlopsTraining {
    /// Training FLOPs per token for `o` (method, checkpointing, LoRA targets and rank).
    public static func estimate(_ c: ModelConfig, _ o: TrainingOptions) throws -> FlopsEstimate {
        try o.validate()
        let modules = try o.loraModules(for: c)
        let lines = FlopsModel.forward(c, context: o.seqLen)
        let p = ParameterBreakdown(c)
        let fwd = lines.reduce(0) { $0 + $1.forward }
        var bIn = 0.0, bW = 0.0, layerFwd = 0.0
        for l in lines {
            switch l.kind {
            case .weightMatmul:
                bIn += l.forward
                if o.method == .full { bW += l.forward }
            case .activationMatmul: bIn += 2 * l.forward
            case .elementwise: bIn += 2 * l.forward
            }
            if l.perLayer { layerFwd += l.forward }
        }
        if o.method == .full {
            bW += 2 * Double(p.norms)    // norm weight gradients: a multiply-add per norm parameter per token
        }
        var loraFwd = 0.0
        if o.method != .full {
            for m in c.linearModules where modules.contains(m.module) {
                loraFwd += Double(c.numLayers) * 2 * Double(o.rank) * Double(m.inFeatures + m.outFeatures)
            }
            bIn += loraFwd
            bW += loraFwd
        }
        let recompute = o.gradientCheckpointing ? layerFwd + loraFwd : 0
        var dequant = 0.0
        if o.method == .qlora {
            let passes = o.gradientCheckpointing ? 3.0 : 2.0
            dequant = passes * 2 * Double(p.blockLinearWeights) / Double(o.batch * o.seqLen)
        }
        let n = Double(p.total)
        return FlopsEstimate(forwardLines: lines, forward: fwd, loraForward: loraFwd, backwardInput: bIn,
                             backwardWeight: bW, recompute: recompute, dequantization: dequant,
                             twoN: 2 * n, sixN: 6 * n, sixNNonEmbedding: 6 * Double(p.nonEmbedding))
    }

    /// Seconds for `tokens` tokens at `flopsPerSecond` sustained.
    public static func seconds(flopsPerToken: Double, tokens: Double, flopsPerSecond: Double) -> Double {
        flopsPerToken * tokens / flopsPerSecond
    }
}
