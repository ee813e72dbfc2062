// Reference — naive Double implementations of every op: the specification the fast Float32
// kernels are tested against. Written for clarity, not speed.
import Foundation

enum Ref {
    static func strides(_ s: [Int]) -> [Int] {
        var st = [Int](repeating: 1, count: s.count)
        var acc = 1
        for i in stride(from: s.count - 1, through: 0, by: -1) { st[i] = acc; acc *= s[i] }
        return st
    }

    static func unravel(_ i: Int, _ shape: [Int]) -> [Int] {
        var r = i
        return strides(shape).map { st in let q = r / st; r -= q * st; return q }
    }

    static func broadcast(_ a: DArray, _ b: DArray, _ f: (Double, Double) -> Double) -> DArray {
        let n = max(a.shape.count, b.shape.count)
        let pa = [Int](repeating: 1, count: n - a.shape.count) + a.shape
        let pb = [Int](repeating: 1, count: n - b.shape.count) + b.shape
        let out = (0..<n).map { max(pa[$0], pb[$0]) }
        let sa = strides(pa), sb = strides(pb)
        var v = [Double](repeating: 0, count: out.reduce(1, *))
        for i in 0..<v.count {
            let idx = unravel(i, out)
            var ia = 0, ib = 0
            for d in 0..<n { ia += (pa[d] == 1 ? 0 : idx[d]) * sa[d]; ib += (pb[d] == 1 ? 0 : idx[d]) * sb[d] }
            v[i] = f(a.v[ia], b.v[ib])
        }
        return DArray(out, v)
    }

    /// op(a)·op(b) over leading batch axes (b may be 2-D, shared).
    static func matmul(_ a: DArray, _ b: DArray, transA: Bool = false, transB: Bool = false) -> DArray {
        let ra = a.shape.count, rb = b.shape.count
        let m = transA ? a.shape[ra - 1] : a.shape[ra - 2], k = transA ? a.shape[ra - 2] : a.shape[ra - 1]
        let n = transB ? b.shape[rb - 2] : b.shape[rb - 1]
        let batch = a.shape.dropLast(2).reduce(1, *)
        var v = [Double](repeating: 0, count: batch * m * n)
        for bt in 0..<batch {
            let ao = bt * m * k, bo = rb == 2 ? 0 : bt * k * n
            for i in 0..<m { for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = transA ? a.v[ao + p * m + i] : a.v[ao + i * k + p]
                    let y = transB ? b.v[bo + j * k + p] : b.v[bo + p * n + j]
                    s += x * y
                }
                v[bt * m * n + i * n + j] = s
            } }
        }
        return DArray(Array(a.shape.dropLast(2)) + [m, n], v)
    }

    static func rows(_ a: DArray, _ f: ([Double]) -> [Double]) -> DArray {
        let c = a.shape.last!
        var v: [Double] = []
        for r in 0..<(a.count / c) { v += f(Array(a.v[(r * c)..<((r + 1) * c)])) }
        return DArray(a.shape, v)
    }

    static func softmax(_ x: [Double]) -> [Double] {
        let m = x.max()!
        let e = x.map { exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    static func silu(_ x: Double) -> Double { x / (1 + exp(-x)) }
    static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + tanh(sqrt(2 / Double.pi) * (x + 0.044715 * x * x * x))) }

    static func rmsNorm(_ x: DArray, _ w: DArray, eps: Double) -> DArray {
        rows(x) { r in
            let s = 1 / sqrt(r.map { $0 * $0 }.reduce(0, +) / Double(r.count) + eps)
            return r.enumerated().map { $0.element * s * w.v[$0.offset] }
        }
    }

    static func layerNorm(_ x: DArray, _ w: DArray, _ b: DArray, eps: Double) -> DArray {
        rows(x) { r in
            let mu = r.reduce(0, +) / Double(r.count)
            let varc = r.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(r.count)
            let s = 1 / sqrt(varc + eps)
            return r.enumerated().map { ($0.element - mu) * s * w.v[$0.offset] + b.v[$0.offset] }
        }
    }

    /// x [B, T, H, D], rotate-half RoPE with base θ at the given positions.
    static func rope(_ x: DArray, positions: [Int], base: Double) -> DArray {
        let (bsz, t, h, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var v = x.v
        for b in 0..<bsz { for tt in 0..<t { for hh in 0..<h {
            let o = ((b * t + tt) * h + hh) * d
            for i in 0..<(d / 2) {
                let ang = Double(positions[tt]) / pow(base, Double(2 * i) / Double(d))
                let x1 = x.v[o + i], x2 = x.v[o + i + d / 2]
                v[o + i] = x1 * cos(ang) - x2 * sin(ang)
                v[o + i + d / 2] = x2 * cos(ang) + x1 * sin(ang)
            }
        } } }
        return DArray(x.shape, v)
    }

    /// q [B,Tq,H,D], k/v [B,Tk,K,D], causal with query i at position i + Tk − Tq.
    static func attention(_ q: DArray, _ k: DArray, _ v: DArray, causal: Bool) -> DArray {
        let (bsz, tq, h, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let tk = k.shape[1], kvh = k.shape[2], g = h / kvh
        var out = [Double](repeating: 0, count: q.count)
        for b in 0..<bsz { for hh in 0..<h {
            let kh = hh / g
            for i in 0..<tq {
                let visible = causal ? i + tk - tq + 1 : tk
                var s = [Double](repeating: 0, count: visible)
                for j in 0..<visible {
                    var acc = 0.0
                    for e in 0..<d { acc += q.v[((b * tq + i) * h + hh) * d + e] * k.v[((b * tk + j) * kvh + kh) * d + e] }
                    s[j] = acc / sqrt(Double(d))
                }
                let p = softmax(s)
                for e in 0..<d {
                    var acc = 0.0
                    for j in 0..<visible { acc += p[j] * v.v[((b * tk + j) * kvh + kh) * d + e] }
                    out[((b * tq + i) * h + hh) * d + e] = acc
                }
            }
        } }
        return DArray(q.shape, out)
    }
}
