// GGMLDequantize — turns ggml-typed tensor bytes into Float32: the load path's fast kernels.
//
// Each type decodes whole blocks; blocks are independent, so the work is split over the cores with
// Parallel.forChunks (contiguous block ranges, each writing its own slice of the output). The
// 32-element formats decode 16 lanes at a time with Swift SIMD (AVX2 on x86-64): one 16-byte load
// yields 32 nibbles. The K-quants follow `dequantize_row_q{4,5,6}_K` of GGML `src/ggml-quants.c`
// block by block. The arithmetic (operand order, no fused multiply-add) is the same as the
// reference in GGMLDequantize+Reference.swift and gguf-py, so results agree bit for bit.
// Leaves out: the other K/I-quants (Q2_K, Q3_K, IQ*), Q8_1/Q8_K (activation-only types), TQ*, MXFP4.
import FrugalCore

public enum GGMLDequantize {
    /// Dequantizes `src` (whole blocks of `type`) into `dst` (dst.count elements), threaded.
    /// `grain` is the smallest number of blocks worth a thread.
    public static func dequantize(_ type: GGMLType, _ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>,
                                  grain: Int = 1024) {
        precondition(type.canDequantize, "dequantize: \(type.name) has no dequantizer")
        precondition(dst.count % type.blockSize == 0 && src.count == dst.count / type.blockSize * type.typeSize,
                     "dequantize: \(src.count) bytes do not hold \(dst.count) \(type.name) values")
        guard let s = src.baseAddress, let d = dst.baseAddress else { return }
        let blocks = dst.count / type.blockSize
        let g = type.blockSize == 1 ? grain * 32 : (type.blockSize == 256 ? max(1, grain / 8) : grain)
        Parallel.forChunks(blocks, grain: g) { range in
            decode(type, s, d, range)
        }
    }

    /// Decodes blocks `range` of `src` into the matching elements of `dst`.
    static func decode(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        let ts = type.typeSize, bs = type.blockSize
        switch type {
        case .f32:
            (dst + range.lowerBound).update(from: (src + range.lowerBound * 4).assumingMemoryBound(to: Float.self),
                                            count: range.count)
        case .f16:
            for i in range { dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
        case .bf16:
            for i in range { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
        case .q8_0:
            for blk in range {
                let p = src + blk * ts, y = UnsafeMutableRawPointer(dst + blk * bs)
                let d = half(p)
                for h in 0..<2 {
                    let q = p.loadUnaligned(fromByteOffset: 2 + 16 * h, as: SIMD16<Int8>.self)
                    y.storeBytes(of: SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: q)) * d, toByteOffset: 64 * h, as: SIMD16<Float>.self)
                }
            }
        case .q4_0, .q4_1:
            let qsOff = type == .q4_0 ? 2 : 4
            for blk in range {
                let p = src + blk * ts, y = UnsafeMutableRawPointer(dst + blk * bs)
                let d = half(p)
                let qs = p.loadUnaligned(fromByteOffset: qsOff, as: SIMD16<UInt8>.self)
                let lo = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: qs & 0xF))
                let hi = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: qs &>> 4))
                if type == .q4_0 {
                    y.storeBytes(of: (lo - 8) * d, toByteOffset: 0, as: SIMD16<Float>.self)
                    y.storeBytes(of: (hi - 8) * d, toByteOffset: 64, as: SIMD16<Float>.self)
                } else {
                    let m = half(p + 2)
                    y.storeBytes(of: lo * d + m, toByteOffset: 0, as: SIMD16<Float>.self)
                    y.storeBytes(of: hi * d + m, toByteOffset: 64, as: SIMD16<Float>.self)
                }
            }
        case .q5_0, .q5_1:
            let hasMin = type == .q5_1
            let qhOff = hasMin ? 4 : 2, qsOff = qhOff + 4
            let bit = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
            for blk in range {
                let p = src + blk * ts, y = UnsafeMutableRawPointer(dst + blk * bs)
                let d = half(p)
                let qh = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: qhOff, as: UInt32.self))
                let qs = SIMD16<UInt32>(truncatingIfNeeded: p.loadUnaligned(fromByteOffset: qsOff, as: SIMD16<UInt8>.self))
                let hb0 = ((SIMD16<UInt32>(repeating: qh) &>> bit) & 1) &<< 4
                let hb1 = ((SIMD16<UInt32>(repeating: qh >> 16) &>> bit) & 1) &<< 4
                let q0 = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: (qs & 0xF) | hb0))
                let q1 = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: (qs &>> 4) | hb1))
                if hasMin {
                    let m = half(p + 2)
                    y.storeBytes(of: q0 * d + m, toByteOffset: 0, as: SIMD16<Float>.self)
                    y.storeBytes(of: q1 * d + m, toByteOffset: 64, as: SIMD16<Float>.self)
                } else {
                    y.storeBytes(of: (q0 - 16) * d, toByteOffset: 0, as: SIMD16<Float>.self)
                    y.storeBytes(of: (q1 - 16) * d, toByteOffset: 64, as: SIMD16<Float>.self)
                }
            }
        case .q4_K, .q5_K:
            let five = type == .q5_K
            for blk in range {
                let p = src + blk * ts
                var y = dst + blk * bs
                let d = half(p), dmin = half(p + 2)
                let scales = p + 4, qh = p + 16
                var q = p + (five ? 48 : 16)
                for c in 0..<4 {
                    let (sc1, m1) = scaleMin(scales, 2 * c), (sc2, m2) = scaleMin(scales, 2 * c + 1)
                    let d1 = d * Float(sc1), mm1 = dmin * Float(m1)
                    let d2 = d * Float(sc2), mm2 = dmin * Float(m2)
                    let u1 = UInt8(1) << (2 * c), u2 = UInt8(2) << (2 * c)
                    for l in 0..<32 {
                        let b = q.load(fromByteOffset: l, as: UInt8.self)
                        var lo = Int(b & 0xF), hi = Int(b >> 4)
                        if five {
                            let h = qh.load(fromByteOffset: l, as: UInt8.self)
                            if h & u1 != 0 { lo += 16 }
                            if h & u2 != 0 { hi += 16 }
                        }
                        y[l] = d1 * Float(lo) - mm1
                        y[l + 32] = d2 * Float(hi) - mm2
                    }
                    y += 64; q += 32
                }
            }
        case .q6_K:
            for blk in range {
                let p = src + blk * ts
                var y = dst + blk * bs
                let d = half(p + 208)
                var ql = p, qh = p + 128, sc = p + 192
                for _ in 0..<2 {
                    for l in 0..<32 {
                        let s0 = l / 16
                        let a = Int(ql.load(fromByteOffset: l, as: UInt8.self)), b = Int(ql.load(fromByteOffset: l + 32, as: UInt8.self))
                        let h = Int(qh.load(fromByteOffset: l, as: UInt8.self))
                        let q1 = ((a & 0xF) | ((h >> 0) & 3) << 4) - 32
                        let q2 = ((b & 0xF) | ((h >> 2) & 3) << 4) - 32
                        let q3 = ((a >> 4) | ((h >> 4) & 3) << 4) - 32
                        let q4 = ((b >> 4) | ((h >> 6) & 3) << 4) - 32
                        y[l] = d * Float(sc.load(fromByteOffset: s0, as: Int8.self)) * Float(q1)
                        y[l + 32] = d * Float(sc.load(fromByteOffset: s0 + 2, as: Int8.self)) * Float(q2)
                        y[l + 64] = d * Float(sc.load(fromByteOffset: s0 + 4, as: Int8.self)) * Float(q3)
                        y[l + 96] = d * Float(sc.load(fromByteOffset: s0 + 6, as: Int8.self)) * Float(q4)
                    }
                    y += 128; ql += 64; qh += 32; sc += 8
                }
            }
        default:
            preconditionFailure("dequantize: \(type.name) has no dequantizer")
        }
    }

    @inline(__always)
    static func half(_ p: UnsafeRawPointer) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(as: UInt16.self))))
    }

    /// `get_scale_min_k4` over the 12 packed scale bytes at `q`.
    @inline(__always)
    static func scaleMin(_ q: UnsafeRawPointer, _ j: Int) -> (Int, Int) {
        func b(_ i: Int) -> Int { Int(q.load(fromByteOffset: i, as: UInt8.self)) }
        if j < 4 { return (b(j) & 63, b(j + 4) & 63) }
        return ((b(j + 4) & 0xF) | ((b(j - 4) >> 6) << 4), (b(j + 4) >> 4) | ((b(j) >> 6) << 4))
    }
}
