// BnbCheckpointError — problems reading a bitsandbytes-quantized HF checkpoint (transformers
// load_in_4bit / load_in_8bit layout). Each message names the directory or tensor and says what to do.
public enum BnbCheckpointError: Error, CustomStringConvertible, Equatable {
    case notQuantized(path: String, module: String)
    case missingTensor(path: String, tensor: String)
    case wrongDType(path: String, tensor: String, dtype: String, expected: String)
    case wrongShape(path: String, tensor: String, shape: [Int], expected: [Int])
    case customQuantMap(path: String, tensor: String)
    case unsupportedQuantization(path: String, detail: String)
    case inconsistent(path: String, module: String, reason: String)

    public var description: String {
        switch self {
        case let .notQuantized(p, m):
            return "\(p): module \"\(m)\" has no bitsandbytes quant state (no \(m).weight.quant_state.bitsandbytes__nf4/__fp4, no \(m).SCB); "
                + "quantize the model first with `frugal quantize`, or load the weight as a plain tensor"
        case let .missingTensor(p, t): return "\(p): tensor \"\(t)\" is missing; the checkpoint is incomplete — re-save it with transformers or `frugal quantize`"
        case let .wrongDType(p, t, d, e): return "\(p): tensor \"\(t)\" has dtype \(d), expected \(e); only bnb_4bit_quant_storage=uint8 checkpoints are read"
        case let .wrongShape(p, t, s, e): return "\(p): tensor \"\(t)\" has shape \(s), expected \(e); the checkpoint is inconsistent"
        case let .customQuantMap(p, t):
            return "\(p): tensor \"\(t)\" is not the standard NF4/FP4 table; custom 4-bit code tables are not supported"
        case let .unsupportedQuantization(p, d): return "\(p): unsupported quantization_config (\(d)); Frugal reads bitsandbytes 4-bit and 8-bit checkpoints"
        case let .inconsistent(p, m, r): return "\(p): module \"\(m)\": \(r)"
        }
    }
}
