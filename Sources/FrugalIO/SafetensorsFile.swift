// SafetensorsFile — a memory-mapped safetensors file (ST `README.md`, `safetensors/src/tensor.rs`):
// u64 LE header length N, N bytes of JSON (`{"__metadata__": {str: str}, name: {"dtype", "shape",
// "data_offsets": [begin, end)}}`, possibly space-padded), then the little-endian row-major buffer.
//
// Validation follows the Rust reader: header length within the file and under 100 MB, JSON object,
// known dtypes, shapes whose byte size does not overflow and matches end − begin, offsets inside
// the buffer, tensors neither overlapping nor leaving holes (the buffer is exactly covered).
// Float types convert to Float32 (`loadFloat32`); every type is available as raw bytes.
// Leaves out: big-endian hosts; complex (C64) and sub-byte float conversion (raw bytes only).
import Foundation
import FrugalCore

public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    /// Row-major shape ([] for a scalar).
    public let shape: [Int]
    /// Byte offset from the start of the data buffer.
    public let offset: Int
    public let byteCount: Int
    public var elementCount: Int { shape.reduce(1, *) }
}

public final class SafetensorsFile: @unchecked Sendable {
    public let path: String
    public let metadata: [String: String]
    /// Tensors in buffer order.
    public let tensors: [SafetensorsTensorInfo]
    /// Absolute offset of the data buffer (8 + header length).
    public let bufferOffset: Int
    public var fileSize: Int { file.size }

    let file: MappedFile
    private let index: [String: Int]
    static let maxHeader: UInt64 = 100_000_000

    public init(path: String) throws {
        self.path = path
        do { file = try MappedFile(path: path) } catch let e as MappedFileError {
            throw SafetensorsError.cannotOpen(path: path, reason: e.description)
        }
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw SafetensorsError.truncated(path: path, what: "the 8-byte header length", needed: 8, available: bytes.count)
        }
        let n = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        if n > Self.maxHeader { throw SafetensorsError.headerTooLarge(path: path, length: n) }
        guard n <= UInt64(bytes.count - 8) else {
            throw SafetensorsError.truncated(path: path, what: "the JSON header", needed: n, available: bytes.count - 8)
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + Int(n))])
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw SafetensorsError.badHeader(path: path, reason: "the header does not start with '{'")
        }
        bufferOffset = 8 + Int(n)
        let bufferSize = bytes.count - bufferOffset

        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: Data(headerBytes))
        } catch let e as SafetensorsError {
            throw e
        } catch {
            throw SafetensorsError.badHeader(path: path, reason: Self.describe(error))
        }
        metadata = raw.metadata ?? [:]

        var infos = [SafetensorsTensorInfo]()
        infos.reserveCapacity(raw.entries.count)
        for (name, e) in raw.entries {
            guard let dtype = SafetensorsDType(rawValue: e.dtype) else {
                throw SafetensorsError.unknownDType(path: path, tensor: name, dtype: e.dtype)
            }
            var count = 1
            for d in e.shape {
                guard d >= 0 else { throw SafetensorsError.badShape(path: path, tensor: name, reason: "negative dimension in \(e.shape)") }
                let (c, o) = count.multipliedReportingOverflow(by: d)
                if o { throw SafetensorsError.badShape(path: path, tensor: name, reason: "element count of \(e.shape) overflows") }
                count = c
            }
            let (bits, o) = count.multipliedReportingOverflow(by: dtype.bits)
            if o { throw SafetensorsError.badShape(path: path, tensor: name, reason: "byte size of \(e.shape) overflows") }
            if bits % 8 != 0 {
                throw SafetensorsError.badShape(path: path, tensor: name, reason: "\(count) \(dtype.rawValue) values do not fill whole bytes")
            }
            guard e.data_offsets.count == 2 else {
                throw SafetensorsError.badOffsets(path: path, tensor: name, reason: "expected [begin, end], got \(e.data_offsets)")
            }
            let (b, end) = (e.data_offsets[0], e.data_offsets[1])
            guard b >= 0, b <= end else {
                throw SafetensorsError.badOffsets(path: path, tensor: name, reason: "[\(b), \(end)] is not an increasing pair")
            }
            guard end <= bufferSize else {
                throw SafetensorsError.badOffsets(path: path, tensor: name, reason: "end \(end) is past the end of the \(bufferSize)-byte buffer")
            }
            guard end - b == bits / 8 else {
                throw SafetensorsError.badOffsets(path: path, tensor: name,
                                                  reason: "[\(b), \(end)) holds \(end - b) bytes but \(dtype.rawValue) \(e.shape) needs \(bits / 8)")
            }
            infos.append(SafetensorsTensorInfo(name: name, dtype: dtype, shape: e.shape, offset: b, byteCount: end - b))
        }
        infos.sort { ($0.offset, $0.byteCount, $0.name) < ($1.offset, $1.byteCount, $1.name) }
        var covered = 0, previous: SafetensorsTensorInfo?
        for t in infos {
            if t.offset < covered, let p = previous {
                throw SafetensorsError.overlappingTensors(path: path, first: p.name, second: t.name)
            }
            if t.offset > covered {
                throw SafetensorsError.bufferNotCovered(path: path, reason: "bytes \(covered)..<\(t.offset) belong to no tensor")
            }
            covered = t.offset + t.byteCount
            previous = t
        }
        if covered != bufferSize {
            throw SafetensorsError.bufferNotCovered(path: path, reason: "tensors end at byte \(covered) of a \(bufferSize)-byte buffer")
        }
        tensors = infos
        var idx = [String: Int]()
        for (i, t) in infos.enumerated() { idx[t.name] = i }
        index = idx
    }

    public func tensor(named name: String) -> SafetensorsTensorInfo? { index[name].map { tensors[$0] } }

    /// The tensor's bytes straight from the mapping (valid while this file object lives).
    public func rawBytes(of t: SafetensorsTensorInfo) -> UnsafeRawBufferPointer {
        let s = bufferOffset + t.offset
        return UnsafeRawBufferPointer(rebasing: file.bytes[s..<(s + t.byteCount)])
    }

    /// A copy of the tensor's bytes.
    public func rawData(_ name: String) throws -> [UInt8] {
        guard let t = tensor(named: name) else { throw SafetensorsError.tensorNotFound(path: path, tensor: name) }
        return Array(rawBytes(of: t))
    }

    /// A floating-point tensor converted to Float32, with its row-major shape.
    public func loadFloat32(_ name: String) throws -> (shape: [Int], data: [Float]) {
        guard let t = tensor(named: name) else { throw SafetensorsError.tensorNotFound(path: path, tensor: name) }
        guard t.dtype.convertsToFloat32 else { throw SafetensorsError.notAFloatType(path: path, tensor: name, dtype: t.dtype.rawValue) }
        let n = t.elementCount
        let src = rawBytes(of: t)
        let data = [Float](unsafeUninitializedCapacity: n) { buf, count in
            Self.convert(t.dtype, src, buf)
            count = n
        }
        return (t.shape, data)
    }

    /// A floating-point tensor converted into caller-owned memory of exactly its element count.
    public func loadFloat32(_ name: String, into dst: UnsafeMutableBufferPointer<Float>) throws {
        guard let t = tensor(named: name) else { throw SafetensorsError.tensorNotFound(path: path, tensor: name) }
        guard t.dtype.convertsToFloat32 else { throw SafetensorsError.notAFloatType(path: path, tensor: name, dtype: t.dtype.rawValue) }
        precondition(dst.count == t.elementCount, "loadFloat32(\(name)): destination holds \(dst.count) values, tensor has \(t.elementCount)")
        Self.convert(t.dtype, rawBytes(of: t), dst)
    }

    /// Converts `dst.count` values of a float dtype to Float32 (threaded over the elements).
    static func convert(_ dtype: SafetensorsDType, _ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        guard let s = src.baseAddress, let d = dst.baseAddress else { return }
        Parallel.forChunks(dst.count, grain: 1 << 16) { r in
            switch dtype {
            case .F32: for i in r { d[i] = Float(bitPattern: UInt32(littleEndian: s.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            case .F64: for i in r { d[i] = Float(Double(bitPattern: UInt64(littleEndian: s.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
            case .F16: for i in r { d[i] = FloatBits.halfToFloat(UInt16(littleEndian: s.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            case .BF16: for i in r { d[i] = FloatBits.bf16ToFloat(UInt16(littleEndian: s.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            case .F8_E4M3: for i in r { d[i] = FloatBits.e4m3ToFloat(s.load(fromByteOffset: i, as: UInt8.self)) }
            case .F8_E5M2: for i in r { d[i] = FloatBits.e5m2ToFloat(s.load(fromByteOffset: i, as: UInt8.self)) }
            case .F8_E8M0: for i in r { d[i] = FloatBits.e8m0ToFloat(s.load(fromByteOffset: i, as: UInt8.self)) }
            default: preconditionFailure("convert: \(dtype) is not a float type")
            }
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return "invalid JSON (\(c.debugDescription))"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "field \(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        case DecodingError.keyNotFound(let k, let c):
            return "missing field \"\(k.stringValue)\" in \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}

/// The header JSON: `__metadata__` plus one entry per tensor (any key order).
private struct RawHeader: Decodable {
    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }
    struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
    var metadata: [String: String]?
    var entries = [(String, Entry)]()

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for k in c.allKeys {
            if k.stringValue == "__metadata__" {
                metadata = try c.decode([String: String].self, forKey: k)
            } else {
                entries.append((k.stringValue, try c.decode(Entry.self, forKey: k)))
            }
        }
    }
}
