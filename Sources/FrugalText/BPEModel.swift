// BPEModel — the vocabulary, the merge table and the merge loop of BPE (HF tokenizers
// `models/bpe/model.rs`).
//
// A piece (the UTF-8 of one pre-tokenized piece) starts as one symbol per character of its
// alphabet: with `.bytes` (a ByteLevel pre-tokenizer) each byte is the byte-level character the
// vocabulary writes it as (`ByteUnicodeMap`); with `.scalars` each Unicode scalar is its own
// one-character token. A character the vocabulary lacks becomes its "<0xNN>" byte tokens when
// `byteFallback` is on and they all exist, else the unk token (consecutive ones fused into one with
// `fuseUnk`; HF's order is kept: a pending unk is written when the next known character comes, so
// byte-fallback tokens can precede it), else it is dropped. With `ignoreMerges`, a piece that is
// itself a vocabulary token is that token. Then the adjacent pair with the lowest merge rank is
// merged, leftmost first among equal ranks, until no pair has a merge: HF `word.rs:merge_all` (a
// min-heap on (rank, position) over a linked list of symbols, stale heap entries skipped), so a
// 10,000-space run costs O(n log n), not O(n²). Results are cached per piece (HF caches words up to
// 256 characters, 10,000 entries; so does this). Leaves out: dropout, continuing-subword prefixes
// and end-of-word suffixes (refused when loading).
import Foundation

final class BPEModel: @unchecked Sendable {
    /// How a piece's bytes become the initial symbols.
    enum Alphabet: Sendable { case bytes, scalars }

    /// (left id, right id) packed as `left << 32 | right` → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    let alphabet: Alphabet
    /// `.bytes`: byte → id of its one-character byte-level token, or -1.
    let byteIDs: [Int32]
    /// `.scalars`: scalar → id of its one-scalar token (ASCII in `asciiIDs`, -1 when absent).
    let scalarIDs: [UInt32: Int32]
    let asciiIDs: [Int32]
    /// byte → id of "<0xNN>", or -1.
    let fallbackIDs: [Int32]
    /// Raw bytes of a whole token → id (for `ignoreMerges`).
    let wholeTokens: [[UInt8]: Int32]
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
         fuseUnk: Bool, byteFallback: Bool, ignoreMerges: Bool, alphabet: Alphabet = .bytes) {
        self.merges = merges
        self.unkID = unkID
        self.fuseUnk = fuseUnk
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        self.alphabet = alphabet
        self.byteIDs = (0..<256).map { b in
            Int32(vocab[String(Character(ByteUnicodeMap.byteToScalar[b]))] ?? -1)
        }
        self.fallbackIDs = (0..<256).map { b in Int32(vocab[String(format: "<0x%02X>", b)] ?? -1) }
        var scalarIDs: [UInt32: Int32] = [:]
        var ascii = [Int32](repeating: -1, count: 128)
        var whole: [[UInt8]: Int32] = [:]
        for (token, id) in vocab {
            let scalars = token.unicodeScalars
            if scalars.count == 1, let v = scalars.first?.value {
                scalarIDs[v] = Int32(id)
                if v < 128 { ascii[Int(v)] = Int32(id) }
            }
            if ignoreMerges {
                switch alphabet {
                case .bytes: if let raw = ByteUnicodeMap.decode(token) { whole[raw] = Int32(id) }
                case .scalars: whole[Array(token.utf8)] = Int32(id)
                }
            }
        }
        self.scalarIDs = scalarIDs
        self.asciiIDs = ascii
        self.wholeTokens = whole
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
        if ignoreMerges, let id = wholeTokens[piece] {
            return Tokens(ids: [id], lengths: [Int32(piece.count)])
        }
        var t = Tokens(ids: [], lengths: [])
        t.ids.reserveCapacity(piece.count)
        t.lengths.reserveCapacity(piece.count)
        var unk: (id: Int32, length: Int32)? = nil
        var dropped: Int32 = 0  // bytes of dropped characters, credited to the next symbol
        func known(_ id: Int32, _ length: Int32) {
            if let u = unk { t.ids.append(u.id); t.lengths.append(u.length); unk = nil }
            t.ids.append(id); t.lengths.append(length + dropped); dropped = 0
        }
        func unknown(_ fallbackBytes: [UInt8], _ length: Int32) {
            if byteFallback {
                let ids = fallbackBytes.map { fallbackIDs[Int($0)] }
                if !ids.contains(-1) {
                    for (k, f) in ids.enumerated() {
                        t.ids.append(f); t.lengths.append(k == 0 ? length + dropped : 0)
                    }
                    dropped = 0
                    return
                }
            }
            guard let u = unkID.map(Int32.init) else { dropped += length; return }
            if let pending = unk {
                if fuseUnk { unk = (pending.id, pending.length + length); return }
                t.ids.append(pending.id); t.lengths.append(pending.length)
            }
            unk = (u, length + dropped); dropped = 0
        }
        switch alphabet {
        case .bytes:
            for b in piece {
                let id = byteIDs[Int(b)]
                if id >= 0 { known(id, 1) } else { unknown(Array(String(Character(ByteUnicodeMap.byteToScalar[Int(b)])).utf8), 1) }
            }
        case .scalars:
            var i = 0
            while i < piece.count {
                let b0 = piece[i]
                if b0 < 0x80 {
                    let id = asciiIDs[Int(b0)]
                    if id >= 0 { known(id, 1) } else { unknown([b0], 1) }
                    i += 1
                    continue
                }
                let w = min(b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4, piece.count - i)
                let (scalars, _) = ScalarText.decode(piece[i..<(i + w)])
                if let v = scalars.first, let id = scalarIDs[v] { known(id, Int32(w)) }
                else { unknown(Array(piece[i..<(i + w)]), Int32(w)) }
                i += w
            }
        }
        if let u = unk { t.ids.append(u.id); t.lengths.append(u.length) }
        if dropped > 0, !t.lengths.isEmpty { t.lengths[t.lengths.count - 1] += dropped }
        return Self.mergeAll(t, merges: merges)
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
