// Softmax kernels over one row: the numerically stable form (subtract the row max), vectorized
// exp. `row` is the fast kernel; `rowNaive` (Double math) is its reference. `expShifted` is their
// shared first half (also the fused head's loss, which needs the exponentials, not the softmax);
// on an AVX-512 CPU it runs sixteen lanes wide (FrugalAVX512's Exp512: the same exponentials bit for
// bit, the sum added in another order).
import Foundation
#if arch(x86_64)
import FrugalAVX512
#endif
public enum SoftmaxKernel {
    /// y[0..<n] = softmax(x[0..<n]). x and y may alias.
    @inlinable
    public static func row(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let inv = 1 / expShifted(x, y, n).sum
        var j = 0
        let vi = SIMD8<Float>(repeating: inv)
        while j + 8 <= n {
            let v = UnsafeRawPointer(y + j).loadUnaligned(as: SIMD8<Float>.self) * vi
            UnsafeMutableRawPointer(y + j).storeBytes(of: v, as: SIMD8<Float>.self)
            j += 8
        }
        while j < n { y[j] *= inv; j += 1 }
    }

    /// log Σ exp(x) over one row, stable.
    @inlinable
    public static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = -Float.infinity
        for j in 0..<n where x[j] > m { m = x[j] }
        var j = 0
        var acc = SIMD8<Float>(repeating: 0)
        let vm = SIMD8<Float>(repeating: m)
        while j + 8 <= n {
            acc += FastMath.exp(UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self) - vm)
            j += 8
        }
        var s = acc.sum()
        while j < n { s += FastMath.exp(x[j] - m); j += 1 }
        return m + log(s)
    }

    /// y[j] = exp(x[j] − max) over one row (x and y may alias); returns (max, Σ y).
    @inlinable
    public static func expShifted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) -> (max: Float, sum: Float) {
        #if arch(x86_64)
        if CPUFeatures.useAVX512 { return Exp512.expShifted(x, y, n) }
        #endif
        var j = 0
        var vmax = SIMD8<Float>(repeating: -.infinity)
        while j + 8 <= n {
            let v = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
            vmax = vmax.replacing(with: v, where: v .> vmax)
            j += 8
        }
        var m = vmax.max()
        while j < n { m = Swift.max(m, x[j]); j += 1 }
        j = 0
        var acc = SIMD8<Float>(repeating: 0)
        let vm = SIMD8<Float>(repeating: m)
        while j + 8 <= n {
            let e = FastMath.exp(UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self) - vm)
            UnsafeMutableRawPointer(y + j).storeBytes(of: e, as: SIMD8<Float>.self)
            acc += e
            j += 8
        }
        var s = acc.sum()
        while j < n { let e = FastMath.exp(x[j] - m); y[j] = e; s += e; j += 1 }
        return (m, s)
    }

    /// Reference: softmax in Double.
    public static func rowNaive(_ x: [Float]) -> [Float] {
        let m = x.max() ?? 0
        let e = x.map { Foundation.exp(Double($0 - m)) }
        let s = e.reduce(0, +)
        return e.map { Float($0 / s) }
    }
}
