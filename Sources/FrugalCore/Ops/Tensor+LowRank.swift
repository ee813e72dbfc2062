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
//
// With LoRA dropout p > 0 (`dropout`, `rng`) the branch reads xd = dropout(x) instead of x, as PEFT's
// lora_dropout does, but xd is never kept: the mask is drawn exactly as `Tensor.dropout` draws it
// (one uniform per element from `rng`, in order) and saved as bits (1 per element, in a tensor of
// ⌈N·In/32⌉ floats), and xd is rebuilt from x and the bits where the backward needs it (dA = vᵀ·xd;
// dx = (v·A) ⊙ mask/(1−p)). The unfused pair (`dropout` then the update) keeps a Float32 mask and
// xd per wrapped module — with p = 0.05 on all seven projections, ~70% of a QLoRA step's activations.
// `lowRankReference` is the unfused composition (dropout, linear, linear, scale, add) the tests compare to.
extension Tensor {
    public func addingLowRank(x: Tensor, a: Tensor, b: Tensor, scale s: Float, dropout p: Float = 0,
                              rng: RandomGenerator? = nil) -> Tensor {
        let y = self
        precondition(a.rank == 2 && b.rank == 2 && a.shape[0] == b.shape[1] && x.shape.last == a.shape[1]
                     && y.shape.last == b.shape[0] && Array(x.shape.dropLast()) == Array(y.shape.dropLast()),
                     "addingLowRank: y \(y.shape), x \(x.shape), A \(a.shape), B \(b.shape) do not fit [..., Out], [..., In], [r, In], [Out, r]")
        let r = a.shape[0], inF = a.shape[1], out = b.shape[0]
        let n = x.count / inF
        precondition(p >= 0 && p < 1 && (p == 0 || rng != nil), "addingLowRank: dropout \(p) needs a generator and must be in [0, 1)")
        let u = Tensor.uninitialized(Array(x.shape.dropLast()) + [r])
        let keep: Tensor? = p > 0 ? Tensor.dropoutBits(count: x.count, p: p, rng: rng!) : nil
        let dropScale = 1 / (1 - p)
        // xd: x itself, or dropout(x) rebuilt from the bits (a scratch tensor, freed after use)
        func branchInput() -> Tensor {
            guard let keep else { return x }
            let xd = Tensor.uninitialized(x.shape)
            Tensor.applyDropoutBits(keep, scale: dropScale, x.data, into: xd.data, count: x.count)
            return xd
        }
        do {
            let xd = branchInput()
            Gemm.sgemm(transA: false, transB: true, m: n, n: r, k: inF, a: xd.data, lda: inF, b: a.data, ldb: inF,
                       c: u.data, ldc: r)
        }
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
                let xd = branchInput()
                Gemm.sgemm(transA: true, transB: false, m: r, n: inF, k: n, a: v.data, lda: r,
                           b: xd.data, ldb: inF, c: da!.data, ldc: inF)
            }
            if x.requiresGrad {
                dx = Tensor.uninitialized(x.shape)
                Gemm.sgemm(transA: false, transB: false, m: n, n: inF, k: r, a: v.data, lda: r,
                           b: a.data, ldb: inF, c: dx!.data, ldc: inF)
                if let keep { Tensor.applyDropoutBits(keep, scale: dropScale, dx!.data, into: dx!.data, count: x.count) }
            }
            return [g, dx, da, db]
        }
    }

    /// The unfused reference: y + s · (dropout(x)·Aᵀ)·Bᵀ as separate recorded ops (y is not modified).
    public func lowRankReference(x: Tensor, a: Tensor, b: Tensor, scale s: Float, dropout p: Float = 0,
                                 rng: RandomGenerator? = nil) -> Tensor {
        let xd = p > 0 ? x.dropout(p, rng: rng!) : x
        return self + xd.linear(a).linear(b) * s
    }

    /// A dropout mask as bits: bit i set when element i is kept, drawn as `dropout` draws (element i
    /// dropped when the i-th uniform is < p). Stored in ⌈count/32⌉ floats' bytes (so MemoryStats
    /// counts it like any saved tensor).
    static func dropoutBits(count: Int, p: Float, rng: RandomGenerator) -> Tensor {
        let words = (count + 31) / 32
        let t = Tensor.uninitialized([words])
        let w = UnsafeMutableRawPointer(t.data).assumingMemoryBound(to: UInt32.self)
        var i = 0
        for j in 0..<words {
            var bits: UInt32 = 0
            let end = Swift.min(count, i + 32)
            var bit: UInt32 = 1
            while i < end {
                if !(rng.uniform() < p) { bits |= bit }
                bit &<<= 1
                i += 1
            }
            w[j] = bits
        }
        return t
    }

    /// out[i] = bit i ? x[i]·scale : 0 (x and out may be the same buffer).
    static func applyDropoutBits(_ keep: Tensor, scale: Float, _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                                 count: Int) {
        let w = UnsafeRawPointer(keep.data).assumingMemoryBound(to: UInt32.self)
        Parallel.forChunks((count + 31) / 32, grain: 1024) { words in
            for j in words {
                let bits = w[j]
                let base = j * 32, end = Swift.min(count, base + 32)
                for i in base..<end {
                    out[i] = (bits >> UInt32(i - base)) & 1 == 1 ? x[i] * scale : 0
                }
            }
        }
    }
}
