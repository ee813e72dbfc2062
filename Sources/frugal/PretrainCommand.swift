// `frugal pretrain` — train a small byte-level Llama-style model from scratch on a text file and
// print its loss falling; with --output DIR, write metrics.jsonl, the resolved configuration
// (config.json) and the trained model as an HF folder DIR/model/ that generate and finetune load.
// --text is required (a default relative to the current directory would only work from the
// repository's root); the help names the repository's example, examples/corpus/frugal-notes.txt.
// The model comes from flags or --config FILE.json (PretrainModelSpec: hidden, layers, heads,
// kv_heads, intermediate, seq_len; unknown keys refused); flags given override the file.
// Reports parameters (total and non-embedding), tokens, training FLOPs (FrugalEstimate's itemized
// forward + backward count per token × tokens; 6·N·D beside it) and loss.
import ArgumentParser
import Foundation
import FrugalCore
import FrugalEstimate
import FrugalSpec
import FrugalTrain

typealias FrugalSpecConfig = ModelConfig

struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Train a small Llama-style model from scratch on a text file (byte-level vocabulary).")

    @Option(help: "UTF-8 text file to train on (the repository has one: examples/corpus/frugal-notes.txt).") var text: String
    @Option(help: "Model config JSON {hidden, layers, heads, kv_heads, intermediate, seq_len}; flags override it.")
    var config: String?
    @Option(help: "Hidden size C (default 64).") var hidden: Int?
    @Option(help: "Number of transformer blocks (default 2).") var layers: Int?
    @Option(help: "Query heads (default 4).") var heads: Int?
    @Option(name: .customLong("kv-heads"), help: "Key/value heads, grouped-query attention (default 2).") var kvHeads: Int?
    @Option(help: "MLP intermediate size (default: 8/3·hidden rounded up to 8).") var intermediate: Int?
    @Option(help: "Optimizer steps.") var steps: Int = 200
    @Option(help: "Train on this many tokens instead of --steps (rounded down to whole steps of batch·seq-len).") var tokens: Int?
    @Option(name: .customLong("batch-size"), help: "Sequences per step.") var batchSize: Int = 4
    @Option(name: .customLong("seq-len"), help: "Tokens per sequence (default 64).") var seqLen: Int?
    @Option(help: "Peak learning rate (warmup, then cosine).") var lr: Float = 3e-3
    @Option(help: "Warmup steps.") var warmup: Int = 10
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(name: .customLong("eval-every"), help: "Validation loss every N steps.") var evalEvery: Int = 50
    @Option(help: "Print a line every N steps.") var every: Int = 10
    @Option(help: "Folder for metrics.jsonl, config.json and the trained model (DIR/model, an HF folder that generate and finetune load).") var output: String?
    @Flag(help: "Print the final result as JSON.") var json = false

    /// defaults < --config file < flags.
    func resolvedSpec() throws -> PretrainModelSpec {
        var spec = try config.map { try PretrainModelSpec.read(contentsOf: URL(fileURLWithPath: $0)) } ?? PretrainModelSpec()
        if let hidden { spec.hidden = hidden }
        if let layers { spec.layers = layers }
        if let heads { spec.heads = heads }
        if let kvHeads { spec.kvHeads = kvHeads }
        if let intermediate { spec.intermediate = intermediate }
        if let seqLen { spec.seqLen = seqLen }
        try spec.validate()
        return spec
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: text) else {
            throw ValidationError("cannot read the text file \(text)")
        }
        let spec = try resolvedSpec()
        for (name, v) in [("--steps", steps), ("--batch-size", batchSize), ("--every", every)] where v <= 0 {
            throw ValidationError("\(name) must be positive, got \(v)")
        }
        var o = PretrainOptions()
        if let tokens {
            guard tokens >= batchSize * spec.seqLen else {
                throw ValidationError("--tokens \(tokens) is less than one step (batch-size × seq-len = \(batchSize * spec.seqLen))")
            }
            o.steps = tokens / (batchSize * spec.seqLen)
        } else {
            o.steps = steps
        }
        o.batch = batchSize; o.seqLen = spec.seqLen; o.lr = lr; o.warmup = min(warmup, o.steps); o.seed = seed
        o.evalEvery = evalEvery
        let config = spec.modelConfig
        let f = spec.resolvedIntermediate
        let trainer = try Pretrainer(config: config, corpus: [UInt8](data), options: o)
        let params = trainer.model.parameterCount
        let nonEmbedding = ParameterBreakdown(config).nonEmbedding
        if !json {
            print("model: \(spec.layers) layers, hidden \(spec.hidden), \(spec.heads) heads (\(spec.kvHeads) kv), MLP \(f), byte vocabulary — \(params) parameters (\(nonEmbedding) non-embedding)")
            print("data: \(data.count) bytes from \(text); \(o.steps) steps × \(o.batch) × \(o.seqLen) tokens = \(o.steps * o.batch * o.seqLen) tokens")
            print(String(format: "compute: %@ training FLOPs per token (forward + backward, itemized; 6·N = %@)",
                         Terminal.compact(trainer.flopsPerToken), Terminal.compact(6 * Double(params))))
        }
        var lines: [String] = []
        var last: PretrainStep?
        trainer.run { s in
            last = s
            var m: [String: Any] = ["step": s.step, "tokens": s.tokens, "flops": s.flops, "train_loss": s.loss, "lr": s.lr]
            if let v = s.validLoss { m["valid_loss"] = v }
            lines.append(String(decoding: try! JSONSerialization.data(withJSONObject: m, options: [.sortedKeys]), as: UTF8.self))
            guard !json else { return }
            if s.step % every == 0 || s.step == 1 || s.validLoss != nil || s.step == o.steps {
                let v = s.validLoss.map { String(format: "  valid %.3f", $0) } ?? ""
                print(String(format: "step %4d/%d  loss %.3f%@  tokens %d  %@ FLOPs  %.1fs", s.step, o.steps, s.loss, v,
                             s.tokens, Terminal.compact(s.flops), s.seconds))
            }
        }
        if let output {
            let dir = URL(fileURLWithPath: output)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            // Data's .atomic write: a temporary file, then rename, replacing an earlier run's files.
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("metrics.jsonl"), options: .atomic)
            let enc = JSONStyle.encoder()
            struct Resolved: Encodable {
                let model: FrugalSpecConfig; let spec: PretrainModelSpec; let training: PretrainOptions; let text: String
                let params: Int; let nonEmbeddingParams: Int; let flopsPerToken: Double
                enum CodingKeys: String, CodingKey {
                    case model, spec, training, text, params, nonEmbeddingParams = "non_embedding_params", flopsPerToken = "flops_per_token"
                }
            }
            try enc.encode(Resolved(model: config, spec: spec, training: o, text: text, params: params,
                                    nonEmbeddingParams: nonEmbedding, flopsPerToken: trainer.flopsPerToken))
                .write(to: dir.appendingPathComponent("config.json"), options: .atomic)
            let model = dir.appendingPathComponent("model").path
            try trainer.saveModel(to: model)
            if !json { print("model: \(model) (try: frugal generate \(model) --prompt \"The \")") }
        }
        if let s = last {
            if json {
                print(Terminal.json(["params": params, "non_embedding_params": nonEmbedding, "tokens": s.tokens, "flops": s.flops,
                                     "flops_per_token": trainer.flopsPerToken, "flops_6nd": 6 * Double(params) * Double(s.tokens),
                                     "train_loss": s.loss, "valid_loss": s.validLoss ?? Float.nan, "seconds": s.seconds]))
            } else {
                print(String(format: "done: loss %.3f, validation %.3f, %d tokens, %@ FLOPs, %.0f tokens/s", s.loss, s.validLoss ?? .nan,
                             s.tokens, Terminal.compact(s.flops), Double(s.tokens) / max(s.seconds, 1e-9)))
            }
        }
    }
}
