// MappedFile — a whole file mapped read-only into memory (mmap, PROT_READ, MAP_PRIVATE).
//
// The GGUF and safetensors readers parse straight out of the mapping, so opening a 100 MB model
// costs page-table entries, not a copy; pages are read from disk on first touch. The mapping lives
// as long as this object; any `UnsafeRawBufferPointer` taken from `bytes` is valid only while the
// MappedFile (or the reader holding it) is alive.
// Leaves out: writing, growing files, Windows.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be mapped; the readers wrap it in their own typed error.
public enum MappedFileError: Error, CustomStringConvertible, Equatable {
    case notFound(path: String)
    case notARegularFile(path: String)
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): no such file"
        case .notARegularFile(let p): return "\(p): not a regular file"
        case .cannotOpen(let p, let r): return "\(p): cannot open (\(r))"
        }
    }
}

public final class MappedFile: @unchecked Sendable {
    public let path: String
    /// File size in bytes.
    public let size: Int
    private let base: UnsafeMutableRawPointer?

    /// The mapped bytes (empty for an empty file).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    public init(path: String) throws {
        self.path = path
        var st = stat()
        if stat(path, &st) != 0 {
            if errno == ENOENT { throw MappedFileError.notFound(path: path) }
            throw MappedFileError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) != S_IFREG { throw MappedFileError.notARegularFile(path: path) }
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw MappedFileError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let n = Int(st.st_size)
        size = n
        if n == 0 { base = nil; return }
        let p = mmap(nil, n, PROT_READ, MAP_PRIVATE, fd, 0)
        if p == MAP_FAILED || p == nil {
            throw MappedFileError.cannotOpen(path: path, reason: "mmap: " + String(cString: strerror(errno)))
        }
        base = p
    }

    deinit {
        if let base { munmap(base, size) }
    }
}
