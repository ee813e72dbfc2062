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
// `lowRankReference` is the unfused composition (linear, linear, scale, add) the tests compare to.
extension Tensor {
    public func addingLowRank(x: Tensor, a: Tensor, b: Tensor, scale s: Float) -> Tensor {
        let y = self
        precondition(a.rank == 2 && b.rank == 2 && a.shape[0] == b.shape[1] && x.shape.last == a.shape[1]
                     && y.shape.last == b.shape[0] && Array(x.shape.dropLast()) == Array(y.shape.dropLast()),
                     "addingLowRank: y \(y.shape), x \(x.shape), A \(a.shape), B \(b.shape) do not fit [..., Out], [..., In], [r, In], [Out, r]")
        let r = a.shape[0], inF = a.shape[1], out = b.shape[0]
        let n = x.count / inF
        let u = Tensor.uninitialized(Array(x.shape.dropLast()) + [r])
        Gemm.sgemm(transA: false, transB: true, m: n, n: r, k: inF, a: x.data, lda: inF, b: a.data, ldb: inF,
                   c: u.data, ldc: r)
        if !Tensor.skipsForwardValues {   // u is saved for backward either way
            Gemm.sgemm(transA: false, transB: true, m: n, n: out, k: r, alpha: s, a: u.data, lda: r, b: b.data, ldb: r,
                       beta: 1, c: y.data, ldc: out)
        }
        let z = Tensor(storage: y.storage, shape: y.shape, offset: y.offset)
        return z.recorded("lowrank", [y, x, a, b]) { g in
            let v = Tensor.uninitialized([n, r])
            Gemm.sgemm(transA: false, transB: false, m: n, n: r, k: out, alpha: s, a: g.data, lda: out,
                       b: b.data, ldb: r, c: v.data, ldc: r)
            var da: Tensor? = nil, db: Tensor? = nil, dx: Tensor? = nil
            if b.requiresGrad {
                db = Tensor.uninitialized(b.shape)
                Gemm.sgemm(transA: true, transB: false, m: out, n: r, k: n, alpha: s, a: g.data, lda: out,
                           b: u.data, ldb: r, c: db!.data, ldc: r)
            }
            if a.requiresGrad {
                da = Tensor.uninitialized(a.shape)
                Gemm.sgemm(transA: true, transB: false, m: r, n: inF, k: n, a: v.data, lda: r,
                           b: x.data, ldb: inF, c: da!.data, ldc: inF)
            }
            if x.requiresGrad {
                dx = Tensor.uninitialized(x.shape)
                Gemm.sgemm(transA: false, transB: false, m: n, n: inF, k: r, a: v.data, lda: r,
                           b: a.data, ldb: inF, c: dx!.data, ldc: inF)
            }
            return [g, dx, da, db]
        }
    }

    /// The unfused reference: y + s · (x·Aᵀ)·Bᵀ as separate recorded ops (y is not modified).
    public func lowRankReference(x: Tensor, a: Tensor, b: Tensor, scale s: Float) -> Tensor {
        self + x.linear(a).linear(b) * s
    }
}
