// Int8Linear — a frozen linear layer whose weight is held as blockwise absmax int8 (FrugalQuant's
// AbsmaxInt8, blocks of 32 like GGUF's Q8_0): the head of a model decoded with 4-bit block linears.
// One token at a time it runs the int8 GEMV; more rows go through the same kernel row by row
// (this layer serves decoding; training never sees it). Inference only: no gradient.
import FrugalCore
import FrugalQuant

public final class Int8Linear: LinearLayer {
    public let weight: AbsmaxInt8           // [Out, In] flattened
    public let inFeatures: Int
    public let outFeatures: Int
    let scales: [Float]                     // absmax · (1/127) per block
    let reservation: MemoryReservation

    /// Quantizes a Float32 weight [Out, In] in blocks of `blockSize` (In must be a multiple of it).
    public init(quantizing w: Tensor, blockSize: Int = 32) throws {
        precondition(w.rank == 2, "Int8Linear: weight must be [out, in], got \(w.shape)")
        let q = try AbsmaxInt8.quantize(Array(UnsafeBufferPointer(start: w.data, count: w.count)), blockSize: blockSize)
        precondition(q.supportsGEMV(inFeatures: w.shape[1]), "Int8Linear: in \(w.shape[1]) is not a multiple of block \(blockSize) (a multiple of 16)")
        weight = q
        outFeatures = w.shape[0]; inFeatures = w.shape[1]
        scales = q.blockScales
        reservation = MemoryReservation(bytes: q.count + 8 * q.absmax.count)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == inFeatures, "Int8Linear: input \(x.shape) does not match [\(outFeatures), \(inFeatures)]")
        let m = x.count / inFeatures
        let y = Tensor.uninitialized(Array(x.shape.dropLast()) + [outFeatures])
        weight.gemv(x.data, rows: m, inFeatures: inFeatures, scales: scales, into: y.data)
        return y
    }

    public var namedTensors: [(String, Tensor)] { [] }
}

extension DecoderModel {
    /// Holds the head (the tied embedding, or lm_head) in 8 bits for decoding: `nextTokenLogits`
    /// then reads 1 byte per weight instead of 4. Training and `logits` keep the Float32 head.
    public func quantizeHeadForDecoding(blockSize: Int = 32) throws {
        guard headLayer == nil else { return }   // an adapted head keeps its branch
        decodingHead = try Int8Linear(quantizing: lmHead ?? embedding, blockSize: blockSize)
    }
}
