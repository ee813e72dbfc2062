// Writing a DecoderModel as an HF model directory: config.json (from ModelConfig) and
// model.safetensors (F32, or BF16 with round-to-nearest-even), tokenizer files copied from an HF
// source folder when there is one. The folder is built next to the destination and renamed into
// place, so a failure leaves nothing half-written. Quantized (4-bit) layers cannot be written here:
// dequantize first, or use `frugal quantize`.
import Foundation
import FrugalCore
import FrugalIO
import FrugalSpec

public enum ModelSaveError: Error, CustomStringConvertible {
    case quantizedLayer(String)
    case outputExists(String)
    public var description: String {
        switch self {
        case let .quantizedLayer(n): return "layer \(n) is not a plain Float32 linear layer (a 4-bit layer or an unfused adapter); fuse adapters or dequantize before writing an HF directory"
        case let .outputExists(p): return "\(p) already exists and is not empty; choose another --output or remove it"
        }
    }
}

extension DecoderModel {
    /// Writes config.json + model.safetensors (+ tokenizer files from `tokenizerFrom`, + `extraFiles`
    /// by file name, e.g. the tokenizer files HFTokenizerFiles builds from a GGUF) into `directory`.
    public func saveHF(to directory: String, bf16: Bool = false, tokenizerFrom: String? = nil,
                       extraFiles: [String: Data] = [:]) throws {
        let family = config.family
        for (i, b) in blocks.enumerated() {
            for m in family.linearModules where !(b.linear(m.role) is Linear) {
                throw ModelSaveError.quantizedLayer("model.layers.\(i).\(m.hf)")
            }
        }
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: directory)
        if let items = try? fm.contentsOfDirectory(atPath: dir.path), !items.isEmpty { throw ModelSaveError.outputExists(dir.path) }
        let tmp = dir.deletingLastPathComponent().appendingPathComponent(".\(dir.lastPathComponent).tmp-\(getpid())")
        try? fm.removeItem(at: tmp)
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        do {
            try config.hfConfigJSON(torchDtype: bf16 ? "bfloat16" : "float32").write(to: tmp.appendingPathComponent("config.json"))
            let offset = family.block.normWeightOffset
            let tensors = namedTensors.map { name, t in
                // HF stores w where the decoder holds offset + w (Gemma's norms).
                let values = offset != 0 && family.role(ofHF: name)?.role.isNorm == true ? t.scalars.map { $0 - offset } : t.scalars
                return SafetensorsTensor(name: name, shape: t.shape, float32: values, as: bf16 ? .BF16 : .F32)
            }
            try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: tmp.appendingPathComponent("model.safetensors").path)
            if let src = tokenizerFrom {
                for f in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"] {
                    let from = URL(fileURLWithPath: src).appendingPathComponent(f)
                    if fm.fileExists(atPath: from.path) { try fm.copyItem(at: from, to: tmp.appendingPathComponent(f)) }
                }
            }
            for (name, data) in extraFiles { try data.write(to: tmp.appendingPathComponent(name)) }
            if fm.fileExists(atPath: dir.path) { try fm.removeItem(at: dir) }
            try fm.moveItem(at: tmp, to: dir)
        } catch {
            try? fm.removeItem(at: tmp)
            throw error
        }
    }
}
