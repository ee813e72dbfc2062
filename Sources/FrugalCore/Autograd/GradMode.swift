// GradMode — whether operations record the graph. `withoutGrad { … }` is the no-grad scope
// (inference, optimizer updates, the forward of a checkpointed block); scopes nest.
// Per thread, so a parallel worker never changes another's mode.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum GradMode {
    /// The thread's no-grad depth, kept in a pthread key as the pointer's bit pattern (nil = 0).
    /// Every op reads it; Foundation's threadDictionary took 0.16 µs per read, 1.3 µs inside a
    /// no-grad scope (a boxed Int), on each op of decoding and of a checkpointed forward.
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        let rc = pthread_key_create(&k, nil)
        precondition(rc == 0, "GradMode: pthread_key_create failed (\(rc))")
        return k
    }()

    /// True when operations record the graph (the default).
    public static var isEnabled: Bool { pthread_getspecific(key) == nil }

    static func set(disabledDepth: Int) { pthread_setspecific(key, UnsafeRawPointer(bitPattern: disabledDepth)) }
    static var disabledDepth: Int { Int(bitPattern: pthread_getspecific(key)) }
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
