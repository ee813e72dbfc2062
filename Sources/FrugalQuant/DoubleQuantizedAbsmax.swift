// DoubleQuantizedAbsmax — QLoRA double quantization of the per-block absmax values of a 4-bit
// tensor ("compress_statistics=True" in bitsandbytes).
//
// Follows bnb 0.50 `functional.quantize_4bit` / `dequantize_4bit`:
//   offset = absmax.mean()                 (Float32, torch's CPU cascade sum / n: TorchFloatSum)
//   (codes, nestedAbsmax) = quantize_blockwise(absmax - offset, blocksize=256)  (8-bit dynamic map,
//                                            bnb's CPU kernel: QuantizedBlockwise8Bit .bnbCPU)
//   rebuilt absmax[b] = nestedCode[codes[b]] * nestedAbsmax[b / 256] + offset   (Float32: a multiply,
//                                            then a separate add — not fused)
// Storage: 8 bits per block plus 32 bits per 256 blocks plus one offset, instead of 32 bits per
// block: with blocksize 64 that is 4 + 8/64 + 32/(64*256) = 4.127 bits per parameter, not 4.5.
public struct DoubleQuantizedAbsmax: Sendable, Equatable {
    /// One code per 4-bit block (bnb `state.absmax`, uint8, serialized as `weight.absmax`).
    public var codes: [UInt8]
    /// One Float32 scale per nested block (`state2.absmax`, serialized as `weight.nested_absmax`).
    public var nestedAbsmax: [Float]
    /// The mean subtracted before nested quantization (`offset`, serialized as `nested_offset`).
    public var offset: Float
    /// Nested block size (bnb always uses 256; its fused 4-bit matmul supports only 256).
    public let nestedBlockSize: Int
    /// The 256-entry code (`state2.code`, serialized as `weight.nested_quant_map`).
    public let nestedCode: [Float]
    /// log2(nestedBlockSize) when it is a power of two (always, for bnb), else -1: the nested block of
    /// a 4-bit block is then a shift, not a division (a division per block cost as much as
    /// dequantizing the block's 64 values).
    @usableFromInline let nestedShift: Int

    public init(codes: [UInt8], nestedAbsmax: [Float], offset: Float, nestedBlockSize: Int = 256,
                nestedCode: [Float] = DynamicMap.signed8) throws {
        guard nestedBlockSize > 0 else { throw QuantError.invalidBlockSize(nestedBlockSize, allowed: [256]) }
        guard nestedCode.count == 256 else {
            throw QuantError.lengthMismatch(field: "nested_quant_map", expected: 256, actual: nestedCode.count)
        }
        let nested = (codes.count + nestedBlockSize - 1) / nestedBlockSize
        guard nestedAbsmax.count == nested else {
            throw QuantError.lengthMismatch(field: "nested_absmax", expected: nested, actual: nestedAbsmax.count)
        }
        guard offset.isFinite, nestedAbsmax.allSatisfy(\.isFinite) else {
            throw QuantError.badQuantState("nested_offset or nested_absmax is not finite")
        }
        self.codes = codes
        self.nestedAbsmax = nestedAbsmax
        self.offset = offset
        self.nestedBlockSize = nestedBlockSize
        self.nestedCode = nestedCode
        nestedShift = nestedBlockSize & (nestedBlockSize - 1) == 0 ? nestedBlockSize.trailingZeroBitCount : -1
    }

    /// Double-quantizes `absmax` exactly as bitsandbytes does on CPU.
    public init(quantizing absmax: [Float], nestedBlockSize: Int = 256) throws {
        precondition(!absmax.isEmpty, "DoubleQuantizedAbsmax: no absmax values")
        let offset = TorchFloatSum.mean(absmax)
        let centered = absmax.map { $0 - offset }
        let q = try QuantizedBlockwise8Bit.quantize(centered, blockSize: nestedBlockSize, code: DynamicMap.signed8,
                                                    rounding: .bnbCPU)
        try self.init(codes: q.codes, nestedAbsmax: q.absmax, offset: offset, nestedBlockSize: nestedBlockSize,
                      nestedCode: DynamicMap.signed8)
    }

    public var blockCount: Int { codes.count }

    /// The rebuilt absmax of 4-bit block `b` (Float32, bit-exact with bnb's dequantize_4bit).
    @inlinable
    public func absmax(ofBlock b: Int) -> Float {
        let scaled = nestedCode[Int(codes[b])] * nestedAbsmax[nestedIndex(b)]
        return scaled + offset
    }

    /// The nested block holding block b's scale.
    @usableFromInline @inline(__always) func nestedIndex(_ b: Int) -> Int { nestedShift >= 0 ? b &>> nestedShift : b / nestedBlockSize }

    /// `absmax(ofBlock:)` for each of `blocks`, into dst[0..<blocks.count] (the arrays read through
    /// their buffers once, not per block).
    public func fillAbsmax(blocks: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        codes.withUnsafeBufferPointer { cp in nestedCode.withUnsafeBufferPointer { np in
            nestedAbsmax.withUnsafeBufferPointer { ap in
                let c = cp.baseAddress!, code = np.baseAddress!, nested = ap.baseAddress!
                for b in blocks { dst[b - blocks.lowerBound] = code[Int(c[b])] * nested[nestedIndex(b)] + offset }
            }
        } }
    }

    /// All rebuilt absmax values.
    public func rebuilt() -> [Float] { (0..<codes.count).map(absmax(ofBlock:)) }

    /// Bytes of storage: codes, nested absmax, and the offset (the 1 KB nested map is not counted;
    /// it is shared per tensor and negligible).
    public var byteCount: Int { codes.count + 4 * nestedAbsmax.count + 4 }
}
