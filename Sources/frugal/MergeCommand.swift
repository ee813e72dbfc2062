// `frugal merge MODEL --adapter DIR --output DIR` — fold a LoRA adapter into the base weights
// (W += scaling·B·A, refusing any NaN/Inf as PEFT's safe_merge does) and write an HF model directory
// that transformers loads without PEFT. The base is loaded in Float32; --dtype bf16 halves the file.
// From a GGUF base the folder gets tokenizer.json and tokenizer_config.json (with the chat
// template) built from the GGUF's byte-level BPE tokenizer (HFTokenizerFiles).
import ArgumentParser
import Foundation
import FrugalIO
import FrugalModels
import FrugalTrain

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge",
        abstract: "Merge a LoRA adapter into its base model and write an HF model directory.")

    @Argument(help: "The base model: a GGUF file, an HF model directory, or `default`.") var model: String
    @Option(help: "The PEFT LoRA adapter folder.") var adapter: String
    @Option(help: "Output folder (must not exist or be empty).") var output: String
    @Option(help: "f32 or bf16.") var dtype: String = "f32"
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard dtype == "f32" || dtype == "bf16" else { throw ValidationError("--dtype must be f32 or bf16") }
        let llm = try DecoderModel.load(model)
        let a = try LoRAAdapter.load(from: adapter, into: llm)
        try a.fuse()
        let source = try ModelSource.resolve(model)
        var tokenizerFrom: String? = nil
        if case let .hfDirectory(p) = source { tokenizerFrom = p }
        var extra: [String: Data] = [:], tokenizerNote: String? = nil
        if case let .gguf(p) = source {
            switch HFTokenizerFiles.fromGGUF(try GGUFFile(path: p).tokenizerMetadata()) {
            case .success(let files):
                extra = ["tokenizer.json": files.tokenizerJSON, "tokenizer_config.json": files.configJSON]
            case .failure(let why):
                tokenizerNote = "the base is a GGUF file whose tokenizer cannot be written as tokenizer.json (\(why)); \(output) holds no tokenizer: use the base's"
            }
        }
        try llm.saveHF(to: output, bf16: dtype == "bf16", tokenizerFrom: tokenizerFrom, extraFiles: extra)
        if json {
            print(Terminal.json(["output": output, "layers_merged": a.entries.count, "dtype": dtype,
                                 "tokenizer_copied": tokenizerFrom != nil, "tokenizer_built": !extra.isEmpty]))
        } else {
            print("merged \(a.entries.count) LoRA layers (r=\(a.config.rank), scaling \(a.config.scaling)) into \(output) (\(dtype))")
            if let tokenizerNote { Terminal.note(tokenizerNote) }
            if llm.config.ropeFrequencyFactors != nil && llm.config.ropeScaling == nil {
                Terminal.note("the GGUF stores Llama 3.1 RoPE scaling as rope_freqs, which config.json cannot spell: \(output)/config.json has no rope_scaling; copy it from the original model's config.json")
            }
        }
    }
}
