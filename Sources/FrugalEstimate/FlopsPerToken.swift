// FlopsPerToken — forward floating-point operations per token, itemized per op, for a sequence of
// T tokens (the attention terms are per token with the full T×T score matrix that eager attention
// computes; a causal kernel that skips the masked half does about half of them).
//
// Counting rules (seed notes §1.3): a matmul of [m,n]·[n,p] is 2·m·n·p FLOPs; per token that is
// 2·in·out for a linear layer. Elementwise costs are counted as arithmetic operations per element:
//   RMSNorm 4 (square, sum, scale by rstd, weight), LayerNorm 7 (sum, subtract, square, sum, scale,
//   weight, bias); softmax 5 per score (scale, max, subtract, exp, sum-and-divide ~ 5);
//   RoPE 3 per rotated element (q·cos + rotate_half(q)·sin); SiLU-and-gate 5 per F (exp, add,
//   divide, multiply by x, multiply by up); tanh-GELU 8 per F; residual add 1 per C; bias add 1.
// Backward (used by FlopsTraining): a matmul against a weight costs its forward again for the
// input gradient and again for the weight gradient; a matmul of two activations (QKᵀ, P·V) costs
// 2× forward (gradients for both operands); elementwise ops ≈ 2× forward; norm weights 2 per C.
// Leaves out: the embedding lookup (no arithmetic), dropout, and optimizer FLOPs (O(N) per step,
// not per token).
import FrugalSpec

/// One op's FLOPs per token.
public struct FlopsLine: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case weightMatmul      // activation × parameter matrix (has a weight gradient)
        case activationMatmul  // activation × activation (QKᵀ, P·V)
        case elementwise       // norms, softmax, RoPE, activations, residuals, biases, loss
    }
    public var op: String
    public var kind: Kind
    public var forward: Double      // per token, all layers included
    public var perLayer: Bool       // counted in every decoder layer (recomputed under checkpointing)
    public var modules: [String]    // linear module names involved (for LoRA), empty otherwise
    public var formula: String
}

public enum FlopsModel {
    /// Forward FLOPs per token, itemized, for context length `context`.
    public static func forward(_ c: ModelConfig, context: Int) -> [FlopsLine] {
        let C = Double(c.hiddenSize), F = Double(c.intermediateSize), V = Double(c.vocabSize)
        let H = Double(c.numHeads), K = Double(c.numKVHeads), D = Double(c.headDim)
        let L = Double(c.numLayers), T = Double(context)
        let q = H * D, kv = K * D
        let gpt2 = c.architecture == .gpt2
        let normOps = c.normKind == .layerNorm ? 7.0 : 4.0
        var out: [FlopsLine] = []
        func add(_ op: String, _ kind: FlopsLine.Kind, _ perToken: Double, layer: Bool = true,
                 modules: [String] = [], _ formula: String) {
            out.append(FlopsLine(op: op, kind: kind, forward: layer ? L * perToken : perToken,
                                 perLayer: layer, modules: modules, formula: layer ? "L·(\(formula))" : formula))
        }
        if gpt2 { add("position embedding add", .elementwise, C, layer: false, "C") }
        add("attention norm", .elementwise, normOps * C, "\(normOps.clean)·C")
        add("QKV projections", .weightMatmul, 2 * C * (q + 2 * kv),
            modules: gpt2 ? ["c_attn"] : ["q_proj", "k_proj", "v_proj"], "2·C·(H·D + 2·K·D)")
        let biases = (c.attentionBias ? q + 2 * kv : 0) + (c.attentionOutputBias ? C : 0)
            + (c.mlpBias ? (c.mlpKind == .gated ? 2 * F : F) + C : 0)
        if biases > 0 { add("bias adds", .elementwise, biases, "biases per layer") }
        if c.positionKind == .rope { add("RoPE on q and k", .elementwise, 3 * (q + kv), "3·(H+K)·D") }
        add("attention scores QKᵀ", .activationMatmul, 2 * T * q, "2·T·H·D")
        add("softmax (scale, mask, normalize)", .elementwise, 5 * H * T, "5·H·T")
        add("weighted sum P·V", .activationMatmul, 2 * T * q, "2·T·H·D")
        add("attention output projection", .weightMatmul, 2 * q * C, modules: [gpt2 ? "c_proj" : "o_proj"], "2·H·D·C")
        add("residual adds", .elementwise, 2 * C, "2·C")
        add("MLP norm", .elementwise, normOps * C, "\(normOps.clean)·C")
        if c.mlpKind == .gated {
            add("MLP gate + up projections", .weightMatmul, 4 * C * F, modules: ["gate_proj", "up_proj"], "2·2·C·F")
            add("SiLU and gating", .elementwise, 5 * F, "5·F")
            add("MLP down projection", .weightMatmul, 2 * F * C, modules: ["down_proj"], "2·F·C")
        } else {
            add("MLP c_fc projection", .weightMatmul, 2 * C * F, modules: ["c_fc"], "2·C·F")
            add(c.activation == .silu ? "SiLU" : "GELU", .elementwise, 8 * F, "8·F")
            add("MLP c_proj projection", .weightMatmul, 2 * F * C, modules: ["c_proj"], "2·F·C")
        }
        add("final norm", .elementwise, normOps * C, layer: false, "\(normOps.clean)·C")
        add("logits (LM head)", .weightMatmul, 2 * C * V, layer: false, modules: ["lm_head"], "2·C·V")
        add("cross-entropy (log-softmax)", .elementwise, 4 * V, layer: false, "4·V")
        return out
    }
}
