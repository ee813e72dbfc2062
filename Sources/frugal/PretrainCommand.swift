// `frugal pretrain` — train a small byte-level Llama-style model from scratch on a text file and
// print its loss falling; with --output, write metrics.jsonl and the resolved configuration.
import ArgumentParser
import Foundation
import FrugalCore
import FrugalSpec
import FrugalTrain

typealias FrugalSpecConfig = ModelConfig

struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Train a small Llama-style model from scratch on a text file (byte-level vocabulary).")

    @Option(help: "UTF-8 text file to train on.") var text: String = "examples/corpus/frugal-notes.txt"
    @Option(help: "Hidden size C.") var hidden: Int = 64
    @Option(help: "Number of transformer blocks.") var layers: Int = 2
    @Option(help: "Query heads.") var heads: Int = 4
    @Option(name: .customLong("kv-heads"), help: "Key/value heads (grouped-query attention).") var kvHeads: Int = 2
    @Option(help: "MLP intermediate size (default: 8/3·hidden rounded to 8).") var intermediate: Int?
    @Option(help: "Optimizer steps.") var steps: Int = 200
    @Option(help: "Stop after this many training tokens instead of --steps.") var tokens: Int?
    @Option(name: .customLong("batch-size"), help: "Sequences per step.") var batchSize: Int = 4
    @Option(name: .customLong("seq-len"), help: "Tokens per sequence.") var seqLen: Int = 64
    @Option(help: "Peak learning rate (warmup, then cosine).") var lr: Float = 3e-3
    @Option(help: "Warmup steps.") var warmup: Int = 10
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(name: .customLong("eval-every"), help: "Validation loss every N steps.") var evalEvery: Int = 50
    @Option(help: "Print a line every N steps.") var every: Int = 10
    @Option(help: "Folder for metrics.jsonl and config.json.") var output: String?
    @Flag(help: "Print the final result as JSON.") var json = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: text) else {
            throw ValidationError("cannot read the text file \(text)")
        }
        for (name, v) in [("--hidden", hidden), ("--layers", layers), ("--heads", heads), ("--kv-heads", kvHeads),
                          ("--steps", steps), ("--batch-size", batchSize), ("--seq-len", seqLen)] where v <= 0 {
            throw ValidationError("\(name) must be positive, got \(v)")
        }
        guard hidden % heads == 0, heads % kvHeads == 0 else {
            throw ValidationError("--hidden (\(hidden)) must be a multiple of --heads (\(heads)), and --heads of --kv-heads (\(kvHeads))")
        }
        var o = PretrainOptions()
        o.steps = tokens.map { max(1, $0 / (batchSize * seqLen)) } ?? steps
        o.batch = batchSize; o.seqLen = seqLen; o.lr = lr; o.warmup = min(warmup, o.steps); o.seed = seed
        o.evalEvery = evalEvery
        let f = intermediate ?? ((hidden * 8 / 3 + 7) / 8 * 8)
        let config = Pretrainer.byteConfig(hidden: hidden, layers: layers, heads: heads, kvHeads: kvHeads,
                                           intermediate: f, contextLength: seqLen)
        let trainer = try Pretrainer(config: config, corpus: [UInt8](data), options: o)
        if !json {
            print("model: \(layers) layers, hidden \(hidden), \(heads) heads (\(kvHeads) kv), MLP \(f), byte vocabulary — \(trainer.model.parameterCount) parameters")
            print("data: \(data.count) bytes from \(text); \(o.steps) steps × \(o.batch) × \(o.seqLen) tokens")
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
            try Terminal.writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: dir.appendingPathComponent("metrics.jsonl"))
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            struct Resolved: Encodable { let model: FrugalSpecConfig; let training: PretrainOptions; let text: String }
            try Terminal.writeAtomically(try enc.encode(Resolved(model: config, training: o, text: text)),
                                         to: dir.appendingPathComponent("config.json"))
        }
        if let s = last {
            if json {
                print(Terminal.json(["params": trainer.model.parameterCount, "tokens": s.tokens, "flops": s.flops,
                                     "train_loss": s.loss, "valid_loss": s.validLoss ?? Float.nan, "seconds": s.seconds]))
            } else {
                print(String(format: "done: loss %.3f, validation %.3f, %.0f tokens/s", s.loss, s.validLoss ?? .nan,
                             Double(s.tokens) / max(s.seconds, 1e-9)))
            }
        }
    }
}
