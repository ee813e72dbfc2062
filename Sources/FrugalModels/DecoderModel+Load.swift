// Loading a DecoderModel from weights by name: an HF directory (config.json + safetensors), a GGUF
// file (dequantized, in HF layout through FrugalIO's GGUFModel), or `default`. The names and shapes
// to load are the config's parameter inventory — transformers' names from the family's module
// table — so one loader serves every format and family.
// Loaded tensors are frozen (requiresGrad false); a trainer unfreezes what it trains.
import Foundation
import FrugalCore
import FrugalIO
import FrugalQuant
import FrugalSpec

public enum ModelLoadError: Error, CustomStringConvertible {
    case unsupportedArchitecture(String, source: String)
    case missingTensor(String, source: String)
    case shapeMismatch(String, expected: [Int], found: [Int], source: String)

    public var description: String {
        switch self {
        case let .unsupportedArchitecture(a, source):
            return "\(source): architecture '\(a)' cannot be run by Frugal's decoder (\(ModelFamily.all.filter(\.runnable).map(\.architecture.rawValue).joined(separator: ", ")) can)"
        case let .missingTensor(n, source):
            return "\(source): tensor '\(n)' is missing; the file does not hold a complete model of its configuration"
        case let .shapeMismatch(n, e, f, source):
            return "\(source): tensor '\(n)' has shape \(f), but the configuration needs \(e)"
        }
    }
}

extension DecoderModel {
    /// Builds a model of `config` from tensors fetched by transformers name (HF values: a family
    /// whose norms scale by (offset + w) gets the offset added here), one layer at a time, in the
    /// family's registration order. `blockLinear`, when given, replaces each block linear as soon as
    /// it is loaded (QLoRA quantizes it to 4 bits there), so the Float32 weights of all layers never
    /// coexist: loading the default model for QLoRA peaks at one layer's Float32 weights, not the
    /// whole model's 540 MB.
    /// `fetch(name)` gives a tensor's shape and a function that writes its values into the tensor's
    /// storage (so no tensor is held twice while it loads), or nil when the source lacks it.
    public convenience init(config: ModelConfig, source: String,
                            blockLinear: ((Linear) throws -> any LinearLayer)? = nil,
                            fetch: (String) throws -> (shape: [Int], fill: (UnsafeMutableBufferPointer<Float>) throws -> Void)?) throws {
        let family = config.family
        guard family.runnable else {
            throw ModelLoadError.unsupportedArchitecture(config.architecture.rawValue, source: source)
        }
        let inventory = config.parameterInventory
        let expected = Dictionary(inventory.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        var consumed = Set<String>()
        /// The tensor `name` if the configuration has it (nil otherwise), checked against its shape.
        func load(_ name: String) throws -> Tensor? {
            guard let shape = expected[name] else { return nil }
            consumed.insert(name)
            guard let (found, fill) = try fetch(name) else { throw ModelLoadError.missingTensor(name, source: source) }
            guard found == shape else { throw ModelLoadError.shapeMismatch(name, expected: shape, found: found, source: source) }
            let t = Tensor.uninitialized(found)
            try fill(UnsafeMutableBufferPointer(start: t.data, count: t.count))
            return t
        }
        func need(_ role: ModelFamily.Role, layer: Int?) throws -> Tensor {
            let name = family.hfName(role, layer: layer)!
            guard let t = try load(name) else { throw ModelLoadError.missingTensor(name, source: source) }
            if role.isNorm && family.block.normWeightOffset != 0 {
                let offset = family.block.normWeightOffset
                for i in 0..<t.count { t.data[i] += offset }
            }
            return t
        }
        let embedding = try need(.embedding, layer: nil)
        var blocks: [DecoderBlock] = []
        for i in 0..<config.numLayers {
            var linears: [ModelFamily.Role: any LinearLayer] = [:], norms: [ModelFamily.Role: Tensor] = [:]
            for m in family.layerModules {
                if m.role.isLinear {
                    let l = Linear(weight: try need(m.role, layer: i), bias: try load(family.hfName(m.role, layer: i, bias: true)!))
                    linears[m.role] = try blockLinear?(l) ?? l
                } else {
                    norms[m.role] = try need(m.role, layer: i)
                }
            }
            blocks.append(DecoderBlock(config: config, layer: i, linears: linears, norms: norms))
        }
        let norm = try need(.finalNorm, layer: nil)
        let head = try load(family.hfName(.head, layer: nil)!)
        // Anything else the configuration lists must be present and well-shaped too.
        for entry in inventory where !consumed.contains(entry.name) { _ = try load(entry.name) }
        self.init(config: config, embedding: embedding, blocks: blocks, finalNorm: norm, lmHead: head)
    }

    /// Loads a GGUF file, an HF directory, or a cached model name (`default`, …);
    /// `blockLinear` as in `init(config:source:blockLinear:fetch:)`.
    public static func load(_ argument: String, blockLinear: ((Linear) throws -> any LinearLayer)? = nil) throws -> DecoderModel {
        try load(ModelFiles.open(argument), blockLinear: blockLinear)
    }

    /// Loads the weights of opened model files.
    public static func load(_ files: ModelFiles, blockLinear: ((Linear) throws -> any LinearLayer)? = nil) throws -> DecoderModel {
        switch files.opened {
        case let .gguf(g):
            let names = Set(g.hfTensorNames)
            return try DecoderModel(config: g.config, source: files.path, blockLinear: blockLinear) { name in
                guard names.contains(name) else { return nil }
                return (try g.shape(hf: name), { try g.loadFloat32(hf: name, into: $0) })
            }
        case let .hfDirectory(d):
            return try DecoderModel(config: d.config, source: files.path, blockLinear: blockLinear) { name in
                guard let info = d.weights.info(name) else { return nil }
                return (info.shape, { try d.weights.loadFloat32(name, into: $0) })
            }
        }
    }

    /// Loads a model with its block linears quantized to 4 bits as they are read (QLoRA's base, or
    /// 4-bit inference); bitsandbytes' defaults: NF4, blocks of 64, double quantization.
    public static func load4Bit(_ argument: String, type: FourBitType = .nf4, blockSize: Int = 64,
                                doubleQuant: Bool = true) throws -> DecoderModel {
        try load4Bit(ModelFiles.open(argument), type: type, blockSize: blockSize, doubleQuant: doubleQuant)
    }

    /// `load4Bit` of opened model files.
    public static func load4Bit(_ files: ModelFiles, type: FourBitType = .nf4, blockSize: Int = 64,
                                doubleQuant: Bool = true) throws -> DecoderModel {
        try load(files) { try QuantizedLinear(quantizing: $0, type: type, blockSize: blockSize, doubleQuant: doubleQuant) }
    }
}
