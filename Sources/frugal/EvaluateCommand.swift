// `frugal evaluate MODEL --data FILE [--adapter DIR]` — held-out exact-match accuracy of greedy
// answers on prompt/completion or chat JSONL data, with a few examples shown.
import ArgumentParser
import Foundation
import FrugalSpec
import FrugalIO
import FrugalModels
import FrugalText
import FrugalTrain

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate",
        abstract: "Exact-match accuracy of greedy answers on held-out JSONL data.")

    @Argument(help: "A GGUF file, an HF model directory, or `default`.") var model: String
    @Option(help: "A JSONL file (prompt/completion or messages), or a folder with valid.jsonl / test.jsonl.") var data: String
    @Option(help: "A PEFT LoRA adapter folder to apply.") var adapter: String?
    @Option(name: .customLong("max-tokens"), help: "Most tokens generated per answer.") var maxTokens: Int = 64
    @Option(help: "Evaluate only the first N records.") var limit: Int?
    @Option(help: "Examples to print.") var show: Int = 3
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var isDir: ObjCBool = false
        var path = data
        if FileManager.default.fileExists(atPath: data, isDirectory: &isDir), isDir.boolValue {
            let test = URL(fileURLWithPath: data).appendingPathComponent("test.jsonl").path
            path = FileManager.default.fileExists(atPath: test) ? test : URL(fileURLWithPath: data).appendingPathComponent("valid.jsonl").path
        }
        var records = try JSONLDatasetReader.read(path: path)
        if let limit { records = Array(records.prefix(limit)) }
        let files = try ModelFiles.open(model)
        let tokenizer = try ModelTokenizer.load(files)
        let llm = try DecoderModel.load(files)
        if let adapter { try llm.applyAdapter(at: adapter) }
        let r = try llm.exactMatch(records, tokenizer: tokenizer, maxTokens: maxTokens) { done, total in
            if !json { Terminal.progress(done, total, "answers") }
        }
        if json {
            var o = try JSONSerialization.jsonObject(with: JSONStyle.encoder().encode(r)) as! [String: Any]
            o["accuracy"] = r.accuracy
            print(Terminal.json(o))
        } else {
            for s in r.samples.prefix(show) {
                print("\(s.correct ? "✓" : "✗") expected: \(s.expected)")
                print("  generated: \(s.generated.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            print(String(format: "exact match: %d / %d = %.1f%% (%@)", r.correct, r.total, 100 * r.accuracy, path))
        }
    }
}
