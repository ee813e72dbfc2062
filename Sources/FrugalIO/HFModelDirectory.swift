// HFModelDirectory — a Hugging Face model folder: config.json (-> ModelConfig, FrugalSpec's one parser),
// weights in safetensors (model.safetensors, or shards via model.safetensors.index.json), and the
// paths of the tokenizer files for FrugalText. Names are HF names; layout is HF layout.
// Leaves out: PyTorch .bin checkpoints (pickle), remote repositories.
import Foundation
import FrugalSpec

public final class HFModelDirectory: @unchecked Sendable {
    public let path: String
    public let config: ModelConfig
    public let weights: SafetensorsCheckpoint
    /// Paths of files that exist (nil otherwise).
    public let tokenizerJSON: String?
    public let tokenizerConfigJSON: String?
    public let generationConfigJSON: String?

    public init(path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw HFModelError.notADirectory(path: path)
        }
        self.path = path
        func file(_ name: String) -> String? {
            let p = (path as NSString).appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: p) ? p : nil
        }
        guard let cfg = file("config.json") else {
            throw HFModelError.missingFile(path: (path as NSString).appendingPathComponent("config.json"),
                                           advice: "an HF model directory needs config.json")
        }
        config = try ModelConfig(hfConfigFile: cfg)
        if let index = file("model.safetensors.index.json") {
            weights = try SafetensorsCheckpoint(path: index)
        } else if let single = file("model.safetensors") {
            weights = try SafetensorsCheckpoint(path: single)
        } else {
            throw HFModelError.missingFile(path: (path as NSString).appendingPathComponent("model.safetensors"),
                                           advice: "Frugal reads safetensors weights only (convert pytorch_model.bin with transformers' save_pretrained(safe_serialization=True))")
        }
        tokenizerJSON = file("tokenizer.json")
        tokenizerConfigJSON = file("tokenizer_config.json")
        generationConfigJSON = file("generation_config.json")
    }

    /// Whether `path` looks like an HF model directory (has config.json).
    public static func looksLikeModelDirectory(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("config.json"))
    }
}
