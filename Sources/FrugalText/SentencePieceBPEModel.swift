// SentencePieceBPEModel — llama.cpp's tokenizer for GGUF `tokenizer.ggml.model = "llama"`
// (SentencePiece BPE as in Llama 2, Mistral, Gemma): there is no merge list; merges come from the
// scores.
//
// Follows llama.cpp `src/llama-vocab.cpp` `llm_tokenizer_spm_session::tokenize`: the text (spaces
// already replaced by ▁ and, with add_space_prefix, a ▁ in front — the normalizer does that) is
// split into UTF-8 characters; every adjacent pair whose concatenation is a vocabulary token is a
// candidate, scored by that token's score; the best candidate (highest score, then leftmost) is
// merged and its new neighbours' pairs are added, until none is left (a max-heap with stale
// entries skipped by length, as llama.cpp does). Each final symbol is its token, or — a character
// the vocabulary lacks — its bytes as "<0xNN>" tokens (llama.cpp `byte_to_token`; without them,
// the one-byte token, else unk, else dropped). Leaves out: nothing of the algorithm; Unigram
// SentencePiece models ("t5", …) are a different algorithm and are refused when loading.
import Foundation

final class SentencePieceBPEModel: @unchecked Sendable {
    /// Raw UTF-8 of each token → id (a duplicated string keeps its last id, as in llama.cpp).
    let ids: [[UInt8]: Int32]
    let scores: [Float]
    /// byte → "<0xNN>" id (or the one-byte token's id), -1 when neither exists.
    let byteIDs: [Int32]
    let unkID: Int32?

    init(tokens: [String], scores: [Float], unkID: Int?) {
        var ids: [[UInt8]: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() { ids[Array(t.utf8)] = Int32(i) }
        self.ids = ids
        self.scores = scores
        self.byteIDs = (0..<256).map { b in
            ids[Array(String(format: "<0x%02X>", b).utf8)] ?? ids[[UInt8(b)]] ?? -1
        }
        self.unkID = unkID.map(Int32.init)
    }

    private struct Symbol {
        var start: Int
        var length: Int
        var prev: Int
        var next: Int
    }

    /// A merge candidate, ordered by score (higher first), then left index (lower first).
    private struct Bigram: Comparable {
        var score: Float
        var left: Int
        var right: Int
        var size: Int
        static func < (a: Bigram, b: Bigram) -> Bool {
            a.score != b.score ? a.score > b.score : a.left < b.left
        }
    }

    /// The tokens of `text` (its UTF-8 bytes): ids and the bytes each covers.
    func tokenize(_ text: [UInt8]) -> BPEModel.Tokens {
        var symbols: [Symbol] = []
        symbols.reserveCapacity(text.count)
        var offs = 0
        while offs < text.count {
            let b = text[offs]
            let len = min(b < 0x80 ? 1 : b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4, text.count - offs)
            symbols.append(Symbol(start: offs, length: len, prev: symbols.count - 1, next: -1))
            offs += len
            if offs < text.count { symbols[symbols.count - 1].next = symbols.count }
        }
        var heap = Heap<Bigram>()
        func tryAdd(_ left: Int, _ right: Int) {
            guard left >= 0, right >= 0 else { return }
            let a = symbols[left], b = symbols[right]
            guard let id = ids[Array(text[a.start..<(b.start + b.length)])], Int(id) < scores.count || scores.isEmpty else { return }
            let score = scores.isEmpty ? 0 : scores[Int(id)]
            heap.push(Bigram(score: score, left: left, right: right, size: a.length + b.length))
        }
        for i in symbols.indices.dropFirst() { tryAdd(i - 1, i) }
        while let top = heap.pop() {
            let l = symbols[top.left], r = symbols[top.right]
            guard l.length > 0, r.length > 0, l.length + r.length == top.size, l.next == top.right else { continue }
            symbols[top.left].length += r.length
            symbols[top.right].length = 0
            symbols[top.left].next = r.next
            if r.next >= 0 { symbols[r.next].prev = top.left }
            tryAdd(symbols[top.left].prev, top.left)
            tryAdd(top.left, symbols[top.left].next)
        }
        var out = BPEModel.Tokens(ids: [], lengths: [])
        var i = symbols.isEmpty ? -1 : 0
        while i >= 0 {
            let s = symbols[i]
            let bytes = Array(text[s.start..<(s.start + s.length)])
            if let id = ids[bytes] {
                out.ids.append(id); out.lengths.append(Int32(s.length))
            } else {
                for (k, b) in bytes.enumerated() {
                    let id = byteIDs[Int(b)]
                    if id >= 0 { out.ids.append(id); out.lengths.append(k == 0 ? Int32(s.length) : 0) }
                    else if let u = unkID { out.ids.append(u); out.lengths.append(k == 0 ? Int32(s.length) : 0) }
                }
            }
            i = s.next
        }
        return out
    }
}

/// A binary min-heap (the smallest element by `<` on top).
struct Heap<Element: Comparable> {
    private var items: [Element] = []

    mutating func push(_ e: Element) {
        items.append(e)
        var c = items.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            if !(items[c] < items[p]) { break }
            items.swapAt(p, c)
            c = p
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var p = 0
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < items.count && items[l] < items[m] { m = l }
                if r < items.count && items[r] < items[m] { m = r }
                if m == p { break }
                items.swapAt(p, m)
                p = m
            }
        }
        return top
    }
}
