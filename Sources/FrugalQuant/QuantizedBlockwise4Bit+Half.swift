// QuantizedBlockwise4Bit+Half — 4-bit quantization of 16-bit weights and dequantization back to
// 16 bits, as bitsandbytes does for bf16/fp16 models: the input is widened exactly to Float32 and
// quantized (the dtype is recorded in quant_state); the output is the Float32 product code * absmax
// rounded to nearest even in the 16-bit format.
extension QuantizedBlockwise4Bit {
    public static func quantize(_ weights: HalfBuffer, shape: [Int], type: FourBitType, blockSize: Int = 64,
                                doubleQuant: Bool = false) throws -> QuantizedBlockwise4Bit {
        try quantize(weights.toFloat(), shape: shape, type: type, blockSize: blockSize, doubleQuant: doubleQuant,
                     dtype: weights.format == .bf16 ? .bfloat16 : .float16)
    }

    /// Dequantizes to `format` (bnb `dequantize_4bit` with a 16-bit `quant_state.dtype`).
    public func dequantize(to format: HalfFormat) -> HalfBuffer { HalfBuffer(dequantize(), format: format) }
}
