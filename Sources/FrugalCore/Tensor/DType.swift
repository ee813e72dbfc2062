// DType — the element type tag of a tensor's storage. Compute is Float32; other tags let 16-bit and
// packed 4-bit storage (FrugalQuant) live in the same `Storage` without changing call sites.
public enum DType: String, Sendable, CaseIterable {
    case float32, float16, bfloat16, uint8, int32

    /// Bytes per element (packed 4-bit codes are stored as `uint8`, two per byte).
    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float16, .bfloat16: return 2
        case .uint8: return 1
        }
    }
}
