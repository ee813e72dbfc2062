// MemoryActivations — the tensors a training step keeps from the forward pass for the backward
// pass, listed one by one for a decoder layer of the config's architecture, so the model can be
// checked tensor by tensor against a real trainer later.
//
// What is counted (an autograd that saves only what each backward needs, eager attention):
//   RMSNorm/LayerNorm: its input x [B,T,C] and fp32 statistics [B,T] (rstd; LayerNorm also mean);
//     its output [B,T,C] only when a consumer needs it for a weight gradient (the norm's own
//     weight, or a trained / LoRA-wrapped q,k,v or gate,up projection).
//   Attention: q and k after RoPE [B,H,T,D], [B,K,T,D] and v [B,K,T,D] (needed by QKᵀ and P·V
//     backward); the softmax output P [B,H,T,T] in fp32 (HF computes softmax in fp32) and, when
//     the compute dtype is 16-bit, its cast copy used by P·V; the context [B,T,H·D] when o_proj
//     trains or carries LoRA. Scores before softmax are not needed (softmax backward uses P).
//   SwiGLU MLP: gate output (SiLU input), up output, silu(gate) [B,T,F] each (the product rule
//     needs both factors); silu(gate)·up [B,T,F] when down_proj trains or carries LoRA.
//   GPT-2 MLP: c_fc output (GELU input) [B,T,F]; GELU output when the MLP c_proj trains.
//   LoRA: for each wrapped module, lora_A's output [B,T,r] (input of lora_B, for B's gradient);
//     the module input is shared with the base layer and counted once above.
//   Residual adds keep nothing.
// Leaves out: dropout masks (dropout is 0 for Llama-family fine-tuning; GPT-2's 0.1 dropouts
// would add B·T·C and B·H·T·T bytes), HF's transient fp32 upcast copies inside RMSNorm,
// repeat_kv's expanded copies of k and v in eager GQA attention ([B,H,T,D] instead of
// [B,K,T,D]), the causal mask and RoPE tables (shared by all layers, small), and allocator slack.
// Follows Korthikanti et al. 2022 (§4, activations per layer) adapted to the Llama block.
import FrugalSpec

/// One saved activation tensor.
public struct ActivationTensor: Codable, Equatable, Sendable {
    public var name: String
    public var shape: String              // symbolic, e.g. "[B,H,T,T]"
    public var elements: Double
    public var bytesPerElement: Double
    public var bytes: Double { elements * bytesPerElement }
}

/// Which weights receive gradients: decides which layer inputs must be kept.
public struct TrainableWeights: Codable, Equatable, Sendable {
    public var baseWeights: Bool          // full fine-tuning: every parameter trains
    public var loraModules: Set<String>   // module leaf names wrapped by LoRA (q_proj, c_attn, ...)
    public var loraRank: Int
    public var adapterBytes: Double       // bytes/element of LoRA tensors and their activations

    public init(baseWeights: Bool, loraModules: Set<String> = [], loraRank: Int = 0, adapterBytes: Double = 4) {
        self.baseWeights = baseWeights
        self.loraModules = loraModules
        self.loraRank = loraRank
        self.adapterBytes = adapterBytes
    }

    /// Whether the input of `module` must be kept for a weight gradient.
    func needsInput(_ modules: String...) -> Bool {
        baseWeights || modules.contains { loraModules.contains($0) }
    }
}

public enum ActivationModel {
    /// The tensors one decoder layer keeps for backward, for `batch` sequences of `seqLen` tokens
    /// with activations of `computeBytes` bytes per element.
    public static func perLayer(_ c: ModelConfig, batch: Int, seqLen: Int, computeBytes a: Double,
                                trainable w: TrainableWeights) -> [ActivationTensor] {
        let B = Double(batch), T = Double(seqLen), C = Double(c.hiddenSize), F = Double(c.intermediateSize)
        let H = Double(c.numHeads), K = Double(c.numKVHeads), D = Double(c.headDim)
        var out: [ActivationTensor] = []
        func keep(_ name: String, _ shape: String, _ n: Double, _ bytes: Double) {
            out.append(ActivationTensor(name: name, shape: shape, elements: n, bytesPerElement: bytes))
        }
        let gpt2 = c.architecture == .gpt2
        let (n1, n2) = gpt2 ? ("ln_1", "ln_2") : ("input_layernorm", "post_attention_layernorm")
        let stats = c.normKind == .layerNorm ? 2.0 : 1.0
        // Attention half.
        keep("\(n1) input (residual stream)", "[B,T,C]", B * T * C, a)
        keep("\(n1) statistics (fp32)", c.normKind == .layerNorm ? "2×[B,T]" : "[B,T]", stats * B * T, 4)
        if gpt2 ? w.needsInput("c_attn") : w.needsInput("q_proj", "k_proj", "v_proj") {
            keep("\(n1) output (q/k/v input)", "[B,T,C]", B * T * C, a)
        }
        keep(c.positionKind == .rope ? "q after RoPE" : "q", "[B,H,T,D]", B * H * T * D, a)
        keep(c.positionKind == .rope ? "k after RoPE" : "k", "[B,K,T,D]", B * K * T * D, a)
        keep("v", "[B,K,T,D]", B * K * T * D, a)
        keep("attention probabilities (softmax output, fp32)", "[B,H,T,T]", B * H * T * T, 4)
        if a != 4 {
            keep("attention probabilities cast for P·V", "[B,H,T,T]", B * H * T * T, a)
        }
        if gpt2 ? w.needsInput("c_proj") : w.needsInput("o_proj") {
            keep("attention context (\(gpt2 ? "attn.c_proj" : "o_proj") input)", "[B,T,H·D]", B * T * H * D, a)
        }
        // MLP half.
        keep("\(n2) input (residual stream)", "[B,T,C]", B * T * C, a)
        keep("\(n2) statistics (fp32)", c.normKind == .layerNorm ? "2×[B,T]" : "[B,T]", stats * B * T, 4)
        if gpt2 ? w.needsInput("c_fc") : w.needsInput("gate_proj", "up_proj") {
            keep("\(n2) output (MLP input)", "[B,T,C]", B * T * C, a)
        }
        if c.mlpKind == .gated {
            keep("gate_proj output (SiLU input)", "[B,T,F]", B * T * F, a)
            keep("up_proj output", "[B,T,F]", B * T * F, a)
            keep("silu(gate)", "[B,T,F]", B * T * F, a)
            if w.needsInput("down_proj") { keep("silu(gate)·up (down_proj input)", "[B,T,F]", B * T * F, a) }
        } else {
            keep("c_fc output (GELU input)", "[B,T,F]", B * T * F, a)
            if w.needsInput("c_proj") { keep("GELU output (mlp.c_proj input)", "[B,T,F]", B * T * F, a) }
        }
        // LoRA branches: lora_A output per wrapped module (GPT-2's c_proj name covers two modules).
        if w.loraRank > 0 {
            let r = Double(w.loraRank)
            for m in c.linearModules where w.loraModules.contains(m.module) {
                keep("lora_A output of \(m.module)", "[B,T,r]", B * T * r, w.adapterBytes)
            }
        }
        return out
    }

    /// Index of the layer-input tensor in `perLayer` (what gradient checkpointing keeps).
    static let layerInputIndex = 0
}
