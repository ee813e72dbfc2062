// Softmax and log-softmax over the last axis with autograd.
//   softmax backward:     dx = y ⊙ (dy − Σ dy⊙y)
//   log-softmax backward: dx = dy − softmax(x) · Σ dy
extension Tensor {
    public func softmax() -> Tensor {
        let n = shape[rank - 1], rows = count / n
        let out = Tensor.uninitialized(shape)
        let px = data, py = out.data
        Parallel.forEach(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { r in SoftmaxKernel.row(px + r * n, py + r * n, n) }
        return out.recorded("softmax", [self]) { g in
            let gx = Tensor.uninitialized(out.shape)
            Parallel.forEach(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { r in
                let y = py + r * n, dy = g.data + r * n, dx = gx.data + r * n
                let s = Elementwise.dot(y, dy, n)
                for j in 0..<n { dx[j] = y[j] * (dy[j] - s) }
            }
            return [gx]
        }
    }

    public func logSoftmax() -> Tensor {
        let n = shape[rank - 1], rows = count / n
        let out = Tensor.uninitialized(shape)
        let px = data, py = out.data
        Parallel.forEach(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { r in
            let lse = SoftmaxKernel.logSumExp(px + r * n, n)
            for j in 0..<n { py[r * n + j] = px[r * n + j] - lse }
        }
        return out.recorded("log_softmax", [self]) { g in
            let gx = Tensor.uninitialized(out.shape)
            Parallel.forEach(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { r in
                let y = py + r * n, dy = g.data + r * n, dx = gx.data + r * n
                let s = Elementwise.sum(dy, n)
                for j in 0..<n { dx[j] = dy[j] - FastMath.exp(y[j]) * s }
            }
            return [gx]
        }
    }
}
