// Cross-entropy of logits against target ids, fused with log-softmax, with an ignore index
// (transformers' -100). Logits [N, V] (or [..., V], flattened), targets N ids.
//
// `.mean` divides by the number of counted (non-ignored) targets, as PyTorch does. `.sum` returns
// the plain sum, so gradient accumulation can divide by the supervised tokens of all its
// micro-batches together. Backward: (softmax(logits) − onehot) · dL/dloss / denominator, computed
// from the saved logits; no [N, V] probability tensor is kept between forward and backward.
extension Tensor {
    public enum Reduction: Sendable { case mean, sum }

    public func crossEntropy(targets: [Int32], ignoreIndex: Int32 = -100, reduction: Reduction = .mean) -> Tensor {
        let v = shape[rank - 1], n = count / v
        precondition(targets.count == n, "crossEntropy: \(targets.count) targets for logits \(shape)")
        var losses = [Double](repeating: 0, count: n)
        let px = data
        losses.withUnsafeMutableBufferPointer { lp in
            let pl = lp.baseAddress!
            Parallel.forEach(n, grain: 4) { i in
                let t = targets[i]
                guard t != ignoreIndex else { return }
                precondition(t >= 0 && Int(t) < v, "crossEntropy: target \(t) outside vocabulary of \(v)")
                let lse = SoftmaxKernel.logSumExp(px + i * v, v)
                pl[i] = Double(lse - px[i * v + Int(t)])
            }
        }
        let counted = targets.filter { $0 != ignoreIndex }.count
        let total = losses.reduce(0, +)
        let denom: Float = reduction == .mean ? Float(Swift.max(counted, 1)) : 1
        let out = Tensor(scalar: Float(total) / denom)
        let logits = self
        return out.recorded("cross_entropy", [logits]) { g in
            let scale = g.data[0] / denom
            let gx = Tensor(zeros: logits.shape)
            let pg = gx.data
            Parallel.forEach(n, grain: 4) { i in
                let t = targets[i]
                guard t != ignoreIndex else { return }
                SoftmaxKernel.row(px + i * v, pg + i * v, v)
                let row = pg + i * v
                row[Int(t)] -= 1
                var j = 0
                let vs = SIMD8<Float>(repeating: scale)
                while j + 8 <= v {
                    let e = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self) * vs
                    UnsafeMutableRawPointer(row + j).storeBytes(of: e, as: SIMD8<Float>.self)
                    j += 8
                }
                while j < v { row[j] *= scale; j += 1 }
            }
            return [gx]
        }
    }

    /// Number of targets that count (not equal to `ignoreIndex`).
    public static func countedTargets(_ targets: [Int32], ignoreIndex: Int32 = -100) -> Int {
        targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
    }
}
