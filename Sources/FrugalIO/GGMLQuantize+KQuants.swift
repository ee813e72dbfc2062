// GGMLQuantize+KQuants — Q4_K and Q6_K (super-blocks of 256), as llama.cpp's reference quantizers
// `quantize_row_q4_K_ref` and `quantize_row_q6_K_ref` (ggml `ggml-quants.c`, the copy vendored by
// llama-cpp-python 0.3.16) compute them; gguf-py 0.19.0 has no quantizer for these types.
// llama-quantize calls exactly these when it runs without an importance matrix.
//
//   Q4_K: 8 sub-blocks of 32; each gets a scale and a min from `make_qkx2_quants` (weights
//         av_x + |x|, nmax 15, rmin −1, rdelta 0.1, 20 steps, squared error); scales and mins are
//         quantized to 6 bits against the largest of each (d = max_scale/63, dmin = max_min/63,
//         fp16), packed 12 bytes as `get_scale_min_k4` reads them; then each x is re-quantized as
//         nearest_int((x + dm)/d) clamped to 0…15. Layout d, dmin, scales[12], qs[128] (chunk c of
//         64: low nibbles elements 64c…64c+31, high nibbles 64c+32…64c+63).
//   Q6_K: 16 sub-blocks of 16; each scale from `make_qx_quants(16, 32, rmse_type 1)` (search over
//         19 candidate inverse scales, weights x²); scales quantized to int8 against the largest
//         |scale| (d = 1/iscale, iscale = −128/max_scale, fp16); x re-quantized to −32…31.
//         Layout ql[128], qh[64], scales[16], d.
// `nearest_int` is ggml's: add 12582912 (1.5·2^23) and read the low mantissa bits (round half to
// even). Every sum is accumulated in Float32 in the C order; no FMA contraction (ggml-base is
// compiled without -mfma on x86-64, and Swift never contracts).
import FrugalQuant

extension GGMLQuantize {
    static let groupMaxEps: Float = 1e-15

    @inline(__always)
    static func nearestInt(_ f: Float) -> Int {
        let v = f + 12_582_912
        return Int(Int32(bitPattern: v.bitPattern & 0x007F_FFFF)) - 0x0040_0000
    }

    // MARK: Q4_K

    static func q4_K(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutablePointer<UInt8>) {
        var L = [UInt8](repeating: 0, count: 256), laux = [UInt8](repeating: 0, count: 32)
        var weights = [Float](repeating: 0, count: 32)
        var mins = [Float](repeating: 0, count: 8), scales = [Float](repeating: 0, count: 8)
        var maxScale: Float = 0, maxMin: Float = 0
        for j in 0..<8 {
            var sumX2: Float = 0
            for l in 0..<32 { sumX2 += x[32 * j + l] * x[32 * j + l] }
            let avX = (sumX2 / 32).squareRoot()
            for l in 0..<32 { weights[l] = avX + abs(x[32 * j + l]) }
            let sub = UnsafeBufferPointer(rebasing: x[(32 * j)..<(32 * j + 32)])
            var theMin: Float = 0
            scales[j] = L.withUnsafeMutableBufferPointer { lp in
                makeQKX2Quants(nmax: 15, sub, weights, UnsafeMutableBufferPointer(rebasing: lp[(32 * j)..<(32 * j + 32)]),
                               &theMin, &laux, rmin: -1, rdelta: 0.1, nstep: 20)
            }
            mins[j] = theMin
            if scales[j] > maxScale { maxScale = scales[j] }
            if mins[j] > maxMin { maxMin = mins[j] }
        }
        let invScale: Float = maxScale > 0 ? 63 / maxScale : 0
        let invMin: Float = maxMin > 0 ? 63 / maxMin : 0
        let sc = y + 4   // scales[12]
        for j in 0..<12 { sc[j] = 0 }
        for j in 0..<8 {
            let ls = min(63, UInt8(truncatingIfNeeded: nearestInt(invScale * scales[j])))
            let lm = min(63, UInt8(truncatingIfNeeded: nearestInt(invMin * mins[j])))
            if j < 4 {
                sc[j] = ls; sc[j + 4] = lm
            } else {
                sc[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4)
                sc[j - 4] |= (ls >> 4) << 6
                sc[j] |= (lm >> 4) << 6
            }
        }
        let dBits = Float16Bits.fromFloat(maxScale / 63), dminBits = Float16Bits.fromFloat(maxMin / 63)
        store16(dBits, y); store16(dminBits, y + 2)
        let dAll = Float16Bits.toFloat(dBits), dminAll = Float16Bits.toFloat(dminBits)
        for j in 0..<8 {
            let (s, m) = scaleMinK4(j, sc)
            let d = dAll * Float(s)
            if d == 0 { continue }
            let dm = dminAll * Float(m)
            for ii in 0..<32 {
                let l = nearestInt((x[32 * j + ii] + dm) / d)
                L[32 * j + ii] = UInt8(max(0, min(15, l)))
            }
        }
        let q = y + 16
        for (c, j) in stride(from: 0, to: 256, by: 64).enumerated() {
            for l in 0..<32 { q[32 * c + l] = L[j + l] | (L[j + l + 32] << 4) }
        }
    }

    /// ggml `get_scale_min_k4`.
    @inline(__always)
    static func scaleMinK4(_ j: Int, _ q: UnsafeMutablePointer<UInt8>) -> (UInt8, UInt8) {
        if j < 4 { return (q[j] & 63, q[j + 4] & 63) }
        return ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }

    /// ggml `make_qkx2_quants` with use_mad = false: the scale and (negated) min of one sub-block.
    static func makeQKX2Quants(nmax: Int, _ x: UnsafeBufferPointer<Float>, _ weights: [Float],
                               _ L: UnsafeMutableBufferPointer<UInt8>, _ theMin: inout Float, _ laux: inout [UInt8],
                               rmin: Float, rdelta: Float, nstep: Int) -> Float {
        let n = x.count
        var lo = x[0], hi = x[0]
        var sumW = weights[0]
        var sumX = sumW * x[0]
        for i in 1..<n {
            if x[i] < lo { lo = x[i] }
            if x[i] > hi { hi = x[i] }
            let w = weights[i]
            sumW += w
            sumX += w * x[i]
        }
        if lo > 0 { lo = 0 }
        if hi == lo {
            for i in 0..<n { L[i] = 0 }
            theMin = -lo
            return 0
        }
        let fmax = Float(nmax)
        var iscale = fmax / (hi - lo)
        var scale = 1 / iscale
        var bestError: Float = 0
        for i in 0..<n {
            let l = nearestInt(iscale * (x[i] - lo))
            L[i] = UInt8(max(0, min(nmax, l)))
            let diff = scale * Float(L[i]) + lo - x[i]
            bestError += weights[i] * (diff * diff)
        }
        if nstep < 1 { theMin = -lo; return scale }
        for step in 0...nstep {
            iscale = (rmin + rdelta * Float(step) + fmax) / (hi - lo)
            var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
            for i in 0..<n {
                let l = max(0, min(nmax, nearestInt(iscale * (x[i] - lo))))
                laux[i] = UInt8(l)
                let w = weights[i], fl = Float(l)
                sumL += w * fl
                sumL2 += w * fl * fl
                sumXL += w * fl * x[i]
            }
            let D = sumW * sumL2 - sumL * sumL
            if D > 0 {
                var thisScale = (sumW * sumXL - sumX * sumL) / D
                var thisMin = (sumL2 * sumX - sumL * sumXL) / D
                if thisMin > 0 {
                    thisMin = 0
                    thisScale = sumXL / sumL2
                }
                var curError: Float = 0
                for i in 0..<n {
                    let diff = thisScale * Float(laux[i]) + thisMin - x[i]
                    curError += weights[i] * (diff * diff)
                }
                if curError < bestError {
                    for i in 0..<n { L[i] = laux[i] }
                    bestError = curError
                    scale = thisScale
                    lo = thisMin
                }
            }
        }
        theMin = -lo
        return scale
    }

    // MARK: Q6_K

    static func q6_K(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutablePointer<UInt8>) {
        var L = [Int8](repeating: 0, count: 256)
        var scales = [Float](repeating: 0, count: 16)
        var maxScale: Float = 0, maxAbsScale: Float = 0
        for ib in 0..<16 {
            let sub = UnsafeBufferPointer(rebasing: x[(16 * ib)..<(16 * ib + 16)])
            let scale = L.withUnsafeMutableBufferPointer {
                makeQXQuants(nmax: 32, sub, UnsafeMutableBufferPointer(rebasing: $0[(16 * ib)..<(16 * ib + 16)]))
            }
            scales[ib] = scale
            if abs(scale) > maxAbsScale { maxAbsScale = abs(scale); maxScale = scale }
        }
        let ql = y, qh = y + 128, sc = y + 192
        if maxAbsScale < groupMaxEps {
            for i in 0..<210 { y[i] = 0 }
            return
        }
        let iscale = -128 / maxScale
        let dBits = Float16Bits.fromFloat(1 / iscale)
        store16(dBits, y + 208)
        for ib in 0..<16 { sc[ib] = UInt8(bitPattern: Int8(truncatingIfNeeded: min(127, nearestInt(iscale * scales[ib])))) }
        let dAll = Float16Bits.toFloat(dBits)
        for j in 0..<16 {
            let d = dAll * Float(Int8(bitPattern: sc[j]))
            if d == 0 { continue }
            for ii in 0..<16 {
                let l = max(-32, min(31, nearestInt(x[16 * j + ii] / d)))
                L[16 * j + ii] = Int8(l + 32)
            }
        }
        for (h, j) in stride(from: 0, to: 256, by: 128).enumerated() {
            let qlh = ql + 64 * h, qhh = qh + 32 * h
            for l in 0..<32 {
                let a = UInt8(bitPattern: L[j + l]), b = UInt8(bitPattern: L[j + l + 32])
                let c = UInt8(bitPattern: L[j + l + 64]), e = UInt8(bitPattern: L[j + l + 96])
                qlh[l] = (a & 0xF) | ((c & 0xF) << 4)
                qlh[l + 32] = (b & 0xF) | ((e & 0xF) << 4)
                qhh[l] = (a >> 4) | ((b >> 4) << 2) | ((c >> 4) << 4) | ((e >> 4) << 6)
            }
        }
    }

    /// ggml `make_qx_quants` with rmse_type 1 and no importance weights (weights x²).
    static func makeQXQuants(nmax: Int, _ x: UnsafeBufferPointer<Float>, _ L: UnsafeMutableBufferPointer<Int8>) -> Float {
        let n = x.count
        var mx: Float = 0, amax: Float = 0
        for i in 0..<n where abs(x[i]) > amax { amax = abs(x[i]); mx = x[i] }
        if amax < groupMaxEps {
            for i in 0..<n { L[i] = 0 }
            return 0
        }
        let fmax = Float(nmax)
        var iscale = -fmax / mx
        var sumLX: Float = 0, sumL2: Float = 0
        for i in 0..<n {
            let l = max(-nmax, min(nmax - 1, nearestInt(iscale * x[i])))
            L[i] = Int8(l + nmax)
            let w = x[i] * x[i], fl = Float(l)
            sumLX += w * x[i] * fl
            sumL2 += w * fl * fl
        }
        var scale: Float = sumL2 != 0 ? sumLX / sumL2 : 0
        var best = scale * sumLX
        for step in -9...9 where step != 0 {
            iscale = -(fmax + 0.1 * Float(step)) / mx
            sumLX = 0; sumL2 = 0
            for i in 0..<n {
                let l = max(-nmax, min(nmax - 1, nearestInt(iscale * x[i])))
                let w = x[i] * x[i], fl = Float(l)
                sumLX += w * x[i] * fl
                sumL2 += w * fl * fl
            }
            if sumL2 > 0 && sumLX * sumLX > best * sumL2 {
                for i in 0..<n { L[i] = Int8(nmax + max(-nmax, min(nmax - 1, nearestInt(iscale * x[i])))) }
                scale = sumLX / sumL2
                best = scale * sumLX
            }
        }
        return scale
    }
}
