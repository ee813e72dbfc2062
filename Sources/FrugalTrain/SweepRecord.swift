// SweepRecord — one finished run of a scaling sweep, and its two JSON-lines forms:
//   runs.jsonl   exactly the keys FrugalEstimate's ScalingRun reads (compute, loss, params, tokens,
//                name), so `frugal scaling fit` and `frugal plot runs` take the file as it is;
//   sweep.jsonl  everything: also train_loss, hidden, layers, heads, kv_heads, intermediate,
//                non-embedding params, the 6·N·D compute, steps, seconds.
// Definitions: params = every parameter of the model (the tied embedding/head counted once);
// compute = FrugalEstimate's itemized training FLOPs per token (forward + backward: input and
// weight gradients of every matmul, attention scores over the full T×T window, elementwise ops)
// × tokens; loss = final mean cross-entropy (nats per byte) on held-out text; train_loss = mean
// training loss over the last tenth of the steps.
import Foundation

public struct SweepRecord: Codable, Equatable, Sendable {
    public var name: String
    public var params: Int
    public var nonEmbeddingParams: Int
    public var tokens: Int
    public var compute: Double
    public var compute6ND: Double
    public var loss: Double
    public var trainLoss: Double
    public var hidden: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var intermediate: Int
    public var steps: Int
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case name, params, nonEmbeddingParams = "non_embedding_params", tokens, compute, compute6ND = "compute_6nd",
             loss, trainLoss = "train_loss", hidden, layers, heads, kvHeads = "kv_heads", intermediate, steps, seconds
    }

    /// A runs.jsonl line (ScalingRun's keys only).
    public var runsLine: String {
        SweepJSON.line(["compute": compute, "loss": loss, "name": name, "params": params, "tokens": tokens])
    }

    /// A sweep.jsonl line (every field).
    public var detailLine: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: (try? enc.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

enum SweepJSON {
    static func line(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A metrics.jsonl line as `frugal pretrain` writes it.
    static func metricsLine(_ s: PretrainStep) -> String {
        var m: [String: Any] = ["step": s.step, "tokens": s.tokens, "flops": s.flops, "train_loss": s.loss, "lr": s.lr]
        if let v = s.validLoss { m["valid_loss"] = v }
        return line(m)
    }
}
