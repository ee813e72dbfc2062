// GGUFFile — a GGUF v3 file, memory-mapped and parsed: metadata (every value type) and tensor infos.
//
// Follows GGML `docs/gguf.md` and `src/gguf.cpp`: magic "GGUF", u32 version 3, u64 tensor count,
// u64 KV count, the KVs, the tensor infos, zero padding to ALIGNMENT (`general.alignment`, default
// 32), then the data section. Tensor bytes are not touched until asked for (GGUFFile+Load).
//
// Robustness contract: every count and length read from the file is checked against the bytes
// that remain BEFORE anything sized by it is allocated; shapes are checked for overflow; every
// tensor must lie inside the data section, aligned, without overlapping another. A bad file gives a
// GGUFError naming the file and the problem — never a crash. Strings that are not valid UTF-8
// are decoded with U+FFFD replacement (as Swift's String(decoding:) does), not rejected.
// Leaves out: big-endian GGUF, GGUF v1/v2, writing.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: UInt32
    /// Metadata in file order.
    public let metadataKeys: [String]
    public let metadata: [String: GGUFValue]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Absolute byte offset of the data section.
    public let dataOffset: Int
    public var fileSize: Int { file.size }

    let file: MappedFile
    private let tensorIndex: [String: Int]

    static let maxDims = 4
    static let maxNesting = 8
    /// Longest key or tensor name accepted, in bytes (llama.cpp limits tensor names to 64; keys
    /// are short dotted paths). A longer one is refused before it is decoded.
    public static let maxNameBytes = 4096

    /// Opens and parses `path`. Throws GGUFError on any problem.
    public init(path: String) throws {
        self.path = path
        do { file = try MappedFile(path: path) } catch let e as MappedFileError {
            throw GGUFError.cannotOpen(path: path, reason: e.description)
        }
        var r = ByteReader(file.bytes)
        let p = path
        func truncated(_ what: String, _ e: ByteReaderError) -> GGUFError {
            .truncated(path: p, what: what, offset: e.offset, needed: e.needed, available: e.available)
        }

        // Header.
        let magic: UnsafeRawBufferPointer
        do { magic = try r.bytes(4) } catch let e as ByteReaderError { throw truncated("magic", e) }
        if Array(magic) != Array("GGUF".utf8) { throw GGUFError.badMagic(path: path, found: Array(magic)) }
        let tensorCount: UInt64, kvCount: UInt64
        do {
            version = try r.u32()
            if version != 3 { throw GGUFError.unsupportedVersion(path: path, version: version) }
            tensorCount = try r.u64()
            kvCount = try r.u64()
        } catch let e as ByteReaderError { throw truncated("header", e) }

        // Metadata: each KV is at least a key length (8), a type (4) and one byte.
        do { try r.require(count: kvCount, each: 13) } catch let e as ByteReaderError {
            throw truncated("metadata (\(kvCount) key/value pairs claimed)", e)
        }
        var keys = [String](), meta = [String: GGUFValue]()
        keys.reserveCapacity(Int(kvCount))
        for i in 0..<Int(kvCount) {
            let key: String
            do { key = try Self.readName(&r, what: "key of metadata entry \(i)", path: path) } catch let e as ByteReaderError {
                throw truncated("key of metadata entry \(i)", e)
            }
            let code: UInt32
            do { code = try r.u32() } catch let e as ByteReaderError { throw truncated("type of \(SafeText.quoted(key))", e) }
            guard let type = GGUFValueType(rawValue: code) else {
                throw GGUFError.unknownValueType(path: path, key: key, code: code)
            }
            let value = try Self.readValue(&r, type: type, key: key, path: path, depth: 0)
            if meta[key] != nil { throw GGUFError.duplicateKey(path: path, key: key) }
            meta[key] = value
            keys.append(key)
        }
        metadataKeys = keys
        metadata = meta

        // Alignment.
        if let a = meta["general.alignment"] {
            guard let v = a.int, v > 0, v & (v - 1) == 0 else {
                throw GGUFError.badAlignment(path: path, value: a.summary)
            }
            alignment = v
        } else {
            alignment = 32
        }

        // Tensor infos: each is at least a name length (8), n_dims (4), a type (4), an offset (8).
        do { try r.require(count: tensorCount, each: 24) } catch let e as ByteReaderError {
            throw truncated("tensor infos (\(tensorCount) tensors claimed)", e)
        }
        struct RawInfo { let name: String; let dims: [UInt64]; let code: UInt32; let offset: UInt64 }
        var raw = [RawInfo]()
        raw.reserveCapacity(Int(tensorCount))
        for i in 0..<Int(tensorCount) {
            let name: String
            do { name = try Self.readName(&r, what: "name of tensor \(i)", path: path) } catch let e as ByteReaderError {
                throw truncated("name of tensor \(i)", e)
            }
            do {
                let nd = try r.u32()
                if nd > Self.maxDims { throw GGUFError.tooManyDimensions(path: path, tensor: name, count: nd) }
                var dims = [UInt64]()
                for _ in 0..<nd { dims.append(try r.u64()) }
                let code = try r.u32()
                let offset = try r.u64()
                raw.append(RawInfo(name: name, dims: dims, code: code, offset: offset))
            } catch let e as ByteReaderError { throw truncated("info of tensor \(SafeText.quoted(name))", e) }
        }

        // Data section.
        let afterInfos = r.offset
        let start = tensorCount > 0 ? (afterInfos + alignment - 1) / alignment * alignment : afterInfos
        if start > file.size {
            throw GGUFError.truncated(path: path, what: "padding before the data section", offset: afterInfos,
                                      needed: UInt64(start - afterInfos), available: file.size - afterInfos)
        }
        dataOffset = start
        let dataSize = file.size - start

        var infos = [GGUFTensorInfo](), index = [String: Int]()
        infos.reserveCapacity(raw.count)
        for ri in raw {
            guard let type = GGMLType(rawValue: ri.code) else {
                throw GGUFError.unknownGGMLType(path: path, tensor: ri.name, code: ri.code)
            }
            var count = 1
            for d in ri.dims {
                guard let di = Int(exactly: d) else {
                    throw GGUFError.badShape(path: path, tensor: ri.name, dims: ri.dims, reason: "dimension \(d) is too large")
                }
                let (c, o) = count.multipliedReportingOverflow(by: di)
                if o { throw GGUFError.badShape(path: path, tensor: ri.name, dims: ri.dims, reason: "element count overflows") }
                count = c
            }
            // A tensor of no dimensions is one value: it too must fill whole blocks (found by fuzzing:
            // a 0-dim Q5_0 tensor of 0 bytes reached the dequantizer's precondition).
            let d0 = ri.dims.first ?? 1
            if d0 % UInt64(type.blockSize) != 0 {
                throw GGUFError.badShape(path: path, tensor: ri.name, dims: ri.dims,
                                         reason: "ne[0] = \(d0) is not a multiple of the \(type.name) block size \(type.blockSize)")
            }
            let (bytes, o) = (count / type.blockSize).multipliedReportingOverflow(by: type.typeSize)
            if o { throw GGUFError.badShape(path: path, tensor: ri.name, dims: ri.dims, reason: "byte size overflows") }
            if ri.offset % UInt64(alignment) != 0 {
                throw GGUFError.misalignedOffset(path: path, tensor: ri.name, offset: ri.offset, alignment: alignment)
            }
            guard ri.offset <= UInt64(dataSize), UInt64(bytes) <= UInt64(dataSize) - ri.offset else {
                throw GGUFError.tensorOutOfBounds(path: path, tensor: ri.name, offset: ri.offset, bytes: bytes, dataSize: dataSize)
            }
            if index[ri.name] != nil { throw GGUFError.duplicateTensor(path: path, tensor: ri.name) }
            index[ri.name] = infos.count
            infos.append(GGUFTensorInfo(name: ri.name, dims: ri.dims.map { Int($0) }, type: type,
                                        offset: Int(ri.offset), elementCount: count, byteCount: bytes))
        }
        let byOffset = infos.filter { $0.byteCount > 0 }.sorted { $0.offset < $1.offset }
        for (a, b) in zip(byOffset, byOffset.dropFirst()) where a.offset + a.byteCount > b.offset {
            throw GGUFError.overlappingTensors(path: path, first: a.name, second: b.name)
        }
        tensors = infos
        tensorIndex = index
    }

    /// The info of tensor `name` (GGUF name), or nil.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The raw bytes of tensor `name`, straight from the mapping (valid while this GGUFFile lives).
    public func rawBytes(of info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let start = dataOffset + info.offset
        return UnsafeRawBufferPointer(rebasing: file.bytes[start..<(start + info.byteCount)])
    }

    // MARK: parsing helpers

    /// A key or tensor name: a string of at most `maxNameBytes` bytes (checked before decoding).
    static func readName(_ r: inout ByteReader, what: String, path: String) throws -> String {
        let start = r.offset
        let n = try r.u64()
        try r.require(n)   // past the end: reported as truncation
        if n > UInt64(maxNameBytes) {
            let head = String(decoding: try r.bytes(UInt64(min(64, r.remaining))), as: UTF8.self)
            throw GGUFError.invalidValue(path: path, key: head + "…",
                                         reason: "the \(what) at byte \(start) is \(n) bytes long, more than the \(maxNameBytes) allowed; the file is corrupt")
        }
        let b = try r.bytes(n)
        return String(decoding: b, as: UTF8.self)
    }

    static func readString(_ r: inout ByteReader) throws -> String {
        let n = try r.u64()
        let b = try r.bytes(n)
        return String(decoding: b, as: UTF8.self)
    }

    static func readValue(_ r: inout ByteReader, type: GGUFValueType, key: String, path: String, depth: Int) throws -> GGUFValue {
        do {
            switch type {
            case .uint8: return .uint8(try r.u8())
            case .int8: return .int8(try r.i8())
            case .uint16: return .uint16(try r.u16())
            case .int16: return .int16(try r.i16())
            case .uint32: return .uint32(try r.u32())
            case .int32: return .int32(try r.i32())
            case .uint64: return .uint64(try r.u64())
            case .int64: return .int64(try r.i64())
            case .float32: return .float32(try r.f32())
            case .float64: return .float64(try r.f64())
            case .bool:
                let b = try r.u8()
                if b > 1 { throw GGUFError.invalidValue(path: path, key: key, reason: "bool byte is \(b), expected 0 or 1") }
                return .bool(b == 1)
            case .string: return .string(try readString(&r))
            case .array:
                if depth >= maxNesting { throw GGUFError.nestingTooDeep(path: path, key: key) }
                let code = try r.u32()
                guard let et = GGUFValueType(rawValue: code) else {
                    throw GGUFError.unknownValueType(path: path, key: key, code: code)
                }
                let n = try r.u64()
                try r.require(count: n, each: et.minimumSize)
                if let size = et.fixedSize {
                    // Fixed-width elements stay as their bytes: memory ≈ the file's bytes.
                    let raw = try r.bytes(n * UInt64(size))
                    if et == .bool, let bad = raw.first(where: { $0 > 1 }) {
                        throw GGUFError.invalidValue(path: path, key: key, reason: "bool byte is \(bad), expected 0 or 1")
                    }
                    return .array(et, GGUFArray(packed: et, bytes: Array(raw)))
                }
                var a = [GGUFValue]()
                a.reserveCapacity(Int(n))
                for _ in 0..<Int(n) { a.append(try readValue(&r, type: et, key: key, path: path, depth: depth + 1)) }
                return .array(et, GGUFArray(a))
            }
        } catch let e as ByteReaderError {
            throw GGUFError.truncated(path: path, what: "value of \(SafeText.quoted(key))", offset: e.offset, needed: e.needed, available: e.available)
        }
    }
}
