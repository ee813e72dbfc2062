// Grouped low-rank updates — several LoRA branches that read the same input (q, k and v read one
// normed hidden state; gate and up another) in two kinds of op instead of one `addingLowRank` each:
//   u = x · [A_1; …; A_g]ᵀ                       (lowRankDown: one product for the whole group)
//   z_i = y_i + s_i · u[:, c_i ..< c_i + r_i] · B_iᵀ  (addingLowRankUp: per branch, into y_i in place)
// Shapes: x [..., In]; A_i [r_i, In]; u [..., R] with R = Σ r_i; y_i, z_i [..., Out_i]; B_i [Out_i, r_i].
//
// Same values and gradients as `addingLowRank` per branch (without dropout), but x is read once for
// the group's down-projections, the A gradients come from one product over x, and the branches'
// input gradient is one tensor dx = du·[A] instead of one per branch for the autograd to add up.
// Backward of an up: du (zero outside its columns) = s·dz·B_i, dB_i = s·dzᵀ·u[:, cols]; the
// autograd sums the branches' du [N, R] (small). Backward of the down: dA = duᵀ·x, dx = du·[A].
// The stacked [A] [R, In] is a scratch copy made in each direction, not kept. The thin products go
// through SkinnyGemm (AVX-512 kernels that stream the long operand once; sgemm elsewhere). A group of one is
// `addingLowRank` (Tensor+LowRank), which also brings LoRA dropout (the mask kept as bits).
// Reference: `lowRankReference` per branch (the tests compare).
extension Tensor {
    /// u [..., Σr] = dropout(x) · [A_1; …; A_g]ᵀ. With dropout p > 0 one mask covers the op's x
    /// (LoRALinear gives each branch an op of its own, as PEFT gives each module its own mask): it
    /// is kept as bits and dropout(x) is rebuilt where the backward needs it (see Tensor+LowRank).
    public static func lowRankDown(x: Tensor, _ factors: [Tensor], dropout p: Float = 0,
                                   rng: RandomGenerator? = nil) -> Tensor {
        let inF = x.shape.last ?? 0
        precondition(!factors.isEmpty && factors.allSatisfy { $0.rank == 2 && $0.shape[1] == inF },
                     "lowRankDown: factors \(factors.map(\.shape)) do not all fit inputs of width \(inF) ([r, In])")
        precondition(p >= 0 && p < 1 && (p == 0 || rng != nil), "lowRankDown: dropout \(p) needs a generator and must be in [0, 1)")
        let ranks = factors.map { $0.shape[0] }, total = ranks.reduce(0, +)
        let n = x.count / inF
        // [A] [R, In]: the factor itself, or a stacked scratch copy (not kept)
        func stacked() -> Tensor {
            if factors.count == 1 { return factors[0] }
            let s = Tensor.uninitialized([total, inF])
            var row = 0
            for f in factors { (s.data + row * inF).update(from: f.data, count: f.count); row += f.shape[0] }
            return s
        }
        let u = Tensor.uninitialized(Array(x.shape.dropLast()) + [total])
        let keep: Tensor? = p > 0 ? Tensor.dropoutBits(count: x.count, p: p, rng: rng!) : nil
        let dropScale = 1 / (1 - p)
        // the branch input: x itself, or dropout(x) rebuilt from the bits (a scratch tensor)
        func branchInput() -> Tensor {
            guard let keep else { return x }
            let xd = Tensor.uninitialized(x.shape)
            Tensor.applyDropoutBits(keep, scale: dropScale, x.data, into: xd.data, count: x.count)
            return xd
        }
        do {
            let a = stacked(), xd = branchInput()
            SkinnyGemm.dotRows(n: n, r: total, k: inF, x: xd.data, ldx: inF, w: a.data, ldw: inF, c: u.data, ldc: total)
        }
        return u.recorded("lowrank_down", [x] + factors) { du in
            let a = stacked()
            var grads: [Tensor?] = [nil]
            if x.requiresGrad {
                // without dropout, dx adds into the gradient gathered for x when the autograd offers it
                let sum = keep == nil ? Tensor.takeGradientAccumulator(input: 0, shape: x.shape) : nil
                let dx = sum ?? Tensor.uninitialized(x.shape)
                SkinnyGemm.combineRows(n: n, r: total, k: inF, u: du.data, ldu: total, w: a.data, ldw: inF,
                                       beta: sum == nil ? 0 : 1, c: dx.data, ldc: inF)
                if let keep { Tensor.applyDropoutBits(keep, scale: dropScale, dx.data, into: dx.data, count: x.count) }
                grads[0] = dx
            }
            guard factors.contains(where: { $0.requiresGrad }) else { return grads + factors.map { _ in nil } }
            let xd = branchInput()
            let da = Tensor.uninitialized([total, inF])
            SkinnyGemm.accumulateT(r: total, k: inF, n: n, u: du.data, ldu: total, x: xd.data, ldx: inF,
                                   d: da.data, ldd: inF)
            if factors.count == 1 { return grads + [factors[0].requiresGrad ? da : nil] }
            var row = 0
            for f in factors {
                if f.requiresGrad {
                    let g = Tensor.uninitialized(f.shape)
                    g.data.update(from: da.data + row * inF, count: f.count)
                    grads.append(g)
                } else {
                    grads.append(nil)
                }
                row += f.shape[0]
            }
            return grads
        }
    }

    /// self + s · u[:, columns]·Bᵀ, accumulated into self's storage (a fresh base output, as for
    /// `addingLowRank`). u [..., R] from `lowRankDown`, B [Out, columns.count].
    public func addingLowRankUp(u: Tensor, columns: Range<Int>, b: Tensor, scale s: Float) -> Tensor {
        let y = self
        let total = u.shape.last ?? 0, r = columns.count, out = y.shape.last ?? 0
        precondition(b.rank == 2 && b.shape == [out, r] && columns.upperBound <= total
                     && Array(u.shape.dropLast()) == Array(y.shape.dropLast()),
                     "addingLowRankUp: y \(y.shape), u \(u.shape) columns \(columns), B \(b.shape) do not fit")
        let n = y.count / Swift.max(out, 1)
        let c0 = columns.lowerBound
        // Bᵀ [r, Out], a scratch copy made in each direction (the thin kernels read B's columns as rows)
        func transposedB() -> Tensor {
            let t = Tensor.uninitialized([r, out])
            SkinnyGemm.transpose(b.data, ld: r, rows: out, cols: r, into: t.data)
            return t
        }
        if !Tensor.skipsForwardValues {
            let bt = transposedB()
            SkinnyGemm.combineRows(n: n, r: r, k: out, alpha: s, u: u.data + c0, ldu: total, w: bt.data, ldw: out,
                                   beta: 1, c: y.data, ldc: out)
        }
        let z = Tensor(storage: y.storage, shape: y.shape, offset: y.offset)
        return z.recorded("lowrank_up", [y, u, b]) { g in
            // du [N, R] (zero outside this branch's columns) = s·dz·B; dBᵀ [r, Out] = s·u[:, cols]ᵀ·dz,
            // then transposed into dB [Out, r]; both from one pass over dz when both are wanted
            let du: Tensor? = u.requiresGrad ? (r == total ? Tensor.uninitialized(u.shape) : Tensor(zeros: u.shape)) : nil
            let dbt: Tensor? = b.requiresGrad ? Tensor.uninitialized([r, out]) : nil
            let bt: Tensor? = du == nil ? nil : transposedB()
            if let du, let dbt, let bt {
                SkinnyGemm.dotRowsAndAccumulateT(n: n, r: r, k: out, alpha: s, g: g.data, ldg: out, w: bt.data, ldw: out,
                                                 c: du.data + c0, ldc: total, u: u.data + c0, ldu: total,
                                                 d: dbt.data, ldd: out)
            } else if let du, let bt {
                SkinnyGemm.dotRows(n: n, r: r, k: out, alpha: s, x: g.data, ldx: out, w: bt.data, ldw: out,
                                   c: du.data + c0, ldc: total)
            } else if let dbt {
                SkinnyGemm.accumulateT(r: r, k: out, n: n, alpha: s, u: u.data + c0, ldu: total, x: g.data, ldx: out,
                                       d: dbt.data, ldd: out)
            }
            var db: Tensor? = nil
            if let dbt {
                db = Tensor.uninitialized(b.shape)
                SkinnyGemm.transpose(dbt.data, ld: out, rows: r, cols: out, into: db!.data)
            }
            return [g, du, db]
        }
    }
}
