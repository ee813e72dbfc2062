// SafetensorsWriter — writes safetensors files byte-identical to the Python `safetensors` library
// (its Rust `serialize`, ST `safetensors/src/tensor.rs` `prepare`):
//   - tensors laid out by dtype DESCENDING in the Rust enum order (SafetensorsDType.rank), then by
//     name ascending; offsets contiguous from 0;
//   - compact JSON (serde_json): `__metadata__` first, then the tensors in data order, each as
//     {"dtype":…,"shape":[…],"data_offsets":[b,e]}; strings escaped as serde_json does;
//   - header padded with spaces to a multiple of 8.
// With several metadata keys Python's order is a HashMap's (not deterministic); Frugal sorts them.
// The file is written atomically: a temporary file in the same directory, fsync, then rename.
import Foundation

/// One tensor to write: raw little-endian row-major bytes of `dtype`.
public struct SafetensorsTensor: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    public let bytes: [UInt8]

    public init(name: String, dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        let bits = shape.reduce(1, *) * dtype.bits
        precondition(bits % 8 == 0 && bytes.count == bits / 8,
                     "SafetensorsTensor \(name): \(bytes.count) bytes for \(dtype.rawValue) \(shape)")
        self.name = name; self.dtype = dtype; self.shape = shape; self.bytes = bytes
    }

    /// Float32 values stored as F32, F16 (IEEE round-to-nearest-even) or BF16 (PyTorch's rounding).
    public init(name: String, shape: [Int], float32 values: [Float], as dtype: SafetensorsDType = .F32) {
        precondition(values.count == shape.reduce(1, *), "SafetensorsTensor \(name): \(values.count) values for shape \(shape)")
        var out = [UInt8]()
        switch dtype {
        case .F32:
            out.reserveCapacity(values.count * 4)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        case .F16, .BF16:
            out.reserveCapacity(values.count * 2)
            for v in values {
                let h = dtype == .F16 ? FloatBits.floatToHalf(v) : FloatBits.floatToBF16(v)
                out.append(UInt8(h & 0xFF)); out.append(UInt8(h >> 8))
            }
        default:
            preconditionFailure("SafetensorsTensor \(name): cannot store Float32 values as \(dtype.rawValue)")
        }
        self.init(name: name, dtype: dtype, shape: shape, bytes: out)
    }
}

public enum SafetensorsWriter {
    /// The tensors in the order they are laid out in the file.
    public static func layoutOrder(_ tensors: [SafetensorsTensor]) -> [SafetensorsTensor] {
        tensors.sorted { a, b in
            a.dtype.rank != b.dtype.rank ? a.dtype.rank > b.dtype.rank : Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
        }
    }

    /// The 8-byte length plus the padded JSON header, for tensors already in layout order.
    public static func header(_ ordered: [SafetensorsTensor], metadata: [String: String]?) -> [UInt8] {
        var json = "{"
        var first = true
        if let metadata {
            json += jsonString("__metadata__") + ":{"
            json += metadata.keys.sorted().map { jsonString($0) + ":" + jsonString(metadata[$0]!) }.joined(separator: ",")
            json += "}"
            first = false
        }
        var offset = 0
        for t in ordered {
            if !first { json += "," }
            first = false
            let end = offset + t.bytes.count
            json += jsonString(t.name) + ":{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":["
                + t.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        json += "}"
        var h = Array(json.utf8)
        h += [UInt8](repeating: 0x20, count: (8 - h.count % 8) % 8)
        var out = [UInt8]()
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out += $0 }
        return out + h
    }

    /// The whole file in memory (small files, tests).
    public static func serialize(_ tensors: [SafetensorsTensor], metadata: [String: String]? = nil) throws -> [UInt8] {
        try checkUnique(tensors, path: "<memory>")
        let ordered = layoutOrder(tensors)
        var out = header(ordered, metadata: metadata)
        for t in ordered { out += t.bytes }
        return out
    }

    /// Writes `tensors` to `path` atomically (temporary file + rename).
    public static func write(_ tensors: [SafetensorsTensor], metadata: [String: String]? = nil, to path: String) throws {
        try checkUnique(tensors, path: path)
        let ordered = layoutOrder(tensors)
        try AtomicFile.write(to: path) { sink in
            try sink(header(ordered, metadata: metadata))
            for t in ordered { try sink(t.bytes) }
        }
    }

    private static func checkUnique(_ tensors: [SafetensorsTensor], path: String) throws {
        var seen = Set<String>()
        for t in tensors where !seen.insert(t.name).inserted {
            throw SafetensorsError.duplicateTensor(path: path, tensor: t.name)
        }
    }

    /// serde_json string escaping: `"` `\` and control characters; other Unicode verbatim.
    static func jsonString(_ s: String) -> String { JSONString.quoted(s, asciiOnly: false) }
}
