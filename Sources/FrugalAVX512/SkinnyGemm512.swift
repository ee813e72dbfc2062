// SkinnyGemm512 — AVX-512 kernels for the products a LoRA branch makes, where one side of the product
// is thin (the rank, R ≤ a few dozen) and the other long (N tokens × In or Out features). sgemm packs
// both operands and runs a micro-kernel shaped for big squares, so on these shapes it spends its time
// packing and in edge code (measured: 5–10 GB/s); here each kernel streams its long operand once.
// See FrugalCore's SkinnyGemm for the contract, the dispatch, the threads and the sgemm fallback
// (which is also the reference the tests compare to). Row-major throughout; ld* are row strides.
//
//   dotRows        C[i, r] = α·Σ_k X[i, k]·W[r, k] + β·C[i, r]    X [N, K], W [R, K], C [N, R]
//   accumulateT    D[r, k] = α·Σ_i U[i, r]·X[i, k] + β·D[r, k]    U [N, R], X [N, K], D [R, K]
//   combineRows    C[i, k] = α·Σ_r U[i, r]·W[r, k] + β·C[i, k]    U [N, R], W [R, K], C [N, K]
//
// Each works on a range (rows of C for dotRows and combineRows, columns k of D for accumulateT), so
// the caller can give each core its own slice with nothing shared but read-only inputs. β is 0 or 1
// (with β = 0 the destination is not read).
#if arch(x86_64)
import _Builtin_intrinsics.intel

public enum SkinnyGemm512 {
    /// The first `count` of 16 lanes (none when count ≤ 0).
    @inline(__always) static func mask(_ count: Int) -> __mmask16 {
        count <= 0 ? 0 : __mmask16(truncatingIfNeeded: (1 << Swift.min(count, 16)) - 1)
    }
    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ m: __mmask16) -> __m512 { _mm512_maskz_loadu_ps(m, p) }
    @inline(__always) static func bcast(_ v: Float) -> __m512 { _mm512_set1_ps(v) }
    @inline(__always) static func fma(_ a: __m512, _ b: __m512, _ c: __m512) -> __m512 { _mm512_fmadd_ps(a, b, c) }

    /// p[0..<32] (lanes ma, then mb) = α·(a, b) + β·p, with p not read when β = 0 (al, be: α, β broadcast).
    @inline(__always) static func store32(_ p: UnsafeMutablePointer<Float>, _ ma: __mmask16, _ mb: __mmask16,
                                          _ a: __m512, _ b: __m512, alpha al: __m512, beta: Float, _ be: __m512) {
        if beta == 0 {
            _mm512_mask_storeu_ps(p, ma, _mm512_mul_ps(al, a))
            _mm512_mask_storeu_ps(p + 16, mb, _mm512_mul_ps(al, b))
        } else {
            _mm512_mask_storeu_ps(p, ma, fma(al, a, _mm512_mul_ps(be, load(p, ma))))
            _mm512_mask_storeu_ps(p + 16, mb, fma(al, b, _mm512_mul_ps(be, load(p + 16, mb))))
        }
    }

    /// C[i, r] = α·Σ_k X[i, k]·W[r, k] + β·C[i, r] for i in `rows`, r in 0..<R.
    /// Two rows of X × eight rows of W at a time (16 accumulators), 16 k per step.
    public static func dotRows(_ rows: Range<Int>, r: Int, k: Int, alpha: Float, x: UnsafePointer<Float>, ldx: Int,
                               w: UnsafePointer<Float>, ldw: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard r > 0 && !rows.isEmpty else { return }
        var i = rows.lowerBound
        while i < rows.upperBound {
            let i1 = Swift.min(i + 1, rows.upperBound - 1)
            let x0 = x + i * ldx, x1 = x + i1 * ldx
            var r0 = 0
            while r0 < r {
                // rows of W past R repeat the last one; their sums are not stored
                let w0 = w + Swift.min(r0, r - 1) * ldw, w1 = w + Swift.min(r0 + 1, r - 1) * ldw
                let w2 = w + Swift.min(r0 + 2, r - 1) * ldw, w3 = w + Swift.min(r0 + 3, r - 1) * ldw
                let w4 = w + Swift.min(r0 + 4, r - 1) * ldw, w5 = w + Swift.min(r0 + 5, r - 1) * ldw
                let w6 = w + Swift.min(r0 + 6, r - 1) * ldw, w7 = w + Swift.min(r0 + 7, r - 1) * ldw
                let z = _mm512_setzero_ps()
                var a00 = z, a01 = z, a02 = z, a03 = z, a04 = z, a05 = z, a06 = z, a07 = z
                var a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z, a16 = z, a17 = z
                var p = 0
                while p < k {
                    let m = mask(k - p)
                    let xa = load(x0 + p, m), xb = load(x1 + p, m)
                    var v = load(w0 + p, m); a00 = fma(xa, v, a00); a10 = fma(xb, v, a10)
                    v = load(w1 + p, m); a01 = fma(xa, v, a01); a11 = fma(xb, v, a11)
                    v = load(w2 + p, m); a02 = fma(xa, v, a02); a12 = fma(xb, v, a12)
                    v = load(w3 + p, m); a03 = fma(xa, v, a03); a13 = fma(xb, v, a13)
                    v = load(w4 + p, m); a04 = fma(xa, v, a04); a14 = fma(xb, v, a14)
                    v = load(w5 + p, m); a05 = fma(xa, v, a05); a15 = fma(xb, v, a15)
                    v = load(w6 + p, m); a06 = fma(xa, v, a06); a16 = fma(xb, v, a16)
                    v = load(w7 + p, m); a07 = fma(xa, v, a07); a17 = fma(xb, v, a17)
                    p += 16
                }
                let n = Swift.min(8, r - r0)
                @inline(__always) func put(_ row: UnsafeMutablePointer<Float>, _ j: Int, _ a: __m512) {
                    guard j < n else { return }
                    let v = alpha * _mm512_reduce_add_ps(a)
                    row[j] = beta == 0 ? v : v + beta * row[j]
                }
                let c0 = c + i * ldc + r0
                put(c0, 0, a00); put(c0, 1, a01); put(c0, 2, a02); put(c0, 3, a03)
                put(c0, 4, a04); put(c0, 5, a05); put(c0, 6, a06); put(c0, 7, a07)
                if i1 != i {
                    let c1 = c + i1 * ldc + r0
                    put(c1, 0, a10); put(c1, 1, a11); put(c1, 2, a12); put(c1, 3, a13)
                    put(c1, 4, a14); put(c1, 5, a15); put(c1, 6, a16); put(c1, 7, a17)
                }
                r0 += 8
            }
            i += 2
        }
    }

    /// D[r, k] = α·Σ_{i < n} U[i, r]·X[i, k] + β·D[r, k] for k in `cols`, r in 0..<R.
    /// Eight rows of D × 32 columns at a time (16 accumulators); each step reads one row of X's slice.
    public static func accumulateT(_ cols: Range<Int>, r: Int, n: Int, alpha: Float, u: UnsafePointer<Float>, ldu: Int,
                                   x: UnsafePointer<Float>, ldx: Int, beta: Float, d: UnsafeMutablePointer<Float>, ldd: Int) {
        guard r > 0 && !cols.isEmpty else { return }
        var k0 = cols.lowerBound
        while k0 < cols.upperBound {
            let ma = mask(cols.upperBound - k0), mb = mask(cols.upperBound - k0 - 16)
            var r0 = 0
            while r0 < r {
                // columns of U past R repeat the last one; their sums are not stored
                let j0 = Swift.min(r0, r - 1), j1 = Swift.min(r0 + 1, r - 1), j2 = Swift.min(r0 + 2, r - 1)
                let j3 = Swift.min(r0 + 3, r - 1), j4 = Swift.min(r0 + 4, r - 1), j5 = Swift.min(r0 + 5, r - 1)
                let j6 = Swift.min(r0 + 6, r - 1), j7 = Swift.min(r0 + 7, r - 1)
                let z = _mm512_setzero_ps()
                var a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z
                var b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z
                var xp = x + k0, up = u
                for _ in 0..<n {
                    let xa = load(xp, ma), xb = load(xp + 16, mb)
                    var s = bcast(up[j0]); a0 = fma(s, xa, a0); b0 = fma(s, xb, b0)
                    s = bcast(up[j1]); a1 = fma(s, xa, a1); b1 = fma(s, xb, b1)
                    s = bcast(up[j2]); a2 = fma(s, xa, a2); b2 = fma(s, xb, b2)
                    s = bcast(up[j3]); a3 = fma(s, xa, a3); b3 = fma(s, xb, b3)
                    s = bcast(up[j4]); a4 = fma(s, xa, a4); b4 = fma(s, xb, b4)
                    s = bcast(up[j5]); a5 = fma(s, xa, a5); b5 = fma(s, xb, b5)
                    s = bcast(up[j6]); a6 = fma(s, xa, a6); b6 = fma(s, xb, b6)
                    s = bcast(up[j7]); a7 = fma(s, xa, a7); b7 = fma(s, xb, b7)
                    xp += ldx; up += ldu
                }
                let al = bcast(alpha), be = bcast(beta)
                @inline(__always) func store(_ row: Int, _ a: __m512, _ b: __m512) {
                    if row < r { store32(d + row * ldd + k0, ma, mb, a, b, alpha: al, beta: beta, be) }
                }
                store(r0, a0, b0); store(r0 + 1, a1, b1); store(r0 + 2, a2, b2); store(r0 + 3, a3, b3)
                store(r0 + 4, a4, b4); store(r0 + 5, a5, b5); store(r0 + 6, a6, b6); store(r0 + 7, a7, b7)
                r0 += 8
            }
            k0 += 32
        }
    }

    /// C[i, k] = α·Σ_r U[i, r]·W[r, k] + β·C[i, k] for i in `rows`, k in 0..<K.
    /// Eight rows × 32 columns at a time (16 accumulators: each step's two loads of W's row feed 16
    /// FMAs); each step reads one row of W's slice.
    public static func combineRows(_ rows: Range<Int>, r: Int, k: Int, alpha: Float, u: UnsafePointer<Float>, ldu: Int,
                                   w: UnsafePointer<Float>, ldw: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard !rows.isEmpty && k > 0 else { return }
        let al = bcast(alpha), be = bcast(beta)
        var i = rows.lowerBound
        while i < rows.upperBound {
            let count = Swift.min(8, rows.upperBound - i)
            // rows past the range repeat the last one; they are not stored
            @inline(__always) func row(_ j: Int) -> UnsafePointer<Float> { u + (i + Swift.min(j, count - 1)) * ldu }
            let u0 = row(0), u1 = row(1), u2 = row(2), u3 = row(3), u4 = row(4), u5 = row(5), u6 = row(6), u7 = row(7)
            var k0 = 0
            while k0 < k {
                let ma = mask(k - k0), mb = mask(k - k0 - 16)
                let z = _mm512_setzero_ps()
                var a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z
                var b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z
                var wp = w + k0
                for j in 0..<r {
                    let wa = load(wp, ma), wb = load(wp + 16, mb)
                    var s = bcast(u0[j]); a0 = fma(s, wa, a0); b0 = fma(s, wb, b0)
                    s = bcast(u1[j]); a1 = fma(s, wa, a1); b1 = fma(s, wb, b1)
                    s = bcast(u2[j]); a2 = fma(s, wa, a2); b2 = fma(s, wb, b2)
                    s = bcast(u3[j]); a3 = fma(s, wa, a3); b3 = fma(s, wb, b3)
                    s = bcast(u4[j]); a4 = fma(s, wa, a4); b4 = fma(s, wb, b4)
                    s = bcast(u5[j]); a5 = fma(s, wa, a5); b5 = fma(s, wb, b5)
                    s = bcast(u6[j]); a6 = fma(s, wa, a6); b6 = fma(s, wb, b6)
                    s = bcast(u7[j]); a7 = fma(s, wa, a7); b7 = fma(s, wb, b7)
                    wp += ldw
                }
                @inline(__always) func store(_ row: Int, _ a: __m512, _ b: __m512) {
                    if row < count { store32(c + (i + row) * ldc + k0, ma, mb, a, b, alpha: al, beta: beta, be) }
                }
                store(0, a0, b0); store(1, a1, b1); store(2, a2, b2); store(3, a3, b3)
                store(4, a4, b4); store(5, a5, b5); store(6, a6, b6); store(7, a7, b7)
                k0 += 32
            }
            i += 8
        }
    }
}
#endif
