// QuantizeReport — what `frugal quantize` did: per quantized tensor the reconstruction error of the
// weight bitsandbytes will compute with (RMSE, max |error|, SNR in dB), bytes before and after,
// and totals. Codable so the CLI can print it as JSON.
//   RMSE  = sqrt(mean((w - w')^2)),  max = max |w - w'|,  SNR = 10 log10(sum w^2 / sum (w - w')^2)
// where w is the input weight (widened to Float64 for the sums) and w' its dequantization rounded to
// the dtype bitsandbytes returns (quant_state.dtype for 4-bit; Float32 for int8). SNR is +inf for an
// exact reconstruction (omitted from the JSON).
import Foundation

public struct QuantizeTensorReport: Codable, Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    public var inputDType: String
    public var format: String
    public var rmse: Double
    public var maxAbsError: Double
    public var snrDB: Double?
    public var bytesBefore: Int
    public var bytesAfter: Int
}

public struct QuantizeReport: Codable, Equatable, Sendable {
    public var input: String
    public var output: String
    public var format: String
    public var blockSize: Int?
    public var doubleQuant: Bool
    /// The quantized linear weights, in checkpoint name order.
    public var tensors: [QuantizeTensorReport]
    /// Tensors copied unchanged (embeddings, norms, lm_head, biases).
    public var copiedTensors: Int
    /// Bytes of all tensor data in the input and in the output (safetensors payload).
    public var bytesBefore: Int
    public var bytesAfter: Int
    /// Size of the written model.safetensors.
    public var outputFileBytes: Int
    /// Non-weight files written or copied (config.json, tokenizer files, ...).
    public var files: [String]
    /// Things the user should know (e.g. no tokenizer for GGUF input).
    public var notes: [String]
}

/// Error statistics of a reconstruction.
public enum QuantizeErrorStats {
    public static func measure(_ w: [Float], _ r: [Float]) -> (rmse: Double, maxAbs: Double, snrDB: Double?) {
        precondition(w.count == r.count && !w.isEmpty, "QuantizeErrorStats: \(w.count) vs \(r.count) values")
        var se = 0.0, ss = 0.0, mx = 0.0
        for i in 0..<w.count {
            let a = Double(w[i]), d = a - Double(r[i])
            se += d * d
            ss += a * a
            mx = max(mx, abs(d))
        }
        let snr: Double? = se == 0 ? nil : 10 * log10(ss / se)
        return ((se / Double(w.count)).squareRoot(), mx, snr)
    }
}
