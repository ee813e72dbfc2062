// `frugal export MODEL [--adapter DIR [--adapter-only]] --output FILE.gguf --type T` — a GGUF file
// llama.cpp (and Ollama) load: the model's weights, with the adapter merged when one is given
// (W += scaling·B·A, refusing NaN as `frugal merge` does), in llama.cpp's layout for its family,
// with the family's metadata and the source's tokenizer (DecoderModel+GGUF, GGUFTokenizerExport);
// or, with --adapter-only, the adapter alone as llama.cpp's convert_lora_to_gguf.py writes it
// (LoRAGGUFExport). The file is written beside the output and moved into place; an existing
// output is kept unless --overwrite.
import ArgumentParser
import Foundation
import FrugalIO
import FrugalModels
import FrugalSpec
import FrugalTrain

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export",
        abstract: "Write a GGUF file for llama.cpp / Ollama (merged model, or a LoRA adapter alone).")

    @Argument(help: "The model: a GGUF file, an HF model directory, or `default`.") var model: String
    @Option(help: "A PEFT LoRA adapter folder to merge (or, with --adapter-only, to export alone).") var adapter: String?
    @Flag(help: "Write only the adapter, as a llama.cpp LoRA GGUF (use with llama.cpp's --lora).") var adapterOnly = false
    @Option(help: "Output .gguf file.") var output: String
    @Option(help: "Tensor type: \(GGUFExportType.allCases.map(\.rawValue).joined(separator: ", ")) (adapters: f32, f16, bf16, q8_0).")
    var type: String = "f16"
    @Option(help: "general.name (default: the model's file or folder name).") var name: String?
    @Flag(help: "Replace an existing output file.") var overwrite = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard GGUFExportType(rawValue: type) != nil else {
            throw ValidationError("--type must be one of \(GGUFExportType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if adapterOnly && adapter == nil { throw ValidationError("--adapter-only needs --adapter DIR") }
        if !overwrite && FileManager.default.fileExists(atPath: output) {
            throw ValidationError("\(output) already exists; choose another --output or pass --overwrite")
        }
    }

    func run() throws {
        let t = GGUFExportType(rawValue: type)!
        let source = try ModelSource.resolve(model)
        let sourcePath: String
        switch source { case .gguf(let p), .hfDirectory(let p): sourcePath = p }
        var baseName = URL(fileURLWithPath: sourcePath).lastPathComponent
        if baseName.hasSuffix(".gguf") { baseName.removeLast(5) }

        if adapterOnly, let adapter {
            let config: ModelConfig
            switch source {
            case .gguf(let p): config = try GGUFFile(path: p).modelConfig()
            case .hfDirectory(let p): config = try HFModelDirectory(path: p).config
            }
            let w = try LoRAGGUFExport.writer(adapterDirectory: adapter, config: config, type: t,
                                              name: name ?? URL(fileURLWithPath: adapter).lastPathComponent)
            try w.write(to: output, overwrite: overwrite)
            report(w, extra: ["adapter": adapter, "adapter_only": true], notes: [])
            return
        }

        let llm = try DecoderModel.load(model)
        var layers = 0
        if let adapter {
            let a = try LoRAAdapter.load(from: adapter, into: llm)
            try a.fuse()
            layers = a.entries.count
        }
        let tokenizer: GGUFTokenizerExport.Keys
        var notes: [String] = []
        switch source {
        case .gguf(let p): tokenizer = GGUFTokenizerExport.keys(fromGGUF: try GGUFFile(path: p))
        case .hfDirectory(let p):
            (tokenizer, notes) = try GGUFTokenizerExport.keys(fromHFDirectory: p, vocabSize: llm.config.vocabSize)
        }
        let (w, warnings) = try llm.ggufWriter(type: t, name: name ?? baseName, tokenizer: tokenizer)
        try w.write(to: output, overwrite: overwrite)
        var extra: [String: Any] = ["layers_merged": layers]
        if let adapter { extra["adapter"] = adapter }
        report(w, extra: extra, notes: notes + warnings)
    }

    private func report(_ w: GGUFWriter, extra: [String: Any], notes: [String]) {
        var types: [String: Int] = [:]
        for e in w.tensors { types[e.type.name, default: 0] += 1 }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        if json {
            var o: [String: Any] = ["output": output, "type": type, "tensors": w.tensors.count, "tensor_types": types,
                                    "metadata_keys": w.metadata.count, "bytes": bytes, "notes": notes]
            for (k, v) in extra { o[k] = v }
            print(Terminal.json(o))
        } else {
            let summary = types.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            print("wrote \(output): \(w.tensors.count) tensors (\(summary)), \(w.metadata.count) metadata keys, \(Terminal.bytes(Double(bytes)))")
            for n in notes { Terminal.note(n) }
        }
    }
}
