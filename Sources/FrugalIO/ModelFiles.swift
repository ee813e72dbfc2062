// ModelFiles — a MODEL argument resolved and opened once: where it is (ModelSource), the opened
// files (a GGUF model seen in HF layout, or an HF model directory) and its validated ModelConfig.
// A command opens MODEL here and hands the value to everything that needs it — the weight loader,
// the tokenizer, the memory pre-flight — so nothing resolves, maps or parses MODEL twice.
// Leaves out: loading weights (FrugalModels' DecoderModel.load) and tokenizers (ModelTokenizer).
import FrugalSpec

public final class ModelFiles: @unchecked Sendable {
    public enum Opened {
        case gguf(GGUFModel)
        case hfDirectory(HFModelDirectory)
    }

    /// What the user typed (for messages).
    public let argument: String
    public let source: ModelSource
    public let opened: Opened

    public var config: ModelConfig {
        switch opened {
        case .gguf(let g): return g.config
        case .hfDirectory(let d): return d.config
        }
    }
    /// The file or folder path.
    public var path: String { source.path }

    public init(argument: String, source: ModelSource, opened: Opened) {
        self.argument = argument
        self.source = source
        self.opened = opened
    }

    /// Resolves `argument` (ModelSource.resolve: a GGUF file, an HF directory, a cached model name)
    /// and opens it: the header or config.json is read and validated, no weights are loaded.
    public static func open(_ argument: String) throws -> ModelFiles {
        let source = try ModelSource.resolve(argument)
        switch source {
        case .gguf(let path): return ModelFiles(argument: argument, source: source, opened: .gguf(try GGUFModel(path: path)))
        case .hfDirectory(let path):
            return ModelFiles(argument: argument, source: source, opened: .hfDirectory(try HFModelDirectory(path: path)))
        }
    }
}
