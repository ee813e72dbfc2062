// QuantizeInput — the model `frugal quantize` reads, seen one way whatever its file format: a
// ModelConfig, the config.json object to extend, named tensors (dtype, shape, raw bytes, Float32),
// and the side files to copy.
//   - HF directory: config.json (kept as read, see BnbConfigJSON), model.safetensors or shards;
//     tensors keep their stored dtype and bytes; tokenizer and generation files are copied.
//   - GGUF file (or `default`): tensors are dequantized to Float32 under HF names and HF row order
//     (GGUFModel), and config.json is synthesized from the ModelConfig in transformers' LlamaConfig
//     form. No tokenizer files are produced: Frugal does not write tokenizer.json from GGUF
//     metadata, so the output loads with AutoModelForCausalLM but needs the tokenizer of the
//     original HF model (a note in the report says so).
// Leaves out: PyTorch .bin checkpoints, GGUF architectures other than llama.
import Foundation
import FrugalSpec

struct QuantizeInput {
    struct TensorInfo {
        let dtype: SafetensorsDType
        let shape: [Int]
        let byteCount: Int
    }

    let path: String
    let config: ModelConfig
    let configJSON: BnbConfigJSON
    /// All tensor names, sorted.
    let tensorNames: [String]
    /// Bytes of all tensor data as stored in the input.
    let bytesBefore: Int
    /// Side files to copy: name in the output -> source path.
    let sideFiles: [(name: String, path: String)]
    let notes: [String]
    let info: (String) -> TensorInfo?
    let rawBytes: (String) throws -> [UInt8]
    let loadFloat32: (String) throws -> [Float]

    /// Files copied from an HF directory when present.
    static let copiedFiles = ["generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                              "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json", "chat_template.jinja",
                              "chat_template.json"]

    static func open(_ source: ModelSource) throws -> QuantizeInput {
        switch source {
        case .hfDirectory(let p): return try hf(p)
        case .gguf(let p): return try gguf(p)
        }
    }

    static func hf(_ path: String) throws -> QuantizeInput {
        let dir = try HFModelDirectory(path: path)
        let cfgPath = (path as NSString).appendingPathComponent("config.json")
        let json: BnbConfigJSON
        do { json = try BnbConfigJSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: cfgPath)))) } catch {
            throw HFModelError.badJSON(path: cfgPath, reason: "\(error)")
        }
        if try BnbQuantizationConfig.read(from: json, path: cfgPath) != nil || json["quantization_config"].map({ $0 != .null }) == true {
            throw QuantizeError.alreadyQuantized(path: cfgPath)
        }
        let ck = dir.weights
        let side = copiedFiles.compactMap { name -> (String, String)? in
            let p = (path as NSString).appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: p) ? (name, p) : nil
        }
        let total = ck.tensorNames.reduce(0) { $0 + (ck.info($1)?.byteCount ?? 0) }
        return QuantizeInput(
            path: path, config: dir.config, configJSON: json, tensorNames: ck.tensorNames, bytesBefore: total,
            sideFiles: side, notes: [],
            info: { n in ck.info(n).map { TensorInfo(dtype: $0.dtype, shape: $0.shape, byteCount: $0.byteCount) } },
            rawBytes: { try ck.rawData($0) },
            loadFloat32: { try ck.loadFloat32($0).data })
    }

    static func gguf(_ path: String) throws -> QuantizeInput {
        let model = try GGUFModel(path: path)
        let cfg = model.config
        guard cfg.architecture == .llama else {
            throw QuantizeError.unsupportedArchitecture(path: path, architecture: cfg.architecture.rawValue)
        }
        var infos = [String: TensorInfo]()
        var total = 0
        for t in model.file.tensors {
            guard let hf = model.config.family.hfName(gguf: t.name) else { continue }
            infos[hf] = TensorInfo(dtype: .F32, shape: t.shape, byteCount: 4 * t.elementCount)
            total += t.byteCount
        }
        let load: (String) throws -> [Float] = { try model.loadFloat32(hf: $0).data }
        return QuantizeInput(
            path: path, config: cfg, configJSON: synthesizedConfig(cfg), tensorNames: infos.keys.sorted(), bytesBefore: total,
            sideFiles: [],
            notes: ["GGUF input: weights were dequantized to float32 and config.json was synthesized from the GGUF metadata; "
                    + "no tokenizer files were written (copy tokenizer.json and tokenizer_config.json from the original HF model)"],
            info: { infos[$0] },
            rawBytes: { n in
                let v = try load(n)
                var out = [UInt8]()
                out.reserveCapacity(4 * v.count)
                for f in v { withUnsafeBytes(of: f.bitPattern.littleEndian) { out += $0 } }
                return out
            },
            loadFloat32: load)
    }

    /// config.json for a Llama ModelConfig, with the keys transformers 5.23 `LlamaConfig` writes.
    static func synthesizedConfig(_ c: ModelConfig) -> BnbConfigJSON {
        func i(_ v: Int) -> BnbConfigJSON { .int(String(v)) }
        var items: [(key: String, value: BnbConfigJSON)] = [
            ("architectures", .array([.string("LlamaForCausalLM")])),
            ("attention_bias", .bool(c.attentionBias)),
            ("attention_dropout", .double(0)),
            ("dtype", .string("float32")),
            ("head_dim", i(c.headDim)),
            ("hidden_act", .string("silu")),
            ("hidden_size", i(c.hiddenSize)),
            ("initializer_range", .double(0.02)),
            ("intermediate_size", i(c.intermediateSize)),
            ("max_position_embeddings", i(c.maxPositionEmbeddings)),
            ("mlp_bias", .bool(c.mlpBias)),
            ("model_type", .string("llama")),
            ("num_attention_heads", i(c.numHeads)),
            ("num_hidden_layers", i(c.numLayers)),
            ("num_key_value_heads", i(c.numKVHeads)),
            ("pad_token_id", .null),
            ("pretraining_tp", i(1)),
            ("rms_norm_eps", .double(c.normEps)),
            ("rope_parameters", .object([("rope_theta", .double(c.ropeTheta)), ("rope_type", .string("default"))])),
            ("tie_word_embeddings", .bool(c.tieWordEmbeddings)),
            ("use_cache", .bool(true)),
            ("vocab_size", i(c.vocabSize)),
        ]
        items.append(("bos_token_id", c.bosTokenId.map(i) ?? .null))
        items.append(("eos_token_id", c.eosTokenId.map(i) ?? .null))
        return .object(items)
    }
}
