// Elementwise kernels — SIMD (8 lanes, AVX2 with the package's flags) and spread over the cores.
// Each fast loop has its scalar tail; `Elementwise.map`/`zip` are the only vectorized loops the ops
// need. The naive reference for each is the scalar closure itself, tested against Double math.
public enum Elementwise {
    /// out[i] = f(a[i]) over `count` elements, vector body `fv`, scalar tail `fs`.
    @inlinable
    public static func map(_ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
                           _ fv: (SIMD8<Float>) -> SIMD8<Float>, _ fs: (Float) -> Float) {
        Parallel.forChunks(count, grain: 1 << 15) { r in
            var i = r.lowerBound
            let end = r.upperBound
            while i + 8 <= end {
                let v = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: fv(v), as: SIMD8<Float>.self)
                i += 8
            }
            while i < end { out[i] = fs(a[i]); i += 1 }
        }
    }

    /// out[i] = f(a[i], b[i]).
    @inlinable
    public static func zip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                           _ count: Int, _ fv: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>,
                           _ fs: (Float, Float) -> Float) {
        Parallel.forChunks(count, grain: 1 << 15) { r in
            var i = r.lowerBound
            let end = r.upperBound
            while i + 8 <= end {
                let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
                let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: fv(va, vb), as: SIMD8<Float>.self)
                i += 8
            }
            while i < end { out[i] = fs(a[i], b[i]); i += 1 }
        }
    }

    /// out[i] = f(a[i], b[i], c[i]).
    @inlinable
    public static func zip3(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                            _ out: UnsafeMutablePointer<Float>, _ count: Int,
                            _ fv: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>,
                            _ fs: (Float, Float, Float) -> Float) {
        Parallel.forChunks(count, grain: 1 << 15) { r in
            var i = r.lowerBound
            let end = r.upperBound
            while i + 8 <= end {
                let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
                let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
                let vc = UnsafeRawPointer(c + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: fv(va, vb, vc), as: SIMD8<Float>.self)
                i += 8
            }
            while i < end { out[i] = fs(a[i], b[i], c[i]); i += 1 }
        }
    }

    /// Sum of a[0..<count] (in Double-free SIMD partial sums; 8 lanes × chunks).
    @inlinable
    public static func sum(_ a: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < count { s += a[i]; i += 1 }
        return s
    }

    /// Dot product of a and b over `count` elements.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            acc.addProduct(va, vb)
            i += 8
        }
        var s = acc.sum()
        while i < count { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Σ a[i]·b[i]·c[i] (eight lanes at a time, then the tail).
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            acc.addProduct(va * vb, UnsafeRawPointer(c + i).loadUnaligned(as: SIMD8<Float>.self))
            i += 8
        }
        var s = acc.sum()
        while i < count { s += a[i] * b[i] * c[i]; i += 1 }
        return s
    }

    /// y[i] += alpha * x[i].
    @inlinable
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let va = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= count {
            var vy = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            vy.addProduct(va, UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self))
            UnsafeMutableRawPointer(y + i).storeBytes(of: vy, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { y[i] += alpha * x[i]; i += 1 }
    }
}
