// ModelFamily — one model family as data: how its config is read (HF config.json keys and GGUF
// metadata), its tensor names in HF and GGUF layout, whether llama.cpp's converter permuted its
// Q/K rows, its block layout, and its parameter inventory (names and shapes in transformers'
// registration order). The registry (`ModelFamily.all`) is the one place an architecture is
// looked up: the HF config parser, the GGUF reader, the model builder and saver, LoRA targets,
// the GGUF name map and the estimator all derive from the descriptor of `config.architecture`.
//
// Adding a family: one file `ModelFamily+<Name>.swift` with a static descriptor, one case in
// `ModelConfig.Architecture` and one line in `all` (docs/architecture.md, "How to add a model
// family"). Checkpoint names are data here: nothing else spells `self_attn.q_proj` or `blk.N.attn_q`.
//
// Module roles are the decoder's slots (FrugalModels' DecoderBlock); a family maps each role it has
// to its names. Roles absent from a family's table do not exist in its block.
public struct ModelFamily: Sendable {
    /// A slot of the decoder that holds parameters.
    public enum Role: String, Sendable, CaseIterable, Codable {
        case embedding, finalNorm, head                   // whole model
        case q, k, v, o, gate, up, down                   // linear layers of a block
        case inputNorm, mlpNorm                           // norms before attention and before the MLP
        case qNorm, kNorm                                 // RMSNorm over D on each query / key head (before RoPE)
        case postAttentionNorm, postMLPNorm               // norms on the attention / MLP outputs (Gemma's sandwich)

        public var isLinear: Bool {
            switch self { case .q, .k, .v, .o, .gate, .up, .down: return true; default: return false }
        }
        public var isNorm: Bool {
            switch self {
            case .finalNorm, .inputNorm, .mlpNorm, .qNorm, .kNorm, .postAttentionNorm, .postMLPNorm: return true
            default: return false
            }
        }
    }

    /// One module's names: HF module path (relative to `model.layers.N` inside a block) and GGUF
    /// base name (relative to `blk.N`); tensors add `.weight` / `.bias`.
    public struct ModuleName: Sendable {
        public let role: Role
        public let hf: String
        public let gguf: String
        public init(_ role: Role, _ hf: String, _ gguf: String) { self.role = role; self.hf = hf; self.gguf = gguf }
        /// The leaf of the HF path ("q_proj"): PEFT's target_modules name.
        public var leaf: String { String(hf.split(separator: ".").last ?? Substring(hf)) }
    }

    /// What a decoder block does beyond the Llama block (pre-norm RMSNorm, RoPE, GQA, gated MLP).
    public struct BlockLayout: Sendable {
        /// RMSNorm scales by (offset + w) with w as stored in HF checkpoints: Gemma's 1 (its GGUF
        /// stores w + 1 already). The decoder keeps the effective weight offset + w.
        public var normWeightOffset: Float = 0
        /// Embeddings are multiplied by √C (rounded to Float32) before the first block (Gemma).
        public var scalesEmbedding = false
        /// Layers may attend over a sliding window (`ModelConfig.layerTypes`, `slidingWindow`).
        public var slidingWindow = false
    }

    public let architecture: ModelConfig.Architecture
    public let displayName: String
    /// config.json `model_type` values this family reads; the first is written.
    public let hfModelTypes: [String]
    /// config.json `architectures[0]` written for the causal-LM class.
    public let hfClassName: String
    /// GGUF `general.architecture` (nil: no GGUF layout).
    public let ggufArchitecture: String?
    /// llama.cpp's converter reorders q/k rows for interleaved RoPE (`LlamaModel.permute`); the
    /// families on NEOX-style RoPE (Qwen, Gemma) are stored unpermuted.
    public let ggufPermutesQK: Bool
    public let block: BlockLayout
    /// Whole-model modules (embedding, final norm, head) and per-layer modules in transformers'
    /// registration order.
    public let globalModules: [ModuleName]
    public let layerModules: [ModuleName]
    /// Whether FrugalModels' decoder runs it (GPT-2 is known to the estimator only).
    public let runnable: Bool
    /// Reads a parsed config.json (model_type already matched).
    public let readHF: @Sendable (HFConfigReader) throws -> ModelConfig
    /// Keys written to config.json beyond the common ones.
    public let writeHF: @Sendable (ModelConfig, inout [String: Any]) -> Void
    /// Sets what the family's GGUF metadata says beyond the common llama.cpp keys (or what
    /// llama.cpp fixes for the architecture).
    public let readGGUF: @Sendable (inout ModelConfig, any ConfigValues, _ prefix: String) throws -> Void
    /// How llama.cpp's converter writes the family (ModelFamily+GGUFExport); nil: no GGUF export.
    public var ggufExport: GGUFExport? = nil

    /// Every family, in the order listings show them.
    public static let all: [ModelFamily] = [.llama, .mistral, .qwen2, .qwen3, .gemma3, .gpt2]

    public static func named(_ architecture: ModelConfig.Architecture) -> ModelFamily {
        all.first { $0.architecture == architecture }!   // every case has a descriptor (a test checks)
    }
    public static func forHFModelType(_ type: String) -> ModelFamily? { all.first { $0.hfModelTypes.contains(type) } }
    public static func forGGUFArchitecture(_ arch: String) -> ModelFamily? { all.first { $0.ggufArchitecture == arch } }
    /// The model_type values a config.json may carry.
    public static var knownHFModelTypes: [String] { all.flatMap(\.hfModelTypes) }
    public static var knownGGUFArchitectures: [String] { all.compactMap(\.ggufArchitecture) }

    public func module(_ role: Role) -> ModuleName? {
        globalModules.first { $0.role == role } ?? layerModules.first { $0.role == role }
    }
    /// The linear modules of a block (LoRA and quantization targets), in registration order.
    public var linearModules: [ModuleName] { layerModules.filter(\.role.isLinear) }

    // MARK: names

    static let hfLayerPrefix = "model.layers.", ggufLayerPrefix = "blk."

    /// HF tensor name of `role` in layer `layer` (nil for whole-model roles), e.g.
    /// "model.layers.3.self_attn.q_proj.weight".
    public func hfName(_ role: Role, layer: Int?, bias: Bool = false) -> String? {
        guard let m = module(role) else { return nil }
        let base = layer.map { "\(Self.hfLayerPrefix)\($0).\(m.hf)" } ?? m.hf
        return base + (bias ? ".bias" : ".weight")
    }

    /// GGUF name for an HF tensor name, or nil if the family has no such tensor.
    public func ggufName(hf name: String) -> String? {
        for m in globalModules {
            for s in [".weight", ".bias"] where name == m.hf + s { return m.gguf + s }
        }
        guard let (layer, rest) = Self.splitLayer(name, prefix: Self.hfLayerPrefix) else { return nil }
        for m in layerModules {
            for s in [".weight", ".bias"] where rest == m.hf + s { return "\(Self.ggufLayerPrefix)\(layer).\(m.gguf)\(s)" }
        }
        return nil
    }

    /// HF name for a GGUF tensor name, or nil if the family has no such tensor.
    public func hfName(gguf name: String) -> String? {
        for m in globalModules {
            for s in [".weight", ".bias"] where name == m.gguf + s { return m.hf + s }
        }
        guard let (layer, rest) = Self.splitLayer(name, prefix: Self.ggufLayerPrefix) else { return nil }
        for m in layerModules {
            for s in [".weight", ".bias"] where rest == m.gguf + s { return "\(Self.hfLayerPrefix)\(layer).\(m.hf)\(s)" }
        }
        return nil
    }

    /// The role and layer of an HF tensor name, if it is one of the family's.
    public func role(ofHF name: String) -> (role: Role, layer: Int?, bias: Bool)? {
        let bias = name.hasSuffix(".bias")
        guard bias || name.hasSuffix(".weight") else { return nil }
        let module = String(name.dropLast(bias ? 5 : 7))
        if let m = globalModules.first(where: { $0.hf == module }) { return (m.role, nil, bias) }
        guard let (layer, rest) = Self.splitLayer(module, prefix: Self.hfLayerPrefix),
              let m = layerModules.first(where: { $0.hf == rest }) else { return nil }
        return (m.role, layer, bias)
    }

    /// "blk.12.attn_q.weight" -> (12, "attn_q.weight").
    static func splitLayer(_ name: String, prefix: String) -> (Int, String)? {
        guard name.hasPrefix(prefix) else { return nil }
        let tail = name.dropFirst(prefix.count)
        guard let dot = tail.firstIndex(of: "."), let n = Int(tail[..<dot]), n >= 0,
              String(n) == tail[..<dot] else { return nil }
        return (n, String(tail[tail.index(after: dot)...]))
    }
}

/// Typed, named access to the keys of a foreign configuration (config.json, GGUF metadata); errors
/// name the source and the key.
public protocol ConfigValues {
    var source: String { get }
    func contains(_ key: String) -> Bool
    func optionalInt(_ key: String) throws -> Int?
    func optionalDouble(_ key: String) throws -> Double?
    func optionalBool(_ key: String) throws -> Bool?
    func optionalString(_ key: String) throws -> String?
}
