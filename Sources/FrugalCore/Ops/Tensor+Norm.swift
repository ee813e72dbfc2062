// Normalizations over the last axis with autograd, fused forward and backward kernels.
//   RMSNorm (Zhang & Sennrich 2019; transformers' LlamaRMSNorm): y = x / √(mean(x²) + ε) · w
//   LayerNorm (Ba et al. 2016): y = (x − μ) / √(var(x) + ε) · w + b   (biased variance)
// Shapes: x [..., C], w [C], b [C]. The backward saves only the per-row inverse RMS / std.
extension Tensor {
    public func rmsNorm(weight: Tensor, eps: Float) -> Tensor {
        let c = shape[rank - 1]
        precondition(weight.shape == [c], "rmsNorm: weight \(weight.shape) does not match input \(shape)")
        let rows = count / c
        let out = Tensor.uninitialized(shape)
        var inv = [Float](repeating: 0, count: rows)
        let x = self, px = data, pw = weight.data, po = out.data
        inv.withUnsafeMutableBufferPointer { invp in
            let pinv = invp.baseAddress!
            Parallel.forEach(rows, grain: 16) { r in
                let xr = px + r * c, yr = po + r * c
                let ms = Elementwise.dot(xr, xr, c) / Float(c)
                let s = 1 / (ms + eps).squareRoot()
                pinv[r] = s
                for j in 0..<c { yr[j] = xr[j] * s * pw[j] }
            }
        }
        return out.recorded("rmsnorm", [x, weight]) { g in
            let gx = Tensor.uninitialized(x.shape)
            let pg = g.data, pgx = gx.data
            let needW = weight.requiresGrad
            // Per-thread partial sums for dW, combined afterwards.
            let parts = Parallel.threads
            let partial = Tensor(zeros: [parts, c])
            let per = (rows + parts - 1) / parts
            Parallel.forEach(parts, grain: 1) { t in
                let lo = t * per, hi = Swift.min(rows, lo + per)
                guard lo < hi else { return }
                let pw_ = partial.data + t * c
                for r in lo..<hi {
                    let xr = px + r * c, gr = pg + r * c, dr = pgx + r * c
                    let s = inv[r]
                    // dot = Σ g·w·x̂
                    let dot = Elementwise.dot(gr, pw, xr, c) * (s / Float(c))
                    for j in 0..<c { dr[j] = s * (gr[j] * pw[j] - xr[j] * s * dot) }
                    if needW { for j in 0..<c { pw_[j] += gr[j] * xr[j] * s } }
                }
            }
            var gw: Tensor? = nil
            if needW { gw = partial.sum(axis: 0) }
            return [x.requiresGrad ? gx : nil, gw]
        }
    }

    public func layerNorm(weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        let c = shape[rank - 1]
        precondition(weight.shape == [c] && bias.shape == [c], "layerNorm: weight \(weight.shape) / bias \(bias.shape) do not match input \(shape)")
        let rows = count / c
        let out = Tensor.uninitialized(shape)
        var mean = [Float](repeating: 0, count: rows), inv = [Float](repeating: 0, count: rows)
        let x = self, px = data, pw = weight.data, pb = bias.data, po = out.data
        mean.withUnsafeMutableBufferPointer { mp in inv.withUnsafeMutableBufferPointer { ip in
            let pm = mp.baseAddress!, pi = ip.baseAddress!
            Parallel.forEach(rows, grain: 16) { r in
                let xr = px + r * c, yr = po + r * c
                let mu = Elementwise.sum(xr, c) / Float(c)
                var v: Float = 0
                for j in 0..<c { let d = xr[j] - mu; v += d * d }
                let s = 1 / (v / Float(c) + eps).squareRoot()
                pm[r] = mu; pi[r] = s
                for j in 0..<c { yr[j] = (xr[j] - mu) * s * pw[j] + pb[j] }
            }
        } }
        return out.recorded("layernorm", [x, weight, bias]) { g in
            let gx = Tensor.uninitialized(x.shape)
            let gw = Tensor(zeros: [c]), gb = Tensor(zeros: [c])
            for r in 0..<rows {
                let xr = px + r * c, gr = g.data + r * c, dr = gx.data + r * c
                let mu = mean[r], s = inv[r]
                var m1: Float = 0, m2: Float = 0
                for j in 0..<c {
                    let xh = (xr[j] - mu) * s, dxh = gr[j] * pw[j]
                    m1 += dxh; m2 += dxh * xh
                    gw.data[j] += gr[j] * xh; gb.data[j] += gr[j]
                }
                m1 /= Float(c); m2 /= Float(c)
                for j in 0..<c {
                    let xh = (xr[j] - mu) * s
                    dr[j] = s * (gr[j] * pw[j] - m1 - xh * m2)
                }
            }
            return [x.requiresGrad ? gx : nil, weight.requiresGrad ? gw : nil, bias.requiresGrad ? gb : nil]
        }
    }
}
