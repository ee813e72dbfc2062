// 4-bit linear product with autograd: y = x · dequant(W)ᵀ (+ b) for a frozen NF4/FP4 weight
// W [Out, In], as bitsandbytes' Linear4bit computes it (dequantize, then matmul in the compute
// dtype — here Float32) but tile by tile: a tile of output rows of W is dequantized into a small
// scratch buffer and multiplied at once, so no full-size Float32 copy of W is ever alive.
// Backward gives the input gradient only, dX = dY · dequant(W), accumulated tile by tile (into the
// gradient already gathered for x when the autograd offers it: see Backward); the
// 4-bit weight is frozen and gets none (QLoRA trains adapters beside it). In a block recomputed for
// its backward (gradient checkpointing), a one-tile weight keeps its tile from the recomputation.
//
// A few input rows (decoding one token at a time) take the fused GEMV instead (+GEMV): the packed
// bytes are read once and no tile is written.
//
// Shapes: x [..., In] → [..., Out]. Tile: `rows` output rows × In (at most 1M floats, 4 MB, split
// evenly: the default model's largest weight, 1536×576, is one tile, so each product is one sgemm
// of the layer's full shape; tiles of 1 MB made gate/up 10–25% slower, `make bench` section quant).
// The dequantization of a tile is spread over the cores; sgemm runs after it, outside the parallel
// region (see Parallel), so the two thread pools never overlap.
import FrugalCore

extension Tensor {
    /// Output rows per dequantized tile for a weight with `inFeatures` columns.
    static func linear4BitTileRows(_ inFeatures: Int, out: Int) -> Int {
        let most = Swift.max(1, Swift.min(out, tileElements / Swift.max(inFeatures, 1)))
        let tiles = (out + most - 1) / most
        return (out + tiles - 1) / tiles
    }
    /// Largest dequantized tile, in floats.
    nonisolated(unsafe) public static var tileElements = 1 << 20

    /// Up to this many input rows (tokens), the forward runs the fused 4-bit GEMV instead of
    /// dequantize-then-sgemm (measured crossover on the default model's shapes: see `make bench`).
    public static var linear4BitGEMVRows = 4

    /// `absmax`: the weight's Float32 block scales, when the caller keeps them (decoding).
    public func linear4Bit(_ w: QuantizedBlockwise4Bit, bias: Tensor? = nil, absmax: [Float]? = nil) -> Tensor {
        precondition(w.shape.count == 2 && shape.last == w.shape[1],
                     "linear4Bit: input \(shape) does not match weight \(w.shape) ([out, in])")
        let out = w.shape[0], inF = w.shape[1]
        let n = count / inF
        let y = Tensor.uninitialized(Array(shape.dropLast()) + [out])
        let tileRows = Tensor.linear4BitTileRows(inF, out: out)
        let x = self
        // A block recomputed for its backward (checkpointing) runs its backward right after: a
        // weight that is one tile keeps its dequantized tile for it instead of dequantizing again
        // (at most one block's weights alive at once).
        let keepsTile = Tensor.isRecomputingCheckpoint && GradMode.isEnabled && x.requiresGrad && tileRows >= out
        var kept: Tensor? = nil
        if Tensor.skipsForwardValues {
            // values not needed (see withoutForwardValues): graph only
        } else if n <= Tensor.linear4BitGEMVRows && w.supportsGEMV {
            // decoding: fused, no dequantized tile
            if let absmax { absmax.withUnsafeBufferPointer { w.gemv(x.data, rows: n, into: y.data, absmax: $0.baseAddress) } }
            else { w.gemv(x.data, rows: n, into: y.data) }
        } else {
            let tile = Tensor.uninitialized([tileRows, inF])
            if keepsTile { kept = tile }
            var r0 = 0
            while r0 < out {
                let rows = Swift.min(tileRows, out - r0)
                Tensor.dequantizeTile(w, r0..<(r0 + rows), into: tile.data)
                // y[:, r0..<r0+rows] = x · tileᵀ
                Gemm.sgemm(transA: false, transB: true, m: n, n: rows, k: inF, a: x.data, lda: inF,
                           b: tile.data, ldb: inF, c: y.data + r0, ldc: out)
                r0 += rows
            }
        }
        let result = y.recorded("linear4bit", [x]) { [kept] g in
            // dX adds into the gradient gathered so far for x when the engine offers it
            let sum = Tensor.takeGradientAccumulator(input: 0, shape: x.shape)
            let dx = sum ?? Tensor.uninitialized(x.shape)
            let beta0: Float = sum == nil ? 0 : 1
            if let kept {
                Gemm.sgemm(transA: false, transB: false, m: n, n: inF, k: out, a: g.data, lda: out,
                           b: kept.data, ldb: inF, beta: beta0, c: dx.data, ldc: inF)
                return [dx]
            }
            let tile = Tensor.uninitialized([tileRows, inF])
            var r0 = 0
            while r0 < out {
                let rows = Swift.min(tileRows, out - r0)
                Tensor.dequantizeTile(w, r0..<(r0 + rows), into: tile.data)
                // dX += dY[:, r0..<r0+rows] · tile
                Gemm.sgemm(transA: false, transB: false, m: n, n: inF, k: rows, a: g.data + r0, lda: out,
                           b: tile.data, ldb: inF, beta: r0 == 0 ? beta0 : 1, c: dx.data, ldc: inF)
                r0 += rows
            }
            return [dx]
        }
        guard let bias else { return result }
        return result + bias
    }

    /// Dequantizes output rows `rows` of `w` into `dst` ([rows.count, In]), spread over the cores.
    static func dequantizeTile(_ w: QuantizedBlockwise4Bit, _ rows: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        let inF = w.shape[1]
        Parallel.forChunks(rows.count, grain: Swift.max(1, 16384 / Swift.max(inF, 1))) { r in
            w.dequantizeRows((rows.lowerBound + r.lowerBound)..<(rows.lowerBound + r.upperBound),
                             into: dst + r.lowerBound * inF)
        }
    }
}
