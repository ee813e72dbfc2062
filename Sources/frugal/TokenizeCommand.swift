// `frugal tokenize MODEL TEXT` — the token ids the model's own tokenizer gives (GGUF metadata or
// tokenizer.json), with the pieces; `--json` prints {"ids": [...], "tokens": [...]}.
import ArgumentParser
import Foundation
import FrugalModels

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize",
        abstract: "Token ids of a text under a model's tokenizer.")

    @Argument(help: "A GGUF file, an HF model directory, or `default`.") var model: String
    @Argument(help: "The text to tokenize.") var text: String
    @Flag(name: .customLong("no-special"), help: "Do not add the tokenizer's BOS/EOS tokens.") var noSpecial = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let t = try ModelTokenizer.load(model).tokenizer
        let ids = t.encode(text, addSpecialTokens: !noSpecial)
        let pieces = ids.map { t.token(for: $0) ?? "?" }
        if json {
            print(Terminal.json(["ids": ids, "tokens": pieces, "count": ids.count]))
        } else {
            print(ids.map(String.init).joined(separator: " "))
            print("\(ids.count) tokens: " + pieces.map { $0.debugDescription }.joined(separator: " "))
        }
    }
}
