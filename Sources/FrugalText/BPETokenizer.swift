// BPETokenizer — text ↔ token ids through a tokenizer.json-style pipeline, as HF tokenizers runs
// it for the BPE families Frugal supports (GPT-2/SmolLM2, Llama 3, Qwen2/2.5/3, Llama 2, Mistral,
// Gemma 3).
//
// Encode: (1) added tokens marked non-normalized (special tokens) are split out of the raw text by
// exact match (leftmost, longest first; `AddedTokenSplitter`); (2) each text segment between them
// is normalized (`Normalizer`), then normalized added tokens are split out of it; (3) each
// remaining segment is cut into pieces (`PreTokenizer`); (4) each piece is tokenized by the model:
// BPE merges by rank (`BPEModel`; byte-level when the pre-tokenizer has a ByteLevel step), or,
// for a GGUF "llama" vocabulary, llama.cpp's score-driven merging (`SentencePieceBPEModel`);
// (5) with `addSpecialTokens`, the post-processor's prefix/suffix ids (a BOS, say) are added.
// Every id carries the UTF-8 byte range of the input it came from (`ScalarText` alignment).
// Decode: the ids' token strings through the decoder chain (`TokenDecoder`), exactly as HF does;
// `bytes(for:)` and `StreamingDecoder` use each id's bytes on its own (`TokenDecoder.Plan`).
// Build one from a tokenizer.json (`BPETokenizer+TokenizerJSON.swift`) or from GGUF arrays
// (`BPETokenizer+GGUF.swift`). Leaves out: Unigram/WordPiece/WordLevel models, dropout, pair
// encodings, truncation and padding (datasets do their own).
import Foundation

public final class BPETokenizer: @unchecked Sendable {
    enum Model {
        case bpe(BPEModel)
        case sentencePiece(SentencePieceBPEModel)

        func tokenize(_ piece: [UInt8]) -> BPEModel.Tokens {
            switch self {
            case let .bpe(m): return m.tokenize(piece)
            case let .sentencePiece(m): return m.tokenize(piece)
            }
        }
    }

    let model: Model
    public let normalizer: Normalizer?
    public let preTokenizer: PreTokenizer?
    public let decoder: TokenDecoder
    let decodePlan: TokenDecoder.Plan
    public let addedTokens: [AddedToken]
    private let splitterRaw: AddedTokenSplitter
    private let splitterNormalized: AddedTokenSplitter
    private let idToToken: [String?]
    private let tokenToIDMap: [String: Int]
    private let isSpecial: [Bool]
    // Decoded bytes of id i on its own: decodeBytes[decodeStart[i]..<decodeStart[i + 1]].
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
    ///   - vocab: token string → id (byte-level form when the pre-tokenizer is byte-level).
    ///   - merges: merge pairs in rank order (ignored with `sentencePieceScores`).
    ///   - sentencePieceScores: llama.cpp SPM merging by these per-id scores instead of merges.
    ///   - tokensByID: the token of every id when the source lists them in id order (GGUF). Swift's
    ///     String equality is canonical equivalence, so `vocab` holds one key for tokens that differ
    ///     only in Unicode composition (Gemma has "ά" U+03AC and "ά" U+1F71 as two ids); the list
    ///     keeps each id's own bytes.
    init(source: String, vocab: [String: Int], merges: [(String, String)], addedTokens: [AddedToken],
         tokensByID: [String]? = nil,
         normalizer: Normalizer? = nil, preTokenizer: PreTokenizer?, decoder: TokenDecoder = .byteLevel,
         unkToken: String?, declaredUnkID: Int? = nil, fuseUnk: Bool = false,
         byteFallback: Bool = false, ignoreMerges: Bool = false, sentencePieceScores: [Float]? = nil,
         bosID: Int?, eosID: Int?, padID: Int?, prefixIDs: [Int], suffixIDs: [Int]) throws {
        var maxID = (tokensByID?.count ?? 0) - 1
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
        let entries = max(vocab.count, tokensByID?.count ?? 0) + addedTokens.count
        guard maxID < 4 * entries + 65_536 else {
            throw TokenizerError.inconsistent(source: source, detail: "largest id \(maxID) is far beyond the \(entries) tokens")
        }
        var table = [String?](repeating: nil, count: maxID + 1)
        for (token, id) in vocab { table[id] = token }
        for (id, token) in (tokensByID ?? []).enumerated() { table[id] = token }
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

        var unk: Int? = nil
        if let unkToken {
            guard let id = lookup[unkToken] else {
                throw TokenizerError.inconsistent(source: source, detail: "unk_token \"\(unkToken)\" is not in the vocabulary")
            }
            unk = id
        }
        if let scores = sentencePieceScores {
            self.model = .sentencePiece(SentencePieceBPEModel(tokens: table.map { $0 ?? "" }, scores: scores,
                                                              unkID: unk ?? declaredUnkID))
        } else {
            var mergeMap: [UInt64: (rank: Int32, id: Int32)] = [:]
            mergeMap.reserveCapacity(merges.count)
            for (rank, (a, b)) in merges.enumerated() {
                guard let ia = vocab[a] else { throw TokenizerError.badMerge(source: source, index: rank, merge: "\(a) \(b)", detail: "\"\(a)\" is not in the vocabulary") }
                guard let ib = vocab[b] else { throw TokenizerError.badMerge(source: source, index: rank, merge: "\(a) \(b)", detail: "\"\(b)\" is not in the vocabulary") }
                guard let merged = vocab[a + b] else { throw TokenizerError.badMerge(source: source, index: rank, merge: "\(a) \(b)", detail: "\"\(a + b)\" is not in the vocabulary") }
                mergeMap[BPEModel.key(Int32(ia), Int32(ib))] = (Int32(rank), Int32(merged))  // later duplicates win, as in HF
            }
            self.model = .bpe(BPEModel(vocab: vocab, merges: mergeMap, unkID: unk, fuseUnk: fuseUnk,
                                       byteFallback: byteFallback, ignoreMerges: ignoreMerges,
                                       alphabet: preTokenizer?.isByteLevel == true ? .bytes : .scalars))
        }
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.decoder = decoder
        self.decodePlan = TokenDecoder.Plan(decoder)
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

        // Each id's bytes on its own (streaming).
        var bytes: [UInt8] = []
        var starts: [Int] = [0]
        starts.reserveCapacity(table.count + 1)
        for token in table {
            if let token { bytes.append(contentsOf: decodePlan.bytes(of: token)) }
            starts.append(bytes.count)
        }
        self.decodeBytes = bytes
        self.decodeStart = starts
    }

    // MARK: lookup

    /// The token string (as the vocabulary writes it: byte-level form, ▁ for spaces, or verbatim
    /// for added tokens).
    public func token(for id: Int) -> String? {
        guard id >= 0 && id < idToToken.count else { return nil }
        return idToToken[id]
    }

    public func id(for token: String) -> Int? { tokenToIDMap[token] }

    public func isSpecialToken(_ id: Int) -> Bool { id >= 0 && id < isSpecial.count && isSpecial[id] }

    /// The bytes `id` decodes to on its own, mid-text (empty for an unknown id).
    public func bytes(for id: Int) -> ArraySlice<UInt8> {
        guard id >= 0 && id < idToToken.count else { return [] }
        return decodeBytes[decodeStart[id]..<decodeStart[id + 1]]
    }

    // MARK: encode

    /// Token ids of `text`. With `addSpecialTokens` (HF's default), the post-processor's ids are
    /// added (SmolLM2 adds none; Llama 3 a BOS).
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        encodeWithOffsets(text, addSpecialTokens: addSpecialTokens).ids
    }

    /// Token ids with the UTF-8 byte range of `text` each came from.
    public func encodeWithOffsets(_ text: String, addSpecialTokens: Bool = true) -> TokenEncoding {
        let utf8 = Array(text.utf8)
        var out = Output()
        out.ids.reserveCapacity(utf8.count / 3 + 4)
        out.offsets.reserveCapacity(utf8.count / 3 + 4)
        if addSpecialTokens {
            for id in prefixIDs { out.ids.append(id); out.offsets.append(0..<0) }
        }
        for segment in splitterRaw.split(utf8, range: 0..<utf8.count) {
            switch segment {
            case let .token(id, range):
                out.ids.append(id); out.offsets.append(range)
            case let .text(range):
                encodeSegment(utf8, range: range, into: &out)
            }
        }
        if addSpecialTokens {
            for id in suffixIDs { out.ids.append(id); out.offsets.append(utf8.count..<utf8.count) }
        }
        return TokenEncoding(ids: out.ids, offsets: out.offsets)
    }

    struct Output {
        var ids: [Int] = []
        var offsets: [Range<Int>] = []
    }

    /// One segment between non-normalized added tokens: normalize, split out normalized added
    /// tokens, pre-tokenize, tokenize.
    private func encodeSegment(_ utf8: [UInt8], range: Range<Int>, into out: inout Output) {
        guard let normalizer else {
            // Normalized text = raw text: match normalized added tokens on the bytes directly.
            for inner in splitterNormalized.split(utf8, range: range) {
                switch inner {
                case let .token(id, r): out.ids.append(id); out.offsets.append(r)
                case let .text(r): encodeNormalized(ScalarText(utf8: utf8[r]), into: &out)
                }
            }
            return
        }
        let text = normalizer.apply(ScalarText(utf8: utf8[range]))
        if splitterNormalized.isEmpty {
            encodeNormalized(text, into: &out)
            return
        }
        // Match on the normalized text's UTF-8, mapping byte positions back to scalars.
        var bytes: [UInt8] = []
        var scalarAt: [Int] = []  // byte → scalar index
        for (k, v) in text.scalars.enumerated() {
            ScalarText.appendUTF8(v, to: &bytes)
            while scalarAt.count < bytes.count { scalarAt.append(k) }
        }
        scalarAt.append(text.count)
        for inner in splitterNormalized.split(bytes, range: 0..<bytes.count) {
            switch inner {
            case let .token(id, r):
                out.ids.append(id); out.offsets.append(text.source(scalarAt[r.lowerBound]..<scalarAt[r.upperBound]))
            case let .text(r):
                let s = scalarAt[r.lowerBound]..<scalarAt[r.upperBound]
                encodeNormalized(ScalarText(scalars: Array(text.scalars[s]), starts: Array(text.starts[s.lowerBound...s.upperBound])), into: &out)
            }
        }
    }

    /// Pre-tokenizes and tokenizes normalized text.
    private func encodeNormalized(_ text: ScalarText, into out: inout Output) {
        guard text.count > 0 else { return }
        var pieces = PreTokenizer.Pieces(text: text, ranges: [0..<text.count])
        preTokenizer?.apply(&pieces)
        let t = pieces.text
        var bytes: [UInt8] = []
        for r in pieces.ranges {
            bytes.removeAll(keepingCapacity: true)
            for v in t.scalars[r] { ScalarText.appendUTF8(v, to: &bytes) }
            let tokens = model.tokenize(bytes)
            // Walk the piece's scalars alongside the tokens' byte lengths to find source offsets.
            var k = r.lowerBound      // scalar holding byte p
            var kStart = 0            // piece byte where scalar k begins
            var p = 0
            var lo = t.starts[r.lowerBound]
            for (id, len) in zip(tokens.ids, tokens.lengths) {
                p += Int(len)
                while k < r.upperBound && kStart + ScalarText.utf8Width(t.scalars[k]) <= p {
                    kStart += ScalarText.utf8Width(t.scalars[k]); k += 1
                }
                var hi: Int
                if k >= r.upperBound || p == kStart {
                    hi = t.starts[min(k, r.upperBound)]
                } else {
                    // Inside scalar k: exact when it maps 1:1 to its source bytes.
                    let w = ScalarText.utf8Width(t.scalars[k])
                    hi = t.starts[k + 1] - t.starts[k] == w ? t.starts[k] + (p - kStart) : t.starts[k]
                }
                hi = max(hi, lo)
                out.ids.append(Int(id)); out.offsets.append(lo..<hi)
                lo = hi
            }
        }
    }

    // MARK: decode

    /// The text of `ids` through the decoder chain, as HF `Tokenizer::decode`. Unknown ids are
    /// skipped (as HF does).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids where !(skipSpecialTokens && isSpecialToken(id)) {
            if let t = token(for: id) { tokens.append(t) }
        }
        return decoder.decode(tokens)
    }

    /// The bytes of `id` as the `index`-th token the decoder sees (the first may differ: Metaspace).
    func bytes(for id: Int, index: Int) -> [UInt8] {
        if index == 0 && decodePlan.firstTokenDiffers, let t = token(for: id) { return decodePlan.bytes(of: t, first: true) }
        return Array(bytes(for: id))
    }

    /// The raw bytes of `ids` (before UTF-8 decoding): each id's bytes, the first token's and the
    /// leading spaces as the decoder treats the start of a text.
    public func decodeToBytes(_ ids: [Int], skipSpecialTokens: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        for id in ids where !(skipSpecialTokens && isSpecialToken(id)) && token(for: id) != nil {
            out.append(contentsOf: bytes(for: id, index: index)); index += 1
        }
        var strip = 0
        while strip < decodePlan.stripLeadingSpaces && strip < out.count && out[strip] == 0x20 { strip += 1 }
        return Array(out[strip...])
    }

    /// A decoder for token-by-token output that never splits a UTF-8 character.
    public func makeStreamingDecoder(skipSpecialTokens: Bool = false) -> StreamingDecoder {
        StreamingDecoder(tokenizer: self, skipSpecialTokens: skipSpecialTokens)
    }
}
