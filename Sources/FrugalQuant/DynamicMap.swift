// DynamicMap — bitsandbytes' 8-bit dynamic quantization map (Dettmers 2015, "8-Bit Approximations
// for Parallelism in Deep Learning"), reproduced bit for bit.
//
// Follows bnb 0.50 `functional.create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8)`:
// for i in 0..<7, take `torch.linspace(0.1, 1, 2^i + 1)` in Float32, average neighbours in Float32,
// scale by 10^(i-6) (the Python scalar rounded to Float32, then a Float32 multiply), add each value
// and its negation; append 0 and 1; sort. 256 values: index 0 = -0.99297, 127 = 0, 255 = 1.0 (there
// is no -1.0). torch's CPU linspace computes element i as fma(step, i, start) for i < steps/2 and
// fma(-step, steps-1-i, end) otherwise (step = (end - start) / (steps - 1) in Float32); that fused
// rounding is why a plain `start + i*step` emulation gets a different table.
// Used by: QuantizedBlockwise8Bit (the default code) and DoubleQuantizedAbsmax (nested_quant_map).
import Foundation

public enum DynamicMap {
    /// The signed 8-bit map bitsandbytes uses by default (`create_dynamic_map()`), 256 ascending values.
    public static let signed8: [Float] = create(signed: true, maxExponentBits: 7, totalBits: 8)

    /// `create_dynamic_map(signed, max_exponent_bits, total_bits)`, sorted ascending, padded with
    /// zeros to 256 entries as bnb does.
    public static func create(signed: Bool = true, maxExponentBits: Int = 7, totalBits: Int = 8) -> [Float] {
        precondition(totalBits >= 2 && totalBits <= 8 && maxExponentBits >= 1 && maxExponentBits < totalBits,
                     "DynamicMap.create: unsupported bits (max_exponent_bits \(maxExponentBits), total_bits \(totalBits))")
        var data: [Float] = []
        let nonSignBits = totalBits - 1
        let additionalItems = (1 << (nonSignBits - maxExponentBits)) - 1
        func scale(_ i: Int) -> Float { Float(Double("1e\(i - (maxExponentBits - 1))")!) }
        func append(means: [Float], _ i: Int) {
            let s = scale(i)
            data += means.map { s * $0 }
            if signed { data += means.map { -s * $0 } }
        }
        for i in 0..<maxExponentBits {
            let items = signed ? (1 << (i + nonSignBits - maxExponentBits)) + 1
                               : (1 << (i + nonSignBits - maxExponentBits + 1)) + 1
            append(means: neighbourMeans(torchLinspace(0.1, 1, items)), i)
        }
        if additionalItems > 0 {
            append(means: neighbourMeans(torchLinspace(0.1, 1, additionalItems + 1)), maxExponentBits - 1)
        }
        data.append(0)
        data.append(1)
        precondition(data.count == 1 << totalBits, "DynamicMap.create: built \(data.count) values")
        data += [Float](repeating: 0, count: 256 - data.count)
        return data.sorted()
    }

    /// `torch.linspace(start, end, steps, dtype=float32)` as torch's CPU kernel computes it.
    public static func torchLinspace(_ start: Float, _ end: Float, _ steps: Int) -> [Float] {
        precondition(steps >= 1, "torchLinspace: steps must be positive")
        if steps == 1 { return [start] }
        let step = (end - start) / Float(steps - 1)
        let halfway = steps / 2
        return (0..<steps).map { i in
            i < halfway ? start.addingProduct(step, Float(i))
                        : end.addingProduct(-step, Float(steps - 1 - i))
        }
    }

    static func neighbourMeans(_ b: [Float]) -> [Float] {
        (0..<(b.count - 1)).map { (b[$0] + b[$0 + 1]) / 2 }
    }
}
