// GradMode — whether operations record the graph. `withoutGrad { … }` is the no-grad scope
// (inference, optimizer updates, the forward of a checkpointed block); scopes nest.
// Per thread, so a parallel worker never changes another's mode.
import Foundation

public enum GradMode {
    private static let key = "frugal.gradmode.disabled"

    /// True when operations record the graph (the default).
    public static var isEnabled: Bool {
        (Thread.current.threadDictionary[key] as? Int ?? 0) == 0
    }

    static func set(disabledDepth: Int) { Thread.current.threadDictionary[key] = disabledDepth }
    static var disabledDepth: Int { Thread.current.threadDictionary[key] as? Int ?? 0 }
}

/// Runs `body` with graph recording off.
@discardableResult
public func withoutGrad<R>(_ body: () throws -> R) rethrows -> R {
    let d = GradMode.disabledDepth
    GradMode.set(disabledDepth: d + 1)
    defer { GradMode.set(disabledDepth: d) }
    return try body()
}

/// Runs `body` with graph recording on, even inside a no-grad scope (used to recompute a
/// checkpointed block during backward).
@discardableResult
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    let d = GradMode.disabledDepth
    GradMode.set(disabledDepth: 0)
    defer { GradMode.set(disabledDepth: d) }
    return try body()
}
