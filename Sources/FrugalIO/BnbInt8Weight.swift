// BnbInt8Weight — a linear weight in bitsandbytes' LLM.int8 layout, as transformers 5.23 +
// bitsandbytes 0.50 save a `Linear8bitLt` (load_in_8bit) on CPU:
//   <module>.weight         int8  [out, in]   CB: round(w16 * (127 / SCB[row])), half to even
//   <module>.SCB            fp32  [out]       per-row absmax of w16
//   <module>.weight_format  uint8 []          0 ("row")
// where w16 is the weight rounded to float16 first: bnb `Int8Params._quantize` does
// `data.to(torch.float16)` before `int8_vectorwise_quant` (so a bf16 or fp32 weight passes through
// fp16 rounding, and values beyond ±65504 become inf — refused here). The scale is computed as
// torch computes `127.0 / row_stats`: Python's `scalar / tensor` is `tensor.reciprocal() * scalar`,
// i.e. (1 / absmax) * 127 with two Float32 roundings — NOT the single division 127 / absmax, which
// differs in the last bit for some rows and then flips codes that sit on a .5 tie (seen on the
// tiny_f32 fixture: -63.500004 rounds to -64 in torch, -63.5 would go to -64 too, but the plain
// division gave -63.49999 there). FrugalQuant's AbsmaxInt8 uses the plain division.
// Dequantized: w'[r, c] = (CB[r, c] * SCB[r]) * Float(1/127)  (AbsmaxInt8.value).
// Leaves out: the outlier threshold (bnb applies it to activations at matmul time, not to storage).
import FrugalQuant

public struct BnbInt8Weight: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    /// Row-wise codes and per-row absmax (SCB), blockSize == cols.
    public let quantized: AbsmaxInt8

    public init(rows: Int, cols: Int, quantized: AbsmaxInt8) {
        precondition(quantized.count == rows * cols && quantized.blockSize == cols,
                     "BnbInt8Weight: \(quantized.count) codes in blocks of \(quantized.blockSize) for [\(rows), \(cols)]")
        self.rows = rows
        self.cols = cols
        self.quantized = quantized
    }

    /// Quantizes a row-major [rows, cols] weight as bitsandbytes does (fp16 rounding, then row-wise absmax int8).
    public static func quantize(_ w: [Float], rows: Int, cols: Int) throws -> BnbInt8Weight {
        guard rows > 0, cols > 0, rows * cols == w.count else { throw QuantError.shapeMismatch(shape: [rows, cols], count: w.count) }
        if let bad = w.firstIndex(where: { !$0.isFinite }) { throw QuantError.nonFinite(index: bad, value: w[bad]) }
        let w16 = w.map { FloatBits.halfToFloat(FloatBits.floatToHalf($0)) }
        var codes = [Int8](repeating: 0, count: w.count)
        var scb = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            let lo = r * cols
            var m: Float = 0
            for i in lo..<(lo + cols) { m = max(m, abs(w16[i])) }
            scb[r] = m
            guard m > 0 else { continue }  // torch: 0 * inf = NaN, stored as 0
            let scale = (1 / m) * 127
            for i in lo..<(lo + cols) { codes[i] = Int8((w16[i] * scale).rounded(.toNearestOrEven)) }
        }
        return BnbInt8Weight(rows: rows, cols: cols, quantized: AbsmaxInt8(codes: codes, absmax: scb, blockSize: cols))
    }

    /// Per-row scales (`SCB`).
    public var scb: [Float] { quantized.absmax }

    /// The tensors transformers saves for this module, named under `module` (e.g. model.layers.0.mlp.up_proj).
    public func tensors(module: String) -> [SafetensorsTensor] {
        let codes = quantized.codes.map { UInt8(bitPattern: $0) }
        return [
            SafetensorsTensor(name: module + ".weight", dtype: .I8, shape: [rows, cols], bytes: codes),
            SafetensorsTensor(name: module + ".SCB", shape: [rows], float32: scb),
            SafetensorsTensor(name: module + ".weight_format", dtype: .U8, shape: [], bytes: [0]),
        ]
    }
}
