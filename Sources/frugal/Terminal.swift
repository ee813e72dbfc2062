// Terminal — what the CLI needs to talk to a person: stderr lines, a progress bar when stdout is a
// terminal (plain lines otherwise), and number formatting.
import Foundation
import FrugalIO
#if canImport(Glibc)
import Glibc
#endif

enum Terminal {
    static let isInteractive = isatty(STDOUT_FILENO) != 0

    /// A remark for the person (stderr, so stdout stays the program's output). Control characters
    /// from untrusted text are escaped and the message is shortened (SafeText.terminal); the whole
    /// line goes out in one write, never a byte at a time.
    static func note(_ message: String) {
        writeStderr(SafeText.terminal(message) + "\n")
    }

    static func error(_ message: String) {
        writeStderr("error: " + SafeText.terminal(message) + "\n")
    }

    private static func writeStderr(_ text: String) {
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress! + done, $0.count - done) }
            if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { break }
        }
    }

    /// A person's phrasing of an error: file-system errors as "PATH: what happened" instead of
    /// an NSCocoaErrorDomain dump; Frugal's own errors by their description.
    static func describe(_ error: Error) -> String {
        if let e = error as? CocoaError {
            let path = (e.userInfo[NSFilePathErrorKey] as? String) ?? (e.userInfo[NSURLErrorKey] as? URL)?.path ?? e.filePath
            var what: String
            switch e.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: what = "no such file or folder"
            case .fileReadNoPermission, .fileWriteNoPermission: what = "permission denied"
            case .fileWriteOutOfSpace: what = "no space left on the device"
            case .fileWriteFileExists: what = "already exists"
            case .fileWriteVolumeReadOnly: what = "the file system is read-only"
            case .fileReadCorruptFile: what = "the file is corrupt or not in the expected format"
            default: what = "cannot be read or written"
            }
            if let u = e.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
                what = String(cString: strerror(Int32(u.code))).lowercased()
            }
            return (path.map { "\($0): " } ?? "") + what
        }
        if let e = error as? POSIXError { return String(cString: strerror(e.code.rawValue)).lowercased() }
        return "\(error)"
    }

    /// A one-line progress bar redrawn in place on a terminal; on a pipe, the caller prints lines.
    static func progress(_ done: Int, _ total: Int, _ suffix: String) {
        guard isInteractive else { return }
        let width = 30
        let filled = total > 0 ? min(width, done * width / total) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        print("\r\(bar) \(done)/\(total) \(suffix)", terminator: "")
        fflush(stdout)
        if done == total { print("") }
    }

    /// "1.23e+15"-style for large counts, plain below a million.
    static func compact(_ x: Double) -> String {
        abs(x) >= 1e6 ? String(format: "%.3g", x) : String(format: "%.0f", x)
    }

    /// "1h02m", "3m05s", "42s".
    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        let t = Int(s.rounded())
        if t >= 3600 { return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60) }
        if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return "\(t)s"
    }

    /// "1.23 GB"-style (decimal units).
    static func bytes(_ b: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var v = b, i = 0
        while abs(v) >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return String(format: i == 0 ? "%.0f %@" : "%.2f %@", v, units[i])
    }

    static func json(_ object: Any) -> String {
        // JSONStyle's layout for dictionaries built here (their keys are written in snake_case).
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
