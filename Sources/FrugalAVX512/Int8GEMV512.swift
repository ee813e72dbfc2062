// Int8GEMV512 — the AVX-512 kernel of the blockwise int8 GEMV (see FrugalQuant's AbsmaxInt8+GEMV for
// the contract, the AVX2 kernel and the naive reference). Only called where the CPU has AVX-512F.
// Per 16 weights: one sign-extending load to 32-bit lanes, one conversion, one fused multiply-add;
// each block's partial sum is scaled once.
#if arch(x86_64)
import _Builtin_intrinsics.intel

public enum Int8GEMV512 {
    /// y[o] = Σ_b scales[o·B + b] · Σ_{i in block b} codes[o·In + i]·x[i] for o in `rows` (one input row);
    /// In and blockSize are multiples of 16.
    public static func rows(_ rows: Range<Int>, codes: UnsafePointer<Int8>, inFeatures: Int, blockSize: Int,
                            scales: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let blocksPerRow = inFeatures / blockSize, steps = blockSize >> 4
        for o in rows {
            var total = SIMD16<Float>(repeating: 0)
            var p = UnsafeRawPointer(codes + o * inFeatures)
            var xr = UnsafeRawPointer(x)
            let s = scales + o * blocksPerRow
            for b in 0..<blocksPerRow {
                var acc = SIMD16<Float>(repeating: 0)
                for _ in 0..<steps {
                    let w = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(p.assumingMemoryBound(to: __m128i.self))))
                    acc = _mm512_fmadd_ps(w, xr.loadUnaligned(as: SIMD16<Float>.self), acc)
                    p += 16; xr += 64
                }
                total = _mm512_fmadd_ps(acc, SIMD16(repeating: s[b]), total)
            }
            y[o] = total.sum()
        }
    }
}
#endif
