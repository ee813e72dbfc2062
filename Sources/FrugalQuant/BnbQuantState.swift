// BnbQuantState — the non-tensor fields of a bitsandbytes 4-bit QuantState, as serialized next to a
// Linear4bit weight under the key `<prefix>weight.quant_state.bitsandbytes__nf4` (or `__fp4`): a
// uint8 tensor holding the UTF-8 bytes of a JSON object.
//
// Follows bnb 0.50 `QuantState.as_dict(packed=True)` / `from_dict` and `utils.pack_dict_to_tensor`:
// `json.dumps` with default separators (", " and ": ") and keys in insertion order
//   quant_type, blocksize, dtype, shape[, nested_blocksize, nested_dtype, nested_offset]
// with `nested_offset` = `offset.item()` (a Float32 widened to double, written by PythonFloatRepr).
// The tensor fields that go beside it (for FrugalIO): `weight` (packed, uint8 [(n+1)/2, 1]),
// `weight.absmax` (Float32 [blocks], or uint8 when nested), `weight.quant_map` (Float32 [16]),
// `weight.nested_absmax` (Float32), `weight.nested_quant_map` (Float32 [256]) — see `tensors`.
import Foundation

public struct BnbQuantState: Sendable, Equatable {
    public var quantType: FourBitType
    public var blockSize: Int
    public var dtype: TorchFloatDType
    public var shape: [Int]
    /// Present when double-quantized.
    public var nested: Nested?

    public struct Nested: Sendable, Equatable {
        public var blockSize: Int
        public var dtype: TorchFloatDType
        public var offset: Float
        public init(blockSize: Int = 256, dtype: TorchFloatDType = .float32, offset: Float) {
            self.blockSize = blockSize
            self.dtype = dtype
            self.offset = offset
        }
    }

    public init(quantType: FourBitType, blockSize: Int, dtype: TorchFloatDType, shape: [Int], nested: Nested? = nil) {
        self.quantType = quantType
        self.blockSize = blockSize
        self.dtype = dtype
        self.shape = shape
        self.nested = nested
    }

    /// The key suffix after the weight's prefix: `weight.quant_state.bitsandbytes__nf4`.
    public var keySuffix: String { "quant_state.bitsandbytes__" + quantType.rawValue }

    /// The JSON text, byte-identical to bitsandbytes'.
    public var json: String {
        var s = "{\"quant_type\": \"\(quantType.rawValue)\", \"blocksize\": \(blockSize), \"dtype\": \"\(dtype.rawValue)\", "
        s += "\"shape\": [" + shape.map(String.init).joined(separator: ", ") + "]"
        if let n = nested {
            s += ", \"nested_blocksize\": \(n.blockSize), \"nested_dtype\": \"\(n.dtype.rawValue)\", "
            s += "\"nested_offset\": " + PythonFloatRepr.string(Double(n.offset))
        }
        return s + "}"
    }

    /// The bytes of the uint8 tensor stored under `keySuffix`.
    public var jsonBytes: [UInt8] { Array(json.utf8) }

    /// Parses the JSON bytes of a `quant_state.bitsandbytes__*` tensor. Unknown keys are refused
    /// (bnb asserts the same); `shape` must be present.
    public static func parse(_ bytes: [UInt8]) throws -> BnbQuantState {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)), let d = object as? [String: Any] else {
            throw QuantError.badQuantState("the quant_state tensor does not hold a JSON object")
        }
        let known: Set<String> = ["quant_type", "blocksize", "dtype", "shape", "nested_blocksize", "nested_dtype", "nested_offset"]
        if let unknown = d.keys.first(where: { !known.contains($0) }) {
            throw QuantError.badQuantState("unknown key \"\(unknown)\"; this reader knows \(known.sorted())")
        }
        func int(_ key: String) throws -> Int {
            guard let v = d[key] as? NSNumber, let i = Int(exactly: v.doubleValue) else {
                throw QuantError.badQuantState("\"\(key)\" is missing or not an integer")
            }
            return i
        }
        func dtype(_ key: String) throws -> TorchFloatDType {
            guard let s = d[key] as? String, let t = TorchFloatDType(rawValue: s) else {
                throw QuantError.badQuantState("\"\(key)\" must be one of float32, float16, bfloat16")
            }
            return t
        }
        guard let qt = d["quant_type"] as? String, let type = FourBitType(rawValue: qt) else {
            throw QuantError.badQuantState("\"quant_type\" must be \"nf4\" or \"fp4\"")
        }
        guard let shapeArray = d["shape"] as? [NSNumber], !shapeArray.isEmpty else {
            throw QuantError.badQuantState("\"shape\" is missing or empty")
        }
        let shape = try shapeArray.map { n -> Int in
            guard let i = Int(exactly: n.doubleValue), i > 0, i < 1 << 40 else {
                throw QuantError.badQuantState("\"shape\" entry \(n) is not a positive integer")
            }
            return i
        }
        var nested: Nested?
        if d["nested_offset"] != nil || d["nested_blocksize"] != nil {
            guard let off = d["nested_offset"] as? NSNumber else { throw QuantError.badQuantState("\"nested_offset\" is missing") }
            nested = Nested(blockSize: try int("nested_blocksize"), dtype: try dtype("nested_dtype"), offset: Float(off.doubleValue))
        }
        return BnbQuantState(quantType: type, blockSize: try int("blocksize"), dtype: try dtype("dtype"), shape: shape, nested: nested)
    }
}

extension QuantizedBlockwise4Bit {
    /// The quant_state fields of this tensor.
    public var quantState: BnbQuantState {
        var nested: BnbQuantState.Nested?
        if case .doubleQuantized(let d) = scales { nested = .init(blockSize: d.nestedBlockSize, offset: d.offset) }
        return BnbQuantState(quantType: type, blockSize: blockSize, dtype: dtype, shape: shape, nested: nested)
    }

    /// The tensors bitsandbytes saves for this weight, keyed by the suffix after the module prefix
    /// (`weight`, `weight.absmax`, ...), with their torch dtype and shape. Bytes are little-endian.
    public var tensors: [(key: String, dtype: String, shape: [Int], bytes: [UInt8])] {
        func le(_ v: [Float]) -> [UInt8] { v.flatMap { f in withUnsafeBytes(of: f.bitPattern.littleEndian) { Array($0) } } }
        var out: [(key: String, dtype: String, shape: [Int], bytes: [UInt8])] = [("weight", "uint8", [packed.count, 1], packed)]
        switch scales {
        case .float(let a):
            out.append(("weight.absmax", "float32", [a.count], le(a)))
            out.append(("weight.quant_map", "float32", [16], le(quantMap)))
        case .doubleQuantized(let d):
            out.append(("weight.absmax", "uint8", [d.codes.count], d.codes))
            out.append(("weight.quant_map", "float32", [16], le(quantMap)))
            out.append(("weight.nested_absmax", "float32", [d.nestedAbsmax.count], le(d.nestedAbsmax)))
            out.append(("weight.nested_quant_map", "float32", [256], le(d.nestedCode)))
        }
        let qs = quantState
        out.append(("weight." + qs.keySuffix, "uint8", [qs.jsonBytes.count], qs.jsonBytes))
        return out
    }
}
