// RunFolderLock — one training run per output folder. The lock is an advisory flock(2) on
// DIR/.frugal.lock, which also holds the owner's PID for the message: a second run on the folder
// is refused naming that PID (TrainError.outputLocked). The kernel drops a flock when its process
// dies, however it dies (SIGKILL included), so a lock file left by a dead run is simply taken
// over; no PID liveness guessing is needed. Released by `release()` or when the object goes away.
// Leaves out: network file systems without flock, Windows.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class RunFolderLock {
    public static let fileName = ".frugal.lock"
    public let folder: String
    private var fd: Int32

    /// Creates `folder` if needed and locks it, or throws `TrainError.outputLocked` naming the
    /// PID of the run that holds it.
    public init(folder: String) throws {
        self.folder = folder
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw TrainError.invalidOption(field: "output", value: folder, expected: "a folder that can be created (\(error.localizedDescription))")
        }
        let path = (folder as NSString).appendingPathComponent(Self.fileName)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TrainError.invalidOption(field: "output", value: folder, expected: "a writable folder (cannot create \(Self.fileName): \(String(cString: strerror(errno))))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, 32, 0)
            close(fd)
            let owner = n > 0 ? Int(String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) : nil
            throw TrainError.outputLocked(folder: folder, pid: owner)
        }
        let me = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = me.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    /// Unlocks (the lock file stays; its PID is stale and harmless).
    public func release() {
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
