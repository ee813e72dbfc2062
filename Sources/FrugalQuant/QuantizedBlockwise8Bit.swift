// QuantizedBlockwise8Bit — bitsandbytes' 8-bit blockwise quantization with a 256-entry code
// (default: the signed dynamic map), and its dequantization.
//
// Layout (bnb `quantize_blockwise`): the input is flattened row-major and cut into consecutive
// blocks of `blockSize` values (the last may be partial); absmax[b] = max |x| over block b (Float32);
// codes[i] = the code index of x[i] * (1 / absmax[b]). A block whose absmax is 0 stores codes 0.
// Dequantize: code[codes[i]] * absmax[i / blockSize] in Float32.
// Rounding: `.bnbCPU` (default) reproduces bnb 0.50's native CPU kernel and its 65536-bin lookup
// table (DynamicQuantLUT) bit for bit; `.nearest` is the torch/"default" backend rule: the nearest
// code, ties to the lower index (bucketize over Float32 midpoints, right=False), with the partial
// last block divided by its absmax rather than multiplied by the reciprocal, as that backend does.
// Leaves out: bnb's `nested=True` for 8-bit tensors (double quantization of 4-bit absmax is in
// DoubleQuantizedAbsmax) and the CUDA kernel's tie behaviour.
import FrugalCore

public struct QuantizedBlockwise8Bit: Sendable, Equatable {
    public enum Rounding: String, Sendable { case bnbCPU, nearest }

    /// One code index per input value, `count` bytes.
    public var codes: [UInt8]
    /// One Float32 absmax per block, `ceil(count / blockSize)` values.
    public var absmax: [Float]
    public let blockSize: Int
    /// The 256-entry ascending code (bnb `code` / `nested_quant_map`).
    public let code: [Float]

    public var count: Int { codes.count }
    public var blockCount: Int { absmax.count }

    /// Wraps stored state, checking lengths (for loading a checkpoint).
    public init(codes: [UInt8], absmax: [Float], blockSize: Int, code: [Float] = DynamicMap.signed8) throws {
        guard blockSize > 0 else { throw QuantError.invalidBlockSize(blockSize, allowed: [64, 128, 256, 512, 1024, 2048, 4096]) }
        guard code.count == 256 else { throw QuantError.lengthMismatch(field: "quant_map", expected: 256, actual: code.count) }
        let blocks = (codes.count + blockSize - 1) / blockSize
        guard absmax.count == blocks else { throw QuantError.lengthMismatch(field: "absmax", expected: blocks, actual: absmax.count) }
        self.codes = codes
        self.absmax = absmax
        self.blockSize = blockSize
        self.code = code
    }

    /// Quantizes `x` in blocks of `blockSize` (bnb default 4096) with `code` (default dynamic map).
    public static func quantize(_ x: UnsafeBufferPointer<Float>, blockSize: Int = 4096,
                                code: [Float] = DynamicMap.signed8, rounding: Rounding = .bnbCPU) throws -> QuantizedBlockwise8Bit {
        guard blockSize > 0 else { throw QuantError.invalidBlockSize(blockSize, allowed: [64, 128, 256, 512, 1024, 2048, 4096]) }
        guard code.count == 256 else { throw QuantError.lengthMismatch(field: "code", expected: 256, actual: code.count) }
        guard zip(code, code.dropFirst()).allSatisfy({ $0 <= $1 }) else { throw QuantError.unsortedCode }
        if let bad = x.firstIndex(where: { !$0.isFinite }) { throw QuantError.nonFinite(index: bad, value: x[bad]) }
        let n = x.count
        let blocks = (n + blockSize - 1) / blockSize
        var codes = [UInt8](repeating: 0, count: n)
        var absmax = [Float](repeating: 0, count: blocks)
        let lut: DynamicQuantLUT? = rounding == .bnbCPU ? (code == DynamicMap.signed8 ? .signed8 : DynamicQuantLUT(code: code)) : nil
        let mids = (0..<255).map { (code[$0] + code[$0 + 1]) / 2 }
        codes.withUnsafeMutableBufferPointer { q in
            absmax.withUnsafeMutableBufferPointer { am in
                let qp = q.baseAddress!, amp = am.baseAddress!
                Parallel.forChunks(blocks, grain: max(1, 16384 / blockSize)) { range in
                    for b in range {
                        let lo = b * blockSize, hi = min(n, lo + blockSize)
                        var m: Float = 0
                        for i in lo..<hi { m = max(m, abs(x[i])) }
                        if let lut {
                            amp[b] = m
                            if m == 0 { continue }  // codes stay 0, as the C kernel writes
                            let inv = 1 / m
                            for i in lo..<hi { qp[i] = lut.code(for: x[i] * inv) }
                        } else {
                            let full = hi - lo == blockSize
                            let d = max(m, Float(1e-38))
                            amp[b] = full ? m : d
                            let inv = 1 / d
                            for i in lo..<hi {
                                let s = min(max(full ? x[i] * inv : x[i] / d, -1), 1)
                                qp[i] = UInt8(Self.countBelow(mids, s))
                            }
                        }
                    }
                }
            }
        }
        return try QuantizedBlockwise8Bit(codes: codes, absmax: absmax, blockSize: blockSize, code: code)
    }

    public static func quantize(_ x: [Float], blockSize: Int = 4096, code: [Float] = DynamicMap.signed8,
                                rounding: Rounding = .bnbCPU) throws -> QuantizedBlockwise8Bit {
        try x.withUnsafeBufferPointer { try quantize($0, blockSize: blockSize, code: code, rounding: rounding) }
    }

    /// The value at flat index `i`: code[codes[i]] * absmax[i / blockSize] (Float32).
    @inlinable
    public func value(at i: Int) -> Float { code[Int(codes[i])] * absmax[i / blockSize] }

    public func dequantize() -> [Float] { (0..<count).map(value(at:)) }

    /// Number of sorted thresholds strictly below `x` (binary search; `torch.bucketize`, right=False).
    static func countBelow(_ sorted: [Float], _ x: Float) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
