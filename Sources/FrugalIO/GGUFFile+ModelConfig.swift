// GGUFFile+ModelConfig — the ModelConfig described by a GGUF file's metadata. The family comes
// from `general.architecture` (ModelFamily registry: llama, qwen2, qwen3, gemma3); every family
// shares llama.cpp's key schema `ARCH.…`, read here, and adds its own through its descriptor.
//
// Keys (GGML `docs/gguf.md`; transformers `integrations/ggml.py` GGUF_CONFIG_MAPPING), for ARCH llama:
//   llama.context_length -> maxPositionEmbeddings   llama.embedding_length -> hiddenSize
//   llama.block_count -> numLayers                   llama.feed_forward_length -> intermediateSize
//   llama.attention.head_count -> numHeads           llama.attention.head_count_kv -> numKVHeads
//   llama.rope.freq_base -> ropeTheta                llama.attention.layer_norm_rms_epsilon -> normEps
//   llama.vocab_size, else the length of tokenizer.ggml.tokens, else token_embd's rows -> vocabSize
//   llama.attention.key_length -> headDim (else hiddenSize / numHeads)
//   tie_word_embeddings = no `output.weight` tensor; attentionBias = `blk.0.attn_q.bias` exists;
//   bos/eos from tokenizer.ggml.{bos,eos}_token_id.
// Integers are accepted in any width. f32 values are widened through their shortest decimal
// (an f32 1e-5 becomes the Double 1e-5, as written in the original config.json).
// A rope_freqs tensor (Llama 3.1's scaling as llama.cpp's converter writes it) becomes
// `ropeFrequencyFactors`. Refused by name: architectures without a family; other RoPE scaling
// (ARCH.rope.scaling.*, scale_linear); partial rotary dimensions; sliding windows where the family has none;
// mixture of experts.
import FrugalSpec

extension GGUFFile: ConfigValues {
    public var source: String { path }
    public func contains(_ key: String) -> Bool { metadata[key] != nil }
    public func optionalBool(_ key: String) throws -> Bool? {
        guard let v = metadata[key] else { return nil }
        guard case .bool(let b) = v else { throw GGUFError.wrongValueType(path: path, key: key, expected: "a boolean", found: "\(v.type)") }
        return b
    }
    public func optionalString(_ key: String) throws -> String? {
        guard let v = metadata[key] else { return nil }
        guard let s = v.string else { throw GGUFError.wrongValueType(path: path, key: key, expected: "a string", found: "\(v.type)") }
        return s
    }
}

extension GGUFFile {
    /// The model's configuration, or a GGUFError saying which key is missing, malformed or refused.
    public func modelConfig() throws -> ModelConfig {
        guard let archValue = metadata["general.architecture"] else {
            throw GGUFError.missingKey(path: path, key: "general.architecture")
        }
        guard let arch = archValue.string else {
            throw GGUFError.wrongValueType(path: path, key: "general.architecture", expected: "string", found: "\(archValue.type)")
        }
        guard let family = ModelFamily.forGGUFArchitecture(arch) else {
            throw GGUFError.unsupportedArchitecture(path: path, architecture: arch)
        }
        let a = arch + "."

        try refuseUnsupported(prefix: a, family: family)

        let hidden = try positiveInt(a + "embedding_length")
        let heads = try positiveInt(a + "attention.head_count")
        let kvHeads = metadata[a + "attention.head_count_kv"] == nil ? heads : try positiveInt(a + "attention.head_count_kv")
        if heads % kvHeads != 0 {
            throw GGUFError.invalidValue(path: path, key: a + "attention.head_count_kv",
                                         reason: "\(kvHeads) KV heads do not divide \(heads) query heads")
        }
        var headDim = hidden / heads
        if metadata[a + "attention.key_length"] != nil {
            headDim = try positiveInt(a + "attention.key_length")
            if let v = metadata[a + "attention.value_length"], v.int != headDim {
                throw GGUFError.unsupportedFeature(path: path, feature: "different key and value head sizes",
                                                   detail: "\(a)attention.value_length = \(v.summary), key_length = \(headDim)")
            }
        } else if hidden % heads != 0 {
            throw GGUFError.invalidValue(path: path, key: a + "attention.head_count",
                                         reason: "\(heads) heads do not divide embedding_length \(hidden)")
        }
        if headDim % 2 != 0 {
            throw GGUFError.invalidValue(path: path, key: a + "attention.key_length",
                                         reason: "head size \(headDim) is odd; rotary embeddings need an even head size")
        }
        if let rd = metadata[a + "rope.dimension_count"], rd.int != headDim {
            throw GGUFError.unsupportedFeature(path: path, feature: "partial rotary embeddings",
                                               detail: "\(a)rope.dimension_count = \(rd.summary) but the head size is \(headDim)")
        }

        let vocab: Int
        if metadata[a + "vocab_size"] != nil {
            vocab = try positiveInt(a + "vocab_size")
        } else if let t = metadata["tokenizer.ggml.tokens"]?.array {
            vocab = t.count
        } else if let e = tensor(named: "token_embd.weight"), e.dims.count == 2 {
            vocab = e.dims[1]
        } else {
            throw GGUFError.missingKey(path: path, key: a + "vocab_size")
        }

        var config = ModelConfig(
            architecture: family.architecture,
            vocabSize: vocab,
            hiddenSize: hidden,
            intermediateSize: try positiveInt(a + "feed_forward_length"),
            numLayers: try positiveInt(a + "block_count"),
            numHeads: heads,
            numKVHeads: kvHeads,
            headDim: headDim,
            maxPositionEmbeddings: try positiveInt(a + "context_length"),
            ropeTheta: try optionalDouble(a + "rope.freq_base") ?? 10_000,
            normEps: try optionalDouble(a + "attention.layer_norm_rms_epsilon") ?? 1e-5,
            tieWordEmbeddings: tensor(named: "output.weight") == nil,
            attentionBias: tensor(named: "blk.0.attn_q.bias") != nil,
            bosTokenId: try optionalInt("tokenizer.ggml.bos_token_id"),
            eosTokenId: try optionalInt("tokenizer.ggml.eos_token_id"),
            attentionOutputBias: tensor(named: "blk.0.attn_output.bias") != nil,
            mlpBias: tensor(named: "blk.0.ffn_gate.bias") != nil)
        config.ropeFrequencyFactors = try ropeFrequencyFactors(headDim: headDim)
        config.padTokenId = try optionalInt("tokenizer.ggml.padding_token_id").flatMap { (0..<vocab).contains($0) ? $0 : nil }
        try family.readGGUF(&config, self, a)
        // Every path (info, generate, finetune, quantize) gets a config within the supported limits.
        do { try config.validate(source: path) } catch let ModelConfigError.invalid(_, field, reason) {
            let ggufKey = [
                "vocab_size": "vocab_size", "hidden_size": "embedding_length", "intermediate_size": "feed_forward_length",
                "num_hidden_layers": "block_count", "num_attention_heads": "attention.head_count",
                "num_key_value_heads": "attention.head_count_kv", "head_dim": "attention.key_length",
                "max_position_embeddings": "context_length", "rope_theta": "rope.freq_base",
                "rms_norm_eps": "attention.layer_norm_rms_epsilon",
            ][field].map { a + $0 } ?? field
            throw GGUFError.invalidValue(path: path, key: ggufKey, reason: reason)
        }
        return config
    }

    private func refuseUnsupported(prefix a: String, family: ModelFamily) throws {
        if let t = metadata[a + "rope.scaling.type"], t.string != "none" {
            throw GGUFError.unsupportedFeature(path: path, feature: "RoPE scaling", detail: "\(a)rope.scaling.type = \(t.summary)")
        }
        for key in [a + "rope.scaling.factor", a + "rope.scale_linear"] {
            if let f = metadata[key], let v = f.double, v != 0, v != 1 {
                throw GGUFError.unsupportedFeature(path: path, feature: "RoPE scaling", detail: "\(key) = \(f.summary)")
            }
        }
        if !family.block.slidingWindow, let w = metadata[a + "attention.sliding_window"], (w.int ?? 1) != 0 {
            throw GGUFError.unsupportedFeature(path: path, feature: "sliding-window attention", detail: "\(a)attention.sliding_window = \(w.summary)")
        }
        if let e = metadata[a + "expert_count"], (e.int ?? 1) != 0 {
            throw GGUFError.unsupportedFeature(path: path, feature: "mixture of experts", detail: "\(a)expert_count = \(e.summary)")
        }
    }

    /// Llama 3.1's frequency scaling as llama.cpp stores it: a `rope_freqs.weight` tensor of D/2
    /// positive divisors.
    private func ropeFrequencyFactors(headDim: Int) throws -> [Float]? {
        guard let info = tensor(named: "rope_freqs.weight") else { return nil }
        guard info.elementCount == headDim / 2 else {
            throw GGUFError.badShape(path: path, tensor: info.name, dims: info.dims.map(UInt64.init),
                                     reason: "RoPE frequency factors must hold head size / 2 = \(headDim / 2) values")
        }
        let factors = try loadFloat32(info)
        guard factors.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw GGUFError.invalidValue(path: path, key: info.name, reason: "RoPE frequency factors must be positive and finite")
        }
        return factors
    }

    func positiveInt(_ key: String) throws -> Int {
        guard let v = metadata[key] else { throw GGUFError.missingKey(path: path, key: key) }
        guard let i = v.int else { throw GGUFError.wrongValueType(path: path, key: key, expected: "an integer", found: "\(v.type)") }
        guard i > 0 else { throw GGUFError.invalidValue(path: path, key: key, reason: "must be positive, is \(i)") }
        return i
    }

    public func optionalInt(_ key: String) throws -> Int? {
        guard let v = metadata[key] else { return nil }
        guard let i = v.int else { throw GGUFError.wrongValueType(path: path, key: key, expected: "an integer", found: "\(v.type)") }
        return i
    }

    public func optionalDouble(_ key: String) throws -> Double? {
        guard let v = metadata[key] else { return nil }
        let d: Double
        switch v {
        case .float32(let f): d = Double("\(f)") ?? Double(f)   // shortest decimal of the f32
        default:
            guard let x = v.double else { throw GGUFError.wrongValueType(path: path, key: key, expected: "a number", found: "\(v.type)") }
            d = x
        }
        guard d.isFinite, d > 0 else { throw GGUFError.invalidValue(path: path, key: key, reason: "must be a positive finite number, is \(d)") }
        return d
    }
}
