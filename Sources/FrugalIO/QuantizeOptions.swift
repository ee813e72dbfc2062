// QuantizeOptions — what `frugal quantize` is asked to do: the target format (nf4, fp4, int8),
// double quantization and block size (4-bit only; bitsandbytes' allowed sizes), the compute dtype
// recorded in quantization_config, and whether an existing non-empty output directory may be replaced.
// Validated by `validate()` before any file is touched.
import FrugalQuant

public struct QuantizeOptions: Equatable, Sendable {
    public enum Target: String, CaseIterable, Sendable {
        case nf4, fp4, int8
    }

    public var target: Target
    public var doubleQuant: Bool
    /// 4-bit block size; nil means bitsandbytes' default, 64.
    public var blockSize: Int?
    /// `bnb_4bit_compute_dtype`; nil means the dtype of the input's linear weights (float32 for GGUF).
    public var computeDType: TorchFloatDType?
    /// Replace an existing non-empty output directory.
    public var force: Bool

    public init(target: Target, doubleQuant: Bool = false, blockSize: Int? = nil, computeDType: TorchFloatDType? = nil,
                force: Bool = false) {
        self.target = target
        self.doubleQuant = doubleQuant
        self.blockSize = blockSize
        self.computeDType = computeDType
        self.force = force
    }

    public var fourBitType: FourBitType? {
        switch target {
        case .nf4: return .nf4
        case .fp4: return .fp4
        case .int8: return nil
        }
    }

    /// The block size actually used for 4-bit.
    public var effectiveBlockSize: Int { blockSize ?? 64 }

    public func validate() throws {
        if target == .int8 {
            if doubleQuant { throw QuantizeError.badOption("--double-quant applies to nf4/fp4 only; LLM.int8 stores one fp32 scale per row") }
            if blockSize != nil { throw QuantizeError.badOption("--block-size applies to nf4/fp4 only; LLM.int8 scales whole rows") }
            return
        }
        let b = effectiveBlockSize
        guard QuantizedBlockwise4Bit.allowedBlockSizes.contains(b) else {
            throw QuantizeError.badOption("--block-size \(b) is not supported by bitsandbytes; use one of "
                + QuantizedBlockwise4Bit.allowedBlockSizes.map(String.init).joined(separator: ", "))
        }
    }
}
