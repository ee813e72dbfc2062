// Batcher — turns a TokenizedDataset into TokenBatches, shuffled per epoch with SplitMix64.
//
// .padded: each batch holds batchSize examples, right-padded with padID to the longest of them
//   (rounded up to padToMultipleOf). Like transformers' DataCollatorForSeq2Seq / mlx-lm.
// .packed: examples are laid into rows of exactly maxSeqLen tokens in (shuffled) order; an example
//   that does not fit in the current row starts the next one (examples are never split, so a
//   completion is never cut from its prompt); rows are then grouped batchSize at a time.
//   positionIDs restart at 0 with each example: from them the model restarts RoPE and masks
//   attention between the examples of a row (block-diagonal causal, as transformers' packed
//   batches with position_ids under flash-attention's variable-length path).
// The last batch may be smaller (fewer rows) unless dropLast. The order depends only on the seed
// and the epoch.
import FrugalRandom
public struct Batcher: Sendable {
    public enum Mode: Equatable, Sendable {
        case padded(padToMultipleOf: Int)
        case packed
    }

    public let dataset: TokenizedDataset
    public let batchSize: Int
    public let maxSeqLen: Int
    public let mode: Mode
    public let padID: Int
    public let shuffle: Bool
    public let seed: UInt64
    public let dropLast: Bool

    public init(dataset: TokenizedDataset, batchSize: Int, maxSeqLen: Int, mode: Mode = .padded(padToMultipleOf: 1),
                padID: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) {
        precondition(batchSize > 0, "batchSize must be positive, got \(batchSize)")
        precondition(maxSeqLen > 0, "maxSeqLen must be positive, got \(maxSeqLen)")
        if case .padded(let m) = mode { precondition(m > 0, "padToMultipleOf must be positive, got \(m)") }
        for (i, e) in dataset.examples.enumerated() {
            precondition(e.ids.count <= maxSeqLen, "example \(i) has \(e.ids.count) tokens > maxSeqLen \(maxSeqLen); encode with the same maxSeqLen")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.maxSeqLen = maxSeqLen
        self.mode = mode
        self.padID = padID
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
    }

    /// The example order of `epoch` (a permutation of the example indices).
    public func order(epoch: Int) -> [Int] {
        var order = Array(dataset.examples.indices)
        if shuffle {
            var rng = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: epoch) &* 0xD1B5_4A32_D192_ED03))
            rng.shuffle(&order)
        }
        return order
    }

    /// All batches of `epoch`.
    public func batches(epoch: Int) -> [TokenBatch] {
        let order = order(epoch: epoch)
        switch mode {
        case .padded(let multiple):
            var out: [TokenBatch] = []
            var i = 0
            while i < order.count {
                let members = Array(order[i..<min(i + batchSize, order.count)])
                i += batchSize
                if dropLast && members.count < batchSize { break }
                let longest = members.map { dataset.examples[$0].ids.count }.max() ?? 0
                let t = min(((longest + multiple - 1) / multiple) * multiple, max(maxSeqLen, longest))
                out.append(makeBatch(rows: members.map { [$0] }, length: t))
            }
            return out
        case .packed:
            var rows: [[Int]] = []
            var current: [Int] = []
            var used = 0
            for idx in order {
                let n = dataset.examples[idx].ids.count
                if used + n > maxSeqLen && !current.isEmpty { rows.append(current); current = []; used = 0 }
                current.append(idx); used += n
            }
            if !current.isEmpty { rows.append(current) }
            var out: [TokenBatch] = []
            var r = 0
            while r < rows.count {
                let group = Array(rows[r..<min(r + batchSize, rows.count)])
                r += batchSize
                if dropLast && group.count < batchSize { break }
                out.append(makeBatch(rows: group, length: maxSeqLen))
            }
            return out
        }
    }

    /// Number of batches per epoch (the same for every epoch in padded mode; in packed mode it can
    /// vary slightly with the order).
    public func batchCount(epoch: Int = 0) -> Int { batches(epoch: epoch).count }

    private func makeBatch(rows: [[Int]], length t: Int) -> TokenBatch {
        let b = rows.count
        var ids = [Int](repeating: padID, count: b * t)
        var labels = [Int](repeating: TokenBatch.ignoreIndex, count: b * t)
        var attention = [Int](repeating: 0, count: b * t)
        var positions = [Int](repeating: 0, count: b * t)
        for (row, members) in rows.enumerated() {
            var col = 0
            for idx in members {
                let e = dataset.examples[idx]
                for (k, id) in e.ids.enumerated() {
                    let p = row * t + col
                    ids[p] = id
                    labels[p] = e.lossMask[k] ? id : TokenBatch.ignoreIndex
                    attention[p] = 1
                    positions[p] = k
                    col += 1
                }
            }
        }
        return TokenBatch(batchSize: b, sequenceLength: t, inputIDs: ids, labels: labels,
                          attentionMask: attention, positionIDs: positions)
    }
}
