// QuantizeOutputDirectory — all-or-nothing output for `frugal quantize`: everything is written into a
// fresh hidden directory beside DIR (same filesystem), which is renamed to DIR only when complete.
// An existing DIR must be an empty directory unless `force`; with `force` the old DIR is moved
// aside, the new one renamed in, and the old one deleted. On failure the temporary directory is
// removed, so DIR is either untouched or complete.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct QuantizeOutputDirectory {
    public let destination: String
    /// Where the files are written until `commit()`.
    public let temporary: String
    let force: Bool

    /// Checks `destination` and creates the temporary directory beside it.
    public init(destination: String, force: Bool) throws {
        let fm = FileManager.default
        let dest = (destination as NSString).standardizingPath
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: dest, isDirectory: &isDir) {
            guard isDir.boolValue else { throw QuantizeError.outputNotADirectory(path: dest) }
            let contents = (try? fm.contentsOfDirectory(atPath: dest)) ?? []
            if !contents.isEmpty && !force { throw QuantizeError.outputExists(path: dest) }
        }
        let parent = (dest as NSString).deletingLastPathComponent
        let name = (dest as NSString).lastPathComponent
        do {
            if !parent.isEmpty { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            let tmp = ((parent.isEmpty ? "." : parent) as NSString)
                .appendingPathComponent(".\(name).frugal-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            try fm.createDirectory(atPath: tmp, withIntermediateDirectories: false)
            self.temporary = tmp
        } catch {
            throw QuantizeError.writeFailed(path: dest, reason: error.localizedDescription)
        }
        self.destination = dest
        self.force = force
    }

    /// The path of `file` inside the temporary directory.
    public func path(_ file: String) -> String { (temporary as NSString).appendingPathComponent(file) }

    /// Moves the finished directory into place.
    public func commit() throws {
        let fm = FileManager.default
        var old: String?
        if fm.fileExists(atPath: destination) {
            let aside = temporary + "-old"
            guard rename(destination, aside) == 0 else {
                throw QuantizeError.writeFailed(path: destination, reason: "cannot move the old directory aside: " + String(cString: strerror(errno)))
            }
            old = aside
        }
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            if let old { _ = rename(old, destination) }
            throw QuantizeError.writeFailed(path: destination, reason: "rename: " + reason)
        }
        if let old { try? fm.removeItem(atPath: old) }
    }

    /// Removes the temporary directory (after a failure).
    public func discard() { try? FileManager.default.removeItem(atPath: temporary) }
}
