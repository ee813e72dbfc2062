// frugal quantize MODEL --to nf4|fp4|int8 [--double-quant] [--block-size N] [--compute-dtype T]
//                --output DIR [--force] [--json]
// Writes a bitsandbytes checkpoint that transformers loads with from_pretrained (FrugalIO.QuantizeJob):
// the linear layers inside the blocks quantized, everything else copied, config.json with
// quantization_config, tokenizer files copied. Prints a per-tensor error report (RMSE, max |error|,
// SNR) and the sizes before and after; --json prints the report as JSON.
import ArgumentParser
import Foundation
import FrugalSpec
import FrugalIO
import FrugalQuant

extension QuantizeOptions.Target: ExpressibleByArgument {}
extension TorchFloatDType: ExpressibleByArgument {}

struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize a model to a bitsandbytes checkpoint (NF4, FP4 or LLM.int8) that transformers loads.",
        discussion: "Quantizes q/k/v/o and gate/up/down of every block (not embeddings, norms or lm_head), "
            + "bit-exact with transformers + bitsandbytes (load_in_4bit / load_in_8bit). Load the result with "
            + "AutoModelForCausalLM.from_pretrained(DIR). The output appears only when complete.")

    @Argument(help: "An HF model directory, a .gguf file, or `default`.")
    var model: String

    @Option(help: "Target format: nf4, fp4 or int8.")
    var to: QuantizeOptions.Target

    @Flag(help: "Double-quantize the 4-bit absmax values (QLoRA; 4.127 instead of 4.5 bits per parameter).")
    var doubleQuant = false

    @Option(help: "4-bit block size (32, 64, 128, ..., 4096; default 64, as bitsandbytes).")
    var blockSize: Int?

    @Option(help: "bnb_4bit_compute_dtype written to config.json: float32, bfloat16 or float16 (default: the weights' dtype).")
    var computeDtype: TorchFloatDType?

    @Option(help: "Output directory (must not exist or be empty, unless --force).")
    var output: String

    @Flag(help: "Replace an existing non-empty output directory.")
    var force = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let options = QuantizeOptions(target: to, doubleQuant: doubleQuant, blockSize: blockSize, computeDType: computeDtype,
                                      force: force)
        let report: QuantizeReport
        do {
            let source = try ModelSource.resolve(model)
            report = try QuantizeJob.run(source: source, options: options, output: output) { done, total, name in
                if !json { Terminal.progress(done, total, name) }
            }
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        if json {
            print(try JSONStyle.string(report))
        } else {
            print(Self.render(report))
        }
        for n in report.notes { Terminal.note("note: " + n) }
    }

    static func render(_ r: QuantizeReport) -> String {
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let p = String(repeating: " ", count: max(0, w - s.count))
            return left ? s + p : p + s
        }
        func mb(_ b: Int) -> String { String(format: "%.2f MB", Double(b) / 1e6) }
        let nameWidth = max(6, r.tensors.map(\.name.count).max() ?? 6)
        var lines = [String]()
        lines.append(pad("tensor", nameWidth, left: true) + pad("shape", 13) + pad("format", 11)
                     + pad("RMSE", 11) + pad("max |err|", 11) + pad("SNR dB", 8) + pad("bytes", 11) + pad("→ bytes", 11))
        for t in r.tensors {
            lines.append(pad(t.name, nameWidth, left: true) + pad(t.shape.map(String.init).joined(separator: "×"), 13)
                         + pad(t.format, 11) + pad(String(format: "%.3e", t.rmse), 11) + pad(String(format: "%.3e", t.maxAbsError), 11)
                         + pad(t.snrDB.map { String(format: "%.2f", $0) } ?? "inf", 8)
                         + pad(String(t.bytesBefore), 11) + pad(String(t.bytesAfter), 11))
        }
        let qBefore = r.tensors.reduce(0) { $0 + $1.bytesBefore }, qAfter = r.tensors.reduce(0) { $0 + $1.bytesAfter }
        let params = r.tensors.reduce(0) { $0 + $1.shape.reduce(1, *) }
        lines.append("")
        lines.append("quantized \(r.tensors.count) linear weights (\(params) parameters): \(mb(qBefore)) → \(mb(qAfter))"
                     + (params > 0 ? String(format: " (%.3f bits/parameter)", Double(qAfter * 8) / Double(params)) : ""))
        lines.append("copied \(r.copiedTensors) other tensors unchanged")
        lines.append("all tensors: \(mb(r.bytesBefore)) → \(mb(r.bytesAfter))"
                     + String(format: " (%.1f%%)", r.bytesBefore > 0 ? 100 * Double(r.bytesAfter) / Double(r.bytesBefore) : 0))
        lines.append("wrote \(r.output): model.safetensors (\(mb(r.outputFileBytes))), " + r.files.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
