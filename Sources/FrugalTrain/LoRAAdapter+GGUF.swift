// LoRAAdapter+GGUF — a PEFT LoRA adapter folder written as the GGUF adapter llama.cpp loads with
// `--lora`, as llama.cpp's `convert_lora_to_gguf.py` writes it:
//   metadata general.architecture (the base's GGUF architecture), general.type "adapter",
//   general.name, adapter.type "lora", adapter.lora.alpha (f32), general.file_type,
//   general.quantization_version; no tokenizer, no extra tensors (no rope_freqs);
//   tensors `<gguf base name>.lora_a` = PEFT's lora_A [r, in] (GGUF dims [in, r]) and `.lora_b` =
//   lora_B [out, r] (dims [r, out]), e.g. blk.0.attn_q.weight.lora_a; for a family whose q/k rows
//   llama.cpp permutes (`ggufPermutesQK`) the permutation is applied to lora_b's rows, as the
//   converter's LoraTorchTensor does (B·A then equals the permuted ΔW).
// llama.cpp scales an adapter by alpha / r (r from lora_a); for an rsLoRA adapter (alpha / √r) the
// alpha written is scaling · r, so llama.cpp applies the same ΔW.
// Types: F32, or F16 / BF16 / Q8_0 for 2-D tensors whose rows are whole blocks (else F16), as the
// converter's --outtype does. Refused: 4-bit types, adapters on embeddings or the head.
import Foundation
import FrugalIO
import FrugalModels
import FrugalSpec

public enum LoRAGGUFExport {
    public static let allowedTypes: [GGUFExportType] = [.f32, .f16, .bf16, .q8_0]

    /// A writer holding the adapter in `directory` for a base of configuration `config`.
    public static func writer(adapterDirectory directory: String, config: ModelConfig, type: GGUFExportType,
                              name: String) throws -> GGUFWriter {
        guard allowedTypes.contains(type) else {
            throw LoRAError.invalidConfig(field: "type", value: type.rawValue,
                                          expected: "one of \(allowedTypes.map(\.rawValue).joined(separator: ", ")) for an adapter")
        }
        let family = config.family
        guard let layout = family.ggufExport else { throw GGUFExportError.noGGUFLayout(family.displayName) }
        let (json, pairs) = try PEFTAdapter.read(directory)
        let lora = try PEFTAdapterConfig.loraConfig(from: json)
        var w = try GGUFWriter()
        try w.set("general.architecture", .string(layout.architecture))
        try w.set("general.type", .string("adapter"))
        try w.set("general.name", .string(name))
        try w.set("adapter.type", .string("lora"))
        try w.set("adapter.lora.alpha", .float32(lora.scaling * Float(lora.rank)))
        try w.set("general.file_type", .uint32(type.fileType))
        try w.set("general.quantization_version", .uint32(2))
        for p in pairs {
            guard let g = family.ggufName(hf: p.module + ".weight"), let (role, _, _) = family.role(ofHF: p.module + ".weight"),
                  role.isLinear else {
                throw LoRAError.invalidConfig(field: "target module", value: p.module,
                                              expected: "a linear layer of a \(family.displayName) block (llama.cpp adapters on embeddings or the head are not written)")
            }
            var b = p.b
            if family.ggufPermutesQK && (role == .q || role == .k) {
                let heads = role == .q ? config.numHeads : config.numKVHeads
                b = QKPermutation.permute(b, rows: p.bShape[0], cols: p.bShape[1], heads: heads)
            }
            guard p.a.allSatisfy(\.isFinite), b.allSatisfy(\.isFinite) else { throw GGUFExportError.notFinite(p.module) }
            for (suffix, shape, values) in [(".lora_a", p.aShape, p.a), (".lora_b", p.bShape, b)] {
                let n = g + suffix
                try w.addTensor(name: n, shape: shape, type: type.tensorType(name: n, shape: shape, isOutput: false),
                                float32: values)
            }
        }
        return w
    }
}
