// GGMLType — the tensor element types a GGUF file can name, with their block geometry.
//
// Ids, block sizes and block byte sizes follow ggml `ggml.h` / gguf-py `constants.py`
// (`GGMLQuantizationType`, `GGML_QUANT_SIZES`). Every type here can be opened, sized and listed
// (`frugal info`); only those with `canDequantize` can be turned into Float32 (GGMLDequantize).
// An id not in this table is refused when the file is opened: without its block geometry the
// tensor's byte size, and therefore the rest of the file, cannot be trusted.
public enum GGMLType: UInt32, CaseIterable, Sendable, Codable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22
    case iq4_xs = 23, i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35, mxfp4 = 39, nvfp4 = 40, q1_0 = 41

    /// Elements per block (QK_K = 256 for the K-quants).
    public var blockSize: Int { Self.geometry[self]!.0 }
    /// Bytes per block.
    public var typeSize: Int { Self.geometry[self]!.1 }

    /// The name llama.cpp prints ("Q4_K", "F32", "BF16").
    public var name: String {
        switch self {
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K:
            let s = String(describing: self)
            return s.dropLast(1).uppercased() + "K"
        default: return String(describing: self).uppercased()
        }
    }

    /// Whether GGMLDequantize can turn this type into Float32.
    public var canDequantize: Bool {
        switch self {
        case .f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K: return true
        default: return false
        }
    }

    private static let qk = 256
    private static let geometry: [GGMLType: (Int, Int)] = [
        .f32: (1, 4), .f16: (1, 2), .q4_0: (32, 18), .q4_1: (32, 20), .q5_0: (32, 22),
        .q5_1: (32, 24), .q8_0: (32, 34), .q8_1: (32, 40),
        .q2_K: (qk, 2 + 2 + qk / 16 + qk / 4), .q3_K: (qk, 2 + qk / 4 + qk / 8 + 12),
        .q4_K: (qk, 2 + 2 + qk / 2 + 12), .q5_K: (qk, 2 + 2 + qk / 2 + qk / 8 + 12),
        .q6_K: (qk, 2 + qk / 2 + qk / 4 + qk / 16), .q8_K: (qk, 4 + qk + qk / 8),
        .iq2_xxs: (qk, 2 + qk / 4), .iq2_xs: (qk, 2 + qk / 4 + qk / 32),
        .iq3_xxs: (qk, 2 + qk / 4 + qk / 8), .iq1_s: (qk, 2 + qk / 8 + qk / 16), .iq4_nl: (32, 18),
        .iq3_s: (qk, 2 + qk / 4 + qk / 8 + qk / 32 + 4), .iq2_s: (qk, 2 + qk / 4 + qk / 16),
        .iq4_xs: (qk, 2 + 2 + qk / 2 + qk / 64), .i8: (1, 1), .i16: (1, 2), .i32: (1, 4),
        .i64: (1, 8), .f64: (1, 8), .iq1_m: (qk, qk / 8 + qk / 16 + qk / 32), .bf16: (1, 2),
        .tq1_0: (qk, 2 + 4 * 13), .tq2_0: (qk, 2 + 64), .mxfp4: (32, 17), .nvfp4: (64, 36),
        .q1_0: (128, 18),
    ]
}
