// Matrix products with autograd: `matmul` (2-D, and batched over leading axes, operands optionally
// transposed) and `linear` (x·Wᵀ + b, the layer every projection uses).
//
// Shapes: matmul a [..., M, K] (or [..., K, M] with transA) × b [..., K, N] (or [..., N, K] with
// transB) → [..., M, N]; b may be 2-D and is then shared by every batch entry.
// linear x [..., In] × W [Out, In] (+ b [Out]) → [..., Out], computed as one sgemm over all rows.
extension Tensor {
    public func matmul(_ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
        let a = self
        precondition(a.rank >= 2 && b.rank >= 2, "matmul: needs rank ≥ 2, got \(a.shape) and \(b.shape)")
        let m = transA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
        let k = transA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let kb = transB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        precondition(k == kb, "matmul: inner dimensions differ: \(a.shape)\(transA ? "ᵀ" : "") × \(b.shape)\(transB ? "ᵀ" : "")")
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        precondition((b.rank == 2 && (a.rank == 2 || !transA)) || batchA == batchB,
                     "matmul: batch shapes differ: \(a.shape)\(transA ? "ᵀ" : "") and \(b.shape)")
        let batch = batchA.reduce(1, *)
        let out = Tensor.uninitialized(batchA + [m, n])
        let lda = a.shape[a.rank - 1], ldb = b.shape[b.rank - 1]
        let strideB = b.rank == 2 ? 0 : k * n
        if Tensor.skipsForwardValues {
            // values not needed (see withoutForwardValues): graph only
        } else if b.rank == 2 && !transA {
            // Fold the batch into M: one large sgemm instead of many small ones.
            Gemm.sgemm(transA: false, transB: transB, m: batch * m, n: n, k: k, a: a.data, lda: lda,
                       b: b.data, ldb: ldb, c: out.data, ldc: n)
        } else {
            for i in 0..<batch {
                Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a.data + i * m * k, lda: lda,
                           b: b.data + i * strideB, ldb: ldb, c: out.data + i * m * n, ldc: n)
            }
        }
        return out.recorded("matmul", [a, b]) { g in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if a.requiresGrad {
                if b.rank == 2 && !transA, let sum = Tensor.takeGradientAccumulator(input: 0, shape: a.shape) {
                    // a linear layer's input gradient, added into the sum gathered for a: dA += dC·op(B)ᵀ
                    Gemm.sgemm(transA: false, transB: !transB, m: batch * m, n: k, k: n, a: g.data, lda: n,
                               b: b.data, ldb: ldb, beta: 1, c: sum.data, ldc: k)
                    ga = sum
                } else {
                    // C = op(A)·op(B):  dA = dC·op(B)ᵀ (or its transpose when A was stored transposed)
                    ga = transA ? b.matmul(g, transA: transB, transB: true) : g.matmul(b, transB: !transB)
                }
            }
            if b.requiresGrad {
                if b.rank == 2 && a.rank > 2 {
                    // Shared weight: one product over all rows of the batch.
                    let a2 = a.reshaped([-1, k]), g2 = g.reshaped([-1, n])
                    gb = transB ? g2.matmul(a2, transA: true) : a2.matmul(g2, transA: true)
                } else {
                    gb = transB ? g.matmul(a, transA: true, transB: transA) : a.matmul(g, transA: !transA)
                }
            }
            return [ga, gb]
        }
    }

    /// x·Wᵀ + b. x [..., In], weight [Out, In], bias [Out] → [..., Out].
    public func linear(_ weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(weight.rank == 2 && shape.last == weight.shape[1],
                     "linear: input \(shape) does not match weight \(weight.shape) ([out, in])")
        let y = matmul(weight, transB: true)
        guard let bias else { return y }
        return y + bias
    }
}
