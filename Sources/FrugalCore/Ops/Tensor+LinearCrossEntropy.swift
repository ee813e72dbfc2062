// Linear layer fused with cross-entropy — the language-model head and its loss in one op, for a
// frozen head weight (LoRA, QLoRA, evaluation): logits exist one chunk of rows at a time (at most
// 128 MB) and their [N, V] gradient never.
//   loss = Σᵢ (logsumexp(hᵢ·Wᵀ) − hᵢ·W[tᵢ])   over rows whose target is not `ignoreIndex`
// (÷ their number with `.mean`). Shapes: hidden [..., C] (N rows), weight [V, C], targets N ids.
//
// Per chunk: one sgemm makes the logits, each row is turned into exp(l − max) in place (one exp
// per logit; the unfused pair computes them twice), and when recording the chunk's input gradient
// follows at once: dhᵢ = (eᵢ·W)/sᵢ − W[tᵢ] (sᵢ = Σ eᵢ), i.e. (softmax − onehot)·W. Ignored rows
// are skipped entirely (no logits) and get a zero gradient. Backward only scales the saved [N, C]
// gradient by dL/dloss (÷ the count with `.mean`). A head weight that needs a gradient (full
// fine-tuning) takes the unfused path, `linear` then `crossEntropy`, which is also the reference
// the tests compare to.
import Foundation

extension Tensor {
    /// Logit elements per chunk (128 MB of Float32: the default model's 4 × 129 rows in one chunk).
    /// Smaller chunks make the two sgemms slower (`make bench` section head: 516 rows in one chunk
    /// 280 ms, two chunks 302 ms, 16 MB chunks 380 ms; linear + crossEntropy 312–348 ms).
    nonisolated(unsafe) public static var linearCrossEntropyChunk = 1 << 25

    public func linearCrossEntropy(weight: Tensor, targets: [Int32], ignoreIndex: Int32 = -100,
                                   reduction: Reduction = .mean) -> Tensor {
        let hidden = self
        let c = weight.shape[1], v = weight.shape[0]
        precondition(weight.rank == 2 && shape.last == c,
                     "linearCrossEntropy: hidden \(shape) does not match weight \(weight.shape) ([V, C])")
        let n = count / c
        precondition(targets.count == n, "linearCrossEntropy: \(targets.count) targets for \(n) rows of hidden \(shape)")
        let recording = GradMode.isEnabled && (hidden.requiresGrad || weight.requiresGrad)
        if recording && weight.requiresGrad {
            return hidden.linear(weight).crossEntropy(targets: targets, ignoreIndex: ignoreIndex, reduction: reduction)
        }
        var rows: [Int] = []
        rows.reserveCapacity(n)
        for i in 0..<n where targets[i] != ignoreIndex {
            precondition(targets[i] >= 0 && Int(targets[i]) < v, "linearCrossEntropy: target \(targets[i]) outside vocabulary of \(v)")
            rows.append(i)
        }
        let counted = rows.count
        let chunks = Swift.max(1, (counted * v + Tensor.linearCrossEntropyChunk - 1) / Tensor.linearCrossEntropyChunk)
        let per = Swift.max(1, (counted + chunks - 1) / chunks)
        let chunkRows = Swift.min(per, Swift.max(counted, 1))
        let dh: Tensor? = recording ? Tensor(zeros: hidden.shape) : nil
        let logits = Tensor.uninitialized([chunkRows, v])
        let hc = Tensor.uninitialized([chunkRows, c])
        let dhc: Tensor? = recording ? Tensor.uninitialized([chunkRows, c]) : nil
        var losses = [Double](repeating: 0, count: counted)
        var sums = [Float](repeating: 0, count: per)
        var start = 0
        while start < counted {
            let m = Swift.min(per, counted - start)
            // hc = the chunk's rows of hidden (contiguous when nothing is ignored in between)
            for r in 0..<m { (hc.data + r * c).update(from: hidden.data + rows[start + r] * c, count: c) }
            Gemm.sgemm(transA: false, transB: true, m: m, n: v, k: c, a: hc.data, lda: c, b: weight.data, ldb: c,
                       c: logits.data, ldc: v)
            let lp = logits.data
            losses.withUnsafeMutableBufferPointer { lossp in
                sums.withUnsafeMutableBufferPointer { sp in
                    let lb = lossp.baseAddress!, sb = sp.baseAddress!
                    Parallel.forEach(m, grain: 4) { r in
                        let row = lp + r * v
                        let t = Int(targets[rows[start + r]])
                        let target = row[t]
                        let (mx, s) = SoftmaxKernel.expShifted(row, row, v)
                        sb[r] = s
                        lb[start + r] = Double(mx + Foundation.log(s) - target)
                    }
                }
            }
            if let dh, let dhc {
                // dhc = E·W, then dhᵢ = dhcᵢ / sᵢ − W[tᵢ]
                Gemm.sgemm(transA: false, transB: false, m: m, n: c, k: v, a: logits.data, lda: v, b: weight.data,
                           ldb: c, c: dhc.data, ldc: c)
                for r in 0..<m {
                    let i = rows[start + r], inv = 1 / sums[r]
                    let src = dhc.data + r * c, wt = weight.data + Int(targets[i]) * c, dst = dh.data + i * c
                    for j in 0..<c { dst[j] = src[j] * inv - wt[j] }
                }
            }
            start += m
        }
        let denom: Float = reduction == .mean ? Float(Swift.max(counted, 1)) : 1
        let out = Tensor(scalar: Float(losses.reduce(0, +)) / denom)
        guard let dh else { return out }
        return out.recorded("linear_cross_entropy", [hidden, weight]) { g in
            [dh.affine(scale: g.data[0] / denom), nil]
        }
    }
}
