// MemoryFrugalBlock — one Llama decoder block's forward exactly as Frugal's engine runs it
// (FrugalModels' DecoderBlock, FrugalTrain's LoRALinear, FrugalQuant's linear4Bit, FrugalCore's
// ops and autograd), replayed on sizes: every Float32 tensor the forward allocates, and which of
// them stay alive until the end of the backward pass.
//
// Frugal's autograd rule, which decides what is kept: an op is recorded when one of its inputs
// requires a gradient. The graph's edges point to producer nodes, not to tensors, so a recorded op
// keeps alive only what its backward captured (its saved tensors, as in PyTorch): linear/matmul
// and the 4-bit linear their input, the LoRA update its input and x·Aᵀ, RMSNorm its input, SwiGLU
// gate and up, attention q, k, v and its probabilities [B,H,T,T]; additions, scalings, RoPE and
// reshapes keep nothing.
// A node frees what it saved as soon as its backward has run. Hence, at the end of the forward:
// kept = tensors captured by recorded ops ∪ their saved extras; everything else is already freed.
// Reshapes are views (no bytes); RMSNorm statistics and RoPE tables are Swift arrays, not tensor
// storage (MemoryStats does not count them, so neither does this).
// LoRA dropout > 0 (`dropout`): each wrapped module draws its own mask, which its LoRA update keeps
// as bits (⌈B·T·In/32⌉ floats' bytes); dropout(x) is rebuilt from x and the bits, never kept.
// Leaves out: GPT-2 (Frugal's DecoderModel has no GPT-2 block).
import FrugalSpec

/// The tensors one block's forward allocates in Frugal, with what survives until backward ends.
struct FrugalBlockTrace {
    struct Item {
        var name: String
        var shape: String
        var elements: Double
        var requiresGrad: Bool
        var kept: Bool
    }

    private(set) var items: [Item] = []

    /// Marks item `i` as carrying a gradient (an in-place recorded op now owns its storage).
    mutating func carriesGradient(_ i: Int) { items[i].requiresGrad = true }

    /// The block input (index 0), allocated by the previous block or the embedding.
    var inputKept: Bool { items[0].kept }
    /// Elements kept until backward ends, the block input excluded (it belongs to the caller).
    var keptElements: Double { items.dropFirst().filter(\.kept).reduce(0) { $0 + $1.elements } }
    var keptItems: [Item] { items.dropFirst().filter(\.kept) }

    init(input name: String, shape: String, elements: Double, requiresGrad: Bool) {
        items = [Item(name: name, shape: shape, elements: elements, requiresGrad: requiresGrad, kept: false)]
    }

    /// An op with tensor inputs `inputs` (and trainable parameters when `trainableParams`) whose
    /// backward captures `captures` (default: all inputs); its output of `elements`, plus `saved`
    /// extras kept when recorded (scratch that an unrecorded op frees at once is not listed).
    @discardableResult
    mutating func op(_ name: String, _ shape: String, _ elements: Double, inputs: [Int], captures: [Int]? = nil,
                     trainableParams: Bool = false, outputCapturedLater: Bool = false,
                     saved: (name: String, shape: String, elements: Double)? = nil) -> Int {
        let recorded = trainableParams || inputs.contains { items[$0].requiresGrad }
        if recorded { for i in captures ?? inputs { items[i].kept = true } }
        items.append(Item(name: name, shape: shape, elements: elements, requiresGrad: recorded,
                          kept: recorded && outputCapturedLater))
        let out = items.count - 1
        if let s = saved, recorded {
            items.append(Item(name: s.name, shape: s.shape, elements: s.elements, requiresGrad: false, kept: true))
        }
        return out
    }
}

enum FrugalBlockModel {
    /// The forward of one block for `batch` × `seqLen` tokens. `inputRequiresGrad`: whether the
    /// block input carries a gradient (false for block 0 when the embedding is frozen).
    /// `fullTraining`: every block weight trains; `lora`: the wrapped module names; `quantized`:
    /// the base linears are 4-bit (same activations; only the weights differ).
    static func trace(_ c: ModelConfig, batch: Int, seqLen: Int, rank: Int, lora: Set<String>,
                      fullTraining: Bool, inputRequiresGrad: Bool, dropout: Bool = false) -> FrugalBlockTrace {
        let B = Double(batch), T = Double(seqLen), N = B * T
        let C = Double(c.hiddenSize), F = Double(c.intermediateSize), H = Double(c.numHeads)
        let HD = Double(c.queryWidth), KD = Double(c.kvWidth), r = Double(rank)
        var t = FrugalBlockTrace(input: "block input (residual stream)", shape: "[B,T,C]", elements: N * C,
                                 requiresGrad: inputRequiresGrad)
        // A projection: base product (+ bias), then the LoRA branch y + s·(x·Aᵀ)·Bᵀ when wrapped,
        // which Frugal accumulates into y's own storage (addingLowRank): it saves x·Aᵀ [B,T,r] and
        // captures x; the result is y's buffer, now carrying a gradient. Branches over one input
        // without dropout (q/k/v, gate/up) share one x·[A]ᵀ [B,T,Σr] (DecoderBlock.project): the same
        // elements as one x·Aᵀ per branch, listed here per branch.
        func linear(_ module: String, _ x: Int, in inDim: Double, _ inLetter: String, out: Double, _ letter: String,
                    bias: Bool) -> Int {
            let shape = "[B,T,\(letter)]"
            var y = t.op("\(module) output", shape, N * out, inputs: [x], trainableParams: fullTraining)
            if bias { y = t.op("\(module) output + bias", shape, N * out, inputs: [y], captures: [], trainableParams: fullTraining) }
            guard lora.contains(module) else { return y }
            // with dropout the update also saves its mask as bits (dropout(x) itself is rebuilt when needed)
            let bits = (N * inDim / 32).rounded(.up)
            t.op("\(module) lora_A output x·Aᵀ (saved)", "[B,T,r]", N * r, inputs: [x], trainableParams: true,
                 outputCapturedLater: true,
                 saved: dropout ? ("\(module) LoRA dropout mask, 1 bit per element", "[⌈B·T·\(inLetter)/32⌉]", bits) : nil)
            t.carriesGradient(y)
            return y
        }
        let x = 0
        let n1 = t.op("input_layernorm output", "[B,T,C]", N * C, inputs: [x], trainableParams: fullTraining)
        let q = linear("q_proj", n1, in: C, "C", out: HD, "H·D", bias: c.attentionBias)
        let k = linear("k_proj", n1, in: C, "C", out: KD, "K·D", bias: c.attentionBias)
        let v = linear("v_proj", n1, in: C, "C", out: KD, "K·D", bias: c.attentionBias)
        let qr = t.op("q after RoPE", "[B,T,H,D]", N * HD, inputs: [q], captures: [])
        let kr = t.op("k after RoPE", "[B,T,K,D]", N * KD, inputs: [k], captures: [])
        let att = t.op("attention output", "[B,T,H,D]", N * HD, inputs: [qr, kr, v],
                       saved: ("attention probabilities", "[B,H,T,T]", B * H * T * T))
        let o = linear("o_proj", att, in: HD, "H·D", out: C, "C", bias: c.attentionOutputBias)
        let h = t.op("residual add (attention)", "[B,T,C]", N * C, inputs: [x, o], captures: [])
        let n2 = t.op("post_attention_layernorm output", "[B,T,C]", N * C, inputs: [h], trainableParams: fullTraining)
        let g = linear("gate_proj", n2, in: C, "C", out: F, "F", bias: c.mlpBias)
        let u = linear("up_proj", n2, in: C, "C", out: F, "F", bias: c.mlpBias)
        let p = t.op("silu(gate)·up (SwiGLU, one op)", "[B,T,F]", N * F, inputs: [g, u])
        let d = linear("down_proj", p, in: F, "F", out: C, "C", bias: c.mlpBias)
        // Captured by the next block's input RMSNorm (or the final norm).
        t.op("block output (residual add)", "[B,T,C]", N * C, inputs: [h, d], captures: [], outputCapturedLater: true)
        return t
    }

    /// The largest backward transient inside one block, in elements: the SwiGLU product's backward
    /// holds its output gradient and both input gradients [B,T,F] while the residual gradient
    /// [B,T,C] waits; attention's backward holds dO, dQ [B,T,H·D], dK, dV [B,T,K·D] and one
    /// [T,T] score gradient. An upper estimate of the worst single op (the ordering of Frugal's
    /// topological walk decides the rest), used only when it, not the head, sets the peak.
    static func backwardTransient(_ c: ModelConfig, batch: Int, seqLen: Int) -> (elements: Double, formula: String) {
        let B = Double(batch), T = Double(seqLen), N = B * T
        let C = Double(c.hiddenSize), F = Double(c.intermediateSize)
        let HD = Double(c.queryWidth), KD = Double(c.kvWidth)
        let mlp = 3 * N * F + N * C
        let attention = N * (2 * HD + 2 * KD + C) + T * T
        return mlp >= attention
            ? (mlp, "3·B·T·F + B·T·C (SwiGLU product backward)")
            : (attention, "B·T·(2·H·D + 2·K·D + C) + T² (attention backward)")
    }
}
