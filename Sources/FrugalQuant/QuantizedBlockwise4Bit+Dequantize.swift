// QuantizedBlockwise4Bit+Dequantize — 4-bit -> Float32 dequantization: a fast kernel (pair table,
// 8-lane SIMD multiply, threads over blocks) and the naive reference beside it (`value(at:)` per
// element, the spec). Both produce identical bits; the tests check it on ragged sizes and ranges.
//
// Why this shape: each packed byte holds two codes, so a static 256-entry table maps a byte straight
// to its two code values (SIMD2<Float>); four bytes make one SIMD8 that is multiplied by the block's
// absmax in one instruction and stored unaligned. The product code * absmax is the same Float32
// multiply the reference does, so the results are bit-identical. Double-quantized scales are rebuilt
// once per block (one multiply-add per 32...4096 values), never materialised.
// `dequantize(elements:into:)` / `dequantizeRows(_:into:)` are serial on purpose: a tiled matmul calls
// them from inside its own parallel loop, one tile of weight rows at a time. On an AVX-512 CPU the
// whole-byte stretch of each block goes 16 bytes at a time through FrugalAVX512's register lookup
// (same products, same bits; FRUGAL_SIMD=avx2 keeps the table loop).
import FrugalCore
#if arch(x86_64)
import FrugalAVX512
#endif

extension QuantizedBlockwise4Bit {
    /// Byte -> (value of high nibble, value of low nibble), per code book.
    static let pairTables: [FourBitType: [SIMD2<Float>]] = {
        var t: [FourBitType: [SIMD2<Float>]] = [:]
        for type in FourBitType.allCases {
            let c = type.codebook
            t[type] = (0..<256).map { SIMD2(c[$0 >> 4], c[$0 & 0x0F]) }
        }
        return t
    }()

    // MARK: fast

    /// Dequantizes every value into `destination` (`count` Float32s), in parallel over blocks.
    public func dequantize(into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(destination.count == count,
                     "QuantizedBlockwise4Bit.dequantize: destination holds \(destination.count) values, tensor has \(count)")
        guard let out = destination.baseAddress else { return }
        let n = count, bs = blockSize
        Parallel.forChunks(blockCount, grain: max(1, 32768 / bs)) { blocks in
            let lo = blocks.lowerBound * bs, hi = min(n, blocks.upperBound * bs)
            self.dequantize(elements: lo..<hi, into: out + lo)
        }
    }

    /// All values as Float32 (fast path).
    public func dequantize() -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buf, initialized in
            dequantize(into: buf)
            initialized = count
        }
    }

    /// Rows `rows` of the tensor viewed as [count / shape.last, shape.last] (for a linear weight
    /// [out, in]: output rows), written contiguously to `destination` (rows.count * shape.last values).
    /// Serial: call it from inside a parallel tile loop.
    public func dequantizeRows(_ rows: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let cols = shape[shape.count - 1]
        precondition(rows.lowerBound >= 0 && rows.upperBound * cols <= count,
                     "QuantizedBlockwise4Bit.dequantizeRows: rows \(rows) outside 0..<\(count / cols) for shape \(shape)")
        dequantize(elements: (rows.lowerBound * cols)..<(rows.upperBound * cols), into: destination)
    }

    /// Whether whole blocks take `FourBitDequantize512.runBlocks` (false: the per-block loop, for the
    /// tests and `make bench` to compare).
    nonisolated(unsafe) public static var wholeBlockKernel = true

    /// Flat elements `elements` (any range, odd starts and ends included) into `destination`. Serial.
    public func dequantize(elements: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        precondition(elements.lowerBound >= 0 && elements.upperBound <= count,
                     "QuantizedBlockwise4Bit.dequantize(elements:): \(elements) outside 0..<\(count)")
        #if arch(x86_64)
        // Whole blocks (a weight's rows: the 4-bit linear's tiles) on AVX-512: the block scales are
        // rebuilt 256 at a time, then one kernel call runs through the blocks (FourBitDequantize512.
        // runBlocks); what is left (a partial block at either end) takes the loop below.
        let bs = blockSize
        if Self.wholeBlockKernel && CPUFeatures.useAVX512 && type.codebook.count == 16 && bs % 32 == 0 && elements.lowerBound % bs == 0
            && elements.count >= bs {
            let b0 = elements.lowerBound / bs, whole = elements.count / bs
            let lut = SIMD16<Float>(type.codebook)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { sc in
                packed.withUnsafeBufferPointer { pk in
                    var b = b0
                    while b < b0 + whole {
                        let m = Swift.min(256, b0 + whole - b)
                        fillAbsmax(blocks: b..<(b + m), into: sc.baseAddress!)
                        FourBitDequantize512.runBlocks(pk.baseAddress! + b * (bs / 2), blocks: m, blockBytes: bs / 2,
                                                       scales: sc.baseAddress!, codebook: lut,
                                                       into: destination + (b - b0) * bs)
                        b += m
                    }
                }
            }
            let done = whole * bs
            if done < elements.count {
                dequantize(elements: (elements.lowerBound + done)..<elements.upperBound, into: destination + done)
            }
            return
        }
        #endif
        let pairs = Self.pairTables[type]!
        let codebook = type.codebook
        #if arch(x86_64)
        let wide = CPUFeatures.useAVX512 && codebook.count == 16
        let lut = wide ? SIMD16<Float>(codebook) : SIMD16<Float>()
        #endif
        packed.withUnsafeBufferPointer { pk in
            pairs.withUnsafeBufferPointer { pt in
                let bytes = pk.baseAddress!, table = pt.baseAddress!
                var i = elements.lowerBound
                var out = destination
                let end = elements.upperBound
                while i < end {
                    let b = i / blockSize
                    let blockEnd = min(end, (b + 1) * blockSize)
                    let scale = absmax(ofBlock: b)
                    if i & 1 == 1 {  // odd start: the low nibble of a byte whose high nibble is not wanted
                        out.pointee = codebook[Int(bytes[i >> 1] & 0x0F)] * scale
                        out += 1; i += 1
                    }
                    var byte = i >> 1
                    let fullBytes = (blockEnd - i) >> 1
                    let byteEnd = byte + fullBytes
                    #if arch(x86_64)
                    if wide {   // 16 bytes at a time (FrugalAVX512), the loops below finish
                        let done = FourBitDequantize512.run(bytes + byte, count: byteEnd - byte, codebook: lut,
                                                            scale: scale, into: out)
                        byte += done; out += 2 * done
                    }
                    #endif
                    let s8 = SIMD8<Float>(repeating: scale)
                    while byte + 4 <= byteEnd {
                        let v = SIMD8(lowHalf: SIMD4(lowHalf: table[Int(bytes[byte])], highHalf: table[Int(bytes[byte + 1])]),
                                      highHalf: SIMD4(lowHalf: table[Int(bytes[byte + 2])], highHalf: table[Int(bytes[byte + 3])]))
                        UnsafeMutableRawPointer(out).storeBytes(of: v * s8, as: SIMD8<Float>.self)
                        out += 8; byte += 4
                    }
                    let s2 = SIMD2<Float>(repeating: scale)
                    while byte < byteEnd {
                        UnsafeMutableRawPointer(out).storeBytes(of: table[Int(bytes[byte])] * s2, as: SIMD2<Float>.self)
                        out += 2; byte += 1
                    }
                    i += 2 * fullBytes
                    if i < blockEnd {  // odd end: the high nibble only
                        out.pointee = codebook[Int(bytes[i >> 1] >> 4)] * scale
                        out += 1; i += 1
                    }
                }
            }
        }
    }

    // MARK: naive reference (the spec)

    /// Element by element: codebook[code(i)] * absmax(block of i). Slow; the tests' yardstick.
    public func dequantizeReference() -> [Float] { (0..<count).map(value(at:)) }
}
