// MemoryWeightFormat — how weights are stored, and the exact bytes of one weight tensor in that
// format (bitsandbytes layouts, formats-and-algorithms §1.4–1.7 and §2.3):
//   fp32 4 B, fp16/bf16 2 B per element;
//   int8 (LLM.int8): 1 B per element + SCB fp32 [out];
//   nf4 (blocksize 64): ceil(n/2) packed bytes + fp32 absmax per block + quant_map fp32 [16]
//     → 4 + 32/64 = 4.5 bits/param;
//   nf4 + double quant: ceil(n/2) + uint8 absmax per block + fp32 nested absmax per 256 blocks
//     + fp32 offset + quant_map [16] + nested_quant_map fp32 [256] → 4 + 8/64 + 32/(64·256) = 4.127 bits.
// FP4 has exactly the sizes of NF4 (only the 16-entry code differs). The JSON quant_state blob
// (~150 bytes a tensor) is left out.
public enum WeightFormat: String, Codable, Sendable, CaseIterable {
    case fp32, fp16, bf16, int8, nf4
    case nf4DoubleQuant = "nf4-dq"

    public static let nf4BlockSize = 64
    public static let nestedBlockSize = 256

    public var isQuantized: Bool { self == .int8 || self == .nf4 || self == .nf4DoubleQuant }

    /// Bytes per element of an unquantized format; 2 (the 16-bit compute dtype) for the parts of
    /// a quantized model that stay unquantized.
    public var plainBytes: Double {
        switch self {
        case .fp32: return 4
        case .fp16, .bf16: return 2
        case .int8, .nf4, .nf4DoubleQuant: return 2
        }
    }

    /// Bytes of one weight tensor of `count` elements and `rows` output rows, split into
    /// (data, constants). Unquantized formats have no constants.
    public func tensorBytes(count: Int, rows: Int) -> (data: Double, constants: Double) {
        let n = Double(count)
        switch self {
        case .fp32, .fp16, .bf16:
            return (n * plainBytes, 0)
        case .int8:
            return (n, Double(rows) * 4)
        case .nf4, .nf4DoubleQuant:
            let packed = Double((count + 1) / 2)
            let blocks = (count + Self.nf4BlockSize - 1) / Self.nf4BlockSize
            if self == .nf4 {
                return (packed, Double(blocks) * 4 + 16 * 4)
            }
            let nested = (blocks + Self.nestedBlockSize - 1) / Self.nestedBlockSize
            return (packed, Double(blocks) + Double(nested) * 4 + 4 + 16 * 4 + 256 * 4)
        }
    }

    /// Asymptotic bits per parameter (constants included), for the summary tables.
    public var bitsPerParameter: Double {
        switch self {
        case .fp32: return 32
        case .fp16, .bf16: return 16
        case .int8: return 8
        case .nf4: return 4 + 32.0 / 64
        case .nf4DoubleQuant: return 4 + 8.0 / 64 + 32.0 / (64 * 256)
        }
    }
}
