// Storage — one 64-byte-aligned buffer (from BufferPool), accounted in MemoryStats for its whole life.
// Tensors share a Storage when they are views (reshape, first-axis slices).
// Leaves out: memory-mapped storage (weights read from files are copied in when loaded).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class Storage: @unchecked Sendable {
    public let bytes: UnsafeMutableRawPointer
    public let byteCount: Int
    public let dtype: DType
    private let capacity: Int   // what BufferPool handed out (≥ byteCount)
    public var count: Int { byteCount / dtype.byteSize }

    /// Allocates `count` elements of `dtype`, zero-filled when `zeroed`.
    public init(count: Int, dtype: DType = .float32, zeroed: Bool = true) {
        precondition(count >= 0, "Storage: negative element count \(count)")
        let n = max(count * dtype.byteSize, 1)
        let (p, capacity, reused) = BufferPool.allocate(n)
        bytes = p
        self.capacity = capacity
        byteCount = count * dtype.byteSize
        self.dtype = dtype
        if zeroed && reused { memset(bytes, 0, n) }   // freshly mapped pages are already zero
        MemoryStats.didAllocate(byteCount)
    }

    deinit {
        BufferPool.release(bytes, capacity: capacity)
        MemoryStats.didFree(byteCount)
    }

    /// The buffer as Float32 elements. A programmer error for other dtypes.
    @inlinable public var floats: UnsafeMutablePointer<Float> {
        precondition(dtype == .float32, "Storage: expected float32 storage, found \(dtype)")
        return bytes.assumingMemoryBound(to: Float.self)
    }
}
