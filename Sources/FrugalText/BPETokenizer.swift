// BPETokenizer — byte-level BPE text ↔ token ids, as HF tokenizers runs GPT-2/SmolLM2 tokenizers.
//
// Encode: (1) added/special tokens are split out by exact match (leftmost, longest first;
// `AddedTokenSplitter`), (2) the text between them is pre-tokenized (`ByteLevelPreTokenizer`),
// (3) each piece's bytes are merged by rank (`BPEModel`), (4) with `addSpecialTokens`, the
// post-processor's prefix/suffix ids (a BOS, say) are added. Decode: each id's bytes (the HF
// ByteLevel decoder: a token whose characters are all in the byte map becomes those bytes, any
// other token its own UTF-8), joined, then decoded lossily (U+FFFD for invalid UTF-8, like HF's
// `String::from_utf8_lossy` and Python's errors="replace"). `StreamingDecoder` does the same one
// token at a time. Build one from a tokenizer.json (`BPETokenizer+TokenizerJSON.swift`) or from
// GGUF arrays (`BPETokenizer+GGUF.swift`).
// Leaves out: normalizers, non-byte-level models (SentencePiece/Unigram/WordPiece), dropout,
// pair encodings, truncation and padding (datasets do their own).
import Foundation

public final class BPETokenizer: @unchecked Sendable {
    let model: BPEModel
    public let preTokenizer: ByteLevelPreTokenizer
    public let addedTokens: [AddedToken]
    private let splitterRaw: AddedTokenSplitter
    private let splitterNormalized: AddedTokenSplitter
    private let idToToken: [String?]
    private let tokenToIDMap: [String: Int]
    private let isSpecial: [Bool]
    // Decoded bytes of id i: decodeBytes[decodeStart[i]..<decodeStart[i + 1]].
    private let decodeBytes: [UInt8]
    private let decodeStart: [Int]

    public let bosID: Int?
    public let eosID: Int?
    public let unkID: Int?
    public let padID: Int?
    /// Ids put before / after the text when encoding with `addSpecialTokens` (post-processor).
    public let prefixIDs: [Int]
    public let suffixIDs: [Int]

    /// One past the largest id (vocabulary plus added tokens).
    public var vocabularySize: Int { idToToken.count }

    /// - Parameters:
    ///   - source: names the file in error messages.
    ///   - vocab: byte-level token string → id.
    ///   - merges: merge pairs in rank order.
    init(source: String, vocab: [String: Int], merges: [(String, String)], addedTokens: [AddedToken],
         preTokenizer: ByteLevelPreTokenizer, unkToken: String?, declaredUnkID: Int? = nil, fuseUnk: Bool = false,
         byteFallback: Bool = false, ignoreMerges: Bool = false,
         bosID: Int?, eosID: Int?, padID: Int?, prefixIDs: [Int], suffixIDs: [Int]) throws {
        var maxID = -1
        for (token, id) in vocab {
            guard id >= 0 else { throw TokenizerError.inconsistent(source: source, detail: "token \"\(token)\" has negative id \(id)") }
            maxID = max(maxID, id)
        }
        for t in addedTokens {
            guard t.id >= 0 else { throw TokenizerError.inconsistent(source: source, detail: "added token \"\(t.content)\" has negative id \(t.id)") }
            maxID = max(maxID, t.id)
        }
        // Sparse ids are allowed (subset vocabularies), absurd ones are not: never allocate what a
        // corrupt file claims.
        let entries = vocab.count + addedTokens.count
        guard maxID < 4 * entries + 65_536 else {
            throw TokenizerError.inconsistent(source: source, detail: "largest id \(maxID) is far beyond the \(entries) tokens")
        }
        var table = [String?](repeating: nil, count: maxID + 1)
        for (token, id) in vocab { table[id] = token }
        var lookup = vocab
        var special = [Bool](repeating: false, count: maxID + 1)
        for t in addedTokens {
            table[t.id] = t.content
            lookup[t.content] = t.id
            special[t.id] = t.special
        }
        self.idToToken = table
        self.tokenToIDMap = lookup
        self.isSpecial = special

        var mergeMap: [UInt64: (rank: Int32, id: Int32)] = [:]
        mergeMap.reserveCapacity(merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            guard let ia = vocab[a] else { throw TokenizerError.badMerge(source: source, index: rank, merge: "\(a) \(b)", detail: "\"\(a)\" is not in the vocabulary") }
            guard let ib = vocab[b] else { throw TokenizerError.badMerge(source: source, index: rank, merge: "\(a) \(b)", detail: "\"\(b)\" is not in the vocabulary") }
            guard let merged = vocab[a + b] else { throw TokenizerError.badMerge(source: source, index: rank, merge: "\(a) \(b)", detail: "\"\(a + b)\" is not in the vocabulary") }
            mergeMap[BPEModel.key(Int32(ia), Int32(ib))] = (Int32(rank), Int32(merged))  // later duplicates win, as in HF
        }
        var unk: Int? = nil
        if let unkToken {
            guard let id = lookup[unkToken] else {
                throw TokenizerError.inconsistent(source: source, detail: "unk_token \"\(unkToken)\" is not in the vocabulary")
            }
            unk = id
        }
        self.model = BPEModel(vocab: vocab, merges: mergeMap, unkID: unk, fuseUnk: fuseUnk,
                              byteFallback: byteFallback, ignoreMerges: ignoreMerges)
        self.preTokenizer = preTokenizer
        self.addedTokens = addedTokens
        self.splitterRaw = AddedTokenSplitter(tokens: addedTokens.filter { !$0.normalized })
        self.splitterNormalized = AddedTokenSplitter(tokens: addedTokens.filter { $0.normalized })
        self.unkID = unk ?? declaredUnkID
        for (name, id) in [("bos", bosID), ("eos", eosID), ("pad", padID), ("unknown", declaredUnkID)] {
            if let id, !(0..<(maxID + 1)).contains(id) {
                throw TokenizerError.inconsistent(source: source, detail: "\(name) token id \(id) is outside 0..<\(maxID + 1)")
            }
        }
        for id in prefixIDs + suffixIDs where !(0..<(maxID + 1)).contains(id) {
            throw TokenizerError.inconsistent(source: source, detail: "post-processor token id \(id) is outside 0..<\(maxID + 1)")
        }
        self.bosID = bosID
        self.eosID = eosID
        self.padID = padID
        self.prefixIDs = prefixIDs
        self.suffixIDs = suffixIDs

        // ByteLevel decoder table.
        var bytes: [UInt8] = []
        var starts: [Int] = [0]
        starts.reserveCapacity(table.count + 1)
        for token in table {
            if let token {
                if let mapped = ByteUnicodeMap.decode(token) { bytes.append(contentsOf: mapped) }
                else { bytes.append(contentsOf: token.utf8) }
            }
            starts.append(bytes.count)
        }
        self.decodeBytes = bytes
        self.decodeStart = starts
    }

    // MARK: lookup

    /// The token string (byte-level form for vocabulary tokens, verbatim for added tokens).
    public func token(for id: Int) -> String? {
        guard id >= 0 && id < idToToken.count else { return nil }
        return idToToken[id]
    }

    public func id(for token: String) -> Int? { tokenToIDMap[token] }

    public func isSpecialToken(_ id: Int) -> Bool { id >= 0 && id < isSpecial.count && isSpecial[id] }

    /// The bytes `id` decodes to (empty for an unknown id).
    public func bytes(for id: Int) -> ArraySlice<UInt8> {
        guard id >= 0 && id < idToToken.count else { return [] }
        return decodeBytes[decodeStart[id]..<decodeStart[id + 1]]
    }

    // MARK: encode

    /// Token ids of `text`. With `addSpecialTokens` (HF's default), the post-processor's ids are
    /// added (SmolLM2 adds none).
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        encodeWithOffsets(text, addSpecialTokens: addSpecialTokens).ids
    }

    /// Token ids with the UTF-8 byte range of `text` each came from.
    public func encodeWithOffsets(_ text: String, addSpecialTokens: Bool = true) -> TokenEncoding {
        let utf8 = Array(text.utf8)
        var ids: [Int] = []
        var offsets: [Range<Int>] = []
        ids.reserveCapacity(utf8.count / 3 + 4)
        offsets.reserveCapacity(utf8.count / 3 + 4)
        if addSpecialTokens {
            for id in prefixIDs { ids.append(id); offsets.append(0..<0) }
        }
        for segment in splitterRaw.split(utf8, range: 0..<utf8.count) {
            switch segment {
            case let .token(id, range):
                ids.append(id); offsets.append(range)
            case let .text(range):
                for inner in splitterNormalized.split(utf8, range: range) {
                    switch inner {
                    case let .token(id, r): ids.append(id); offsets.append(r)
                    case let .text(r): encodePlain(utf8, range: r, ids: &ids, offsets: &offsets)
                    }
                }
            }
        }
        if addSpecialTokens {
            for id in suffixIDs { ids.append(id); offsets.append(utf8.count..<utf8.count) }
        }
        return TokenEncoding(ids: ids, offsets: offsets)
    }

    private func encodePlain(_ utf8: [UInt8], range: Range<Int>, ids: inout [Int], offsets: inout [Range<Int>]) {
        let (scalars, scalarOffsets) = ByteLevelPreTokenizer.scalarsAndOffsets(utf8[range])
        for piece in preTokenizer.split(scalars: scalars, offsets: scalarOffsets) {
            let tokens = model.tokenize(piece.bytes)
            // Piece byte p maps to source byte piece.source.lowerBound + p - syntheticPrefix.
            var p = 0
            for (id, len) in zip(tokens.ids, tokens.lengths) {
                let lo = min(max(piece.source.lowerBound + p - piece.syntheticPrefix, piece.source.lowerBound), piece.source.upperBound)
                p += Int(len)
                let hi = min(max(piece.source.lowerBound + p - piece.syntheticPrefix, lo), piece.source.upperBound)
                ids.append(Int(id)); offsets.append(lo..<hi)
            }
        }
    }

    // MARK: decode

    /// The text of `ids`; invalid UTF-8 becomes U+FFFD. Unknown ids are skipped (as HF does).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        String(decoding: decodeToBytes(ids, skipSpecialTokens: skipSpecialTokens), as: UTF8.self)
    }

    /// The raw bytes of `ids` (before UTF-8 decoding).
    public func decodeToBytes(_ ids: [Int], skipSpecialTokens: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids where !(skipSpecialTokens && isSpecialToken(id)) { out.append(contentsOf: bytes(for: id)) }
        return out
    }

    /// A decoder for token-by-token output that never splits a UTF-8 character.
    public func makeStreamingDecoder(skipSpecialTokens: Bool = false) -> StreamingDecoder {
        StreamingDecoder(tokenizer: self, skipSpecialTokens: skipSpecialTokens)
    }
}
