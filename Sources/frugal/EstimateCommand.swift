// `frugal estimate` — parameters, memory (inference and training, itemized) and FLOPs of a model
// described by a config.json, an HF model directory, or a preset. Pure arithmetic on ModelConfig
// (FrugalEstimate); this file only parses options and prints tables or JSON.
// MODEL may also be a GGUF file or `default`: its metadata gives the ModelConfig (FrugalIO).
import ArgumentParser
import Foundation
import FrugalIO
import FrugalEstimate
import FrugalSpec

extension TrainingMethod: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension ComputeDType: ExpressibleByArgument {}
extension MemoryEngine: ExpressibleByArgument {}
extension WeightFormat: ExpressibleByArgument {}

struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Parameters, memory (inference, full/LoRA/QLoRA training) and FLOPs, itemized.",
        discussion: """
            MODEL is an HF config.json or a directory containing one. Or use --preset NAME \
            (frugal estimate --list-presets). Memory is in decimal GB (1e9 bytes).
            """)

    @Argument(help: "A GGUF file, `default`, an HF config.json, or an HF model directory containing config.json.")
    var model: String?

    @Option(help: "A published model instead of MODEL (see --list-presets).")
    var preset: String?

    @Option(help: "Whose engine the training memory describes: pytorch (transformers + PEFT layout) or frugal (Frugal's own, fp32; matches what `frugal finetune` measures).")
    var engine: MemoryEngine = .pytorch
    @Flag(help: "List the presets and exit.")
    var listPresets = false

    @Option(help: "Sequences per step (training) or concurrent sequences (inference).")
    var batch = 1

    @Option(name: [.customLong("seq-len"), .customLong("context")], help: "Tokens per sequence.")
    var seqLen = 512

    @Option(help: "LoRA rank r.")
    var rank = 8

    @Option(help: "LoRA target modules, comma-separated (q_proj,v_proj) or all-linear.")
    var targets = "all-linear"

    @Option(help: "Optimizer: adamw (fp32 states) or adamw8bit (bitsandbytes blockwise 8-bit).")
    var optimizer: OptimizerKind = .adamw

    @Option(help: "Training method to itemize: full, lora or qlora (default: all three).")
    var method: TrainingMethod?

    @Option(help: "Training compute dtype: fp32, bf16 or fp16 (16-bit full training keeps fp32 master weights).")
    var dtype: ComputeDType = .bf16

    @Option(help: "LoRA adapter dtype: fp32 (PEFT default) or bf16 (QLoRA's qlora.py).")
    var adapterDtype: ComputeDType = .fp32

    @Option(help: "Inference weight format to itemize: fp32, fp16, bf16, int8, nf4, nf4-dq.")
    var weights: WeightFormat = .bf16

    @Flag(name: [.customLong("grad-checkpointing"), .customLong("gradient-checkpointing")],
          help: "Recompute each decoder layer in backward instead of keeping its activations.")
    var gradCheckpointing = false

    @Option(help: "Sustained FLOP/s of your hardware (e.g. 1e12), to turn FLOPs into time.")
    var flopsPerSecond: Double?

    @Option(help: "Training tokens in total, for the time estimate (default: one step, batch × seq-len).")
    var tokens: Double?

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    func run() throws {
        if listPresets { return try printPresets() }
        let (name, source, config) = try resolveModel()
        let targetList = targets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        func options(_ m: TrainingMethod) -> TrainingOptions {
            TrainingOptions(method: m, batch: batch, seqLen: seqLen, dtype: dtype, optimizer: optimizer, rank: rank,
                            targets: targetList, gradientCheckpointing: gradCheckpointing, adapterDType: adapterDtype,
                            engine: engine)
        }
        let methods = method.map { [$0] } ?? TrainingMethod.allCases
        let params = ParameterBreakdown(config)
        let inference = WeightFormat.allCases.map { InferenceMemory.estimate(config, format: $0, batch: batch, context: seqLen) }
        let training = try TrainingMethod.allCases.map { try TrainingMemory.estimate(config, options($0)) }
        let flops = try TrainingMethod.allCases.map { try FlopsTraining.estimate(config, options($0)) }
        let stepTokens = Double(batch * seqLen)
        let report = EstimateReport(
            model: name, source: source, config: config, parameters: params, parameterTotal: params.total,
            nonEmbeddingParameters: params.nonEmbedding, inference: inference, training: training, flops: flops,
            flopsPerSecond: flopsPerSecond, tokens: tokens ?? stepTokens,
            seconds: flopsPerSecond.map { fps in flops.map { FlopsTraining.seconds(flopsPerToken: $0.total, tokens: tokens ?? stepTokens, flopsPerSecond: fps) } })
        if json {
            let chosen = method ?? .qlora
            let i = TrainingMethod.allCases.firstIndex(of: chosen)!
            let out = EstimateJSON(report: report, chosen: chosen, training: training[i], flops: flops[i])
            print(String(decoding: try EstimateJSON.encoder.encode(out), as: UTF8.self))
            return
        }
        printTables(report, methods: methods)
    }

    // MARK: input

    private func resolveModel() throws -> (String, String, ModelConfig) {
        switch (model, preset) {
        case (nil, nil):
            throw ValidationError("give a config.json / HF directory, or --preset NAME (see --list-presets)")
        case (_?, _?):
            throw ValidationError("give either MODEL or --preset, not both")
        case (nil, let name?):
            let p = try ModelPreset.named(name)
            return (p.name, p.source + (p.note.map { "; note: \($0)" } ?? ""), p.config)
        case (let path?, nil):
            // A GGUF file or a cached model (`default`, `gemma3-270m`): the ModelConfig comes from the
            // GGUF metadata (FrugalIO).
            if CachedModel.named(path) != nil || path.lowercased().hasSuffix(".gguf") {
                guard case let .gguf(file) = try ModelSource.resolve(path) else { throw EstimateInputError("\(path): not a GGUF file") }
                let g = try GGUFFile(path: file)
                return (URL(fileURLWithPath: file).lastPathComponent, file, try g.modelConfig())
            }
            var url = URL(fileURLWithPath: path)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
                throw EstimateInputError("\(path): no such file or directory; pass an HF config.json, a directory containing one, or --preset NAME")
            }
            if isDir.boolValue { url.appendPathComponent("config.json") }
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
            guard let size else { throw EstimateInputError("\(url.path): cannot read it (an HF directory must contain config.json)") }
            guard size <= 16 << 20 else { throw EstimateInputError("\(url.path): \(size) bytes is too large for a config.json") }
            let data = try Data(contentsOf: url)
            return (url.deletingLastPathComponent().lastPathComponent, url.path,
                    try ModelConfig(hfConfigJSON: data, source: url.path))
        }
    }

    private func printPresets() throws {
        if json {
            struct Row: Codable { var name: String; var aliases: [String]; var source: String; var parameters: Int; var config: ModelConfig }
            let rows = ModelPreset.catalog.map { Row(name: $0.name, aliases: $0.aliases, source: $0.source,
                                                    parameters: ParameterBreakdown($0.config).total, config: $0.config) }
            print(try JSONStyle.string(rows))
            return
        }
        var t = TextTable(["preset", "arch", "parameters", "L", "C", "H/K", "F", "V", "source"], text: [0, 1, 8])
        for p in ModelPreset.catalog {
            let c = p.config
            t.add([p.name, c.architecture.rawValue, ParameterBreakdown(c).total.grouped, "\(c.numLayers)",
                   "\(c.hiddenSize)", "\(c.numHeads)/\(c.numKVHeads)", "\(c.intermediateSize)", "\(c.vocabSize)", p.source])
        }
        print(t.render())
    }

    // MARK: output

    private func printTables(_ r: EstimateReport, methods: [TrainingMethod]) {
        let c = r.config
        print("\(r.model) (\(c.architecture.rawValue)) — \(r.source)")
        print("  L=\(c.numLayers) C=\(c.hiddenSize) H=\(c.numHeads) K=\(c.numKVHeads) D=\(c.headDim) F=\(c.intermediateSize) "
              + "V=\(c.vocabSize) \(c.tieWordEmbeddings ? "tied" : "untied") head, \(c.mlpKind == .gated ? (c.activation == .silu ? "SwiGLU" : "GeGLU") : "GELU") MLP, "
              + "\(c.normKind == .rmsNorm ? "RMSNorm" : "LayerNorm"), \(c.positionKind == .rope ? "RoPE" : "learned positions")")

        print("\nParameters")
        var pt = TextTable(["component", "parameters", "share"])
        for (label, n) in r.parameters.rows {
            pt.add([label, n.grouped, String(format: "%.1f%%", 100 * Double(n) / Double(r.parameterTotal))])
        }
        pt.add(["total", r.parameterTotal.grouped, ""])
        pt.add(["non-embedding (Kaplan N)", r.nonEmbeddingParameters.grouped, ""])
        print(pt.render())

        print("\nInference memory, batch \(batch) × \(seqLen) tokens")
        var it = TextTable(["weights", "bits/param", "weights", "KV cache", "working set", "total"])
        for (f, e) in zip(WeightFormat.allCases, r.inference) {
            let w = e.lines.filter { !$0.item.hasPrefix("KV") && !$0.item.hasPrefix("prefill") && !$0.item.hasPrefix("logits") }
                .reduce(0) { $0 + $1.bytes }
            it.add([f.rawValue, String(format: "%.3f", f.bitsPerParameter), w.bytesShort, e.bytes(startingWith: "KV").bytesShort,
                    (e.bytes(startingWith: "prefill") + e.bytes(startingWith: "logits")).bytesShort, e.total.bytesShort])
        }
        print(it.render())
        if let e = zip(WeightFormat.allCases, r.inference).first(where: { $0.0 == weights })?.1 { printItemized(e) }

        print("\nTraining memory, batch \(batch) × \(seqLen) tokens, \(dtype.rawValue), \(optimizer.rawValue)"
              + ", LoRA r=\(rank) on \(targets)" + (gradCheckpointing ? ", gradient checkpointing" : ""))
        var tt = TextTable(["method", "trainable", "weights+grads+optimizer", "activations+logits+workspace", "total"])
        for e in r.training {
            let state = e.memory.lines.filter(\.isState).reduce(0) { $0 + $1.bytes }
            tt.add([e.options.method.rawValue, e.trainableParameters.grouped, state.bytesShort,
                    (e.memory.total - state).bytesShort, e.memory.total.bytesShort])
        }
        print(tt.render())
        for e in r.training where methods.contains(e.options.method) {
            printItemized(e.memory)
        }
        if let e = r.training.first(where: { methods.contains($0.options.method) }) {
            print("\nActivations kept per layer (\(e.options.method.rawValue)), batch \(batch) × \(seqLen)")
            var at = TextTable(["tensor", "shape", "bytes/elem", "bytes"], text: [0, 1])
            for a in e.perLayerActivations {
                at.add([a.name, a.shape, a.bytesPerElement.formatted0, a.bytes.bytesShort])
            }
            at.add(["per layer", "", "", e.perLayerActivations.reduce(0) { $0 + $1.bytes }.bytesShort])
            print(at.render())
        }

        let f0 = r.flops[0]
        print("\nForward FLOPs per token, context \(seqLen)")
        var ft = TextTable(["op", "FLOPs/token", "share", "formula"], text: [0, 3])
        for l in f0.forwardLines {
            ft.add([l.op, l.forward.sci, String(format: "%.1f%%", 100 * l.forward / f0.forward), l.formula])
        }
        ft.add(["forward total", f0.forward.sci, "", ""])
        ft.add(["2·N (N = all parameters)", f0.twoN.sci, "", ""])
        print(ft.render())

        print("\nTraining FLOPs per token")
        var tf = TextTable(["method", "forward", "LoRA fwd", "bwd input", "bwd weights", "recompute", "dequant", "total", "vs 6N"])
        for (e, f) in zip(r.training, r.flops) where methods.contains(e.options.method) {
            tf.add([e.options.method.rawValue, f.forward.sci, f.loraForward.sci, f.backwardInput.sci, f.backwardWeight.sci,
                    f.recompute.sci, f.dequantization.sci, f.total.sci, String(format: "%.2f×", f.total / f.sixN)])
        }
        print(tf.render())
        print("  6·N = \(f0.sixN.sci), 6·N_non-embedding = \(f0.sixNNonEmbedding.sci)")
        if let fps = r.flopsPerSecond, let secs = r.seconds {
            print("\nTime for \(r.tokens.sci) tokens at \(fps.sci) FLOP/s")
            for (e, s) in zip(r.training, secs) where methods.contains(e.options.method) {
                print("  \(e.options.method.rawValue): \(s.duration)")
            }
        }
    }

    private func printItemized(_ e: MemoryEstimate) {
        print("\n  \(e.title)")
        var t = TextTable(["item", "bytes", "formula"], text: [0, 2])
        for l in e.lines { t.add([l.item, l.bytes.bytesShort, l.formula]) }
        t.add(["total", e.total.bytesShort, String(format: "%.2f GiB", e.total / 1_073_741_824)])
        print(t.render(indent: "  "))
    }
}

/// A model argument that cannot be used (missing file, GGUF for now, oversized config).
struct EstimateInputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A left-aligned text table (numbers right-aligned).
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    var leftAligned: Set<Int>   // text columns; the others (numbers) are right-aligned
    init(_ header: [String], text: Set<Int> = [0]) { self.header = header; self.leftAligned = text }
    mutating func add(_ row: [String]) { rows.append(row) }
    func render(indent: String = "  ") -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.enumerated().map { (n, row) -> String in
            let cells = row.enumerated().map { (i, s) -> String in
                let pad = String(repeating: " ", count: widths[i] - s.count)
                return (n > 0 && !leftAligned.contains(i)) ? pad + s : s + pad
            }
            return indent + cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}

private extension MemoryLine {
    /// Weights, gradients, master copies, optimizer states, adapters (not activations/workspace).
    var isState: Bool {
        !(item.hasPrefix("activations") || item.hasPrefix("final norm") || item.hasPrefix("logits")
          || item.hasPrefix("log-softmax") || item.hasPrefix("gradient of the logits") || item.hasPrefix("backward workspace")
          || item.hasPrefix("dequantized"))
    }
}

private extension Double {
    var sci: String { self == 0 ? "0" : String(format: "%.3g", self) }
    var formatted0: String { self == rounded() ? String(Int(self)) : String(self) }
    var duration: String {
        if self < 120 { return String(format: "%.1f s", self) }
        if self < 7200 { return String(format: "%.1f min", self / 60) }
        if self < 172_800 { return String(format: "%.1f h", self / 3600) }
        return String(format: "%.1f days", self / 86400)
    }
}

private extension Int {
    var grouped: String {
        let s = String(magnitude)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (self < 0 ? "-" : "") + out
    }
}
