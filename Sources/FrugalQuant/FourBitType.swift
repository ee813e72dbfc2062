// FourBitType — the two bitsandbytes 4-bit code books, NF4 and FP4, and the nearest-code rule.
//
// Follows bitsandbytes 0.50 `functional.get_4bit_type` (tables) and `backends/default/ops.py`
// `quantize_4bit` (CPU quantization): a value already scaled to [-1, 1] gets the index of the
// nearest table entry, found as `torch.bucketize(x, midpoints, right=False)` over the *sorted*
// table: the number of midpoints strictly below x, so a value exactly on a midpoint takes the
// lower code. Midpoints are `(a + b) / 2` in Float32. For FP4, whose table is in bit-pattern order,
// the bucket is mapped back to the bit pattern through the (stable) argsort of the table.
//
// Quirks kept on purpose (they decide bytes): bnb builds FP4 from Python ints, so code 8 ("-0") is
// +0.0; with a stable argsort code 0 precedes code 8, so x == 0 and small negative x get code 0
// while small positive x in (0, 0.0026] get code 8. bnb's native CPU dequantizer decodes code 8 as
// -0.0 (its C table has -0.0f); this module decodes through the table (+0.0): equal as numbers.
public enum FourBitType: String, Sendable, Codable, CaseIterable {
    /// 4-bit NormalFloat (QLoRA): quantiles of N(0, 1), 7 negative values, 0, 8 positive values.
    case nf4
    /// bitsandbytes FP4: 1 sign, 2 exponent, 1 mantissa bit, normalised by 12; bit 3 is the sign.
    case fp4

    /// The 16 code values (`quant_map`), indexed by the 4-bit code. Bit-exact with bitsandbytes.
    public var codebook: [Float] { self == .nf4 ? Self.nf4Table : Self.fp4Table }

    /// NF4 in code order (bnb `get_4bit_type("nf4")`, CUDA `nf4_dequantization_lut`).
    public static let nf4Table: [Float] = [
        -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
        -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
        0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
        0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
    ]

    /// FP4 in code order: `[0, 0.0625, 8, 12, 4, 6, 2, 3, -0, -0.0625, -8, -12, -4, -6, -2, -3] / 12`,
    /// divided in Float32 as bnb does (`data.div_(data.abs().max())`); the Python int `-0` is +0.0.
    public static let fp4Table: [Float] = {
        let raw: [Float] = [0, 0.0625, 8, 12, 4, 6, 2, 3, 0, -0.0625, -8, -12, -4, -6, -2, -3]
        return raw.map { $0 / 12 }
    }()

    /// Code indices in ascending order of value (a stable argsort of `codebook`).
    public var sortedOrder: [UInt8] {
        let table = codebook
        return (0..<16).sorted { a, b in table[a] < table[b] || (table[a] == table[b] && a < b) }.map(UInt8.init)
    }

    /// The 15 decision thresholds: Float32 midpoints of adjacent sorted code values.
    public var midpoints: [Float] {
        let table = codebook
        let sorted = sortedOrder.map { table[Int($0)] }
        return (0..<15).map { (sorted[$0] + sorted[$0 + 1]) / 2 }
    }

    /// A precomputed quantizer (midpoints and order), cheap to use in a loop.
    public var quantizer: FourBitQuantizer { FourBitQuantizer(self) }
}

/// Nearest-code lookup for a `FourBitType`: `code(for:)` maps a scaled value in [-1, 1] to its
/// 4-bit code with bitsandbytes' rule (ties to the lower code).
public struct FourBitQuantizer: Sendable {
    public let type: FourBitType
    @usableFromInline let midpoints: SIMD16<Float>   // 15 thresholds, lane 15 = +inf (never below x)
    @usableFromInline let order: SIMD16<UInt8>

    public init(_ type: FourBitType) {
        self.type = type
        var m = SIMD16<Float>(repeating: .infinity)
        for (i, v) in type.midpoints.enumerated() { m[i] = v }
        midpoints = m
        var o = SIMD16<UInt8>()
        for (i, v) in type.sortedOrder.enumerated() { o[i] = v }
        order = o
    }

    /// The code for `x` (already multiplied by 1/absmax and clamped to [-1, 1]).
    @inlinable
    public func code(for x: Float) -> UInt8 {
        // bucket = number of midpoints strictly below x (torch.bucketize, right=False)
        let below = midpoints .< SIMD16<Float>(repeating: x)
        let bucket = SIMD16<Int32>(repeating: 0).replacing(with: 1, where: below).wrappedSum()
        return order[Int(bucket)]
    }
}
