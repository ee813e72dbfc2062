// FourBitGEMV512 — the fused 4-bit GEMV's AVX-512 kernel (see FrugalQuant's
// QuantizedBlockwise4Bit+GEMV for the contract, the AVX2 kernel and the naive reference).
//
// This module alone is compiled with AVX-512 enabled; nothing in it may run unless the CPU has
// AVX-512F (`CPUFeatures.hasAVX512` in FrugalCore decides, once, at run time). With 16 lanes one
// vpermps looks up a code value in the whole 16-entry code book, so 32 codes (16 packed bytes) cost
// one widening load, one shift, two permutes and two fused multiply-adds — a third of the AVX2
// kernel's shuffles, which bound it.
//
// Layout: x is de-interleaved per 32 values (the 16 even elements — high nibbles — then the 16 odd
// ones); `scales` holds the Float32 absmax of the rows' blocks, first row's first block at index 0.
#if arch(x86_64)
import _Builtin_intrinsics.intel

public enum FourBitGEMV512 {
    /// xp[g·32 + j] = x[g·32 + 2j], xp[g·32 + 16 + j] = x[g·32 + 2j + 1] (count a multiple of 32).
    public static func deinterleave(_ x: UnsafePointer<Float>, count: Int, into xp: UnsafeMutablePointer<Float>) {
        var g = 0
        while g < count {
            for j in 0..<16 { xp[g + j] = x[g + 2 * j]; xp[g + 16 + j] = x[g + 2 * j + 1] }
            g += 32
        }
    }

    /// y[o] = Σ_i codebook[code(o, i)]·absmax(block)·x[i] for o in `rows` (one input row).
    /// `packed` is the whole weight; inFeatures and blockSize are multiples of 32.
    public static func rows(_ rows: Range<Int>, packed: UnsafePointer<UInt8>, inFeatures: Int, blockSize: Int,
                            codebook: UnsafePointer<Float>, scales: UnsafePointer<Float>,
                            xp: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let lut = UnsafeRawPointer(codebook).loadUnaligned(as: SIMD16<Float>.self)
        let blocksPerRow = inFeatures / blockSize
        let steps = blockSize >> 5
        var s = scales
        for o in rows {
            var total = SIMD16<Float>(repeating: 0)
            var p = UnsafeRawPointer(packed + (o * inFeatures) >> 1)
            var xr = UnsafeRawPointer(xp)
            for _ in 0..<blocksPerRow {
                var acc0 = SIMD16<Float>(repeating: 0), acc1 = SIMD16<Float>(repeating: 0)
                for _ in 0..<steps {
                    let v = _mm512_cvtepu8_epi32(_mm_loadu_si128(p.assumingMemoryBound(to: __m128i.self)))
                    let wHi = _mm512_permutexvar_ps(_mm512_srli_epi32(v, 4), lut)   // index bits 0…3 only
                    let wLo = _mm512_permutexvar_ps(v, lut)
                    acc0 = _mm512_fmadd_ps(wHi, xr.loadUnaligned(as: SIMD16<Float>.self), acc0)
                    acc1 = _mm512_fmadd_ps(wLo, xr.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self), acc1)
                    p += 16; xr += 128
                }
                total = _mm512_fmadd_ps(acc0 + acc1, SIMD16(repeating: s.pointee), total)
                s += 1
            }
            y[o] = total.sum()
        }
    }
}
#endif
