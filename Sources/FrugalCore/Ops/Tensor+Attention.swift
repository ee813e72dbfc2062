// Causal scaled-dot-product attention with grouped-query heads (Vaswani et al. 2017; GQA, Ainslie
// et al. 2023), as transformers' eager Llama attention computes it: softmax(s·Q·Kᵀ + causal mask)·V
// with s = 1/√D unless given (Gemma 3: 1/√query_pre_attn_scalar).
//
// Shapes: q [B, Tq, H, D], k and v [B, Tk, K, D] with H a multiple of K (query head h reads KV head
// h / (H/K)), out [B, Tq, H, D]. Heads stay interleaved with tokens (the projections' layout); each
// head's matrix is addressed through sgemm's leading dimension, so nothing is permuted or copied.
// Query i sits at position i + (Tk − Tq) and sees keys 0…that position, which serves both training
// (Tq = Tk) and cached decoding (Tq = 1, Tk = cache length).
// `firstKeys` [B·Tq] narrows the mask further: query i of row b sees keys firstKeys[b·Tq + i] … its
// last one — the block-diagonal causal mask of packed rows, where each example attends only to
// itself (as flash-attention's variable-length path does for transformers' packed batches). The
// masked scores get probability 0, so the backward needs nothing more.
// Saved for backward: the probabilities P [B, H, Tq, Tk] — the attention matrix the estimator counts.
// Work: (batch, head) pairs spread over the cores; with the causal mask, query rows go in blocks
// of 32 that multiply only the keys they can see (`queryBlocks`). The small products go through
// SkinnyGemm (its kernels where the CPU has AVX-512, sgemm elsewhere — the reference the tests
// compare to); with the kernels, Q·Kᵀ and dO·Vᵀ run against a transposed copy of the KV head.
extension Tensor {
    public static func attention(q: Tensor, k: Tensor, v: Tensor, causal: Bool = true, firstKeys: [Int]? = nil,
                                 scale: Float? = nil) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.rank == 4 && k.shape == v.shape,
                     "attention: q \(q.shape), k \(k.shape), v \(v.shape) must be [B,T,H,D], [B,T,K,D], [B,T,K,D]")
        let bsz = q.shape[0], tq = q.shape[1], h = q.shape[2], d = q.shape[3]
        let tk = k.shape[1], kvh = k.shape[2]
        precondition(k.shape[0] == bsz && k.shape[3] == d && kvh > 0 && h % kvh == 0 && tk >= tq,
                     "attention: q \(q.shape) and k \(k.shape) do not fit (batch, head size, H multiple of K, Tk ≥ Tq)")
        let group = h / kvh
        let scale = scale ?? 1 / Float(d).squareRoot()
        precondition(firstKeys == nil || firstKeys!.count == bsz * tq,
                     "attention: \(firstKeys?.count ?? 0) first keys for \(bsz) × \(tq) queries")
        let recording = GradMode.isEnabled && (q.requiresGrad || k.requiresGrad || v.requiresGrad)
        if !recording && tq <= 4 && firstKeys == nil {
            return decodingAttention(q: q, k: k, v: v, causal: causal, scale: scale)
        }
        let out = Tensor.uninitialized(q.shape)
        let units = bsz * h
        // (batch, head) pairs in one contiguous run per core; each run's two small products per
        // pair go whole on its thread (sgemm inside a parallel region does not split again).
        // Probabilities are saved for backward; without recording each run needs only scratch.
        let runs = Swift.min(units, Parallel.threads), perRun = (units + runs - 1) / runs
        let probs = Tensor.uninitialized(recording ? [bsz, h, tq, tk] : [runs, tq, tk])
        let ldq = h * d, ldk = kvh * d
        let thin = SkinnyGemm.kernelsAvailable
        // With the thin kernels (AVX-512), Q·Kᵀ runs as Q·(Kᵀ): a transposed copy of the KV head's K
        // [D, Tk] per run, made again when the pair's (batch, KV head) changes.
        let kts = thin ? Tensor.uninitialized([runs, d, tk]) : nil
        Parallel.forEach(runs, grain: 1) { run in
            var ktFor = -1
            for bh in (run * perRun)..<Swift.min(units, (run + 1) * perRun) {
                let b = bh / h, hh = bh % h, kh = hh / group
                let p = probs.data + (recording ? bh : run) * tq * tk
                let qp = q.data + b * tq * ldq + hh * d
                let kp = k.data + b * tk * ldk + kh * d
                let vp = v.data + b * tk * ldk + kh * d
                let kt = kts.map { $0.data + run * d * tk }
                if let kt, ktFor != b * kvh + kh {
                    SkinnyGemm.transpose(kp, ld: ldk, rows: tk, cols: d, into: kt)
                    ktFor = b * kvh + kh
                }
                for (i0, i1, n) in queryBlocks(tq, tk, causal: causal) {
                    // S = scale·Q·Kᵀ over the visible keys 0..<n; softmax; O = P·V
                    if let kt {
                        SkinnyGemm.combineRows(n: i1 - i0, r: d, k: n, alpha: scale, u: qp + i0 * ldq, ldu: ldq,
                                               w: kt, ldw: tk, c: p + i0 * tk, ldc: tk, maxThin: .max)
                    } else {
                        Gemm.sgemm(transA: false, transB: true, m: i1 - i0, n: n, k: d, alpha: scale,
                                   a: qp + i0 * ldq, lda: ldq, b: kp, ldb: ldk, c: p + i0 * tk, ldc: tk)
                    }
                    for i in i0..<i1 {
                        let row = p + i * tk
                        let visible = causal ? i + (tk - tq) + 1 : tk
                        let first = firstKeys.map { Swift.min(Swift.max(0, $0[b * tq + i]), visible - 1) } ?? 0
                        if first > 0 { row.update(repeating: 0, count: first) }
                        SoftmaxKernel.row(row + first, row + first, visible - first)
                        if visible < tk { (row + visible).update(repeating: 0, count: tk - visible) }
                    }
                    SkinnyGemm.combineRows(n: i1 - i0, r: n, k: d, u: p + i0 * tk, ldu: tk, w: vp, ldw: ldk,
                                           c: out.data + (b * tq + i0) * ldq + hh * d, ldc: ldq, maxThin: .max)
                }
            }
        }
        guard recording else { return out }
        return out.recorded("attention", [q, k, v]) { g in
            let dq = Tensor.uninitialized(q.shape), dk = Tensor(zeros: k.shape), dv = Tensor(zeros: v.shape)
            // One (batch, KV head) pair per unit: the query heads of a group add into the same dK
            // and dV, so a group stays on one thread; each unit has its own dP scratch.
            let units = bsz * kvh
            let dps = Tensor.uninitialized([units, tq, tk])
            // with the thin kernels, dO·Vᵀ runs as dO·(Vᵀ): a transposed copy of V [D, Tk] per unit
            let vts = thin ? Tensor.uninitialized([units, d, tk]) : nil
            Parallel.forEach(units, grain: 1) { unit in
                let b = unit / kvh, kh = unit % kvh
                let dp = dps.data + unit * tq * tk
                let kp = k.data + b * tk * ldk + kh * d, vp = v.data + b * tk * ldk + kh * d
                let dvp = dv.data + b * tk * ldk + kh * d, dkp = dk.data + b * tk * ldk + kh * d
                let vt = vts.map { $0.data + unit * d * tk }
                if let vt { SkinnyGemm.transpose(vp, ld: ldk, rows: tk, cols: d, into: vt) }
                for hh in (kh * group)..<((kh + 1) * group) {
                    let p = probs.data + (b * h + hh) * tq * tk
                    let qp = q.data + b * tq * ldq + hh * d, go = g.data + b * tq * ldq + hh * d
                    for (i0, i1, n) in queryBlocks(tq, tk, causal: causal) {
                        let m = i1 - i0, pb = p + i0 * tk, db = dp + i0 * tk
                        let gb = go + i0 * ldq, qb = qp + i0 * ldq
                        // dP = dO·Vᵀ ; dV += Pᵀ·dO   (keys 0..<n; P is 0 beyond each row's last key)
                        if let vt {
                            SkinnyGemm.combineRows(n: m, r: d, k: n, u: gb, ldu: ldq, w: vt, ldw: tk, c: db, ldc: tk, maxThin: .max)
                        } else {
                            Gemm.sgemm(transA: false, transB: true, m: m, n: n, k: d,
                                       a: gb, lda: ldq, b: vp, ldb: ldk, c: db, ldc: tk)
                        }
                        SkinnyGemm.accumulateT(r: n, k: d, n: m, u: pb, ldu: tk, x: gb, ldx: ldq, beta: 1, d: dvp, ldd: ldk,
                                               maxThin: .max)
                        // dS = P ⊙ (dP − Σⱼ dP⊙P)
                        for i in 0..<m {
                            let pr = pb + i * tk, dr = db + i * tk
                            let s = Elementwise.dot(pr, dr, n)
                            for j in 0..<n { dr[j] = pr[j] * (dr[j] - s) }
                        }
                        // dQ = scale·dS·K ; dK += scale·dSᵀ·Q
                        SkinnyGemm.combineRows(n: m, r: n, k: d, alpha: scale, u: db, ldu: tk, w: kp, ldw: ldk,
                                               c: dq.data + (b * tq + i0) * ldq + hh * d, ldc: ldq, maxThin: .max)
                        SkinnyGemm.accumulateT(r: n, k: d, n: m, alpha: scale, u: db, ldu: tk, x: qb, ldx: ldq, beta: 1,
                                               d: dkp, ldd: ldk, maxThin: .max)
                    }
                }
            }
            return [q.requiresGrad ? dq : nil, k.requiresGrad ? dk : nil, v.requiresGrad ? dv : nil]
        }
    }

    /// Query rows per causal block (see `queryBlocks`). `make bench` section kernels times the
    /// choices at the default model's training shape, forward + backward per layer: blocks of 16
    /// and 32 rows 1.60–1.64 ms, 64 rows 1.78–1.79 ms, one block of 128 (no skipping) 2.15–2.25 ms.
    nonisolated(unsafe) public static var attentionQueryBlock = 32

    /// Blocks of query rows [i0, i1) with the number of keys n they see: with a causal mask, rows
    /// come in blocks of `attentionQueryBlock` (32) and a block sees keys 0..<(i1 + Tk − Tq), so the
    /// products skip the masked upper triangle block by block (3/8 of the work at T = 128);
    /// otherwise one block.
    static func queryBlocks(_ tq: Int, _ tk: Int, causal: Bool) -> [(Int, Int, Int)] {
        guard causal else { return [(0, tq, tk)] }
        let size = attentionQueryBlock
        return stride(from: 0, to: tq, by: size).map { i0 in
            let i1 = Swift.min(tq, i0 + size)
            return (i0, i1, Swift.min(tk, i1 + (tk - tq)))
        }
    }

    /// Inference with a few queries (decoding one token against the cache): per head, scores by dot
    /// products, softmax, then the weighted sum of values — no sgemm call (on one query row each
    /// would be a matrix-vector product too small to thread), heads spread over the cores.
    /// Same result as the sgemm path above up to the order of additions (tests compare them).
    static func decodingAttention(q: Tensor, k: Tensor, v: Tensor, causal: Bool, scale: Float? = nil) -> Tensor {
        let bsz = q.shape[0], tq = q.shape[1], h = q.shape[2], d = q.shape[3]
        let tk = k.shape[1], kvh = k.shape[2], group = h / kvh
        let scale = scale ?? 1 / Float(d).squareRoot()
        let ldq = h * d, ldk = kvh * d
        let out = Tensor.uninitialized(q.shape)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: bsz * h * tk)
        defer { scores.deallocate() }
        Parallel.forEach(bsz * h, grain: 1) { bh in
            let b = bh / h, hh = bh % h, kh = hh / group
            let p = scores + bh * tk
            let kp = k.data + b * tk * ldk + kh * d, vp = v.data + b * tk * ldk + kh * d
            for i in 0..<tq {
                let qp = q.data + (b * tq + i) * ldq + hh * d
                let visible = causal ? i + (tk - tq) + 1 : tk
                for j in 0..<visible { p[j] = scale * Elementwise.dot(qp, kp + j * ldk, d) }
                SoftmaxKernel.row(p, p, visible)
                let o = out.data + (b * tq + i) * ldq + hh * d
                o.update(repeating: 0, count: d)
                for j in 0..<visible { Elementwise.axpy(p[j], vp + j * ldk, o, d) }
            }
        }
        return out
    }
}
