// LlamaBlock — one decoder layer of the Llama family (transformers' LlamaDecoderLayer):
//   h = x + o_proj(attention(rope(q_proj(n1)), rope(k_proj(n1)), v_proj(n1)))   n1 = RMSNorm(x)
//   y = h + down_proj(silu(gate_proj(n2)) ⊙ up_proj(n2))                        n2 = RMSNorm(h)
// Shapes: x [B, T, C]; q [B, T, H, D]; k, v [B, T, K, D]; MLP intermediate [B, T, F].
// q/k/v and gate/up each read one input: their LoRA branches (when adapted) share one product
// (`project`).
// Qwen2's q/k/v biases are optional biases on those projections.
import FrugalCore
import FrugalSpec
import Foundation

public final class LlamaBlock {
    public var qProj, kProj, vProj, oProj: any LinearLayer
    public var gateProj, upProj, downProj: any LinearLayer
    public let inputNorm: Tensor          // [C]
    public let postAttentionNorm: Tensor  // [C]
    let config: ModelConfig
    let rope: RoPETable

    public init(config: ModelConfig, q: any LinearLayer, k: any LinearLayer, v: any LinearLayer, o: any LinearLayer,
                gate: any LinearLayer, up: any LinearLayer, down: any LinearLayer, inputNorm: Tensor, postAttentionNorm: Tensor) {
        self.config = config
        qProj = q; kProj = k; vProj = v; oProj = o
        gateProj = gate; upProj = up; downProj = down
        self.inputNorm = inputNorm
        self.postAttentionNorm = postAttentionNorm
        rope = RoPETable(headDim: config.headDim, base: Float(config.ropeTheta))
    }

    /// x [B, T, C] at `positions` → [B, T, C]. Positions are T (shared by the rows) or B·T (one per
    /// token: packed rows, each example restarting at 0); a token at position p attends only to the
    /// p tokens before it, so packed examples do not see each other. With a cache, the new
    /// keys/values are appended and attention runs over everything cached.
    public func callAsFunction(_ x: Tensor, positions: [Int], cache: KVCache.Layer? = nil) -> Tensor {
        let b = x.shape[0], t = x.shape[1]
        let (h, kv, d) = (config.numHeads, config.numKVHeads, config.headDim)
        let eps = Float(config.normEps)
        let n1 = x.rmsNorm(weight: inputNorm, eps: eps)
        let qkv = LlamaBlock.project([qProj, kProj, vProj], n1)
        let q = qkv[0].reshaped([b, t, h, d]).rope(rope, positions: positions)
        var k = qkv[1].reshaped([b, t, kv, d]).rope(rope, positions: positions)
        var v = qkv[2].reshaped([b, t, kv, d])
        if let cache { (k, v) = cache.append(k, v) }
        let attn = Tensor.attention(q: q, k: k, v: v, firstKeys: LlamaBlock.firstKeys(positions, batch: b, queries: t,
                                                                                      keys: k.shape[1])).reshaped([b, t, h * d])
        let hidden = x + oProj(attn)
        let n2 = hidden.rmsNorm(weight: postAttentionNorm, eps: eps)
        let gateUp = LlamaBlock.project([gateProj, upProj], n2)
        let act = gateUp[0].swiglu(gateUp[1])
        if Tensor.isRecomputingCheckpoint {
            // Recomputed for backward (gradient checkpointing): the block's output values are never
            // read, so down_proj and the residual add record their graph without computing.
            return Tensor.withoutForwardValues { hidden + downProj(act) }
        }
        return hidden + downProj(act)
    }

    /// The first key each query may see when `positions` restart inside a row (packing): query i of
    /// row b, at key index i + keys − queries, sees from that index minus its position on. Nil when
    /// no query is narrowed beyond the causal mask (positions counting up from the row's start).
    static func firstKeys(_ positions: [Int], batch b: Int, queries t: Int, keys: Int) -> [Int]? {
        let perToken = positions.count == b * t
        var first = [Int](repeating: 0, count: b * t)
        var narrowed = false
        for r in 0..<b {
            for i in 0..<t {
                let f = Swift.max(0, i + keys - t - positions[perToken ? r * t + i : i])
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

    /// Every tensor of the block under its HF name relative to the layer ("self_attn.q_proj.weight", …).
    public var namedTensors: [(String, Tensor)] {
        var r: [(String, Tensor)] = []
        for (prefix, layer) in [("self_attn.q_proj", qProj), ("self_attn.k_proj", kProj), ("self_attn.v_proj", vProj),
                                ("self_attn.o_proj", oProj), ("mlp.gate_proj", gateProj), ("mlp.up_proj", upProj),
                                ("mlp.down_proj", downProj)] as [(String, any LinearLayer)] {
            r += layer.namedTensors.map { ("\(prefix).\($0.0)", $0.1) }
        }
        r.append(("input_layernorm.weight", inputNorm))
        r.append(("post_attention_layernorm.weight", postAttentionNorm))
        return r
    }
}
