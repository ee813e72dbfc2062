// GGMLQuantize — Float32 values encoded as a ggml tensor type, bit-identical to the reference
// quantizers llama.cpp writes model files with.
//
// F32, F16, BF16, Q8_0, Q4_0, Q4_1 and Q5_0 follow gguf-py 0.19.0 `gguf/quants.py` (which mirrors
// `quantize_row_*_ref` in ggml `ggml-quants.c`): per block of 32,
//   Q8_0: d = amax / 127, q = round-half-away(x · (1/d)), d stored as fp16;
//   Q4_0: max = the element of largest |x| (first on ties), d = max / −8,
//         q = min(15, trunc(x · (1/d) + 8.5)); low nibble of byte j = element j, high = j + 16;
//   Q4_1: d = (max − min) / 15, m = min, q = min(15, trunc((x − min) · (1/d) + 0.5));
//   Q5_0: d = max / −16, q = min(31, trunc(x · (1/d) + 16.5)); bit 4 of element j in bit j of qh;
//   1/d is 0 when d is 0. F16 rounds to nearest even (numpy astype(float16)); BF16 is ggml's
//   `ggml_compute_fp32_to_bf16` (NaN made quiet, round to nearest even).
// Q4_K and Q6_K are not implemented by gguf-py; GGMLQuantize+KQuants follows llama.cpp's
// `quantize_row_q4_K_ref` / `quantize_row_q6_K_ref` (what llama-quantize uses without an imatrix).
// Every product and sum is a single IEEE Float32 operation in the reference's order (no FMA), so
// the bytes match; Tests/FrugalIOTests/GGMLQuantizeTests compares them with fixtures from
// reference/gguf_export_fixtures.py.
// The input's count must be a multiple of the type's block size (rows are whole blocks).
import FrugalQuant

public enum GGMLQuantize {
    /// The types `quantize` can encode.
    public static let supported: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q4_K, .q6_K]

    public static func canQuantize(_ type: GGMLType) -> Bool { supported.contains(type) }

    /// `values` (count a multiple of `type.blockSize`) encoded as `type`.
    public static func quantize(_ values: [Float], to type: GGMLType) -> [UInt8] {
        values.withUnsafeBufferPointer { quantize($0, to: type) }
    }

    public static func quantize(_ x: UnsafeBufferPointer<Float>, to type: GGMLType) -> [UInt8] {
        precondition(canQuantize(type), "GGMLQuantize: \(type.name) cannot be encoded")
        precondition(x.count % type.blockSize == 0,
                     "GGMLQuantize: \(x.count) values are not whole \(type.name) blocks of \(type.blockSize)")
        let blocks = x.count / type.blockSize
        var out = [UInt8](repeating: 0, count: blocks * type.typeSize)
        out.withUnsafeMutableBytes { o in
            let y = o.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for b in 0..<blocks {
                let src = UnsafeBufferPointer(rebasing: x[(b * type.blockSize)..<((b + 1) * type.blockSize)])
                let dst = y + b * type.typeSize
                switch type {
                case .f32: store32(src[0].bitPattern, dst)
                case .f16: store16(Float16Bits.fromFloat(src[0]), dst)
                case .bf16: store16(bf16(src[0]), dst)
                case .q8_0: q8_0(src, dst)
                case .q4_0: q4_0(src, dst)
                case .q4_1: q4_1(src, dst)
                case .q5_0: q5_0(src, dst)
                case .q4_K: q4_K(src, dst)
                case .q6_K: q6_K(src, dst)
                default: fatalError("unreachable")
                }
            }
        }
        return out
    }

    /// ggml `ggml_compute_fp32_to_bf16`: NaN becomes a quiet NaN, otherwise round to nearest even.
    public static func bf16(_ f: Float) -> UInt16 {
        let n = f.bitPattern
        if n & 0x7FFF_FFFF > 0x7F80_0000 { return UInt16(truncatingIfNeeded: (n >> 16) | 64) }
        return UInt16(truncatingIfNeeded: (UInt64(n) + UInt64(0x7FFF + ((n >> 16) & 1))) >> 16)
    }

    // MARK: blocks of 32

    static func q8_0(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutablePointer<UInt8>) {
        var amax: Float = 0
        for v in x { amax = max(amax, abs(v)) }
        let d = amax / 127
        let id: Float = d == 0 ? 0 : 1 / d
        store16(Float16Bits.fromFloat(d), y)
        for j in 0..<32 {
            y[2 + j] = UInt8(bitPattern: Int8(clamping: Int((x[j] * id).rounded(.toNearestOrAwayFromZero))))
        }
    }

    /// The element of largest magnitude, the first one on ties (gguf-py's `abs(blocks).argmax`):
    /// in a block of zeros that is element 0, so a block of -0.0 gives max -0.0 and d = +0, where
    /// ggml's loop (`amax < fabsf(v)` from max = 0) gives d = -0 — the one difference between the
    /// two references (the fixture records both).
    static func signedMax(_ x: UnsafeBufferPointer<Float>) -> Float {
        var amax = abs(x[0]), m = x[0]
        for v in x where amax < abs(v) { amax = abs(v); m = v }
        return m
    }

    static func q4_0(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutablePointer<UInt8>) {
        let d = signedMax(x) / -8
        let id: Float = d == 0 ? 0 : 1 / d
        store16(Float16Bits.fromFloat(d), y)
        for j in 0..<16 {
            let a = trunc15(x[j] * id + 8.5, max: 15), b = trunc15(x[j + 16] * id + 8.5, max: 15)
            y[2 + j] = a | (b << 4)
        }
    }

    static func q4_1(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutablePointer<UInt8>) {
        var lo = x[0], hi = x[0]
        for v in x { lo = min(lo, v); hi = max(hi, v) }
        let d = (hi - lo) / 15
        let id: Float = d == 0 ? 0 : 1 / d
        store16(Float16Bits.fromFloat(d), y)
        store16(Float16Bits.fromFloat(lo), y + 2)
        for j in 0..<16 {
            let a = trunc15((x[j] - lo) * id + 0.5, max: 15), b = trunc15((x[j + 16] - lo) * id + 0.5, max: 15)
            y[4 + j] = a | (b << 4)
        }
    }

    static func q5_0(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutablePointer<UInt8>) {
        let d = signedMax(x) / -16
        let id: Float = d == 0 ? 0 : 1 / d
        store16(Float16Bits.fromFloat(d), y)
        var qh: UInt32 = 0
        for j in 0..<16 {
            let a = trunc15(x[j] * id + 16.5, max: 31), b = trunc15(x[j + 16] * id + 16.5, max: 31)
            y[6 + j] = (a & 0x0F) | (b << 4)
            qh |= UInt32(a >> 4) << UInt32(j)
            qh |= UInt32(b >> 4) << UInt32(j + 16)
        }
        store32(qh, y + 2)
    }

    /// trunc(v) clipped to 0…max (numpy `trunc(…).astype(uint8).clip(0, max)` for in-range values).
    @inline(__always)
    static func trunc15(_ v: Float, max m: UInt8) -> UInt8 {
        guard v.isFinite else { return v > 0 ? m : 0 }
        let t = v.rounded(.towardZero)
        return t <= 0 ? 0 : t >= Float(m) ? m : UInt8(t)
    }

    // MARK: little-endian stores

    @inline(__always)
    static func store16(_ v: UInt16, _ p: UnsafeMutablePointer<UInt8>) {
        p[0] = UInt8(truncatingIfNeeded: v); p[1] = UInt8(truncatingIfNeeded: v >> 8)
    }

    @inline(__always)
    static func store32(_ v: UInt32, _ p: UnsafeMutablePointer<UInt8>) {
        for i in 0..<4 { p[i] = UInt8(truncatingIfNeeded: v >> UInt32(8 * i)) }
    }
}
