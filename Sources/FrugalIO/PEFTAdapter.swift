// PEFTAdapter — the files of a Hugging Face PEFT LoRA adapter folder, so an adapter Frugal trains
// loads with `PeftModel.from_pretrained(base, DIR)` and one PEFT trained loads in Frugal:
//   adapter_config.json          the LoraConfig (its meaning is FrugalTrain's PEFTAdapterConfig;
//                                here it is bytes in and out)
//   adapter_model.safetensors    F32 tensors `base_model.model.<module>.lora_A.weight` [r, in],
//                                `…lora_B.weight` [out, r] and, for DoRA, `…lora_magnitude_vector`
//                                [out]; an embedding's `…lora_embedding_A` [r, V] and
//                                `…lora_embedding_B` [C, r]; metadata {"format": "pt"}, in the order and layout PEFT
//                                0.21.2 writes (PEFT utils/save_and_load.py)
// Written atomically: both files go into a temporary folder that is renamed into place.
// Leaves out: modules_to_save tensors (refused on read).
import Foundation

public enum PEFTAdapterError: Error, CustomStringConvertible {
    case badConfig(String, String)
    case unsupported(String, String)
    case missingFile(String)
    case badTensor(String, String)

    public var description: String {
        switch self {
        case let .badConfig(s, why): return "\(s): \(why)"
        case let .unsupported(s, what): return "\(s): the adapter uses \(what), which Frugal does not apply; retrain without it"
        case let .missingFile(p): return "\(p) is missing: a PEFT adapter folder holds adapter_config.json and adapter_model.safetensors"
        case let .badTensor(s, why): return "\(s): \(why)"
        }
    }
}

/// One LoRA pair for the module at `module` (an HF module path such as
/// "model.layers.0.self_attn.q_proj"): A [r, in], B [out, r], row-major Float32, and DoRA's
/// magnitude vector [out] when the adapter is a DoRA one.
public struct LoRAPair: Equatable, Sendable {
    public var module: String
    public var a: [Float], aShape: [Int]
    public var b: [Float], bShape: [Int]
    public var magnitude: [Float]?
    /// An embedding's pair: PEFT names them lora_embedding_A [r, V] / lora_embedding_B [C, r].
    public var isEmbedding: Bool
    public init(module: String, a: [Float], aShape: [Int], b: [Float], bShape: [Int], magnitude: [Float]? = nil,
                isEmbedding: Bool = false) {
        self.module = module; self.a = a; self.aShape = aShape; self.b = b; self.bShape = bShape
        self.magnitude = magnitude; self.isEmbedding = isEmbedding
    }
    /// The A and B tensor names after the module path.
    public var suffixes: (a: String, b: String) {
        isEmbedding ? ("lora_embedding_A", "lora_embedding_B") : ("lora_A.weight", "lora_B.weight")
    }
}

public enum PEFTAdapter {
    static let prefix = "base_model.model."

    /// Writes adapter_config.json (`configJSON`) and adapter_model.safetensors into `directory`
    /// (created, or replaced as a whole).
    public static func write(configJSON: Data, pairs: [LoRAPair], to directory: String) throws {
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: directory)
        let tmp = dir.deletingLastPathComponent().appendingPathComponent(".\(dir.lastPathComponent).tmp-\(getpid())")
        try? fm.removeItem(at: tmp)
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        var tensors: [SafetensorsTensor] = []
        for p in pairs {
            tensors.append(SafetensorsTensor(name: "\(prefix)\(p.module).\(p.suffixes.a)", shape: p.aShape, float32: p.a))
            tensors.append(SafetensorsTensor(name: "\(prefix)\(p.module).\(p.suffixes.b)", shape: p.bShape, float32: p.b))
            if let m = p.magnitude {
                tensors.append(SafetensorsTensor(name: "\(prefix)\(p.module).lora_magnitude_vector", shape: [m.count], float32: m))
            }
        }
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: tmp.appendingPathComponent("adapter_model.safetensors").path)
        try configJSON.write(to: tmp.appendingPathComponent("adapter_config.json"))
        if fm.fileExists(atPath: dir.path) { try fm.removeItem(at: dir) }
        try fm.moveItem(at: tmp, to: dir)
    }

    /// Reads an adapter folder: the bytes of its config and its LoRA pairs by module, in file order.
    public static func read(_ directory: String) throws -> (configJSON: Data, pairs: [LoRAPair]) {
        let dir = URL(fileURLWithPath: directory)
        let cfgURL = dir.appendingPathComponent("adapter_config.json")
        let stURL = dir.appendingPathComponent("adapter_model.safetensors")
        guard let data = FileManager.default.contents(atPath: cfgURL.path) else { throw PEFTAdapterError.missingFile(cfgURL.path) }
        guard FileManager.default.fileExists(atPath: stURL.path) else { throw PEFTAdapterError.missingFile(stURL.path) }
        let file = try SafetensorsFile(path: stURL.path)
        var modules: [String] = []
        var embeddings = Set<String>()
        var a: [String: ([Int], [Float])] = [:], b: [String: ([Int], [Float])] = [:], mag: [String: ([Int], [Float])] = [:]
        for t in file.tensors {
            var name = t.name
            guard name.hasPrefix(prefix) else { throw PEFTAdapterError.badTensor(stURL.path, "tensor '\(t.name)' does not start with \(prefix)") }
            name.removeFirst(prefix.count)
            let loaded = try file.loadFloat32(t.name)
            for (suffix, isA) in [(".lora_embedding_A", true), (".lora_embedding_B", false)] where name.hasSuffix(suffix) {
                name = String(name.dropLast(suffix.count)) + (isA ? ".lora_A.weight" : ".lora_B.weight")
                embeddings.insert(String(name.dropLast(".lora_A.weight".count)))
            }
            if name.hasSuffix(".lora_A.weight") {
                let m = String(name.dropLast(".lora_A.weight".count))
                if a[m] == nil && b[m] == nil { modules.append(m) }
                a[m] = (loaded.shape, loaded.data)
            } else if name.hasSuffix(".lora_B.weight") {
                let m = String(name.dropLast(".lora_B.weight".count))
                if a[m] == nil && b[m] == nil { modules.append(m) }
                b[m] = (loaded.shape, loaded.data)
            } else if name.hasSuffix(".lora_magnitude_vector") {
                mag[String(name.dropLast(".lora_magnitude_vector".count))] = (loaded.shape, loaded.data)
            } else {
                throw PEFTAdapterError.unsupported(stURL.path, "tensor '\(t.name)' (only lora_A/lora_B weights and DoRA magnitudes are applied)")
            }
        }
        let pairs = try modules.map { m -> LoRAPair in
            guard let (sa, da) = a[m], let (sb, db) = b[m] else {
                throw PEFTAdapterError.badTensor(stURL.path, "module \(m) has only one of lora_A / lora_B")
            }
            guard sa.count == 2, sb.count == 2, sa[0] == sb[1] else {
                throw PEFTAdapterError.badTensor(stURL.path, "module \(m): lora_A \(sa) and lora_B \(sb) do not share one rank")
            }
            var magnitude: [Float]? = nil
            if let (sm, dm) = mag.removeValue(forKey: m) {
                guard sm == [sb[0]] else {
                    throw PEFTAdapterError.badTensor(stURL.path, "module \(m): lora_magnitude_vector \(sm) does not match lora_B \(sb)")
                }
                magnitude = dm
            }
            return LoRAPair(module: m, a: da, aShape: sa, b: db, bShape: sb, magnitude: magnitude, isEmbedding: embeddings.contains(m))
        }
        if let stray = mag.keys.sorted().first {
            throw PEFTAdapterError.badTensor(stURL.path, "module \(stray) has a lora_magnitude_vector but no lora_A / lora_B")
        }
        return (data, pairs)
    }
}
