// GGMLDequantize (reference) — the naive scalar dequantizers, one element at a time, written
// straight from the block layouts of GGML `src/ggml-common.h` / `dequantize_row_*` in
// `src/ggml-quants.c` (also gguf-py `quants.py`). They are the specification the fast, threaded
// kernels in GGMLDequantize.swift are tested against; they are not used on the load path.
//
// Layouts (all little-endian, scales fp16):
//   Q8_0  [d, qs[32] int8]                           y[j] = qs[j]·d
//   Q4_0  [d, qs[16]]                                y[j] = (nib(j) − 8)·d
//   Q4_1  [d, m, qs[16]]                             y[j] = nib(j)·d + m
//   Q5_0  [d, qh u32, qs[16]]                        y[j] = ((nib(j) | hb(j)<<4) − 16)·d
//   Q5_1  [d, m, qh u32, qs[16]]                     y[j] = (nib(j) | hb(j)<<4)·d + m
//     where nib(j) = j<16 ? qs[j]&0xF : qs[j−16]>>4, and hb(j) = bit j of qh.
//   Q4_K  [d, dmin, scales[12], qs[128]]             256 values in 8 sub-blocks of 32
//   Q5_K  [d, dmin, scales[12], qh[32], qs[128]]
//   Q6_K  [ql[128], qh[64], scales[16] int8, d]
extension GGMLDequantize {
    /// Dequantizes all of `src` (whole blocks of `type`) into `dst`, one element at a time.
    public static func reference(_ type: GGMLType, _ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        precondition(type.canDequantize, "reference: \(type.name) has no dequantizer")
        precondition(dst.count % type.blockSize == 0 && src.count == dst.count / type.blockSize * type.typeSize,
                     "reference: \(src.count) bytes do not hold \(dst.count) \(type.name) values")
        for i in 0..<dst.count { dst[i] = referenceElement(type, src, i) }
    }

    @inline(__always) static func u8(_ p: UnsafeRawBufferPointer, _ o: Int) -> Int { Int(p[o]) }
    @inline(__always) static func f16(_ p: UnsafeRawBufferPointer, _ o: Int) -> Float {
        FloatBits.halfToFloat(UInt16(p[o]) | UInt16(p[o + 1]) << 8)
    }

    /// Element `i` of the tensor.
    static func referenceElement(_ type: GGMLType, _ p: UnsafeRawBufferPointer, _ i: Int) -> Float {
        let b = (i / type.blockSize) * type.typeSize   // byte offset of the block
        let j = i % type.blockSize                        // index inside the block
        func nib(_ qs: Int) -> Int { j < 16 ? u8(p, qs + j) & 0xF : u8(p, qs + j - 16) >> 4 }
        func qh32(_ o: Int) -> Int { u8(p, o) | u8(p, o + 1) << 8 | u8(p, o + 2) << 16 | u8(p, o + 3) << 24 }
        switch type {
        case .f32:
            return Float(bitPattern: UInt32(u8(p, b)) | UInt32(u8(p, b + 1)) << 8 | UInt32(u8(p, b + 2)) << 16 | UInt32(u8(p, b + 3)) << 24)
        case .f16:
            return f16(p, b)
        case .bf16:
            return FloatBits.bf16ToFloat(UInt16(p[b]) | UInt16(p[b + 1]) << 8)
        case .q8_0:
            return Float(Int8(bitPattern: p[b + 2 + j])) * f16(p, b)
        case .q4_0:
            return Float(nib(b + 2) - 8) * f16(p, b)
        case .q4_1:
            return Float(nib(b + 4)) * f16(p, b) + f16(p, b + 2)
        case .q5_0:
            let q = nib(b + 6) | ((qh32(b + 2) >> j) & 1) << 4
            return Float(q - 16) * f16(p, b)
        case .q5_1:
            let q = nib(b + 8) | ((qh32(b + 4) >> j) & 1) << 4
            return Float(q) * f16(p, b) + f16(p, b + 2)
        case .q4_K, .q5_K:
            // Sub-block s = j/32 uses scale/min pair s; chunk c = j/64 holds sub-blocks 2c (low
            // nibbles) and 2c+1 (high nibbles) of the 32 qs bytes at c·32; l is the byte.
            let s = j / 32, c = j / 64, l = j % 32, high = s % 2 == 1
            let (sc, m) = kScaleMin(p, b + 4, s)
            let qsOff = b + 4 + 12 + (type == .q5_K ? 32 : 0)
            var q = high ? u8(p, qsOff + c * 32 + l) >> 4 : u8(p, qsOff + c * 32 + l) & 0xF
            if type == .q5_K, (u8(p, b + 16 + l) >> s) & 1 == 1 { q += 16 }
            return f16(p, b) * Float(sc) * Float(q) - f16(p, b + 2) * Float(m)
        case .q6_K:
            // Half h = j/128; inside it, l = j%32 and quarter k = (j%128)/32 selects
            // (ql low/high nibble, ql byte l or l+32, qh bits 2k..2k+1); scale index h·8 + l/16 + 2k.
            let h = j / 128, k = (j % 128) / 32, l = j % 32
            let ql = u8(p, b + h * 64 + l + (k % 2) * 32)
            let lo = k < 2 ? ql & 0xF : ql >> 4
            let hi = (u8(p, b + 128 + h * 32 + l) >> (2 * k)) & 3
            let q = (lo | hi << 4) - 32
            let sc = Int8(bitPattern: p[b + 192 + h * 8 + l / 16 + 2 * k])
            return f16(p, b + 208) * Float(sc) * Float(q)
        default:
            preconditionFailure("reference: \(type.name) has no dequantizer")
        }
    }

    /// `get_scale_min_k4`: the 6-bit scale and min of sub-block s (0..7) from the 12 packed bytes at o.
    static func kScaleMin(_ p: UnsafeRawBufferPointer, _ o: Int, _ s: Int) -> (Int, Int) {
        if s < 4 { return (u8(p, o + s) & 63, u8(p, o + s + 4) & 63) }
        let sc = (u8(p, o + s + 4) & 0xF) | ((u8(p, o + s - 4) >> 6) << 4)
        let m = (u8(p, o + s + 4) >> 4) | ((u8(p, o + s) >> 6) << 4)
        return (sc, m)
    }
}
