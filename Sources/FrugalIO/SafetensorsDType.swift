// SafetensorsDType — the element types of the safetensors format (ST `safetensors/src/tensor.rs`
// `Dtype`), declared in the Rust enum's order. That order matters: the Rust writer (which the Python
// library calls) lays tensors out by dtype DESCENDING in this order, then by name, and Frugal's
// writer does the same to produce byte-identical files. Order confirmed against safetensors 0.8.0.
public enum SafetensorsDType: String, CaseIterable, Sendable, Codable {
    case BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, I16, U16, F16, BF16
    case I32, U32, F32, C64, F64, I64, U64

    /// Bits per element (sub-byte types pack; a tensor's bits must fill whole bytes).
    public var bits: Int {
        switch self {
        case .F4: return 4
        case .F6_E2M3, .F6_E3M2: return 6
        case .BOOL, .U8, .I8, .F8_E5M2, .F8_E4M3, .F8_E8M0: return 8
        case .I16, .U16, .F16, .BF16: return 16
        case .I32, .U32, .F32: return 32
        case .C64, .F64, .I64, .U64: return 64
        }
    }

    /// Position in the Rust enum (the writer sorts by this, descending).
    public var rank: Int { Self.allCases.firstIndex(of: self)! }

    /// Whether `SafetensorsFile.loadFloat32` converts this type (real floating-point types of
    /// at least 8 bits). Other types are available as raw bytes.
    public var convertsToFloat32: Bool {
        switch self {
        case .F64, .F32, .F16, .BF16, .F8_E4M3, .F8_E5M2, .F8_E8M0: return true
        default: return false
        }
    }
}
