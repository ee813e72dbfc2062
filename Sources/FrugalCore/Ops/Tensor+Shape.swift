// Shape operations with autograd: reshape (a free view), permute and transpose (copies), slices
// along any axis (a free view along the first axis) and concatenation.
extension Tensor {
    /// The same data with a new shape; one dimension may be -1 (inferred). A view: no copy.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot infer -1 in \(newShape) for \(shape)")
            s[i] = count / known
        }
        precondition(s.reduce(1, *) == count, "reshape: \(shape) (\(count) elements) cannot become \(newShape)")
        let old = shape
        let out = Tensor(storage: storage, shape: s, offset: offset)
        return out.recorded("reshape", [self]) { g in [g.reshaped(old)] }
    }

    /// Axes reordered: out.shape[i] = shape[axes[i]]. Copies.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.sorted() == Array(0..<rank), "permute: \(axes) is not a permutation of the axes of \(shape)")
        let outShape = axes.map { shape[$0] }
        let out = Tensor.uninitialized(outShape)
        let inStrides = Tensor.strides(shape)
        let st = axes.map { inStrides[$0] }
        Tensor.permuteCopy(data, out.data, outShape, st)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return out.recorded("permute", [self]) { g in [g.permuted(inverse)] }
    }

    /// Two axes swapped. Copies.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        let i = a < 0 ? rank + a : a, j = b < 0 ? rank + b : b
        var axes = Array(0..<rank)
        axes.swapAt(i, j)
        return permuted(axes)
    }

    /// Copies src (read with strides `st`) into dst of `shape`, row-major; the innermost axis is a
    /// tight loop, outer axes are walked with a counter.
    static func permuteCopy(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ shape: [Int], _ st: [Int]) {
        let n = shape.reduce(1, *)
        guard n > 0 else { return }
        if shape.isEmpty { dst[0] = src[0]; return }
        let last = shape.count - 1
        let inner = shape[last], innerStride = st[last]
        let outer = n / inner
        let outerShape = Array(shape[..<last]), outerStrides = Array(st[..<last])
        let outerRowStrides = Tensor.strides(outerShape)
        Parallel.forEach(outer, grain: Swift.max(1, 8192 / Swift.max(inner, 1))) { o in
            var rem = o, base = 0
            for d in 0..<outerShape.count {
                let idx = rem / outerRowStrides[d]
                rem -= idx * outerRowStrides[d]
                base += idx * outerStrides[d]
            }
            let out = dst + o * inner
            if innerStride == 1 { out.update(from: src + base, count: inner) }
            else { for j in 0..<inner { out[j] = src[base + j * innerStride] } }
        }
    }

    /// Elements start..<start+length along `axis`. Along axis 0 this is a view.
    public func slice(axis: Int = 0, _ start: Int, _ length: Int) -> Tensor {
        let ax = axis < 0 ? rank + axis : axis
        precondition(ax >= 0 && ax < rank && start >= 0 && length >= 0 && start + length <= shape[ax],
                     "slice: [\(start), \(start + length)) along axis \(axis) is outside \(shape)")
        var outShape = shape
        outShape[ax] = length
        let inputShape = shape
        let out: Tensor
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
        if ax == 0 || outer == 1 {
            out = Tensor(storage: storage, shape: outShape, offset: offset + start * inner)
        } else {
            out = Tensor.uninitialized(outShape)
            let src = data, dst = out.data, full = shape[ax]
            for o in 0..<outer {
                (dst + o * length * inner).update(from: src + (o * full + start) * inner, count: length * inner)
            }
        }
        return out.recorded("slice", [self]) { g in
            let gx = Tensor(zeros: inputShape)
            let full = inputShape[ax]
            for o in 0..<outer {
                (gx.data + (o * full + start) * inner).update(from: g.data + o * length * inner, count: length * inner)
            }
            return [gx]
        }
    }

    /// Tensors joined along `axis`; all other dimensions must agree.
    public static func concat(_ parts: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!parts.isEmpty, "concat: no tensors")
        let r = parts[0].rank
        let ax = axis < 0 ? r + axis : axis
        for p in parts {
            precondition(p.rank == r && p.shape.enumerated().allSatisfy { $0.offset == ax || $0.element == parts[0].shape[$0.offset] },
                         "concat: shapes \(parts.map(\.shape)) differ outside axis \(axis)")
        }
        var outShape = parts[0].shape
        outShape[ax] = parts.reduce(0) { $0 + $1.shape[ax] }
        let out = Tensor.uninitialized(outShape)
        let outer = outShape[..<ax].reduce(1, *), inner = outShape[(ax + 1)...].reduce(1, *)
        let total = outShape[ax]
        var start = 0
        var starts: [Int] = []
        for p in parts {
            starts.append(start)
            let len = p.shape[ax]
            for o in 0..<outer {
                (out.data + (o * total + start) * inner).update(from: p.data + o * len * inner, count: len * inner)
            }
            start += len
        }
        return out.recorded("concat", parts) { g in
            parts.enumerated().map { i, p in
                guard p.requiresGrad else { return nil }
                let len = p.shape[ax]
                let gp = Tensor.uninitialized(p.shape)
                for o in 0..<outer {
                    (gp.data + o * len * inner).update(from: g.data + (o * total + starts[i]) * inner, count: len * inner)
                }
                return gp
            }
        }
    }
}
