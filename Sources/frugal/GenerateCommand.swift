// `frugal generate MODEL --prompt TEXT` — text generation, streamed token by token. With --chat
// the prompt is one user message rendered through the model's chat template (with its default
// system message, or --system). Greedy by default; --temperature/--top-k/--top-p/--seed sample.
import ArgumentParser
import Foundation
import FrugalIO
import FrugalModels
import FrugalText
import FrugalTrain

/// The numeric options parse `.unconditional`ly so that a negative value (`--temperature -1`) is read
/// as the value, not as a missing one, and then refused by `validate()` with its range.
struct SamplingFlags: ParsableArguments {
    @Option(name: .customLong("max-tokens"), parsing: .unconditional, help: "Most new tokens to generate.") var maxTokens: Int = 128
    @Option(parsing: .unconditional, help: "Sampling temperature; 0 = greedy.") var temperature: Float = 0
    @Option(name: .customLong("top-k"), parsing: .unconditional, help: "Keep the k most likely tokens (0 = off).") var topK: Int = 0
    @Option(name: .customLong("top-p"), parsing: .unconditional, help: "Nucleus sampling mass (1 = off).") var topP: Float = 1
    @Option(help: "Random seed for sampling.") var seed: UInt64 = 0
    @Option(help: "Stop when this string appears (may repeat).") var stop: [String] = []

    func validate() throws {
        guard maxTokens > 0 else { throw ValidationError("--max-tokens \(maxTokens) is out of range: it must be at least 1") }
        guard temperature >= 0 && temperature.isFinite else {
            throw ValidationError("--temperature \(temperature) is out of range: it must be ≥ 0 (0 = greedy)")
        }
        guard topK >= 0 else { throw ValidationError("--top-k \(topK) is out of range: it must be ≥ 0 (0 = off)") }
        guard topP > 0 && topP <= 1 else { throw ValidationError("--top-p \(topP) is out of range: it must be in (0, 1] (1 = off)") }
    }

    var options: SamplingOptions { SamplingOptions(temperature: temperature, topK: topK, topP: topP, seed: seed) }
}

/// Streams generated tokens to stdout, stopping at a stop string; returns the generated text.
func streamGeneration(model: DecoderModel, tokenizer: ModelTokenizer, prompt: [Int], flags: SamplingFlags,
                      echo: Bool = true) -> (text: String, result: GenerationResult) {
    var decoder = tokenizer.tokenizer.makeStreamingDecoder(skipSpecialTokens: true)
    var text = ""
    var printed = 0
    let holdBack = flags.stop.map(\.count).max() ?? 0
    let result = model.generate(prompt: prompt.map { Int32($0) }, maxTokens: flags.maxTokens, sampling: flags.options,
                                eos: tokenizer.stopIDs) { id in
        text += decoder.append(Int(id))
        if let cut = flags.stop.compactMap({ text.range(of: $0)?.lowerBound }).min() {
            text = String(text[..<cut])
            if echo { print(text.dropFirst(printed), terminator: ""); fflush(stdout) }
            printed = text.count
            return false
        }
        // Print all but the last few characters, which could start a stop string.
        let safe = text.count - holdBack
        if echo && safe > printed {
            print(text.dropFirst(printed).prefix(safe - printed), terminator: ""); fflush(stdout)
            printed = safe
        }
        return true
    }
    if flags.stop.isEmpty || text.count > printed {
        if echo { print(text.dropFirst(printed), terminator: "") }
    }
    if echo { print(""); fflush(stdout) }
    return (text, result)
}

/// How the weights are held while generating.
struct InferenceWeightFlags: ParsableArguments {
    @Flag(name: .customLong("load-in-4bit"),
          help: "Hold the block linears in 4 bits (NF4, double quantization) and the head in 8 bits: about 1/4 of the memory and faster decoding.")
    var loadIn4Bit = false

    func load(_ model: ModelFiles) throws -> DecoderModel {
        let llm = loadIn4Bit ? try DecoderModel.load4Bit(model) : try DecoderModel.load(model)
        let bad = llm.nonFiniteTensors()
        if !bad.isEmpty {
            Terminal.note("warning: \(bad.count) weight tensor\(bad.count == 1 ? "" : "s") of \(SafeText.quoted(model.argument)) hold NaN or infinite values, so the output will be meaningless: "
                          + bad.prefix(5).map { SafeText.quoted($0) }.joined(separator: ", ") + (bad.count > 5 ? ", …" : ""))
        }
        if loadIn4Bit { try llm.quantizeHeadForDecoding() }
        return llm
    }
}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate",
        abstract: "Generate text from a prompt.")

    @Argument(help: "A GGUF file, an HF model directory, or `default`.") var model: String
    @Option(help: "The prompt.") var prompt: String
    @Flag(help: "Treat the prompt as a user message and apply the model's chat template.") var chat = false
    @Option(help: "System message for --chat (default: the template's own).") var system: String?
    @Option(help: "A Jinja chat template file for --chat, instead of the model's own.") var chatTemplate: String?
    @Option(help: "A PEFT LoRA adapter folder to apply (e.g. the output of frugal finetune).") var adapter: String?
    @OptionGroup var sampling: SamplingFlags
    @OptionGroup var weights: InferenceWeightFlags
    @Flag(help: "Print a JSON summary instead of streaming.") var json = false

    func run() throws {
        let files = try ModelFiles.open(model)
        let tokenizer = try ModelTokenizer.load(files, chatTemplateFile: chatTemplate)
        let llm = try weights.load(files)
        if let adapter { try llm.applyAdapter(at: adapter) }
        var ids: [Int]
        if chat {
            guard let template = tokenizer.chatTemplate else {
                throw tokenizer.chatTemplateError.map { $0 as Error } ?? ModelTokenizerError.noChatTemplate(model: model)
            }
            var messages: [ChatMessage] = []
            if let system { messages.append(ChatMessage(role: "system", content: system)) }
            messages.append(ChatMessage(role: "user", content: prompt))
            ids = tokenizer.tokenizer.encode(try template.render(messages, addGenerationPrompt: true), addSpecialTokens: false)
        } else {
            ids = tokenizer.tokenizer.encode(prompt)
        }
        guard !ids.isEmpty else {
            throw ValidationError("the prompt encodes to no tokens with this model's tokenizer; give a prompt it can encode")
        }
        let (text, r) = streamGeneration(model: llm, tokenizer: tokenizer, prompt: ids, flags: sampling, echo: !json)
        let rate = Double(r.tokens.count) / max(r.decodeSeconds, 1e-9)
        if json {
            print(Terminal.json(["prompt_tokens": ids.count, "tokens": r.tokens.map(Int.init), "text": text,
                                 "stopped_at_eos": r.stoppedAtEOS, "prompt_seconds": r.promptSeconds,
                                 "decode_tokens_per_second": rate]))
        } else {
            Terminal.note(String(format: "%d prompt tokens in %.2fs, %d new tokens at %.1f tokens/s", ids.count,
                                 r.promptSeconds, r.tokens.count, rate))
        }
    }
}
