// TorchFloatSum — PyTorch's CPU Float32 sum and mean, reproduced bit for bit.
//
// Double quantization stores `offset = absmax.mean()`, and every nested code depends on it, so a
// correctly rounded mean is not enough: it must be the value torch computes. torch 2.x on CPU sums a
// contiguous Float32 vector with `cascade_sum` (aten/src/ATen/native/cpu/SumKernel.cpp,
// `vectorized_inner_sum`): the vector is viewed as 8-lane Float32 vectors, those are summed by
// `row_sum` (4 interleaved accumulators, each a 4-level cascade with level step 2^max(4,
// ceil(log2(m))/4)), the scalar tail is added to 0, then the 8 lanes are added in order. Vectors
// shorter than 8 take torch's scalar `row_sum` instead (4 interleaved accumulators, tail into the
// first, then the other three added). `mean` is that sum divided by n in Float32. Checked against torch 2.15 for n up to 30000 (see the fixtures).
// Leaves out: inputs longer than torch's parallel grain (32768), which torch splits across threads
// in a machine-dependent way; there this still returns the single-thread cascade result.
public enum TorchFloatSum {
    static let lanes = 8

    public static func sum(_ x: UnsafeBufferPointer<Float>) -> Float {
        let n = x.count
        guard n > 0, let p = x.baseAddress else { return 0 }
        if n < lanes {  // scalar_inner_sum -> row_sum<float> (values ride in lane 0 of a vector)
            let sizeILP = n / 4
            var partial = multiRowSum(count: sizeILP) { i, k in SIMD8(p[i * 4 + k], 0, 0, 0, 0, 0, 0, 0) }
            for i in (sizeILP * 4)..<n { partial[0][0] += p[i] }
            for k in 1..<4 { partial[0][0] += partial[k][0] }
            return partial[0][0]
        }
        let vecCount = n / lanes
        let vec = { (i: Int) -> SIMD8<Float> in UnsafeRawPointer(p + i * lanes).loadUnaligned(as: SIMD8<Float>.self) }
        // row_sum over the vectors with ilp_factor 4
        let sizeILP = vecCount / 4
        var partial = multiRowSum(count: sizeILP) { i, k in vec(i * 4 + k) }
        var i = sizeILP * 4
        while i < vecCount { partial[0] += vec(i); i += 1 }
        for k in 1..<4 { partial[0] += partial[k] }
        var total: Float = 0
        for k in (vecCount * lanes)..<n { total += p[k] }
        for k in 0..<lanes { total += partial[0][k] }
        return total
    }

    public static func sum(_ x: [Float]) -> Float { x.withUnsafeBufferPointer { sum($0) } }

    /// `torch.mean` of a Float32 vector: the cascade sum divided by n in Float32.
    public static func mean(_ x: [Float]) -> Float {
        precondition(!x.isEmpty, "TorchFloatSum.mean of an empty vector")
        return sum(x) / Float(x.count)
    }

    /// torch `multi_row_sum` with 4 rows (the ILP accumulators) and 4 cascade levels.
    static func multiRowSum(count: Int, load: (Int, Int) -> SIMD8<Float>) -> [SIMD8<Float>] {
        let numLevels = 4
        let levelPower = max(4, ceilLog2(count) / numLevels)
        let levelStep = 1 << levelPower
        let levelMask = levelStep - 1
        var acc = [[SIMD8<Float>]](repeating: [SIMD8<Float>](repeating: .zero, count: 4), count: numLevels)
        var i = 0
        while i + levelStep <= count {
            for _ in 0..<levelStep {
                for k in 0..<4 { acc[0][k] += load(i, k) }
                i += 1
            }
            for j in 1..<numLevels {
                for k in 0..<4 {
                    acc[j][k] += acc[j - 1][k]
                    acc[j - 1][k] = .zero
                }
                if i & (levelMask << (j * levelPower)) != 0 { break }
            }
        }
        while i < count {
            for k in 0..<4 { acc[0][k] += load(i, k) }
            i += 1
        }
        for j in 1..<numLevels { for k in 0..<4 { acc[0][k] += acc[j][k] } }
        return acc[0]
    }

    /// c10 `CeilLog2`: 0 for x <= 1, else the bit length of x - 1.
    static func ceilLog2(_ x: Int) -> Int {
        x <= 1 ? 0 : (Int.bitWidth - (x - 1).leadingZeroBitCount)
    }
}
