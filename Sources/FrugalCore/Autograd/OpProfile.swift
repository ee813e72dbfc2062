// OpProfile — a diagnostic: wall time per autograd op, forward and backward, for finding where a
// training step goes. Off unless FRUGAL_PROFILE=1 (then one clock read per recorded op). Forward
// time is attributed by the gap between consecutive recorded ops (ops run one after another on the
// calling thread), so untracked work between ops lands on the next recorded op. Not thread-safe:
// record from one thread, as the training loop does.
import Dispatch
import Foundation

public enum OpProfile {
    public static let enabled = ProcessInfo.processInfo.environment["FRUGAL_PROFILE"] == "1"
    nonisolated(unsafe) static var last: UInt64 = 0
    nonisolated(unsafe) static var backwardDepth = 0
    nonisolated(unsafe) public private(set) static var forward: [String: (count: Int, ns: UInt64)] = [:]
    nonisolated(unsafe) public private(set) static var backward: [String: (count: Int, ns: UInt64)] = [:]

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func recordForward(_ op: String) {
        let t = now()
        let e = forward[op] ?? (0, 0)
        forward[op] = (e.count + 1, e.ns + (last == 0 ? 0 : t - last))
        last = t
    }

    static func recordBackward(_ op: String, _ ns: UInt64) {
        let e = backward[op] ?? (0, 0)
        backward[op] = (e.count + 1, e.ns + ns)
        last = now()
    }

    public static func reset() { forward = [:]; backward = [:]; last = 0 }

    /// A table, largest first, in milliseconds divided by `steps`.
    public static func report(steps: Int) -> String {
        var lines: [String] = []
        for (title, table) in [("forward", forward), ("backward", backward)] {
            let total = table.values.reduce(0) { $0 + $1.ns }
            lines.append(String(format: "%@ total %.1f ms/step", title, Double(total) / 1e6 / Double(steps)))
            for (op, e) in table.sorted(by: { $0.value.ns > $1.value.ns }) {
                lines.append(String(format: "  %-24@ %6d calls %8.1f ms/step", op as NSString, e.count / steps, Double(e.ns) / 1e6 / Double(steps)))
            }
        }
        return lines.joined(separator: "\n")
    }
}
