// TorchFloatDType — the floating-point dtype a tensor had before quantization, spelled as
// bitsandbytes writes it in quant_state JSON (`str(dtype).strip("torch.")`). It only labels the
// data (dequantization here always yields Float32; round with HalfBuffer to go back to 16 bits).
public enum TorchFloatDType: String, Sendable, Codable, CaseIterable {
    case float32, float16, bfloat16

    /// The 16-bit format, or nil for float32.
    public var halfFormat: HalfFormat? {
        switch self {
        case .float32: return nil
        case .float16: return .fp16
        case .bfloat16: return .bf16
        }
    }
}
