// KVCache — keys and values of past tokens for incremental decoding, one buffer per layer,
// [B, maxT, K, D] each, filled left to right. Batch 1 reads the filled prefix as a view; larger
// batches copy it (decoding with B > 1 is rare on a CPU).
import FrugalCore
import FrugalSpec

public final class KVCache {
    public final class Layer {
        let keys: Tensor, values: Tensor   // [B, maxT, K, D]
        public private(set) var length = 0

        init(batch: Int, maxTokens: Int, kvHeads: Int, headDim: Int) {
            keys = Tensor(zeros: [batch, maxTokens, kvHeads, headDim])
            values = Tensor(zeros: [batch, maxTokens, kvHeads, headDim])
        }

        /// Appends k, v [B, T, K, D] and returns all cached keys and values [B, length, K, D].
        func append(_ k: Tensor, _ v: Tensor) -> (Tensor, Tensor) {
            let (b, t, kv, d) = (keys.shape[0], k.shape[1], keys.shape[2], keys.shape[3])
            let maxT = keys.shape[1]
            precondition(length + t <= maxT, "KVCache: \(length + t) tokens exceed the cache of \(maxT)")
            let row = kv * d
            for bb in 0..<b {
                (keys.data + (bb * maxT + length) * row).update(from: k.data + bb * t * row, count: t * row)
                (values.data + (bb * maxT + length) * row).update(from: v.data + bb * t * row, count: t * row)
            }
            length += t
            if b == 1 {
                return (Tensor(storage: keys.storage, shape: [1, length, kv, d]),
                        Tensor(storage: values.storage, shape: [1, length, kv, d]))
            }
            return (keys.slice(axis: 1, 0, length), values.slice(axis: 1, 0, length))
        }
    }

    public let layers: [Layer]
    public var length: Int { layers.first?.length ?? 0 }
    public let maxTokens: Int

    public init(config: ModelConfig, batch: Int = 1, maxTokens: Int) {
        self.maxTokens = maxTokens
        layers = (0..<config.numLayers).map { _ in
            Layer(batch: batch, maxTokens: maxTokens, kvHeads: config.numKVHeads, headDim: config.headDim)
        }
    }
}
