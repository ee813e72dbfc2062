// Reductions with autograd: sum, mean and max along one axis (or all elements).
// A tensor is viewed as [outer, n, inner] around the reduced axis. Max's gradient goes to the first
// maximal element of each slice.
extension Tensor {
    private func around(_ axis: Int) -> (outer: Int, n: Int, inner: Int, ax: Int) {
        let ax = axis < 0 ? rank + axis : axis
        precondition(ax >= 0 && ax < rank, "reduce: axis \(axis) is outside shape \(shape)")
        return (shape[..<ax].reduce(1, *), shape[ax], shape[(ax + 1)...].reduce(1, *), ax)
    }

    private func reducedShape(_ ax: Int, keepDims: Bool) -> [Int] {
        var s = shape
        if keepDims { s[ax] = 1 } else { s.remove(at: ax) }
        return s
    }

    /// Sum of all elements, as a 0-d tensor.
    public func sum() -> Tensor {
        let out = Tensor(scalar: Float(Tensor.pairwiseSum(data, count)))
        let s = shape
        return out.recorded("sum", [self]) { g in [Tensor.full(s, g.data[0])] }
    }

    /// Mean of all elements, as a 0-d tensor.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Sum along `axis`.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
        let (outer, n, inner, ax) = around(axis)
        let out = Tensor(zeros: reducedShape(ax, keepDims: keepDims))
        let src = data, dst = out.data
        Parallel.forEach(outer, grain: Swift.max(1, 4096 / Swift.max(n * inner, 1))) { o in
            for j in 0..<n { Elementwise.axpy(1, src + (o * n + j) * inner, dst + o * inner, inner) }
        }
        let inShape = shape
        return out.recorded("sum_axis", [self]) { g in
            let gx = Tensor.uninitialized(inShape)
            for o in 0..<outer { for j in 0..<n {
                (gx.data + (o * n + j) * inner).update(from: g.data + o * inner, count: inner)
            } }
            return [gx]
        }
    }

    /// Mean along `axis`.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        let n = shape[axis < 0 ? rank + axis : axis]
        return sum(axis: axis, keepDims: keepDims) * (1 / Float(n))
    }

    /// Maximum along `axis`.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let (outer, n, inner, ax) = around(axis)
        precondition(n > 0, "max: empty axis \(axis) in \(shape)")
        let out = Tensor.uninitialized(reducedShape(ax, keepDims: keepDims))
        var argmax = [Int32](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = data[o * n * inner + i], at = 0
                for j in 1..<n where data[(o * n + j) * inner + i] > best { best = data[(o * n + j) * inner + i]; at = j }
                out.data[o * inner + i] = best
                argmax[o * inner + i] = Int32(at)
            }
        }
        let inShape = shape
        return out.recorded("max_axis", [self]) { g in
            let gx = Tensor(zeros: inShape)
            for o in 0..<outer { for i in 0..<inner {
                gx.data[(o * n + Int(argmax[o * inner + i])) * inner + i] = g.data[o * inner + i]
            } }
            return [gx]
        }
    }

    /// Sum in Double with pairwise blocks (accurate for long vectors).
    static func pairwiseSum(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
        var total = 0.0
        var i = 0
        while i < n {
            let len = Swift.min(4096, n - i)
            total += Double(Elementwise.sum(p + i, len))
            i += len
        }
        return total
    }
}
