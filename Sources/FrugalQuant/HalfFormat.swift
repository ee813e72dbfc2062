// HalfFormat — which 16-bit float a UInt16 holds, with scalar encode/decode. The rounding rules
// live in BFloat16Bits and Float16Bits; bulk conversions are in HalfConversion.
public enum HalfFormat: String, Sendable, Codable, CaseIterable {
    /// IEEE binary16: 5 exponent bits, 10 mantissa bits. Range ±65504, eps 2^-10.
    case fp16
    /// bfloat16: 8 exponent bits, 7 mantissa bits. Float32's range, eps 2^-7.
    case bf16

    @inlinable
    public func encode(_ x: Float) -> UInt16 {
        switch self {
        case .fp16: return Float16Bits.fromFloat(x)
        case .bf16: return BFloat16Bits.fromFloat(x)
        }
    }

    @inlinable
    public func decode(_ bits: UInt16) -> Float {
        switch self {
        case .fp16: return Float16Bits.toFloat(bits)
        case .bf16: return BFloat16Bits.toFloat(bits)
        }
    }

    /// The PyTorch dtype name ("float16" / "bfloat16"), as bitsandbytes and safetensors metadata spell it.
    public var torchName: String { self == .fp16 ? "float16" : "bfloat16" }
}
