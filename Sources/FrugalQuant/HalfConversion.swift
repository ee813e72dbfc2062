// HalfConversion — bulk Float32 <-> fp16/bf16 conversion: an 8-lane SIMD kernel, threaded over
// chunks with Parallel.forChunks, and a naive scalar reference beside it (the spec). Both give
// bit-identical results; the tests check that on ragged lengths.
//
// Why this shape: the scalar rules (BFloat16Bits, Float16Bits) are branch-free integer/float
// arithmetic, so the same arithmetic on SIMD8<UInt32>/SIMD8<Float> vectorises to AVX2 without
// intrinsics; the tail (< 8 values) falls back to the scalar functions.
import FrugalCore

public enum HalfConversion {
    /// Values per thread chunk; small inputs run inline on the caller's thread.
    public static let grain = 1 << 15

    // MARK: fast (SIMD + threads)

    /// Encodes `source` into `destination` (same count) in `format`, rounding to nearest even.
    public static func encode(_ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableBufferPointer<UInt16>,
                              format: HalfFormat) {
        precondition(source.count == destination.count,
                     "HalfConversion.encode: source has \(source.count) values, destination \(destination.count)")
        guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
        Parallel.forChunks(source.count, grain: grain) { r in
            switch format {
            case .bf16: encodeBF16Chunk(src + r.lowerBound, dst + r.lowerBound, r.count)
            case .fp16: encodeFP16Chunk(src + r.lowerBound, dst + r.lowerBound, r.count)
            }
        }
    }

    /// Decodes `source` (16-bit patterns in `format`) into `destination` (same count), exactly.
    public static func decode(_ source: UnsafeBufferPointer<UInt16>, into destination: UnsafeMutableBufferPointer<Float>,
                              format: HalfFormat) {
        precondition(source.count == destination.count,
                     "HalfConversion.decode: source has \(source.count) values, destination \(destination.count)")
        guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
        Parallel.forChunks(source.count, grain: grain) { r in
            switch format {
            case .bf16: decodeBF16Chunk(src + r.lowerBound, dst + r.lowerBound, r.count)
            case .fp16: decodeFP16Chunk(src + r.lowerBound, dst + r.lowerBound, r.count)
            }
        }
    }

    public static func encode(_ values: [Float], format: HalfFormat) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { d in encode(s, into: d, format: format) } }
        return out
    }

    public static func decode(_ bits: [UInt16], format: HalfFormat) -> [Float] {
        var out = [Float](repeating: 0, count: bits.count)
        bits.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { d in decode(s, into: d, format: format) } }
        return out
    }

    // MARK: naive reference (the spec)

    public static func encodeReference(_ values: [Float], format: HalfFormat) -> [UInt16] {
        values.map { format.encode($0) }
    }

    public static func decodeReference(_ bits: [UInt16], format: HalfFormat) -> [Float] {
        bits.map { format.decode($0) }
    }

    // MARK: kernels

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<UInt16>) -> SIMD8<UInt16> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt16>.self)
    }

    static func encodeBF16Chunk(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            let v = load8(src + i)
            let u = unsafeBitCast(v, to: SIMD8<UInt32>.self)
            var r = (u &+ 0x7FFF &+ ((u &>> 16) & 1)) &>> 16
            r.replace(with: UInt32(BFloat16Bits.nan), where: v .!= v)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: SIMD8<UInt16>(truncatingIfNeeded: r), as: SIMD8<UInt16>.self)
            i += 8
        }
        while i < n { dst[i] = BFloat16Bits.fromFloat(src[i]); i += 1 }
    }

    static func decodeBF16Chunk(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            let u = SIMD8<UInt32>(truncatingIfNeeded: load8(src + i)) &<< 16
            UnsafeMutableRawPointer(dst + i).storeBytes(of: unsafeBitCast(u, to: SIMD8<Float>.self), as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { dst[i] = BFloat16Bits.toFloat(src[i]); i += 1 }
    }

    static func encodeFP16Chunk(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, _ n: Int) {
        let scaleToInf = SIMD8<Float>(repeating: Float(bitPattern: 0x7780_0000))
        let scaleToZero = SIMD8<Float>(repeating: Float(bitPattern: 0x0880_0000))
        var i = 0
        while i + 8 <= n {
            let w = unsafeBitCast(load8(src + i), to: SIMD8<UInt32>.self)
            var base = (unsafeBitCast(w & 0x7FFF_FFFF, to: SIMD8<Float>.self) * scaleToInf) * scaleToZero
            let shl1 = w &+ w
            let sign = w & 0x8000_0000
            let bias = pointwiseMax(shl1 & 0xFF00_0000, SIMD8<UInt32>(repeating: 0x7100_0000))
            base = unsafeBitCast((bias &>> 1) &+ 0x0780_0000, to: SIMD8<Float>.self) + base
            let b = unsafeBitCast(base, to: SIMD8<UInt32>.self)
            var r = ((b &>> 13) & 0x7C00) &+ (b & 0x0FFF)
            r.replace(with: 0x7E00, where: shl1 .> 0xFF00_0000)
            r |= sign &>> 16
            UnsafeMutableRawPointer(dst + i).storeBytes(of: SIMD8<UInt16>(truncatingIfNeeded: r), as: SIMD8<UInt16>.self)
            i += 8
        }
        while i < n { dst[i] = Float16Bits.fromFloat(src[i]); i += 1 }
    }

    static func decodeFP16Chunk(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        let expScale = SIMD8<Float>(repeating: Float(bitPattern: 0x0780_0000))
        var i = 0
        while i + 8 <= n {
            let w = SIMD8<UInt32>(truncatingIfNeeded: load8(src + i)) &<< 16
            let sign = w & 0x8000_0000
            let twoW = w &+ w
            let normalized = unsafeBitCast((twoW &>> 4) &+ (0xE0 << 23), to: SIMD8<Float>.self) * expScale
            let denormalized = unsafeBitCast((twoW &>> 17) | (126 << 23), to: SIMD8<Float>.self) - 0.5
            var bits = unsafeBitCast(normalized, to: SIMD8<UInt32>.self)
            bits.replace(with: unsafeBitCast(denormalized, to: SIMD8<UInt32>.self), where: twoW .< (1 << 27))
            UnsafeMutableRawPointer(dst + i).storeBytes(of: unsafeBitCast(sign | bits, to: SIMD8<Float>.self), as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { dst[i] = Float16Bits.toFloat(src[i]); i += 1 }
    }
}
