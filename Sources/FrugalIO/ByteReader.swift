// ByteReader — a bounds-checked little-endian cursor over a byte buffer.
//
// Every read checks the remaining bytes first and throws `ByteReaderError.truncated` instead of
// reading past the end; `require(count:each:)` lets a parser check that a claimed element count can
// fit in what is left BEFORE it allocates anything sized by that count.
// Leaves out: big-endian files (GGUF v3 and safetensors are little-endian).

struct ByteReaderError: Error {
    /// Byte offset where the read started, bytes the read needed, bytes that were left.
    let offset: Int
    let needed: UInt64
    let available: Int
}

struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    var remaining: Int { buffer.count - offset }

    /// Throws unless `n` more bytes are available.
    func require(_ n: UInt64) throws {
        if n > UInt64(remaining) { throw ByteReaderError(offset: offset, needed: n, available: remaining) }
    }

    /// Throws unless `count` items of at least `each` bytes could fit in what is left.
    func require(count: UInt64, each: Int) throws {
        let (total, overflow) = count.multipliedReportingOverflow(by: UInt64(each))
        if overflow || total > UInt64(remaining) {
            throw ByteReaderError(offset: offset, needed: overflow ? UInt64.max : total, available: remaining)
        }
    }

    private mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let n = MemoryLayout<T>.size
        try require(UInt64(n))
        let v = buffer.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += n
        return T(littleEndian: v)
    }

    mutating func u8() throws -> UInt8 { try load(UInt8.self) }
    mutating func i8() throws -> Int8 { try load(Int8.self) }
    mutating func u16() throws -> UInt16 { try load(UInt16.self) }
    mutating func i16() throws -> Int16 { try load(Int16.self) }
    mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    mutating func i32() throws -> Int32 { try load(Int32.self) }
    mutating func u64() throws -> UInt64 { try load(UInt64.self) }
    mutating func i64() throws -> Int64 { try load(Int64.self) }
    mutating func f32() throws -> Float { Float(bitPattern: try u32()) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }

    /// The next `n` bytes as a slice of the buffer (no copy).
    mutating func bytes(_ n: UInt64) throws -> UnsafeRawBufferPointer {
        try require(n)
        let start = offset
        offset += Int(n)
        return UnsafeRawBufferPointer(rebasing: buffer[start..<offset])
    }

    /// Moves the cursor to `position` (which must be within the buffer).
    mutating func seek(to position: Int) throws {
        if position < 0 || position > buffer.count {
            throw ByteReaderError(offset: offset, needed: UInt64(max(0, position - offset)), available: remaining)
        }
        offset = position
    }
}
