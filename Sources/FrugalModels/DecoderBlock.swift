// DecoderBlock — one decoder layer of every runnable family (transformers' LlamaDecoderLayer and its
// Qwen2 / Qwen3 / Gemma 3 variants); the family's BlockLayout and module table say which parts exist:
//   n1 = RMSNorm(x)
//   q = RoPE(qNorm?(q_proj(n1))), k = RoPE(kNorm?(k_proj(n1))), v = v_proj(n1)      qNorm, kNorm: Qwen3, Gemma 3
//   a = o_proj(attention(q, k, v))   (causal; a sliding layer sees its last W keys)
//   h = x + postAttentionNorm?(a)                                                    Gemma 3
//   y = h + postMLPNorm?(down_proj(act(gate_proj(n2)) ⊙ up_proj(n2)))   n2 = RMSNorm(h)
// act is SiLU (SwiGLU) or GELU-tanh (Gemma's GeGLU). Norm weights are the effective ones: a family
// that scales by (1 + w) has the 1 folded in when its weights are loaded (DecoderModel+Load).
// Shapes: x [B, T, C]; q [B, T, H, D]; k, v [B, T, K, D]; MLP intermediate [B, T, F].
// q/k/v and gate/up each read one input: their LoRA branches (when adapted) share one product
// (`project`). Optional biases on the projections (Qwen2's q/k/v) live in their Linear layers.
import FrugalCore
import FrugalSpec
import Foundation

public final class DecoderBlock {
    public var qProj, kProj, vProj, oProj: any LinearLayer
    public var gateProj, upProj, downProj: any LinearLayer
    /// Norms by role (ModelFamily.Role): inputNorm and mlpNorm always; qNorm, kNorm [D],
    /// postAttentionNorm, postMLPNorm [C] where the family has them.
    public let norms: [ModelFamily.Role: Tensor]
    let config: ModelConfig
    let layer: Int
    let rope: RoPETable
    let window: Int?
    let attentionScale: Float?

    public init(config: ModelConfig, layer: Int, linears: [ModelFamily.Role: any LinearLayer],
                norms: [ModelFamily.Role: Tensor]) {
        precondition(ModelFamily.Role.allCases.filter(\.isLinear).allSatisfy { linears[$0] != nil },
                     "DecoderBlock: every linear role needs a layer, got \(linears.keys.map(\.rawValue).sorted())")
        precondition(norms[.inputNorm] != nil && norms[.mlpNorm] != nil, "DecoderBlock: inputNorm and mlpNorm are required")
        self.config = config
        self.layer = layer
        qProj = linears[.q]!; kProj = linears[.k]!; vProj = linears[.v]!; oProj = linears[.o]!
        gateProj = linears[.gate]!; upProj = linears[.up]!; downProj = linears[.down]!
        self.norms = norms
        rope = RoPETable(config: config, layer: layer)
        window = config.attention(layer: layer) == .sliding ? config.slidingWindow : nil
        attentionScale = config.queryPreAttnScalar.map { Float(1 / $0.squareRoot()) }
    }

    /// The linear layer in `role`'s slot.
    public func linear(_ role: ModelFamily.Role) -> any LinearLayer {
        switch role {
        case .q: return qProj
        case .k: return kProj
        case .v: return vProj
        case .o: return oProj
        case .gate: return gateProj
        case .up: return upProj
        case .down: return downProj
        default: preconditionFailure("DecoderBlock: \(role) is not a linear role")
        }
    }

    /// Replaces the linear layer in `role`'s slot (LoRA wraps, quantization).
    public func setLinear(_ role: ModelFamily.Role, _ layer: any LinearLayer) {
        switch role {
        case .q: qProj = layer
        case .k: kProj = layer
        case .v: vProj = layer
        case .o: oProj = layer
        case .gate: gateProj = layer
        case .up: upProj = layer
        case .down: downProj = layer
        default: preconditionFailure("DecoderBlock: \(role) is not a linear role")
        }
    }

    /// x [B, T, C] at `positions` → [B, T, C]. Positions are T (shared by the rows) or B·T (one per
    /// token: packed rows, each example restarting at 0); a token at position p attends only to the
    /// p tokens before it, so packed examples do not see each other. With a cache, the new
    /// keys/values are appended and attention runs over everything cached.
    public func callAsFunction(_ x: Tensor, positions: [Int], cache: KVCache.Layer? = nil) -> Tensor {
        let b = x.shape[0], t = x.shape[1]
        let (h, kv, d) = (config.numHeads, config.numKVHeads, config.headDim)
        let eps = Float(config.normEps)
        let n1 = x.rmsNorm(weight: norms[.inputNorm]!, eps: eps)
        let qkv = DecoderBlock.project([qProj, kProj, vProj], n1)
        var q = qkv[0].reshaped([b, t, h, d]), k = qkv[1].reshaped([b, t, kv, d])
        if let w = norms[.qNorm] { q = q.rmsNorm(weight: w, eps: eps) }
        if let w = norms[.kNorm] { k = k.rmsNorm(weight: w, eps: eps) }
        q = q.rope(rope, positions: positions)
        k = k.rope(rope, positions: positions)
        var v = qkv[2].reshaped([b, t, kv, d])
        if let cache { (k, v) = cache.append(k, v) }
        let first = DecoderBlock.firstKeys(positions, batch: b, queries: t, keys: k.shape[1], window: window)
        let attn = Tensor.attention(q: q, k: k, v: v, firstKeys: first, scale: attentionScale).reshaped([b, t, h * d])
        var a = oProj(attn)
        if let w = norms[.postAttentionNorm] { a = a.rmsNorm(weight: w, eps: eps) }
        let hidden = x + a
        let n2 = hidden.rmsNorm(weight: norms[.mlpNorm]!, eps: eps)
        let gateUp = DecoderBlock.project([gateProj, upProj], n2)
        let act = config.activation == .silu ? gateUp[0].swiglu(gateUp[1]) : gateUp[0].gelu() * gateUp[1]
        if let w = norms[.postMLPNorm] {
            return hidden + downProj(act).rmsNorm(weight: w, eps: eps)
        }
        if Tensor.isRecomputingCheckpoint {
            // Recomputed for backward (gradient checkpointing): the block's output values are never
            // read, so down_proj and the residual add record their graph without computing.
            return Tensor.withoutForwardValues { hidden + downProj(act) }
        }
        return hidden + downProj(act)
    }

    /// The first key each query may see: when `positions` restart inside a row (packing), query i
    /// of row b, at key index j = i + keys − queries, sees from j minus its position on; a sliding
    /// layer (`window` W) also at most from j − W + 1 on (transformers: key > query − W). Nil when no
    /// query is narrowed beyond the causal mask.
    static func firstKeys(_ positions: [Int], batch b: Int, queries t: Int, keys: Int, window: Int? = nil) -> [Int]? {
        let perToken = positions.count == b * t
        var first = [Int](repeating: 0, count: b * t)
        var narrowed = false
        for r in 0..<b {
            for i in 0..<t {
                let j = i + keys - t
                var f = Swift.max(0, j - positions[perToken ? r * t + i : i])
                if let window { f = Swift.max(f, j - window + 1) }
                if f > 0 { first[r * t + i] = f; narrowed = true }
            }
        }
        return narrowed ? first : nil
    }

    /// Whether `project` groups low-rank branches (FRUGAL_LORA_GROUP=0 turns it off, for comparison).
    nonisolated(unsafe) public static var groupsLowRankBranches = ProcessInfo.processInfo.environment["FRUGAL_LORA_GROUP"] != "0"

    /// `layers` applied to the same input x. Where two or more carry a groupable low-rank branch
    /// (LoRA without active dropout), their bases run first, then the branches share one
    /// down-projection product (`Tensor.lowRankDown`) and each adds its up-projection into its base's
    /// output (`addingLowRankUp`); values and gradients equal each layer applied on its own.
    public static func project(_ layers: [any LinearLayer], _ x: Tensor) -> [Tensor] {
        let branches = layers.map { ($0 as? LowRankAdaptedLayer)?.groupableBranch }
        let grouped = branches.indices.filter { branches[$0] != nil }
        guard grouped.count > 1, groupsLowRankBranches else { return layers.map { $0(x) } }
        var out: [Tensor] = layers.indices.map { i in
            branches[i] != nil ? (layers[i] as! LowRankAdaptedLayer).base(x) : layers[i](x)
        }
        let u = Tensor.lowRankDown(x: x, grouped.map { branches[$0]!.a })
        var c = 0
        for i in grouped {
            let br = branches[i]!
            let r = br.a.shape[0]
            out[i] = out[i].addingLowRankUp(u: u, columns: c..<(c + r), b: br.b, scale: br.scale)
            c += r
        }
        return out
    }

    /// Every tensor of the block under its HF name relative to the layer ("self_attn.q_proj.weight",
    /// …), in the family's registration order.
    public var namedTensors: [(String, Tensor)] {
        var r: [(String, Tensor)] = []
        for m in config.family.layerModules {
            if m.role.isLinear {
                r += linear(m.role).namedTensors.map { ("\(m.hf).\($0.0)", $0.1) }
            } else if let t = norms[m.role] {
                r.append(("\(m.hf).weight", t))
            }
        }
        return r
    }
}
