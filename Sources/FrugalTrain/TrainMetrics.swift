// TrainMetrics — what the trainer reports after each optimizer step through the caller's callback
// (the library never prints), and one line of metrics.jsonl (snake_case keys). `tokensPerSecond` counts input tokens over wall time since the
// trainer's run began; `peakMemoryBytes` is MemoryStats.peak over this step (tensor storage only).
public struct TrainMetrics: Codable, Equatable, Sendable {
    /// 1-based optimizer step just taken.
    public var step: Int
    /// Mean cross-entropy per supervised token over the step's micro-batches.
    public var loss: Float
    /// Learning rate used for this step.
    public var lr: Float
    /// Global gradient norm before clipping.
    public var gradNorm: Float
    /// Input tokens (B·T summed over micro-batches) of this step, and supervised tokens.
    public var tokens: Int
    public var supervisedTokens: Int
    /// Input tokens since the start of training (including steps before a resume).
    public var totalTokens: Int
    public var tokensPerSecond: Double
    public var peakMemoryBytes: Int
    /// Validation loss when this step evaluated.
    public var evalLoss: Float?

    /// snake_case in metrics.jsonl and every --json line, as every file Frugal writes (docs/json.md).
    enum CodingKeys: String, CodingKey {
        case step, loss, lr, tokens
        case gradNorm = "grad_norm", supervisedTokens = "supervised_tokens", totalTokens = "total_tokens"
        case tokensPerSecond = "tokens_per_second", peakMemoryBytes = "peak_memory_bytes", evalLoss = "eval_loss"
    }
}
