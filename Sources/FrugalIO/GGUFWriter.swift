// GGUFWriter — writes a GGUF v3 file: metadata of every value type (arrays of any type; arrays of
// arrays too, which Frugal reads but llama.cpp refuses), tensor infos and the data section, the inverse of GGUFFile.
//
// Layout (GGML `docs/gguf.md`, `src/gguf.cpp`; gguf-py `gguf_writer.py`): "GGUF", u32 3, u64 tensor
// count, u64 KV count, the KVs in the order they were set, the tensor infos in the order they were
// added (name, u32 n_dims, u64 ne[…] with ne[0] the contiguous dimension, u32 ggml type, u64 offset
// into the data section), zero padding to ALIGNMENT, then each tensor's bytes padded to ALIGNMENT.
// ALIGNMENT is 32 unless `alignment` says otherwise, in which case `general.alignment` (u32) is
// written as gguf-py's `add_custom_alignment` does (gguf-py writes no key for the default).
// Tensors are given in row-major (PyTorch) shape and written with the dims reversed; their bytes
// come from a closure called once, while the file is written, so a model's quantized tensors never
// all sit in memory at once.
//
// The file is written to a temporary file beside the destination, fsynced and then linked into
// place: an existing output is never replaced unless `overwrite` is true (then it is renamed over,
// atomically). A failure leaves no partial file.
// Checked before anything is written: names (at most 63 bytes, llama.cpp's GGML_MAX_NAME), unique
// keys and tensor names, at most 4 dims, ne[0] a multiple of the type's block size, arrays of one
// element type, and every tensor's byte count.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum GGUFWriteError: Error, CustomStringConvertible, Equatable {
    case duplicateKey(String)
    case duplicateTensor(String)
    case badName(String, reason: String)
    case badShape(tensor: String, shape: [Int], reason: String)
    case wrongByteCount(tensor: String, expected: Int, got: Int)
    case mixedArray(key: String)
    case badAlignment(Int)
    case outputExists(String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .duplicateKey(let k): return "GGUF metadata key \"\(k)\" was set twice"
        case .duplicateTensor(let n): return "GGUF tensor \"\(n)\" was added twice"
        case .badName(let n, let r): return "GGUF name \"\(n)\": \(r)"
        case .badShape(let n, let s, let r): return "GGUF tensor \"\(n)\" with shape \(s): \(r)"
        case .wrongByteCount(let n, let e, let g): return "GGUF tensor \"\(n)\": \(g) bytes given, its shape and type need \(e)"
        case .mixedArray(let k): return "GGUF metadata key \"\(k)\": array elements must all have the array's element type"
        case .badAlignment(let a): return "GGUF alignment \(a) is not a positive power of two"
        case .outputExists(let p): return "\(p) already exists; choose another output or pass --overwrite"
        case .io(let p, let r): return "\(p): cannot write: \(r); check the directory exists and is writable"
        }
    }
}

public struct GGUFWriter {
    public struct TensorEntry {
        public let name: String
        /// Row-major shape; written as dims reversed (ne[0] = shape.last).
        public let shape: [Int]
        public let type: GGMLType
        public let byteCount: Int
        let bytes: () throws -> [UInt8]
    }

    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [TensorEntry] = []
    public let alignment: Int
    private var keyIndex: [String: Int] = [:]
    private var tensorNames: Set<String> = []

    public static let defaultAlignment = 32
    static let maxNameBytes = 63

    public init(alignment: Int = GGUFWriter.defaultAlignment) throws {
        guard alignment > 0, alignment & (alignment - 1) == 0 else { throw GGUFWriteError.badAlignment(alignment) }
        self.alignment = alignment
        if alignment != Self.defaultAlignment { try set("general.alignment", .uint32(UInt32(alignment))) }
    }

    /// Adds a metadata key (each key once).
    public mutating func set(_ key: String, _ value: GGUFValue) throws {
        guard keyIndex[key] == nil else { throw GGUFWriteError.duplicateKey(key) }
        guard !key.isEmpty else { throw GGUFWriteError.badName(key, reason: "a key may not be empty") }
        try Self.checkArrays(value, key: key)
        keyIndex[key] = metadata.count
        metadata.append((key, value))
    }

    /// Sets a key, replacing its value (in place) if it was set before.
    public mutating func replace(_ key: String, _ value: GGUFValue) throws {
        guard let i = keyIndex[key] else { return try set(key, value) }
        try Self.checkArrays(value, key: key)
        metadata[i] = (key, value)
    }

    public func value(_ key: String) -> GGUFValue? { keyIndex[key].map { metadata[$0].value } }

    /// Adds a tensor of row-major `shape` whose `type`-encoded bytes `bytes()` returns when written.
    public mutating func addTensor(name: String, shape: [Int], type: GGMLType, bytes: @escaping () throws -> [UInt8]) throws {
        guard !tensorNames.contains(name) else { throw GGUFWriteError.duplicateTensor(name) }
        guard !name.isEmpty, name.utf8.count <= Self.maxNameBytes else {
            throw GGUFWriteError.badName(name, reason: "tensor names hold 1 to \(Self.maxNameBytes) bytes")
        }
        guard (1...4).contains(shape.count), shape.allSatisfy({ $0 > 0 }) else {
            throw GGUFWriteError.badShape(tensor: name, shape: shape, reason: "1 to 4 positive dimensions are needed")
        }
        guard shape.last! % type.blockSize == 0 else {
            throw GGUFWriteError.badShape(tensor: name, shape: shape,
                                          reason: "the last dimension is not a multiple of the \(type.name) block size \(type.blockSize)")
        }
        tensorNames.insert(name)
        let count = shape.reduce(1, *)
        tensors.append(TensorEntry(name: name, shape: shape, type: type,
                                   byteCount: count / type.blockSize * type.typeSize, bytes: bytes))
    }

    /// Adds a tensor whose bytes are already encoded.
    public mutating func addTensor(name: String, shape: [Int], type: GGMLType, data: [UInt8]) throws {
        let expected = shape.reduce(1, *) / type.blockSize * type.typeSize
        guard shape.allSatisfy({ $0 > 0 }), data.count == expected else {
            throw GGUFWriteError.wrongByteCount(tensor: name, expected: expected, got: data.count)
        }
        try addTensor(name: name, shape: shape, type: type) { data }
    }

    /// Adds a Float32 tensor quantized to `type` (GGMLQuantize) when it is written.
    public mutating func addTensor(name: String, shape: [Int], type: GGMLType, float32 values: [Float]) throws {
        guard values.count == shape.reduce(1, *) else {
            throw GGUFWriteError.badShape(tensor: name, shape: shape, reason: "\(values.count) values given")
        }
        guard GGMLQuantize.canQuantize(type) else {
            throw GGUFWriteError.badShape(tensor: name, shape: shape, reason: "Frugal cannot encode \(type.name)")
        }
        try addTensor(name: name, shape: shape, type: type) { GGMLQuantize.quantize(values, to: type) }
    }

    // MARK: writing

    /// Writes the file to `path` (temporary file, fsync, then linked or renamed into place).
    public func write(to path: String, overwrite: Bool = false) throws {
        if !overwrite && FileManager.default.fileExists(atPath: path) { throw GGUFWriteError.outputExists(path) }
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 { throw GGUFWriteError.io(path: path, reason: String(cString: strerror(errno))) }
        var closed = false
        do {
            defer { if !closed { close(fd) } }
            func emit(_ b: [UInt8]) throws {
                try b.withUnsafeBytes { buf in
                    var done = 0
                    while done < buf.count {
                        let n = Self.sysWrite(fd, buf.baseAddress! + done, buf.count - done)
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw GGUFWriteError.io(path: path, reason: String(cString: strerror(errno)))
                        }
                        done += n
                    }
                }
            }
            try emit(header())
            for t in tensors {
                let b = try t.bytes()
                guard b.count == t.byteCount else {
                    throw GGUFWriteError.wrongByteCount(tensor: t.name, expected: t.byteCount, got: b.count)
                }
                try emit(b)
                let pad = Self.padded(b.count, alignment) - b.count
                if pad > 0 { try emit([UInt8](repeating: 0, count: pad)) }
            }
            if fsync(fd) != 0 { throw GGUFWriteError.io(path: path, reason: "fsync: " + String(cString: strerror(errno))) }
            closed = true
            if close(fd) != 0 { throw GGUFWriteError.io(path: path, reason: "close: " + String(cString: strerror(errno))) }
            if overwrite {
                if rename(tmp, path) != 0 { throw GGUFWriteError.io(path: path, reason: "rename: " + String(cString: strerror(errno))) }
            } else {
                // link(2) fails if `path` appeared meanwhile: an existing file is never replaced.
                if link(tmp, path) != 0 {
                    let e = errno
                    throw e == EEXIST ? GGUFWriteError.outputExists(path)
                        : GGUFWriteError.io(path: path, reason: "link: " + String(cString: strerror(e)))
                }
                unlink(tmp)
            }
        } catch {
            unlink(tmp)
            throw error
        }
    }

    /// Everything before the data section: header, KVs, tensor infos, padding.
    public func header() -> [UInt8] {
        var o = [UInt8]()
        o += Array("GGUF".utf8)
        Self.put(UInt32(3), &o)
        Self.put(UInt64(tensors.count), &o)
        Self.put(UInt64(metadata.count), &o)
        for (k, v) in metadata {
            Self.putString(k, &o)
            Self.put(v.type.rawValue, &o)
            Self.putValue(v, &o)
        }
        var offset = 0
        for t in tensors {
            Self.putString(t.name, &o)
            Self.put(UInt32(t.shape.count), &o)
            for d in t.shape.reversed() { Self.put(UInt64(d), &o) }
            Self.put(t.type.rawValue, &o)
            Self.put(UInt64(offset), &o)
            offset += Self.padded(t.byteCount, alignment)
        }
        if !tensors.isEmpty { o += [UInt8](repeating: 0, count: Self.padded(o.count, alignment) - o.count) }
        return o
    }

    // MARK: encoding

    static func padded(_ n: Int, _ a: Int) -> Int { (n + a - 1) / a * a }

    static func put<T: FixedWidthInteger>(_ v: T, _ o: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { o.append(contentsOf: $0) }
    }

    static func putString(_ s: String, _ o: inout [UInt8]) {
        put(UInt64(s.utf8.count), &o)
        o.append(contentsOf: s.utf8)
    }

    static func putValue(_ v: GGUFValue, _ o: inout [UInt8]) {
        switch v {
        case .uint8(let x): put(x, &o)
        case .int8(let x): put(x, &o)
        case .uint16(let x): put(x, &o)
        case .int16(let x): put(x, &o)
        case .uint32(let x): put(x, &o)
        case .int32(let x): put(x, &o)
        case .uint64(let x): put(x, &o)
        case .int64(let x): put(x, &o)
        case .float32(let x): put(x.bitPattern, &o)
        case .float64(let x): put(x.bitPattern, &o)
        case .bool(let b): o.append(b ? 1 : 0)
        case .string(let s): putString(s, &o)
        case .array(let t, let a):
            put(t.rawValue, &o)
            put(UInt64(a.count), &o)
            // An element that is itself an array carries its own element type and count, as
            // GGUFFile.readValue reads it (llama.cpp's gguf.cpp refuses nested arrays).
            for e in a { putValue(e, &o) }
        }
    }

    static func checkArrays(_ v: GGUFValue, key: String) throws {
        guard case .array(let t, let a) = v else { return }
        for e in a {
            guard e.type == t else { throw GGUFWriteError.mixedArray(key: key) }
            try checkArrays(e, key: key)
        }
    }

    @inline(__always)
    private static func sysWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, p, n)
        #else
        return Darwin.write(fd, p, n)
        #endif
    }
}
