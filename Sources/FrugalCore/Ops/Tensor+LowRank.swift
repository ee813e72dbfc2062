// Low-rank update with autograd — a LoRA branch added into its base layer's output in one op:
//   z = y + s · (x·Aᵀ)·Bᵀ
// Shapes: y [..., Out] (the base layer's output), x [..., In], A [r, In], B [Out, r] → z [..., Out].
//
// The update is accumulated straight into y's buffer (sgemm with β = 1), so there is no separate
// delta tensor, scaling pass or addition pass; z shares y's storage. The caller hands over a fresh
// y that nothing else reads (a layer's output before anyone else has seen it); y's own backward
// must not read its output (true of linear and linear4Bit, which keep their inputs).
// Backward, with u = x·Aᵀ [N, r] saved from the forward and v = s·dz·B [N, r]:
//   dy = dz;  dB = s·dzᵀ·u;  dA = vᵀ·x;  dx = v·A.
// It is the grouped pair (`lowRankDown`, `addingLowRankUp`, Tensor+LowRankGroup) with one branch.
//
// With LoRA dropout p > 0 (`dropout`, `rng`) the branch reads xd = dropout(x) instead of x, as PEFT's
// lora_dropout does, but xd is never kept: the mask is drawn exactly as `Tensor.dropout` draws it
// (`Tensor.dropoutBits`, Tensor+Dropout) and saved as bits (1 per element, in a tensor of
// ⌈N·In/32⌉ floats), and xd is rebuilt from x and the bits where the backward needs it (dA = vᵀ·xd;
// dx = (v·A) ⊙ mask/(1−p)). The unfused pair (`dropout` then the update) keeps xd itself (4 bytes
// per element, for the linear's backward) beside the mask per wrapped module; with a Float32 mask
// as well, that was ~70% of a QLoRA step's activations at p = 0.05 on all seven projections.
// `lowRankReference` is the unfused composition (dropout, linear, linear, scale, add) the tests compare to.
extension Tensor {
    /// The two ops of `Tensor+LowRankGroup` with a group of one: `lowRankDown` (with the dropout)
    /// then `addingLowRankUp` over all of u's columns.
    public func addingLowRank(x: Tensor, a: Tensor, b: Tensor, scale s: Float, dropout p: Float = 0,
                              rng: RandomGenerator? = nil) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[0] == b.shape[1] && x.shape.last == a.shape[1]
                     && shape.last == b.shape[0] && Array(x.shape.dropLast()) == Array(shape.dropLast()),
                     "addingLowRank: y \(shape), x \(x.shape), A \(a.shape), B \(b.shape) do not fit [..., Out], [..., In], [r, In], [Out, r]")
        let u = Tensor.lowRankDown(x: x, [a], dropout: p, rng: rng)
        return addingLowRankUp(u: u, columns: 0..<a.shape[0], b: b, scale: s)
    }

    /// The unfused reference: y + s · (dropout(x)·Aᵀ)·Bᵀ as separate recorded ops (y is not modified).
    public func lowRankReference(x: Tensor, a: Tensor, b: Tensor, scale s: Float, dropout p: Float = 0,
                                 rng: RandomGenerator? = nil) -> Tensor {
        let xd = p > 0 ? x.dropout(p, rng: rng!) : x
        return self + xd.linear(a).linear(b) * s
    }
}
