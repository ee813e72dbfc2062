// AbsmaxInt8 — symmetric absmax int8 quantization (QLoRA paper §2 "k-bit quantization"; the lecture
// notes' X_int8 = round(127 / absmax(X) * X)), tensor-wise, row-wise or blockwise.
//
// Follows bitsandbytes 0.50 `int8_vectorwise_quant` / `int8_vectorwise_dequant` (LLM.int8, default
// backend), which is the row-wise case:
//   scale  = 127 / absmax                       (Float32 division)
//   q      = round(x * scale)                   (round half to even, as torch.round), in -127...127
//   x'     = (Float(q) * absmax) * 0.007874016  (bnb multiplies by the Float32 of 1/127)
// Tensor-wise is one block holding everything; blockwise cuts the flattened tensor into blocks of
// `blockSize` (the last may be partial) with one absmax each.
// Deviation: a block whose absmax is 0 gets codes 0 (torch would compute 0 * inf = NaN first).
// Leaves out: LLM.int8's outlier threshold (mixed fp16/int8 columns) and the int8 matmul.
public struct AbsmaxInt8: Sendable, Equatable {
    /// One code per value, in -127...127.
    public var codes: [Int8]
    /// One Float32 absmax per block.
    public var absmax: [Float]
    public let blockSize: Int

    /// bnb's dequantization constant: Float32(1/127).
    public static let inverse127 = Float(7.874015718698502e-3)

    public var count: Int { codes.count }

    /// Tensor-wise when `blockSize` is nil (one absmax for all of `x`), else blockwise.
    public static func quantize(_ x: [Float], blockSize: Int? = nil) throws -> AbsmaxInt8 {
        if let bad = x.firstIndex(where: { !$0.isFinite }) { throw QuantError.nonFinite(index: bad, value: x[bad]) }
        let bs = blockSize ?? max(1, x.count)
        guard bs > 0 else { throw QuantError.invalidBlockSize(bs, allowed: [64, 128, 256, 512, 1024, 2048, 4096]) }
        let blocks = (x.count + bs - 1) / bs
        var codes = [Int8](repeating: 0, count: x.count)
        var absmax = [Float](repeating: 0, count: blocks)
        for b in 0..<blocks {
            let lo = b * bs, hi = min(x.count, lo + bs)
            var m: Float = 0
            for i in lo..<hi { m = max(m, abs(x[i])) }
            absmax[b] = m
            guard m > 0 else { continue }
            let scale = 127 / m
            for i in lo..<hi { codes[i] = Int8((x[i] * scale).rounded(.toNearestOrEven)) }
        }
        return AbsmaxInt8(codes: codes, absmax: absmax, blockSize: bs)
    }

    /// Row-wise (LLM.int8 vector-wise) quantization of a row-major [rows, cols] matrix.
    public static func quantizeRows(_ x: [Float], rows: Int, cols: Int) throws -> AbsmaxInt8 {
        guard rows > 0, cols > 0, rows * cols == x.count else { throw QuantError.shapeMismatch(shape: [rows, cols], count: x.count) }
        return try quantize(x, blockSize: cols)
    }

    public init(codes: [Int8], absmax: [Float], blockSize: Int) {
        precondition(blockSize > 0 && absmax.count == (codes.count + blockSize - 1) / blockSize,
                     "AbsmaxInt8: \(absmax.count) absmax values for \(codes.count) codes in blocks of \(blockSize)")
        self.codes = codes
        self.absmax = absmax
        self.blockSize = blockSize
    }

    @inlinable
    public func value(at i: Int) -> Float { (Float(codes[i]) * absmax[i / blockSize]) * Self.inverse127 }

    public func dequantize() -> [Float] { (0..<count).map(value(at:)) }
}
