// `frugal chat MODEL` — an interactive conversation: each line you type is a user message; the
// model's reply streams back. The whole conversation is re-rendered through the chat template each
// turn. `/reset` forgets the conversation; `/exit` (or end of input) quits.
import ArgumentParser
import Foundation
import FrugalIO
import FrugalModels
import FrugalText
import FrugalTrain

struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chat", abstract: "Chat with a model in the terminal.")

    @Argument(help: "A GGUF file, an HF model directory, or `default`.") var model: String
    @Option(help: "System message (default: the template's own).") var system: String?
    @Option(help: "A PEFT LoRA adapter folder to apply (e.g. the output of frugal finetune).") var adapter: String?
    @OptionGroup var sampling: SamplingFlags
    @OptionGroup var weights: InferenceWeightFlags
    @Option(help: "A Jinja chat template file to use instead of the model's own.") var chatTemplate: String?

    func run() throws {
        let files = try ModelFiles.open(model)
        let tokenizer = try ModelTokenizer.load(files, chatTemplateFile: chatTemplate)
        guard let template = tokenizer.chatTemplate else {
            throw tokenizer.chatTemplateError.map { $0 as Error } ?? ModelTokenizerError.noChatTemplate(model: model)
        }
        let llm = try weights.load(files)
        if let adapter { try llm.applyAdapter(at: adapter) }
        var messages: [ChatMessage] = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
        Terminal.note("chatting with \(model); /reset starts over, /exit quits")
        let initial = messages
        while true {
            print("> ", terminator: ""); fflush(stdout)
            guard let raw = readLine() else { break }
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line == "/exit" { break }
            if line == "/reset" { messages = initial; Terminal.note("(conversation cleared)"); continue }
            messages.append(ChatMessage(role: "user", content: line))
            let ids = tokenizer.tokenizer.encode(try template.render(messages, addGenerationPrompt: true), addSpecialTokens: false)
            guard !ids.isEmpty else { Terminal.note("error: the conversation encodes to no tokens"); messages.removeLast(); continue }
            let (reply, _) = streamGeneration(model: llm, tokenizer: tokenizer, prompt: ids, flags: sampling)
            messages.append(ChatMessage(role: "assistant", content: reply))
        }
    }
}
