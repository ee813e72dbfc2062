// AtomicFile — writes a file so that readers see either the old file or the complete new one:
// the bytes go to a temporary file beside the destination (same filesystem), which is fsynced and
// renamed over the destination. On any error the temporary file is removed.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum AtomicFileError: Error, CustomStringConvertible, Equatable {
    case failed(path: String, reason: String)
    public var description: String {
        switch self {
        case .failed(let p, let r): return "\(p): cannot write: \(r); check the directory exists and is writable"
        }
    }
}

/// Calls `body` with a sink for the file's bytes; commits them atomically to `path`.
public enum AtomicFile {
    public static func write(to path: String, _ body: (_ sink: ([UInt8]) throws -> Void) throws -> Void) throws {
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 { throw AtomicFileError.failed(path: path, reason: String(cString: strerror(errno))) }
        var ok = false
        defer {
            if !ok { close(fd); unlink(tmp) }
        }
        try body { bytes in
            try bytes.withUnsafeBytes { buf in
                var done = 0
                while done < buf.count {
                    let n = Glibc_write(fd, buf.baseAddress! + done, buf.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw AtomicFileError.failed(path: path, reason: String(cString: strerror(errno)))
                    }
                    done += n
                }
            }
        }
        if fsync(fd) != 0 { throw AtomicFileError.failed(path: path, reason: "fsync: " + String(cString: strerror(errno))) }
        ok = true
        close(fd)
        if rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw AtomicFileError.failed(path: path, reason: "rename: " + reason)
        }
    }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}
