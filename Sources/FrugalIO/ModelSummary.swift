// ModelSummary — what `frugal info` reports about a model: configuration, parameters by component,
// tensor types with counts and bytes, file size. Computed from tensor headers only (no weights are
// read), so it is instant even for large files. The CLI prints it; `--json` encodes it as is.
//
// Components are assigned by HF tensor name (GGUF names go through the file's ModelFamily first):
// embeddings (embed_tokens, wte, wpe), attention (self_attn / attn), MLP (mlp), norms (*norm*,
// ln_*), head (lm_head); anything else is "other". A tied head has no tensor of its own.
import Foundation
import FrugalSpec

public struct ModelSummary: Codable, Sendable, Equatable {
    public struct Component: Codable, Sendable, Equatable {
        public var name: String
        public var parameters: Int
    }
    public struct TypeUsage: Codable, Sendable, Equatable {
        public var type: String
        public var tensors: Int
        public var parameters: Int
        public var bytes: Int
    }

    public var path: String
    /// "gguf" or "safetensors".
    public var format: String
    /// general.name for GGUF, the directory name for HF.
    public var name: String?
    public var config: ModelConfig
    public var tensorCount: Int
    public var parameters: Int
    public var components: [Component]
    public var types: [TypeUsage]
    /// Bytes of tensor data, and of the whole file(s).
    public var tensorBytes: Int
    public var fileBytes: Int
    public var bitsPerParameter: Double

    static let componentOrder = ["embeddings", "attention", "MLP", "norms", "head", "other"]

    /// The component of an HF tensor name.
    public static func component(ofHFName n: String) -> String {
        if n.contains("embed_tokens") || n.hasSuffix("wte.weight") || n.hasSuffix("wpe.weight") { return "embeddings" }
        if n.hasPrefix("lm_head") { return "head" }
        if n.contains("norm") || n.contains(".ln_") { return "norms" }
        if n.contains("self_attn.") || n.contains(".attn.") { return "attention" }
        if n.contains(".mlp.") { return "MLP" }
        return "other"
    }

    init(path: String, format: String, name: String?, config: ModelConfig, fileBytes: Int,
         tensors: [(hfName: String, type: String, parameters: Int, bytes: Int)]) {
        var byComponent = [String: Int](), byType = [String: TypeUsage]()
        for t in tensors {
            byComponent[Self.component(ofHFName: t.hfName), default: 0] += t.parameters
            var u = byType[t.type] ?? TypeUsage(type: t.type, tensors: 0, parameters: 0, bytes: 0)
            u.tensors += 1; u.parameters += t.parameters; u.bytes += t.bytes
            byType[t.type] = u
        }
        self.path = path
        self.format = format
        self.name = name
        self.config = config
        self.fileBytes = fileBytes
        tensorCount = tensors.count
        parameters = tensors.reduce(0) { $0 + $1.parameters }
        tensorBytes = tensors.reduce(0) { $0 + $1.bytes }
        components = Self.componentOrder.compactMap { c in
            if let n = byComponent[c] { return Component(name: c, parameters: n) }
            return c == "head" ? Component(name: c, parameters: 0) : nil
        }
        types = byType.values.sorted { ($0.bytes, $0.type) > ($1.bytes, $1.type) }
        bitsPerParameter = parameters > 0 ? Double(tensorBytes * 8) / Double(parameters) : 0
    }

    /// Summary of a GGUF model.
    public init(gguf f: GGUFFile) throws {
        let config = try f.modelConfig()
        self.init(path: f.path, format: "gguf", name: f.metadata["general.name"]?.string, config: config, fileBytes: f.fileSize,
                  tensors: f.tensors.map { (config.family.hfName(gguf: $0.name) ?? $0.name, $0.type.name, $0.elementCount, $0.byteCount) })
    }

    /// Summary of an HF model directory.
    public init(hf d: HFModelDirectory) {
        let tensors = d.weights.tensorNames.map { n -> (String, String, Int, Int) in
            let i = d.weights.info(n)!
            return (n, i.dtype.rawValue, i.elementCount, i.byteCount)
        }
        self.init(path: d.path, format: "safetensors", name: (d.path as NSString).lastPathComponent, config: d.config,
                  fileBytes: d.weights.totalFileSize, tensors: tensors)
    }

    /// Summary of whatever `source` names.
    public init(source: ModelSource) throws {
        switch source {
        case .gguf(let p): try self.init(gguf: GGUFFile(path: p))
        case .hfDirectory(let p): self.init(hf: try HFModelDirectory(path: p))
        }
    }
}
