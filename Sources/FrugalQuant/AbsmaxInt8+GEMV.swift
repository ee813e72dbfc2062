// AbsmaxInt8+GEMV — y = x · dequant(W)ᵀ for a blockwise absmax-int8 weight W [Out, In] and a few
// input rows, reading each int8 code once (an 8-bit head for decoding: the default model's tied
// 49152×576 head is 28 MB in 8 bits instead of 113 MB in Float32, and decoding reads all of it per
// token). Beside it, the naive reference.
//
// A block's scale factors out: Σ_i (q_i·absmax_b/127)·x_i = (absmax_b/127)·Σ_i q_i·x_i, so the inner
// loop widens codes to Float32 and multiply-adds; `blockScales` (absmax_b · Float32(1/127), one per
// block) multiply each block's partial sum. Equal to the reference up to rounding order.
// Requires In to be a multiple of the block size and the block size a multiple of 16.
#if arch(x86_64)
import _Builtin_intrinsics.intel
import FrugalAVX512
#endif
import FrugalCore

extension AbsmaxInt8 {
    /// absmax_b · Float32(1/127) per block: the factor each block's integer dot product is scaled by.
    public var blockScales: [Float] { absmax.map { $0 * Self.inverse127 } }

    /// Whether `gemv` runs on this tensor viewed as [count / inFeatures, inFeatures].
    public func supportsGEMV(inFeatures: Int) -> Bool {
        inFeatures > 0 && count % inFeatures == 0 && inFeatures % blockSize == 0 && blockSize % 16 == 0
    }

    /// y[r, o] = Σ_i dequant(W)[o, i]·x[r, i] (`x` [m, In], `y` [m, Out]), output rows over the cores.
    /// `scales` must be `blockScales`.
    public func gemv(_ x: UnsafePointer<Float>, rows m: Int, inFeatures inF: Int, scales: [Float],
                     into y: UnsafeMutablePointer<Float>) {
        precondition(supportsGEMV(inFeatures: inF) && scales.count == absmax.count,
                     "AbsmaxInt8.gemv: \(count) codes in blocks of \(blockSize) do not make rows of \(inF)")
        let out = count / inF, bs = blockSize, blocksPerRow = inF / bs
        codes.withUnsafeBufferPointer { cb in
            scales.withUnsafeBufferPointer { sb in
                let codes = cb.baseAddress!, sc = sb.baseAddress!
                Parallel.forChunks(out, grain: Swift.max(1, 65536 / inF)) { rows in
                    for r in 0..<m {
                        let xr = x + r * inF, yr = y + r * out
                        #if arch(x86_64)
                        if CPUFeatures.useAVX512 {
                            Int8GEMV512.rows(rows, codes: codes, inFeatures: inF, blockSize: bs, scales: sc, x: xr, y: yr)
                            continue
                        }
                        for o in rows {
                            var total = SIMD8<Float>(repeating: 0)
                            var p = UnsafeRawPointer(codes + o * inF)
                            var xp = UnsafeRawPointer(xr)
                            for b in 0..<blocksPerRow {
                                var a0 = SIMD8<Float>(repeating: 0), a1 = SIMD8<Float>(repeating: 0)
                                for _ in 0..<(bs >> 4) {
                                    let w0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(p.assumingMemoryBound(to: __m128i.self))))
                                    let w1 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((p + 8).assumingMemoryBound(to: __m128i.self))))
                                    a0 = _mm256_fmadd_ps(w0, xp.loadUnaligned(as: SIMD8<Float>.self), a0)
                                    a1 = _mm256_fmadd_ps(w1, xp.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), a1)
                                    p += 16; xp += 64
                                }
                                total = _mm256_fmadd_ps(a0 + a1, SIMD8(repeating: sc[o * blocksPerRow + b]), total)
                            }
                            yr[o] = total.sum()
                        }
                        #else
                        for o in rows {
                            var total: Float = 0
                            for b in 0..<blocksPerRow {
                                var partial: Float = 0
                                for i in (b * bs)..<((b + 1) * bs) { partial += Float(codes[o * inF + i]) * xr[i] }
                                total += partial * sc[o * blocksPerRow + b]
                            }
                            yr[o] = total
                        }
                        #endif
                    }
                }
            }
        }
    }

    /// The reference: Σ_i value(o·In + i)·x[r, i] in Double, element by element.
    public func gemvReference(_ x: [Float], rows m: Int, inFeatures inF: Int) -> [Float] {
        naiveGEMV(x, rows: m, out: count / inF, inFeatures: inF, weight: value(at:))
    }
}
