// Broadcast — NumPy broadcasting rules for binary ops, and the reduction of a gradient back to an
// input's shape (sum over the broadcast axes).
enum Broadcast {
    /// The broadcast result shape of `a` and `b`; a programmer error when incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        let n = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            precondition(da == db || da == 1 || db == 1, "broadcast: shapes \(a) and \(b) are incompatible")
            out[i] = Swift.max(da, db)
        }
        return out
    }

    /// Strides for reading a tensor of `shape` as if it had `outShape` (0 on broadcast axes).
    static func strides(_ shape: [Int], to outShape: [Int]) -> [Int] {
        let n = outShape.count
        let own = Tensor.strides(shape)
        var s = [Int](repeating: 0, count: n)
        for i in 0..<shape.count {
            let j = i + n - shape.count
            s[j] = shape[i] == 1 ? 0 : own[i]
        }
        return s
    }

    /// True when `small` equals the trailing dimensions of `big` (row-wise broadcast, e.g. a bias).
    static func isSuffix(_ small: [Int], of big: [Int]) -> Bool {
        small.count <= big.count && Array(big.suffix(small.count)) == small
    }

    /// Sums `g` (of the broadcast shape) down to `shape`.
    static func reduce(_ g: Tensor, to shape: [Int]) -> Tensor {
        if g.shape == shape { return g }
        let out = Tensor(zeros: shape)
        let n = g.count
        if shape.reduce(1, *) == 1 {
            out.data[0] = Elementwise.sum(g.data, n)
            return out
        }
        if isSuffix(shape, of: g.shape) {
            let inner = out.count
            for r in 0..<(n / inner) { Elementwise.axpy(1, g.data + r * inner, out.data, inner) }
            return out
        }
        let st = strides(shape, to: g.shape)
        forEachIndex(g.shape) { i, idx in
            var o = 0
            for d in 0..<idx.count { o += idx[d] * st[d] }
            out.data[o] += g.data[i]
        }
        return out
    }

    /// Calls body(flatIndex, multiIndex) for every element of `shape`, in row-major order.
    static func forEachIndex(_ shape: [Int], _ body: (Int, [Int]) -> Void) {
        let n = shape.reduce(1, *)
        if n == 0 { return }
        var idx = [Int](repeating: 0, count: shape.count)
        for i in 0..<n {
            body(i, idx)
            var d = shape.count - 1
            while d >= 0 {
                idx[d] += 1
                if idx[d] < shape[d] { break }
                idx[d] = 0
                d -= 1
            }
        }
    }
}
