// BnbQuantizationConfig — the `quantization_config` object transformers writes into config.json for
// a bitsandbytes model (transformers 5.23 `BitsAndBytesConfig.to_dict()`), and the test of whether
// a config.json already carries one.
//
// The keys, exactly as transformers 5.23 saves them (checked against save_pretrained output, see
// reference/bnb_checkpoint_fixtures.py):
//   _load_in_4bit, _load_in_8bit, bnb_4bit_compute_dtype ("float32" unless set), bnb_4bit_quant_storage
//   ("uint8"), bnb_4bit_quant_type ("fp4" unless set), bnb_4bit_use_double_quant, llm_int8_enable_fp32_cpu_offload
//   (false), llm_int8_has_fp16_weight (false), llm_int8_skip_modules (null), llm_int8_threshold (6.0),
//   load_in_4bit, load_in_8bit, quant_method ("bitsandbytes").
// For load_in_8bit the 4-bit fields keep their defaults (fp4, float32, no double quant).
// Leaves out: quant_storage other than uint8, skip-module lists, CPU offload.
import FrugalQuant

public struct BnbQuantizationConfig: Equatable, Sendable {
    public enum Mode: Equatable, Sendable {
        case fourBit(FourBitType, doubleQuant: Bool)
        case eightBit
    }

    public var mode: Mode
    /// `bnb_4bit_compute_dtype`: the dtype Linear4bit computes in (ignored by 8-bit layers).
    public var computeDType: TorchFloatDType

    public init(mode: Mode, computeDType: TorchFloatDType = .float32) {
        self.mode = mode
        self.computeDType = computeDType
    }

    /// The object transformers writes under `quantization_config`.
    public var json: BnbConfigJSON {
        var type = FourBitType.fp4, dq = false, four = false
        if case .fourBit(let t, let d) = mode { type = t; dq = d; four = true }
        return .object([
            ("_load_in_4bit", .bool(four)),
            ("_load_in_8bit", .bool(!four)),
            ("bnb_4bit_compute_dtype", .string(four ? computeDType.rawValue : "float32")),
            ("bnb_4bit_quant_storage", .string("uint8")),
            ("bnb_4bit_quant_type", .string(type.rawValue)),
            ("bnb_4bit_use_double_quant", .bool(dq)),
            ("llm_int8_enable_fp32_cpu_offload", .bool(false)),
            ("llm_int8_has_fp16_weight", .bool(false)),
            ("llm_int8_skip_modules", .null),
            ("llm_int8_threshold", .double(6.0)),
            ("load_in_4bit", .bool(four)),
            ("load_in_8bit", .bool(!four)),
            ("quant_method", .string("bitsandbytes")),
        ])
    }

    /// Reads the mode back from a config.json's `quantization_config` (nil when there is none).
    /// Throws for a quantization method other than bitsandbytes.
    public static func read(from config: BnbConfigJSON, path: String) throws -> BnbQuantizationConfig? {
        guard let q = config["quantization_config"], q != .null else { return nil }
        guard case .string(let method)? = q["quant_method"], method == "bitsandbytes" else {
            throw BnbCheckpointError.unsupportedQuantization(path: path, detail: "quant_method is \(q["quant_method"].map { "\($0)" } ?? "missing"), not \"bitsandbytes\"")
        }
        let compute: TorchFloatDType
        if case .string(let s)? = q["bnb_4bit_compute_dtype"], let t = TorchFloatDType(rawValue: s) { compute = t } else { compute = .float32 }
        if q["load_in_4bit"] == .bool(true) || q["_load_in_4bit"] == .bool(true) {
            guard case .string(let ts)? = q["bnb_4bit_quant_type"], let type = FourBitType(rawValue: ts) else {
                throw BnbCheckpointError.unsupportedQuantization(path: path, detail: "bnb_4bit_quant_type must be \"nf4\" or \"fp4\"")
            }
            return BnbQuantizationConfig(mode: .fourBit(type, doubleQuant: q["bnb_4bit_use_double_quant"] == .bool(true)),
                                         computeDType: compute)
        }
        if q["load_in_8bit"] == .bool(true) || q["_load_in_8bit"] == .bool(true) {
            return BnbQuantizationConfig(mode: .eightBit, computeDType: compute)
        }
        throw BnbCheckpointError.unsupportedQuantization(path: path, detail: "neither load_in_4bit nor load_in_8bit is true")
    }
}
