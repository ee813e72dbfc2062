// Elementwise arithmetic with broadcasting: + − × ÷ between tensors, and with scalars; negation.
// Fast paths: equal shapes (SIMD, threaded), a trailing-suffix operand (bias-like, per row), and a
// one-element operand; anything else goes through the general strided loop.
// Backward: each input's gradient is reduced (summed) over the axes it was broadcast along.
extension Tensor {
    enum BinaryOp { case add, sub, mul, div }

    static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp) -> Tensor {
        let outShape = a.shape == b.shape ? a.shape : Broadcast.shape(a.shape, b.shape)
        let out = Tensor.uninitialized(outShape)
        if !Tensor.skipsForwardValues { binaryKernel(a, b, out, op) }
        let name: String
        switch op { case .add: name = "add"; case .sub: name = "sub"; case .mul: name = "mul"; case .div: name = "div" }
        // add/sub need only the operands' shapes in backward: capture those, not the tensors, so
        // the operands (often large activations) are not kept alive by the graph.
        let shapeA = a.shape, shapeB = b.shape, needA = a.requiresGrad, needB = b.requiresGrad
        switch op {
        case .add:
            return out.recorded(name, [a, b]) { g in
                [needA ? Broadcast.reduce(g, to: shapeA) : nil, needB ? Broadcast.reduce(g, to: shapeB) : nil]
            }
        case .sub:
            return out.recorded(name, [a, b]) { g in
                [needA ? Broadcast.reduce(g, to: shapeA) : nil, needB ? Broadcast.reduce(g.negated(), to: shapeB) : nil]
            }
        case .mul:
            return out.recorded(name, [a, b]) { g in
                [needA ? Broadcast.reduce(g * b, to: shapeA) : nil, needB ? Broadcast.reduce(g * a, to: shapeB) : nil]
            }
        case .div:
            return out.recorded(name, [a, b]) { g in
                [needA ? Broadcast.reduce(g / b, to: shapeA) : nil,
                 needB ? Broadcast.reduce((g * a / (b * b)).negated(), to: shapeB) : nil]
            }
        }
    }

    private static func binaryKernel(_ a: Tensor, _ b: Tensor, _ out: Tensor, _ op: BinaryOp) {
        let n = out.count
        if a.shape == b.shape {
            switch op {
            case .add: Elementwise.zip(a.data, b.data, out.data, n, { $0 + $1 }, { $0 + $1 })
            case .sub: Elementwise.zip(a.data, b.data, out.data, n, { $0 - $1 }, { $0 - $1 })
            case .mul: Elementwise.zip(a.data, b.data, out.data, n, { $0 * $1 }, { $0 * $1 })
            case .div: Elementwise.zip(a.data, b.data, out.data, n, { $0 / $1 }, { $0 / $1 })
            }
            return
        }
        if b.count == 1 && a.shape == out.shape {
            let s = b.data[0]
            switch op {
            case .add: Elementwise.map(a.data, out.data, n, { $0 + s }, { $0 + s })
            case .sub: Elementwise.map(a.data, out.data, n, { $0 - s }, { $0 - s })
            case .mul: Elementwise.map(a.data, out.data, n, { $0 * s }, { $0 * s })
            case .div: Elementwise.map(a.data, out.data, n, { $0 / s }, { $0 / s })
            }
            return
        }
        if a.shape == out.shape && Broadcast.isSuffix(b.shape, of: a.shape) && b.count > 0 {
            let inner = b.count, rows = n / inner
            let pa = a.data, pb = b.data, po = out.data
            Parallel.forEach(rows, grain: Swift.max(1, 16384 / inner)) { r in
                let ra = pa + r * inner, ro = po + r * inner
                for j in 0..<inner {
                    switch op {
                    case .add: ro[j] = ra[j] + pb[j]
                    case .sub: ro[j] = ra[j] - pb[j]
                    case .mul: ro[j] = ra[j] * pb[j]
                    case .div: ro[j] = ra[j] / pb[j]
                    }
                }
            }
            return
        }
        let sa = Broadcast.strides(a.shape, to: out.shape), sb = Broadcast.strides(b.shape, to: out.shape)
        Broadcast.forEachIndex(out.shape) { i, idx in
            var ia = 0, ib = 0
            for d in 0..<idx.count { ia += idx[d] * sa[d]; ib += idx[d] * sb[d] }
            let x = a.data[ia], y = b.data[ib]
            switch op {
            case .add: out.data[i] = x + y
            case .sub: out.data[i] = x - y
            case .mul: out.data[i] = x * y
            case .div: out.data[i] = x / y
            }
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .add) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .sub) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .mul) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .div) }

    /// x·s + t, elementwise with scalars (the one scalar op; the operators below use it).
    public func affine(scale s: Float, shift t: Float = 0) -> Tensor {
        let out = Tensor.uninitialized(shape)
        Elementwise.map(data, out.data, count, { $0 * s + t }, { $0 * s + t })
        return out.recorded("affine", [self]) { g in [g.affine(scale: s)] }
    }

    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s) }
    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1) }

    /// −x without recording (used inside gradient closures).
    func negated() -> Tensor {
        let out = Tensor.uninitialized(shape)
        Elementwise.map(data, out.data, count, { -$0 }, { -$0 })
        return out
    }

    /// self + other, same shape, new tensor, never recorded (gradient accumulation).
    func addingElementwise(_ other: Tensor) -> Tensor {
        let out = Tensor.uninitialized(shape)
        Elementwise.zip(data, other.data, out.data, count, { $0 + $1 }, { $0 + $1 })
        return out
    }

    /// self += other in place (same shape). Not recorded; for gradients and optimizer state.
    public func addInPlace(_ other: Tensor, scale: Float = 1) {
        precondition(shape == other.shape || count == other.count, "addInPlace: shapes \(shape) and \(other.shape) differ")
        let n = count, x = other.data, y = data
        Parallel.forChunks(n, grain: 1 << 15) { r in
            Elementwise.axpy(scale, x + r.lowerBound, y + r.lowerBound, r.count)
        }
    }
}
