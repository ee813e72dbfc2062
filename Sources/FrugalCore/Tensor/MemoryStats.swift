// MemoryStats — the one ledger of tensor memory. Every byte of tensor storage is allocated through
// `Storage`, which reports here; the estimator (FrugalEstimate) is checked against `peak`.
//
// `current` is live bytes now, `peak` the most live at once since the last `resetPeak()`.
// Counts only tensor storage (not Swift arrays, not OpenBLAS's internal buffers, not mmapped files).
import Foundation

public enum MemoryStats {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var _current = 0
    nonisolated(unsafe) private static var _peak = 0
    nonisolated(unsafe) private static var _allocations = 0

    /// Live tensor bytes now.
    public static var current: Int { lock.lock(); defer { lock.unlock() }; return _current }
    /// Largest `current` seen since the last reset.
    public static var peak: Int { lock.lock(); defer { lock.unlock() }; return _peak }
    /// Number of storage allocations since the process started.
    public static var allocations: Int { lock.lock(); defer { lock.unlock() }; return _allocations }

    /// Sets the peak to the current live bytes.
    public static func resetPeak() { lock.lock(); _peak = _current; lock.unlock() }

    static func didAllocate(_ bytes: Int) {
        lock.lock()
        _current += bytes
        _allocations += 1
        if _current > _peak { _peak = _current }
        lock.unlock()
    }

    static func didFree(_ bytes: Int) {
        lock.lock(); _current -= bytes; lock.unlock()
    }
}

/// Bytes held outside tensor storage (packed 4-bit weights in a Swift array, say) but counted in
/// MemoryStats for as long as this object lives, so the ledger stays complete.
public final class MemoryReservation: @unchecked Sendable {
    public let bytes: Int
    public init(bytes: Int) {
        self.bytes = bytes
        MemoryStats.didAllocate(bytes)
    }
    deinit { MemoryStats.didFree(bytes) }
}
