import Foundation

// BPEModel — the vocabulary, the merge table and the merge loop of byte-level BPE.
//
// A piece's bytes start as the ids of their one-character byte-level tokens; then the adjacent
// pair with the lowest merge rank is merged, leftmost first among equal ranks, until no pair has
// a merge. This is HF tokenizers `models/bpe/word.rs:merge_all` (a min-heap on (rank, position)
// over a linked list of symbols, with stale heap entries skipped), so a 10,000-space run costs
// O(n log n), not O(n²). Results are cached per piece (HF caches words up to 256 characters, 10,000
// entries; so does this). Leaves out: dropout, continuing-subword prefixes and end-of-word suffixes
// (refused when loading).
final class BPEModel: @unchecked Sendable {
    /// (left id, right id) packed as `left << 32 | right` → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    /// byte → id of its one-character token, or -1 when the vocabulary lacks it.
    let byteIDs: [Int32]
    /// Byte-level strings of the vocabulary (for `ignore_merges` and byte fallback).
    let vocab: [String: Int]
    let unkID: Int?
    let fuseUnk: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool

    static let cacheCapacity = 10_000
    static let cacheMaxPieceBytes = 256
    private var cache: [[UInt8]: Tokens] = [:]

    /// The tokens of one piece: ids and how many of the piece's bytes each covers.
    struct Tokens: Equatable {
        var ids: [Int32]
        var lengths: [Int32]
    }
    private let lock = NSLock()

    init(vocab: [String: Int], merges: [UInt64: (rank: Int32, id: Int32)], unkID: Int?,
         fuseUnk: Bool, byteFallback: Bool, ignoreMerges: Bool) {
        self.vocab = vocab
        self.merges = merges
        self.unkID = unkID
        self.fuseUnk = fuseUnk
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        self.byteIDs = (0..<256).map { b in
            Int32(vocab[String(Character(ByteUnicodeMap.byteToScalar[b]))] ?? -1)
        }
    }

    /// The tokens of one pre-tokenized piece (its UTF-8 bytes).
    func tokenize(_ piece: [UInt8]) -> Tokens {
        let cacheable = piece.count <= Self.cacheMaxPieceBytes
        if cacheable {
            lock.lock()
            let hit = cache[piece]
            lock.unlock()
            if let hit { return hit }
        }
        let result = tokenizeUncached(piece)
        if cacheable {
            lock.lock()
            if cache.count >= Self.cacheCapacity { cache.removeAll(keepingCapacity: true) }
            cache[piece] = result
            lock.unlock()
        }
        return result
    }

    func tokenizeUncached(_ piece: [UInt8]) -> Tokens {
        if ignoreMerges, let id = vocab[ByteUnicodeMap.encode(piece)] {
            return Tokens(ids: [Int32(id)], lengths: [Int32(piece.count)])
        }
        // Initial symbols: one per byte (HF: one per character of the byte-level string).
        var ids: [Int32] = []
        var lengths: [Int32] = []
        ids.reserveCapacity(piece.count)
        lengths.reserveCapacity(piece.count)
        var lastWasUnk = false
        var dropped: Int32 = 0  // bytes of dropped characters, credited to the next symbol
        for b in piece {
            let id = byteIDs[Int(b)]
            if id >= 0 { ids.append(id); lengths.append(1 + dropped); dropped = 0; lastWasUnk = false; continue }
            if byteFallback {
                let mapped = String(Character(ByteUnicodeMap.byteToScalar[Int(b)]))
                let fallback = mapped.utf8.map { vocab[String(format: "<0x%02X>", $0)] }
                if fallback.allSatisfy({ $0 != nil }) {
                    for (k, f) in fallback.enumerated() {
                        ids.append(Int32(f!)); lengths.append(k == 0 ? 1 + dropped : 0)
                    }
                    dropped = 0; lastWasUnk = false; continue
                }
            }
            if let unk = unkID {
                if fuseUnk && lastWasUnk { lengths[lengths.count - 1] += 1 }
                else { ids.append(Int32(unk)); lengths.append(1 + dropped); dropped = 0 }
                lastWasUnk = true
            } else {
                dropped += 1  // No unk token: HF drops the character.
            }
        }
        if dropped > 0, !lengths.isEmpty { lengths[lengths.count - 1] += dropped }
        return Self.mergeAll(Tokens(ids: ids, lengths: lengths), merges: merges)
    }

    /// The merge loop (HF `word.rs:merge_all` without dropout).
    static func mergeAll(_ initial: Tokens, merges: [UInt64: (rank: Int32, id: Int32)]) -> Tokens {
        let n = initial.ids.count
        if n < 2 { return initial }
        var ids = initial.ids
        var lengths = initial.lengths
        var prev = [Int32](repeating: -1, count: n)
        var next = [Int32](repeating: -1, count: n)
        var alive = [Bool](repeating: true, count: n)
        for i in 0..<n {
            prev[i] = Int32(i - 1)
            next[i] = i + 1 < n ? Int32(i + 1) : -1
        }
        var heap = MergeHeap()
        for i in 0..<(n - 1) {
            if let m = merges[key(ids[i], ids[i + 1])] { heap.push(rank: m.rank, pos: Int32(i), id: m.id) }
        }
        while let top = heap.pop() {
            let pos = Int(top.pos)
            guard alive[pos], next[pos] >= 0 else { continue }
            let right = Int(next[pos])
            guard let m = merges[key(ids[pos], ids[right])], m.id == top.id else { continue }  // stale
            ids[pos] = top.id
            lengths[pos] += lengths[right]
            alive[right] = false
            next[pos] = next[right]
            if next[right] >= 0 { prev[Int(next[right])] = Int32(pos) }
            if prev[pos] >= 0, let m2 = merges[key(ids[Int(prev[pos])], ids[pos])] {
                heap.push(rank: m2.rank, pos: prev[pos], id: m2.id)
            }
            if next[pos] >= 0, let m2 = merges[key(ids[pos], ids[Int(next[pos])])] {
                heap.push(rank: m2.rank, pos: Int32(pos), id: m2.id)
            }
        }
        var out = Tokens(ids: [], lengths: [])
        out.ids.reserveCapacity(n)
        out.lengths.reserveCapacity(n)
        for i in 0..<n where alive[i] { out.ids.append(ids[i]); out.lengths.append(lengths[i]) }
        return out
    }

    @inline(__always)
    static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }
}

/// A binary min-heap of merge candidates ordered by (rank, position).
struct MergeHeap {
    private var keys: [UInt64] = []   // rank << 32 | pos
    private var ids: [Int32] = []

    mutating func push(rank: Int32, pos: Int32, id: Int32) {
        keys.append(UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: pos)))
        ids.append(id)
        var c = keys.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            if keys[p] <= keys[c] { break }
            keys.swapAt(p, c); ids.swapAt(p, c)
            c = p
        }
    }

    mutating func pop() -> (rank: Int32, pos: Int32, id: Int32)? {
        guard let first = keys.first else { return nil }
        let result = (Int32(bitPattern: UInt32(first >> 32)), Int32(bitPattern: UInt32(first & 0xFFFF_FFFF)), ids[0])
        let lastKey = keys.removeLast(), lastID = ids.removeLast()
        if !keys.isEmpty {
            keys[0] = lastKey; ids[0] = lastID
            var p = 0
            let n = keys.count
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < n && keys[l] < keys[m] { m = l }
                if r < n && keys[r] < keys[m] { m = r }
                if m == p { break }
                keys.swapAt(p, m); ids.swapAt(p, m)
                p = m
            }
        }
        return result
    }
}
