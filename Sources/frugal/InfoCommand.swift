// frugal info MODEL [--json] — architecture, hyperparameters, parameters by component, tensor
// types with counts and bytes, file size. MODEL is a .gguf file, an HF model directory, or
// `default`. Reads headers only (FrugalIO.ModelSummary); prints a table or the summary as JSON.
import ArgumentParser
import Foundation
import FrugalSpec
import FrugalIO

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a model: architecture, parameters by component, tensor types, bytes.")

    @Argument(help: "A .gguf file, an HF model directory, or `default` (the model scripts/setup fetched).")
    var model: String

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let summary = try ModelSummary(source: ModelSource.resolve(model))
        if json {
            print(try JSONStyle.string(summary))
        } else {
            print(Self.render(summary))
        }
    }

    static func render(_ s: ModelSummary) -> String {
        let c = s.config
        func n(_ x: Int) -> String {
            let d = String(x.magnitude)
            var out = ""
            for (i, ch) in d.enumerated() {
                if i > 0 && (d.count - i) % 3 == 0 { out += "," }
                out.append(ch)
            }
            return (x < 0 ? "-" : "") + out
        }
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let p = String(repeating: " ", count: max(0, w - s.count))
            return left ? s + p : p + s
        }
        var lines = [String]()
        lines.append("\(s.path)  (\(s.format), \(String(format: "%.1f", Double(s.fileBytes) / 1e6)) MB)")
        if let name = s.name { lines.append("name           \(name)") }
        lines.append("architecture   \(c.architecture.rawValue)")
        lines.append("hidden \(c.hiddenSize) · layers \(c.numLayers) · heads \(c.numHeads) (KV \(c.numKVHeads), head dim \(c.headDim))"
                     + " · MLP \(c.intermediateSize) · vocab \(c.vocabSize) · context \(c.maxPositionEmbeddings)")
        lines.append("rope theta \(c.ropeTheta) · norm eps \(c.normEps) · tied embeddings: \(c.tieWordEmbeddings ? "yes" : "no")"
                     + " · attention bias: \(c.attentionBias ? "yes" : "no")"
                     + (c.bosTokenId.map { " · bos \($0)" } ?? "") + (c.eosTokenId.map { " · eos \($0)" } ?? ""))
        if let w = c.slidingWindow, let types = c.layerTypes, types.contains(.sliding) {
            lines.append("sliding window \(w) on \(types.filter { $0 == .sliding }.count) of \(c.numLayers) layers"
                         + (c.localRopeTheta.map { " (rope theta \($0))" } ?? ""))
        }
        if let s = c.ropeScaling {
            lines.append("rope scaling llama3: factor \(s.factor), low \(s.lowFreqFactor), high \(s.highFreqFactor), original context \(s.originalMaxPositions)")
        } else if c.ropeFrequencyFactors != nil {
            lines.append("rope scaling: per-frequency factors (GGUF rope_freqs)")
        }
        lines.append("")
        lines.append(pad("parameters", 16, left: true) + pad(n(s.parameters), 14))
        for comp in s.components {
            let share = s.parameters > 0 ? 100 * Double(comp.parameters) / Double(s.parameters) : 0
            let note = comp.name == "head" && comp.parameters == 0 && c.tieWordEmbeddings ? "   (tied to embeddings)" : String(format: "   %5.1f%%", share)
            lines.append("  " + pad(comp.name, 14, left: true) + pad(n(comp.parameters), 14) + note)
        }
        lines.append("")
        lines.append(pad("tensor types", 16, left: true) + pad("tensors", 9) + pad("parameters", 14) + pad("bytes", 15))
        for t in s.types {
            lines.append("  " + pad(t.type, 14, left: true) + pad(n(t.tensors), 9) + pad(n(t.parameters), 14) + pad(n(t.bytes), 15))
        }
        lines.append(pad("total", 16, left: true) + pad(n(s.tensorCount), 9) + pad(n(s.parameters), 14) + pad(n(s.tensorBytes), 15)
                     + String(format: "   (%.2f bits/parameter)", s.bitsPerParameter))
        lines.append(pad("file size", 16, left: true) + pad(n(s.fileBytes), 38) + " bytes")
        return lines.joined(separator: "\n")
    }
}
