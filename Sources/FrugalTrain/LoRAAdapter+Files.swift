// LoRAAdapter+Files — an adapter to and from a PEFT adapter folder: the config through
// PEFTAdapterConfig, the tensors through FrugalIO's PEFTAdapter (byte-identical to PEFT's file).
// `DecoderModel.applyAdapter(at:)` is what inference commands use: attach, then merge into float
// weights when the base allows it (same output, base speed).
import Foundation
import FrugalCore
import FrugalIO
import FrugalModels

extension LoRAAdapter {
    /// Writes adapter_config.json and adapter_model.safetensors into `directory`.
    public func save(to directory: String, baseModel: String?) throws {
        var pairs = entries.map { e -> LoRAPair in
            let t = Dictionary(uniqueKeysWithValues: e.layer.adapterTensors)
            let a = t["lora_A.weight"]!, b = t["lora_B.weight"]!
            return LoRAPair(module: e.path, a: a.scalars, aShape: a.shape, b: b.scalars, bShape: b.shape,
                            magnitude: t["lora_magnitude_vector"]?.scalars)
        }
        if let e = embedding {
            pairs.append(LoRAPair(module: embeddingPath, a: e.loraA.scalars, aShape: e.loraA.shape, b: e.loraB.scalars,
                                  bShape: e.loraB.shape, isEmbedding: true))
        }
        try PEFTAdapter.write(configJSON: PEFTAdapterConfig.json(for: config, baseModel: baseModel), pairs: pairs, to: directory)
    }

    /// Reads a PEFT adapter folder and attaches it to `model`.
    public static func load(from directory: String, into model: DecoderModel) throws -> LoRAAdapter {
        let (json, pairs) = try PEFTAdapter.read(directory)
        let config = try PEFTAdapterConfig.loraConfig(from: json)
        var tensors: [String: Tensor] = [:]
        for p in pairs {
            tensors["\(p.module).\(p.suffixes.a)"] = Tensor(p.a, shape: p.aShape)
            tensors["\(p.module).\(p.suffixes.b)"] = Tensor(p.b, shape: p.bShape)
            if let m = p.magnitude { tensors["\(p.module).lora_magnitude_vector"] = Tensor(m, shape: [m.count]) }
        }
        return try attach(to: model, config: config, tensors: tensors)
    }
}

extension DecoderModel {
    /// Loads a PEFT LoRA adapter and applies it: fused into the weights when they are Float32,
    /// otherwise kept as a separate branch. Returns the adapter.
    @discardableResult
    public func applyAdapter(at directory: String) throws -> LoRAAdapter {
        let adapter = try LoRAAdapter.load(from: directory, into: self)
        do {
            try adapter.fuse()
        } catch LoRAError.cannotMerge {
            // A 4-bit base: the adapter stays a separate branch (same output, a little slower).
        }
        return adapter
    }
}
