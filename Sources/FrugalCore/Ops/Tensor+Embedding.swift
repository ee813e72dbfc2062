// Embedding lookup with autograd: rows of a table [V, C] gathered by token ids → [..., C].
// Backward scatter-adds the output gradient into a dense [V, C] gradient (repeated ids add up);
// the row of `paddingIndex`, when given, gets no gradient (PyTorch's `padding_idx`).
extension Tensor {
    /// table [V, C] gathered at `ids` (shape `idsShape`) → idsShape + [C].
    public static func embedding(_ table: Tensor, ids: [Int32], shape idsShape: [Int], paddingIndex: Int? = nil) -> Tensor {
        precondition(table.rank == 2, "embedding: table must be [V, C], got \(table.shape)")
        precondition(ids.count == idsShape.reduce(1, *), "embedding: \(ids.count) ids do not fill shape \(idsShape)")
        let v = table.shape[0], c = table.shape[1]
        for id in ids { precondition(id >= 0 && Int(id) < v, "embedding: token id \(id) outside vocabulary of \(v)") }
        let out = Tensor.uninitialized(idsShape + [c])
        let src = table.data, dst = out.data
        Parallel.forEach(ids.count, grain: 64) { i in (dst + i * c).update(from: src + Int(ids[i]) * c, count: c) }
        return out.recorded("embedding", [table]) { g in
            let gt = Tensor(zeros: table.shape)
            for (i, id) in ids.enumerated() where Int(id) != paddingIndex {
                Elementwise.axpy(1, g.data + i * c, gt.data + Int(id) * c, c)
            }
            return [gt]
        }
    }
}
