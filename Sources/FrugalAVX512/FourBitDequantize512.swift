// FourBitDequantize512 — the AVX-512 inner loop of FrugalQuant's 4-bit dequantization (see
// QuantizedBlockwise4Bit+Dequantize for the contract and the portable loop it replaces, which the
// tests compare it to). Element 2j is byte j's high nibble, element 2j+1 its low nibble; each code
// is looked up in the 16-entry code book held in one register (vpermps reads only an index's low
// 4 bits, so the low nibble needs no mask) and scaled by the block's absmax: 16 bytes become 32
// floats with two byte interleaves, two widenings, two variable shifts, two lookups.
// Nothing in this module may run unless the CPU has AVX-512F.
#if arch(x86_64)
import _Builtin_intrinsics.intel

public enum FourBitDequantize512 {
    /// Writes 2·(bytes.count rounded down to 16) values to `out`; returns the bytes consumed.
    public static func run(_ bytes: UnsafePointer<UInt8>, count: Int, codebook: SIMD16<Float>, scale: Float,
                           into out: UnsafeMutablePointer<Float>) -> Int {
        let s = SIMD16<Float>(repeating: scale)
        // shift right by 4 for even elements (high nibble), by 0 for odd ones (low nibble)
        let shifts = unsafeBitCast(SIMD16<Int32>(4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0), to: __m512i.self)
        var b = 0
        var o = UnsafeMutableRawPointer(out)
        while b + 16 <= count {
            sixteenBytes(bytes + b, shifts, codebook, s, o)
            o += 128
            b += 16
        }
        return b
    }

    /// 16 bytes → 32 values at `o`: codebook[code]·s, high nibble first.
    @inline(__always)
    static func sixteenBytes(_ p: UnsafePointer<UInt8>, _ shifts: __m512i, _ codebook: SIMD16<Float>, _ s: SIMD16<Float>,
                             _ o: UnsafeMutableRawPointer) {
        let x = _mm_loadu_si128(UnsafeRawPointer(p).assumingMemoryBound(to: __m128i.self))
        let i0 = _mm512_srlv_epi32(_mm512_cvtepu8_epi32(_mm_unpacklo_epi8(x, x)), shifts)
        let i1 = _mm512_srlv_epi32(_mm512_cvtepu8_epi32(_mm_unpackhi_epi8(x, x)), shifts)
        o.storeBytes(of: _mm512_permutexvar_ps(i0, codebook) * s, as: SIMD16<Float>.self)
        o.storeBytes(of: _mm512_permutexvar_ps(i1, codebook) * s, toByteOffset: 64, as: SIMD16<Float>.self)
    }

    /// `blocks` whole blocks of `blockBytes` bytes each (a multiple of 16), block j scaled by
    /// scales[j]: 2·blockBytes values per block to `out`. The same lookups and products as `run`,
    /// without a call and a scale rebuild per block (blocks of 64 values are two steps of `run`).
    public static func runBlocks(_ bytes: UnsafePointer<UInt8>, blocks: Int, blockBytes: Int, scales: UnsafePointer<Float>,
                                 codebook: SIMD16<Float>, into out: UnsafeMutablePointer<Float>) {
        let shifts = unsafeBitCast(SIMD16<Int32>(4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0), to: __m512i.self)
        var p = bytes
        var o = UnsafeMutableRawPointer(out)
        for j in 0..<blocks {
            let s = SIMD16<Float>(repeating: scales[j])
            var b = 0
            while b < blockBytes {
                sixteenBytes(p + b, shifts, codebook, s, o)
                o += 128
                b += 16
            }
            p += blockBytes
        }
    }
}
#endif
