// Exp512 — FrugalCore's FastMath.exp (Cephes' expf) sixteen lanes wide, and the loops of a training
// step that spend their time in it: SwiGLU forward and backward (a step of the default model takes
// ~24M sigmoids each way) and a softmax row's shifted exponentials (the head's 512 × 49152 logits,
// attention's rows). Same constants, same operations in the same order as the eight-lane FastMath
// (no fused multiply-adds: Swift does not contract them there either), so every lane's value is
// bit-identical to the AVX2 path; only a row's sum adds its lanes in another order.
// The contracts and the eight-lane loops (the references the tests compare to) are in FrugalCore:
// FastMath, Tensor.swiglu, SoftmaxKernel.expShifted. Tails go through masked loads and stores.
// Nothing in this module may run unless the CPU has AVX-512F.
#if arch(x86_64)
import _Builtin_intrinsics.intel

public enum Exp512 {
    public typealias V = SIMD16<Float>

    /// e^x per lane, inputs clamped to [-87.3, 88.7] (FastMath.exp, sixteen lanes).
    @inline(__always)
    public static func exp(_ xIn: V) -> V {
        let lo = V(repeating: -87.3), hi = V(repeating: 88.7)
        var x = xIn.replacing(with: lo, where: xIn .< lo)
        x = x.replacing(with: hi, where: x .> hi)
        let magic = V(repeating: 12_582_912)
        let r = x * 1.44269504088896341 + magic
        let fx = r - magic
        let n = unsafeBitCast(r, to: SIMD16<Int32>.self) &- 0x4B40_0000
        x = x - fx * 0.693359375
        x = x - fx * -2.12194440e-4
        let z = x * x
        var y = V(repeating: 1.9875691500e-4)
        y = y * x + 1.3981999507e-3
        y = y * x + 8.3334519073e-3
        y = y * x + 4.1665795894e-2
        y = y * x + 1.6666665459e-1
        y = y * x + 5.0000001201e-1
        y = y * z + x + 1
        let pow2 = unsafeBitCast((n &+ 127) &<< 23, to: V.self)
        return y * pow2
    }

    @inline(__always) static func sigmoid(_ x: V) -> V { 1 / (1 + exp(-x)) }

    @inline(__always) static func mask(_ count: Int) -> __mmask16 {
        count >= 16 ? 0xFFFF : __mmask16(truncatingIfNeeded: (1 << Swift.max(0, count)) - 1)
    }
    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ m: __mmask16) -> V {
        _mm512_maskz_loadu_ps(m, p)
    }
    @inline(__always) static func store(_ p: UnsafeMutablePointer<Float>, _ m: __mmask16, _ v: V) {
        _mm512_mask_storeu_ps(p, m, v)
    }

    /// out[i] = g[i]·σ(g[i])·u[i] for i in 0..<count.
    public static func swigluForward(_ g: UnsafePointer<Float>, _ u: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                     _ count: Int) {
        var i = 0
        while i < count {
            let m = mask(count - i)
            let gv = load(g + i, m)
            store(out + i, m, gv * sigmoid(gv) * load(u + i, m))
            i += 16
        }
    }

    /// dg[i] = dz·u·σ(g)·(1 + g·(1 − σ(g))), du[i] = dz·g·σ(g) for i in 0..<count.
    public static func swigluBackward(_ g: UnsafePointer<Float>, _ u: UnsafePointer<Float>, _ dz: UnsafePointer<Float>,
                                      _ dg: UnsafeMutablePointer<Float>, _ du: UnsafeMutablePointer<Float>, _ count: Int) {
        var i = 0
        while i < count {
            let m = mask(count - i)
            let gv = load(g + i, m), uv = load(u + i, m), zv = load(dz + i, m)
            let s = sigmoid(gv)
            let silu = gv * s
            store(dg + i, m, zv * uv * s * (1 + gv * (1 - s)))
            store(du + i, m, zv * silu)
            i += 16
        }
    }

    /// y[j] = e^(x[j] − max) over one row of n values (x and y may alias); returns (max, Σ y).
    public static func expShifted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) -> (max: Float, sum: Float) {
        guard n > 0 else { return (-.infinity, 0) }
        let negInf = V(repeating: -.infinity)
        var vmax = negInf
        var j = 0
        while j < n {
            let m = mask(n - j)
            let v = _mm512_mask_loadu_ps(negInf, m, x + j)
            vmax = vmax.replacing(with: v, where: v .> vmax)
            j += 16
        }
        let mx = vmax.max()
        let vm = V(repeating: mx)
        var acc = V(repeating: 0)
        j = 0
        while j + 16 <= n {
            let e = exp(load(x + j, 0xFFFF) - vm)
            store(y + j, 0xFFFF, e)
            acc += e
            j += 16
        }
        if j < n {
            let m = mask(n - j)
            let e = exp(load(x + j, m) - vm)
            store(y + j, m, e)
            acc += _mm512_maskz_mov_ps(m, e)
        }
        return (mx, acc.sum())
    }
}
#endif
