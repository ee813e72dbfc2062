// AdamW — Adam with decoupled weight decay (Loshchilov & Hutter 2019), as torch.optim.AdamW:
//   θ ← θ − lr·λ·θ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
//   θ ← θ − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
// One moment pair per parameter (2 × 4 bytes per trainable parameter — what the estimator counts).
// Leaves out: 8-bit optimizer states, AMSGrad.
import FrugalCore
import Foundation

public final class AdamW {
    public struct Options: Codable, Equatable, Sendable {
        public var lr: Float = 1e-3
        public var beta1: Float = 0.9
        public var beta2: Float = 0.999
        public var eps: Float = 1e-8
        public var weightDecay: Float = 0.01
        public init(lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01) {
            self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        }
    }

    public var options: Options
    public let parameters: [Tensor]
    public private(set) var step = 0
    let m: [Tensor], v: [Tensor]

    public init(_ parameters: [Tensor], options: Options = Options()) {
        self.parameters = parameters
        self.options = options
        m = parameters.map { Tensor(zeros: $0.shape) }
        v = parameters.map { Tensor(zeros: $0.shape) }
    }

    /// Applies one update from each parameter's `grad` (parameters without a gradient are skipped),
    /// at learning rate `lr` (defaults to options.lr).
    /// `gradientScale` multiplies every gradient as it is read (gradient clipping without a pass of
    /// its own: `g·s` rounds once, as scaling the gradients first would).
    public func update(lr: Float? = nil, gradientScale gs: Float = 1) {
        step += 1
        let lr = lr ?? options.lr
        let (b1, b2, eps, wd) = (options.beta1, options.beta2, options.eps, options.weightDecay)
        let c1 = 1 - pow(b1, Float(step)), c2 = 1 - pow(b2, Float(step))
        // Every parameter cut into pieces of at most 16K elements, all spread over the cores at
        // once: an adapter's hundreds of small A and B tensors (each under one piece) update in
        // parallel instead of one after another.
        let pieces = Self.pieces(parameters, size: 1 << 14)
        pieces.withUnsafeBufferPointer { pb in
            Parallel.forChunks(pb.count, grain: 1) { r in
                for (i, range) in pb[r] {
                    let p = self.parameters[i]
                    guard let g = p.grad else { continue }
                    Self.updateElements(range, p.data, g.data, self.m[i].data, self.v[i].data,
                                        lr: lr, b1: b1, b2: b2, eps: eps, wd: wd, c1: c1, c2: c2, gs: gs)
                }
            }
        }
    }

    /// (parameter index, element range) pieces of at most `size` elements, in order, for the
    /// parameters that have a gradient.
    static func pieces(_ parameters: [Tensor], size: Int) -> [(Int, Range<Int>)] {
        var out: [(Int, Range<Int>)] = []
        for (i, p) in parameters.enumerated() where p.grad != nil {
            for lo in stride(from: 0, to: p.count, by: size) { out.append((i, lo..<Swift.min(p.count, lo + size))) }
        }
        return out
    }

    /// One AdamW step on elements `r` of a parameter. Eight lanes at a time, the same operations in
    /// the same order as the scalar tail (so the result does not depend on where a piece starts):
    /// one pass over θ, g, m, v.
    @inline(__always)
    static func updateElements(_ r: Range<Int>, _ pp: UnsafeMutablePointer<Float>, _ pg: UnsafeMutablePointer<Float>,
                               _ pm: UnsafeMutablePointer<Float>, _ pv: UnsafeMutablePointer<Float>,
                               lr: Float, b1: Float, b2: Float, eps: Float, wd: Float, c1: Float, c2: Float, gs: Float) {
        var j = r.lowerBound
        let vb1 = SIMD8<Float>(repeating: b1), vb2 = SIMD8<Float>(repeating: b2)
        let vc1 = SIMD8<Float>(repeating: c1), vc2 = SIMD8<Float>(repeating: c2)
        let decay = SIMD8<Float>(repeating: 1 - lr * wd), vlr = SIMD8<Float>(repeating: lr)
        let veps = SIMD8<Float>(repeating: eps)
        let ob1 = SIMD8<Float>(repeating: 1 - b1), ob2 = SIMD8<Float>(repeating: 1 - b2)
        let vgs = SIMD8<Float>(repeating: gs)
        while j + 8 <= r.upperBound {
            var gj = UnsafeRawPointer(pg + j).loadUnaligned(as: SIMD8<Float>.self)
            if gs != 1 { gj *= vgs }
            let mj = vb1 * UnsafeRawPointer(pm + j).loadUnaligned(as: SIMD8<Float>.self) + ob1 * gj
            let vj = vb2 * UnsafeRawPointer(pv + j).loadUnaligned(as: SIMD8<Float>.self) + ob2 * gj * gj
            UnsafeMutableRawPointer(pm + j).storeBytes(of: mj, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(pv + j).storeBytes(of: vj, as: SIMD8<Float>.self)
            let mh = mj / vc1, vh = vj / vc2
            let pj = UnsafeRawPointer(pp + j).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(pp + j).storeBytes(of: pj * decay - vlr * mh / (vh.squareRoot() + veps),
                                                       as: SIMD8<Float>.self)
            j += 8
        }
        while j < r.upperBound {
            let gj = gs != 1 ? pg[j] * gs : pg[j]
            pm[j] = b1 * pm[j] + (1 - b1) * gj
            pv[j] = b2 * pv[j] + (1 - b2) * gj * gj
            let mh = pm[j] / c1, vh = pv[j] / c2
            pp[j] = pp[j] * (1 - lr * wd) - lr * mh / (vh.squareRoot() + eps)
            j += 1
        }
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.grad = nil } }

    /// The global L2 norm of all gradients: each gradient summed in fixed slices of 64K (Float within
    /// a slice), the slices of all gradients spread over the cores together, then added in order in
    /// Double — the same result on every run and for any number of cores.
    public func gradientNorm() -> Float {
        let slices = Self.pieces(parameters, size: 1 << 16)
        var parts = [Double](repeating: 0, count: slices.count)
        parts.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            slices.withUnsafeBufferPointer { sb in
                Parallel.forChunks(sb.count, grain: 1) { r in
                    for k in r {
                        let (i, range) = sb[k]
                        let g = self.parameters[i].grad!.data + range.lowerBound
                        o[k] = Double(Elementwise.dot(g, g, range.count))
                    }
                }
            }
        }
        var s = 0.0
        for v in parts { s += v }
        return Float(s.squareRoot())
    }

    /// The factor clipping applies to gradients of global norm `norm` (torch's clip_grad_norm_):
    /// maxNorm / (norm + 1e-6) above `maxNorm`, else 1.
    public static func clipScale(norm: Float, maxNorm: Float) -> Float {
        norm > maxNorm ? maxNorm / (norm + 1e-6) : 1
    }

    /// Scales gradients so their global norm is at most `maxNorm`; returns the norm before clipping.
    @discardableResult
    public func clipGradientNorm(_ maxNorm: Float) -> Float {
        let norm = gradientNorm()
        let s = Self.clipScale(norm: norm, maxNorm: maxNorm)
        if s != 1 {
            for p in parameters { if let g = p.grad { Elementwise.map(g.data, g.data, g.count, { $0 * s }, { $0 * s }) } }
        }
        return norm
    }
}

// MARK: state export and restore, for exact resume (Checkpoint)
extension AdamW {
    /// First and second moments, one tensor per parameter, in parameter order.
    public var moments: (m: [Tensor], v: [Tensor]) { (m, v) }

    /// Sets the step count and copies the moments in (shapes must match the parameters).
    public func restore(step: Int, m newM: [Tensor], v newV: [Tensor]) {
        precondition(step >= 0 && newM.count == m.count && newV.count == v.count,
                     "AdamW.restore: \(newM.count)/\(newV.count) moments for \(m.count) parameters")
        for i in 0..<m.count {
            precondition(newM[i].shape == m[i].shape && newV[i].shape == v[i].shape,
                         "AdamW.restore: moment \(i) shapes \(newM[i].shape)/\(newV[i].shape) != \(m[i].shape)")
            m[i].data.update(from: newM[i].data, count: m[i].count)
            v[i].data.update(from: newV[i].data, count: v[i].count)
        }
        self.step = step
    }
}
