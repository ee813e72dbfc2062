// Checksum64 — a fast 64-bit checksum of bytes, for detecting damaged checkpoint files (a
// zero-filled or truncated tensors.bin, a flipped block) and for fingerprinting training data.
// Not cryptographic: it guards against accidents, not an adversary who edits the file and the
// recorded checksum together.
// Shape: eight bytes at a time, each word multiplied into the state and rotated (as in xxHash /
// wyhash), the length mixed in, and MurmurHash3's fmix64 as finalizer; ~several GB/s, so hashing a
// checkpoint costs far less than writing it.
struct Checksum64 {
    private var h: UInt64
    private var length: UInt64 = 0
    private var pending: [UInt8] = []

    init(seed: UInt64 = 0x6672_7567_616C_2D31) { h = seed }   // "frugal-1"

    @inline(__always)
    private mutating func mix(_ w: UInt64) {
        h = (h ^ (w &* 0x87C3_7B91_1142_53D5)).rotatedLeft(31) &* 0x9E37_79B9_7F4A_7C15 &+ 0x5277_2B4A
    }

    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var i = 0
        if !pending.isEmpty {
            while pending.count < 8 && i < bytes.count { pending.append(bytes[i]); i += 1 }
            if pending.count == 8 {
                mix(pending.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
                pending.removeAll(keepingCapacity: true)
            }
        }
        while i + 8 <= bytes.count {
            mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        while i < bytes.count { pending.append(bytes[i]); i += 1 }
    }

    mutating func combine<T>(_ values: [T]) { values.withUnsafeBytes { combine($0) } }
    mutating func combine(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { combine($0) } }

    /// The checksum of everything combined so far, as 16 hex digits.
    func finalize() -> String {
        var x = h
        var tail: UInt64 = 0
        for (k, b) in pending.enumerated() { tail |= UInt64(b) << (8 * UInt64(k)) }
        x = (x ^ (tail &* 0x87C3_7B91_1142_53D5)).rotatedLeft(31) &* 0x9E37_79B9_7F4A_7C15
        x ^= length
        x ^= x >> 33; x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33; x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        var c = Checksum64(); c.combine(bytes); return c.finalize()
    }
}

extension UInt64 {
    @inline(__always) func rotatedLeft(_ k: UInt64) -> UInt64 { (self << k) | (self >> (64 - k)) }
}
