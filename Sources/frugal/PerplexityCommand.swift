// `frugal perplexity MODEL --file F` — mean negative log-likelihood and perplexity of a text file
// under a model (optionally with a LoRA adapter), in overlapping windows.
import ArgumentParser
import Foundation
import FrugalIO
import FrugalModels
import FrugalTrain

struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "perplexity",
        abstract: "Mean negative log-likelihood and perplexity of a text file.")

    @Argument(help: "A GGUF file, an HF model directory, or `default`.") var model: String
    @Option(help: "UTF-8 text file to score.") var file: String
    @Option(help: "A PEFT LoRA adapter folder to apply.") var adapter: String?
    @Option(name: [.customLong("context"), .customLong("window")], help: "Tokens per window (context length).") var window: Int = 512
    @Option(help: "Tokens the window advances each time (≤ --context; default: half of it).") var stride: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let stride = self.stride ?? max(1, window / 2)
        guard window >= 2, stride >= 1, stride <= window else { throw ValidationError("need --context ≥ 2 and 1 ≤ --stride ≤ --context") }
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let files = try ModelFiles.open(model)
        let tokenizer = try ModelTokenizer.load(files)
        let llm = try DecoderModel.load(files)
        if let adapter { try llm.applyAdapter(at: adapter) }
        let ids = tokenizer.tokenizer.encode(String(decoding: data, as: UTF8.self)).map { Int32($0) }
        let r = llm.perplexity(ids, window: window, stride: stride) { done, total in
            if !json { Terminal.progress(done, total, "tokens") }
        }
        if json {
            print(Terminal.json(["tokens": r.tokens, "mean_nll": r.meanNLL, "perplexity": r.perplexity]))
        } else {
            print(String(format: "%d tokens scored: mean NLL %.4f nats/token, perplexity %.3f", r.tokens, r.meanNLL, r.perplexity))
        }
    }
}
