// BnbCheckpoint — the tensors of bitsandbytes-quantized linear layers in an HF checkpoint, as
// transformers 5.23 + bitsandbytes 0.50.2 save them (bnb `Linear4bit._save_to_state_dict`,
// `QuantState.as_dict(packed=True)`; `Linear8bitLt._save_to_state_dict`). For module prefix P:
//   4-bit: P.weight                        uint8 [(n+1)/2, 1]   packed codes, first element in the high nibble
//          P.weight.absmax                 fp32 [blocks], or uint8 [blocks] when double-quantized
//          P.weight.quant_map              fp32 [16]
//          P.weight.nested_absmax          fp32 [ceil(blocks/256)]   (double quant only)
//          P.weight.nested_quant_map       fp32 [256]                (double quant only)
//          P.weight.quant_state.bitsandbytes__nf4 (or __fp4)  uint8 [len]  JSON (BnbQuantState)
//   8-bit: P.weight int8 [out, in], P.SCB fp32 [out], P.weight_format uint8 [] (BnbInt8Weight)
// Writing: `tensors(_:module:)` turns a QuantizedBlockwise4Bit into those SafetensorsTensors.
// Reading: `load4bit` / `loadInt8` rebuild the quantized weight from a directory or an open
// checkpoint, checking every dtype, shape and length against the quant state (a corrupt file
// gives a typed error, never a trap or an allocation its header alone asks for).
// Leaves out: bnb_4bit_quant_storage other than uint8; custom 4-bit code tables.
import Foundation
import FrugalQuant

public enum BnbCheckpoint {
    /// The SafetensorsTensors bitsandbytes saves for a 4-bit weight of module `module`
    /// (e.g. "model.layers.0.self_attn.q_proj"; a trailing ".weight" is dropped).
    public static func tensors(_ q: QuantizedBlockwise4Bit, module: String) -> [SafetensorsTensor] {
        let prefix = modulePrefix(module)
        return q.tensors.map { t in
            let dtype: SafetensorsDType = t.dtype == "uint8" ? .U8 : .F32
            return SafetensorsTensor(name: prefix + "." + t.key, dtype: dtype, shape: t.shape, bytes: t.bytes)
        }
    }

    /// "model.layers.0.self_attn.q_proj.weight" -> "model.layers.0.self_attn.q_proj".
    public static func modulePrefix(_ name: String) -> String {
        name.hasSuffix(".weight") ? String(name.dropLast(".weight".count)) : name
    }

    /// Whether `module` is stored 4-bit in `checkpoint` (has a quant_state tensor).
    public static func is4bit(_ checkpoint: SafetensorsCheckpoint, module: String) -> Bool {
        let p = modulePrefix(module) + ".weight.quant_state.bitsandbytes__"
        return checkpoint.info(p + "nf4") != nil || checkpoint.info(p + "fp4") != nil
    }

    /// Reads the 4-bit weight of `module` from the HF directory `directory` (model.safetensors or a
    /// sharded index).
    public static func load4bit(directory: String, module: String) throws -> QuantizedBlockwise4Bit {
        try load4bit(from: try open(directory), module: module, path: directory)
    }

    /// Reads the 4-bit weight of `module` from an open checkpoint.
    public static func load4bit(from ck: SafetensorsCheckpoint, module: String, path: String = "") throws -> QuantizedBlockwise4Bit {
        let m = modulePrefix(module)
        let w = m + ".weight"
        let stateKey: String
        if ck.info(w + ".quant_state.bitsandbytes__nf4") != nil {
            stateKey = w + ".quant_state.bitsandbytes__nf4"
        } else if ck.info(w + ".quant_state.bitsandbytes__fp4") != nil {
            stateKey = w + ".quant_state.bitsandbytes__fp4"
        } else {
            throw BnbCheckpointError.notQuantized(path: path, module: m)
        }
        let stateBytes = try raw(ck, stateKey, dtype: .U8, path: path, maxBytes: 1 << 16)
        let state = try BnbQuantState.parse(stateBytes)
        guard stateKey.hasSuffix("__" + state.quantType.rawValue) else {
            throw BnbCheckpointError.inconsistent(path: path, module: m, reason: "\(stateKey) says quant_type \(state.quantType.rawValue)")
        }
        guard let n = QuantizedBlockwise4Bit.elementCount(state.shape) else {
            throw BnbCheckpointError.inconsistent(path: path, module: m, reason: "quant_state shape \(state.shape) is not a valid shape")
        }
        guard QuantizedBlockwise4Bit.allowedBlockSizes.contains(state.blockSize) else {
            throw BnbCheckpointError.inconsistent(path: path, module: m, reason: "quant_state blocksize \(state.blockSize) is not one bitsandbytes uses")
        }
        let blocks = (n + state.blockSize - 1) / state.blockSize
        let packed = try raw(ck, w, dtype: .U8, shape: [(n + 1) / 2, 1], path: path)
        let quantMap = try floats(ck, w + ".quant_map", shape: [16], path: path)
        guard quantMap.map(\.bitPattern) == state.quantType.codebook.map(\.bitPattern) else {
            throw BnbCheckpointError.customQuantMap(path: path, tensor: w + ".quant_map")
        }
        let scales: QuantizedBlockwise4Bit.Scales
        if let nested = state.nested {
            guard nested.blockSize > 0, nested.dtype == .float32 else {
                throw BnbCheckpointError.inconsistent(path: path, module: m, reason: "nested_blocksize \(nested.blockSize) / nested_dtype \(nested.dtype.rawValue) not supported")
            }
            let codes = try raw(ck, w + ".absmax", dtype: .U8, shape: [blocks], path: path)
            let nestedAbsmax = try floats(ck, w + ".nested_absmax", shape: [(blocks + nested.blockSize - 1) / nested.blockSize], path: path)
            let nestedCode = try floats(ck, w + ".nested_quant_map", shape: [256], path: path)
            do {
                scales = .doubleQuantized(try DoubleQuantizedAbsmax(codes: codes, nestedAbsmax: nestedAbsmax, offset: nested.offset,
                                                                    nestedBlockSize: nested.blockSize, nestedCode: nestedCode))
            } catch let e as QuantError {
                throw BnbCheckpointError.inconsistent(path: path, module: m, reason: e.description)
            }
        } else {
            scales = .float(try floats(ck, w + ".absmax", shape: [blocks], path: path))
        }
        do {
            return try QuantizedBlockwise4Bit(type: state.quantType, shape: state.shape, blockSize: state.blockSize,
                                              packed: packed, scales: scales, dtype: state.dtype)
        } catch let e as QuantError {
            throw BnbCheckpointError.inconsistent(path: path, module: m, reason: e.description)
        }
    }

    /// Reads the LLM.int8 weight of `module` (weight int8 [out, in] + SCB fp32 [out]).
    public static func loadInt8(directory: String, module: String) throws -> BnbInt8Weight {
        try loadInt8(from: try open(directory), module: module, path: directory)
    }

    public static func loadInt8(from ck: SafetensorsCheckpoint, module: String, path: String = "") throws -> BnbInt8Weight {
        let m = modulePrefix(module)
        guard ck.info(m + ".SCB") != nil else { throw BnbCheckpointError.notQuantized(path: path, module: m) }
        guard let wi = ck.info(m + ".weight") else { throw BnbCheckpointError.missingTensor(path: path, tensor: m + ".weight") }
        guard wi.dtype == .I8 else { throw BnbCheckpointError.wrongDType(path: path, tensor: m + ".weight", dtype: wi.dtype.rawValue, expected: "I8") }
        guard wi.shape.count == 2, wi.shape[0] > 0, wi.shape[1] > 0 else {
            throw BnbCheckpointError.wrongShape(path: path, tensor: m + ".weight", shape: wi.shape, expected: [-1, -1])
        }
        let (rows, cols) = (wi.shape[0], wi.shape[1])
        if let f = ck.info(m + ".weight_format") {
            let b = try ck.rawData(f.name)
            guard f.dtype == .U8, b == [0] else {
                throw BnbCheckpointError.inconsistent(path: path, module: m, reason: "weight_format is not 0 (\"row\"); other layouts are not supported")
            }
        }
        let codes = try ck.rawData(m + ".weight").map { Int8(bitPattern: $0) }
        let scb = try floats(ck, m + ".SCB", shape: [rows], path: path)
        return BnbInt8Weight(rows: rows, cols: cols, quantized: AbsmaxInt8(codes: codes, absmax: scb, blockSize: cols))
    }

    // MARK: helpers

    static func open(_ directory: String) throws -> SafetensorsCheckpoint {
        let index = (directory as NSString).appendingPathComponent("model.safetensors.index.json")
        if FileManager.default.fileExists(atPath: index) { return try SafetensorsCheckpoint(path: index) }
        let single = (directory as NSString).appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: single) else {
            throw BnbCheckpointError.missingTensor(path: directory, tensor: "model.safetensors (no weights file in the directory)")
        }
        return try SafetensorsCheckpoint(path: single)
    }

    private static func raw(_ ck: SafetensorsCheckpoint, _ name: String, dtype: SafetensorsDType, shape: [Int]? = nil,
                            path: String, maxBytes: Int? = nil) throws -> [UInt8] {
        guard let info = ck.info(name) else { throw BnbCheckpointError.missingTensor(path: path, tensor: name) }
        guard info.dtype == dtype else {
            throw BnbCheckpointError.wrongDType(path: path, tensor: name, dtype: info.dtype.rawValue, expected: dtype.rawValue)
        }
        if let shape, info.shape != shape { throw BnbCheckpointError.wrongShape(path: path, tensor: name, shape: info.shape, expected: shape) }
        if let maxBytes, info.byteCount > maxBytes {
            throw BnbCheckpointError.inconsistent(path: path, module: name, reason: "\(info.byteCount) bytes is too large for a quant_state")
        }
        return try ck.rawData(name)
    }

    private static func floats(_ ck: SafetensorsCheckpoint, _ name: String, shape: [Int], path: String) throws -> [Float] {
        guard let info = ck.info(name) else { throw BnbCheckpointError.missingTensor(path: path, tensor: name) }
        guard info.dtype == .F32 else {
            throw BnbCheckpointError.wrongDType(path: path, tensor: name, dtype: info.dtype.rawValue, expected: "F32")
        }
        guard info.shape == shape else { throw BnbCheckpointError.wrongShape(path: path, tensor: name, shape: info.shape, expected: shape) }
        return try ck.loadFloat32(name).data
    }
}
