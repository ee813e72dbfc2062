// QuantizedBlockwise4Bit+GEMV — the fused 4-bit matrix–vector product of decoding: y = x · dequant(W)ᵀ
// for a few input rows (one token at a time), reading each packed weight byte once and never writing
// a dequantized value to memory. Beside it, the naive reference (dequantize a row, then dot).
//
// Shapes: W [Out, In] packed (first element of a byte in the high nibble), x [m, In], y [m, Out].
// Requires In to be a multiple of the block size (every row starts a block: true for every linear
// layer of the Llama family with block 64); `supportsGEMV` says so, callers fall back otherwise.
//
// Why it is fast (x86-64, AVX2): a block's scale factors out of its dot product,
//   Σ_i codebook[q_i]·absmax_b·x_i = absmax_b · Σ_i codebook[q_i]·x_i,
// so the inner loop only maps codes to code values and multiply-adds. Eight packed bytes (16 codes)
// are widened to eight 32-bit lanes; their high nibbles are the even elements and the low nibbles
// the odd ones, so x is de-interleaved once per call (per 16 values: evens, then odds) instead of
// re-interleaving the codes. A code value is looked up with two 8-entry permutes (vpermps) and a
// blend on the code's bit 3. The block's Float32 absmax (kept by the caller, or rebuilt from double
// quantization once per call for the rows at hand) scales each block's partial sum. Rows of W are split over the cores. The result equals the reference up to
// the order of Float32 additions (tests: relative error < 1e-6 on the default model's shapes).
#if arch(x86_64)
import _Builtin_intrinsics.intel
import FrugalAVX512
#endif
import FrugalCore

extension QuantizedBlockwise4Bit {
    /// Whether `gemv` can run on this tensor: a 2-D weight whose rows start blocks.
    public var supportsGEMV: Bool { shape.count == 2 && shape[1] % blockSize == 0 && blockSize % 16 == 0 }

    /// y[r, o] = Σ_i dequant(W)[o, i] · x[r, i] for r in 0..<m (`x` [m, In], `y` [m, Out], both
    /// row-major and dense), output rows spread over the cores. `absmax`, when given, holds every
    /// block's Float32 scale (`absmaxValues()`, kept by a decoding layer) so they are not rebuilt
    /// from double quantization on every call.
    public func gemv(_ x: UnsafePointer<Float>, rows m: Int, into y: UnsafeMutablePointer<Float>,
                     absmax: UnsafePointer<Float>? = nil) {
        precondition(supportsGEMV, "QuantizedBlockwise4Bit.gemv: shape \(shape) with block \(blockSize) is not supported")
        let out = shape[0], inF = shape[1]
        #if arch(x86_64)
        if CPUFeatures.useAVX512 && blockSize % 32 == 0 {
            gemv512(x, rows: m, into: y, absmax: absmax)
            return
        }
        #endif
        // De-interleave x per 16 values: the 8 even elements, then the 8 odd ones.
        let xp = UnsafeMutablePointer<Float>.allocate(capacity: m * inF)
        defer { xp.deallocate() }
        for r in 0..<m {
            let src = x + r * inF, dst = xp + r * inF
            var g = 0
            while g < inF {
                for j in 0..<8 { dst[g + j] = src[g + 2 * j]; dst[g + 8 + j] = src[g + 2 * j + 1] }
                g += 16
            }
        }
        Parallel.forChunks(out, grain: Swift.max(1, 32768 / inF)) { rows in
            self.withRowScales(rows, given: absmax) { self.gemvRows(rows, xp: xp, m: m, y: y, scales: $0) }
        }
    }

    #if arch(x86_64)
    /// The AVX-512 kernel (FrugalAVX512), one input row at a time, output rows over the cores.
    func gemv512(_ x: UnsafePointer<Float>, rows m: Int, into y: UnsafeMutablePointer<Float>, absmax: UnsafePointer<Float>?) {
        let out = shape[0], inF = shape[1], bs = blockSize
        let xp = UnsafeMutablePointer<Float>.allocate(capacity: m * inF)
        defer { xp.deallocate() }
        for r in 0..<m { FourBitGEMV512.deinterleave(x + r * inF, count: inF, into: xp + r * inF) }
        let codebook = type.codebook
        Parallel.forChunks(out, grain: Swift.max(1, 32768 / inF)) { rows in
            self.withRowScales(rows, given: absmax) { scales in
                self.packed.withUnsafeBufferPointer { pk in
                    codebook.withUnsafeBufferPointer { cb in
                        for r in 0..<m {
                            FourBitGEMV512.rows(rows, packed: pk.baseAddress!, inFeatures: inF, blockSize: bs,
                                                codebook: cb.baseAddress!, scales: scales, xp: xp + r * inF, y: y + r * out)
                        }
                    }
                }
            }
        }
    }
    #endif

    /// Calls `body` with the Float32 scales of the blocks of output rows `rows` (the first row's first
    /// block at index 0): a view into `given` (every block's scales) when the caller keeps them,
    /// else rebuilt into scratch.
    func withRowScales<R>(_ rows: Range<Int>, given: UnsafePointer<Float>?, _ body: (UnsafePointer<Float>) -> R) -> R {
        let blocksPerRow = shape[1] / blockSize
        if let given { return body(given + rows.lowerBound * blocksPerRow) }
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: rows.count * blocksPerRow)
        defer { buffer.deallocate() }
        fillAbsmax(blocks: (rows.lowerBound * blocksPerRow)..<(rows.upperBound * blocksPerRow), into: buffer)
        return body(buffer)
    }

    /// The serial kernel over output rows `rows` (x already de-interleaved; `scales` from withRowScales).
    func gemvRows(_ rows: Range<Int>, xp: UnsafePointer<Float>, m: Int, y: UnsafeMutablePointer<Float>, scales: UnsafePointer<Float>) {
        let out = shape[0], inF = shape[1], bs = blockSize
        let blocksPerRow = inF / bs
        let codebook = type.codebook
        let firstBlock = rows.lowerBound * blocksPerRow
        @inline(__always) func absmax(_ b: Int) -> Float { scales[b - firstBlock] }
        packed.withUnsafeBufferPointer { pk in
            let bytes = pk.baseAddress!
            #if arch(x86_64)
            let lutLo = SIMD8<Float>(codebook[0], codebook[1], codebook[2], codebook[3],
                                     codebook[4], codebook[5], codebook[6], codebook[7])
            let lutHi = SIMD8<Float>(codebook[8], codebook[9], codebook[10], codebook[11],
                                     codebook[12], codebook[13], codebook[14], codebook[15])
            let fifteen = _mm256_set1_epi32(15)
            @inline(__always) func lookup(_ idx: __m256i) -> SIMD8<Float> {
                let a = _mm256_permutevar8x32_ps(lutLo, idx)
                let b = _mm256_permutevar8x32_ps(lutHi, idx)
                return _mm256_blendv_ps(a, b, _mm256_castsi256_ps(_mm256_slli_epi32(idx, 28)))
            }
            if m == 1 {
                for o in rows {
                    var total = SIMD8<Float>(repeating: 0)
                    var p = UnsafeRawPointer(bytes + (o * inF) >> 1)
                    var xr = xp
                    for blk in 0..<blocksPerRow {
                        var acc0 = SIMD8<Float>(repeating: 0), acc1 = SIMD8<Float>(repeating: 0)
                        for _ in 0..<(bs >> 4) {
                            let v = _mm256_cvtepu8_epi32(_mm_loadl_epi64(p.assumingMemoryBound(to: __m128i.self)))
                            let wHi = lookup(_mm256_srli_epi32(v, 4))
                            let wLo = lookup(_mm256_and_si256(v, fifteen))
                            let x0 = UnsafeRawPointer(xr).loadUnaligned(as: SIMD8<Float>.self)
                            let x1 = UnsafeRawPointer(xr + 8).loadUnaligned(as: SIMD8<Float>.self)
                            acc0 = _mm256_fmadd_ps(wHi, x0, acc0)
                            acc1 = _mm256_fmadd_ps(wLo, x1, acc1)
                            p += 8; xr += 16
                        }
                        total = _mm256_fmadd_ps(acc0 + acc1, SIMD8(repeating: absmax(o * blocksPerRow + blk)), total)
                    }
                    y[o] = total.sum()
                }
                return
            }
            let acc = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: 2 * m)
            defer { acc.deallocate() }
            for o in rows {
                for r in 0..<m { acc[2 * r] = SIMD8(repeating: 0); acc[2 * r + 1] = SIMD8(repeating: 0) }
                var p = UnsafeRawPointer(bytes + (o * inF) >> 1)
                for blk in 0..<blocksPerRow {
                    let scale = SIMD8<Float>(repeating: absmax(o * blocksPerRow + blk))
                    for r in 0..<m { acc[2 * r + 1] = SIMD8(repeating: 0) }
                    var col = blk * bs
                    for _ in 0..<(bs >> 4) {
                        let v = _mm256_cvtepu8_epi32(_mm_loadl_epi64(p.assumingMemoryBound(to: __m128i.self)))
                        let wHi = lookup(_mm256_srli_epi32(v, 4))
                        let wLo = lookup(_mm256_and_si256(v, fifteen))
                        for r in 0..<m {
                            let xr = UnsafeRawPointer(xp + r * inF + col)
                            var partial = acc[2 * r + 1]
                            partial = _mm256_fmadd_ps(wHi, xr.loadUnaligned(as: SIMD8<Float>.self), partial)
                            partial = _mm256_fmadd_ps(wLo, xr.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), partial)
                            acc[2 * r + 1] = partial
                        }
                        p += 8; col += 16
                    }
                    for r in 0..<m { acc[2 * r] = _mm256_fmadd_ps(acc[2 * r + 1], scale, acc[2 * r]) }
                }
                for r in 0..<m { y[r * out + o] = acc[2 * r].sum() }
            }
            #else
            // Portable path: the same arithmetic without intrinsics.
            for o in rows {
                for r in 0..<m {
                    var total: Float = 0
                    for blk in 0..<blocksPerRow {
                        var partial: Float = 0
                        let base = o * inF + blk * bs
                        for g in stride(from: 0, to: bs, by: 16) {
                            for j in 0..<8 {
                                let byte = bytes[(base + g) >> 1 + j]
                                partial += codebook[Int(byte >> 4)] * xp[r * inF + blk * bs + g + j]
                                partial += codebook[Int(byte & 15)] * xp[r * inF + blk * bs + g + 8 + j]
                            }
                        }
                        total += partial * absmax(o * blocksPerRow + blk)
                    }
                    y[r * out + o] = total
                }
            }
            #endif
        }
    }

    /// Block scales `blocks` as Float32 into `dst` (rebuilt from double quantization when needed).
    func fillAbsmax(blocks: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        switch scales {
        case .float(let a):
            a.withUnsafeBufferPointer { ab in
                for b in blocks { dst[b - blocks.lowerBound] = ab[b] }
            }
        case .doubleQuantized(let d):
            d.fillAbsmax(blocks: blocks, into: dst)
        }
    }

    // MARK: naive reference (the spec)

    /// y[r, o] = Σ_i value(o·In + i) · x[r, i], in Double, element by element. The tests' yardstick.
    public func gemvReference(_ x: [Float], rows m: Int) -> [Float] {
        let out = shape[0], inF = shape[1]
        precondition(x.count == m * inF, "gemvReference: x has \(x.count) values, expected \(m) × \(inF)")
        return naiveGEMV(x, rows: m, out: out, inFeatures: inF, weight: value(at:))
    }
}

/// y[r, o] = Σ_i weight(o·In + i)·x[r, i], summed in Double element by element: the reference every
/// quantized GEMV is tested against.
func naiveGEMV(_ x: [Float], rows m: Int, out: Int, inFeatures inF: Int, weight: (Int) -> Float) -> [Float] {
    var y = [Float](repeating: 0, count: m * out)
    for r in 0..<m {
        for o in 0..<out {
            var s = 0.0
            for i in 0..<inF { s += Double(weight(o * inF + i)) * Double(x[r * inF + i]) }
            y[r * out + o] = Float(s)
        }
    }
    return y
}
