// PretrainModelSpec — the shape of a small byte-level Llama-style model for `frugal pretrain
// --config FILE.json` and the scaling sweep: {"hidden", "layers", "heads", "kv_heads",
// "intermediate", "seq_len"}. In a file every key is optional (a missing key keeps the default or
// the value already set) and an unknown key is an error naming it; the command line overrides the
// file (defaults < file < flags). `modelConfig` turns it into FrugalSpec's ModelConfig (vocabulary
// 256, tied embeddings). Leaves out: untied heads, biases, other architectures.
import Foundation
import FrugalSpec

public struct PretrainModelSpec: Codable, Equatable, Sendable {
    public var hidden: Int = 64
    public var layers: Int = 2
    public var heads: Int = 4
    public var kvHeads: Int = 2
    /// MLP width; nil means 8/3·hidden rounded up to a multiple of 8.
    public var intermediate: Int?
    public var seqLen: Int = 64

    public init(hidden: Int = 64, layers: Int = 2, heads: Int = 4, kvHeads: Int = 2, intermediate: Int? = nil, seqLen: Int = 64) {
        self.hidden = hidden; self.layers = layers; self.heads = heads; self.kvHeads = kvHeads
        self.intermediate = intermediate; self.seqLen = seqLen
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case hidden, layers, heads, kvHeads = "kv_heads", intermediate, seqLen = "seq_len"
    }

    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, CodingKeys.self, in: "model config")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = PretrainModelSpec()
        hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? d.hidden
        layers = try c.decodeIfPresent(Int.self, forKey: .layers) ?? d.layers
        heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? d.heads
        kvHeads = try c.decodeIfPresent(Int.self, forKey: .kvHeads) ?? d.kvHeads
        intermediate = try c.decodeIfPresent(Int.self, forKey: .intermediate)
        seqLen = try c.decodeIfPresent(Int.self, forKey: .seqLen) ?? d.seqLen
    }

    /// Reads a JSON object file; errors name the file and the offending key.
    public static func read(contentsOf url: URL) throws -> PretrainModelSpec {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SweepError.unreadable(path: url.path, reason: "cannot read it (\(error.localizedDescription))")
        }
        do { return try JSONDecoder().decode(PretrainModelSpec.self, from: data) } catch let e as DecodingError {
            throw SweepError.badModelConfig(path: url.path, reason: Self.explain(e))
        } catch let e as UnknownKeyError {
            throw SweepError.badModelConfig(path: url.path, reason: e.description)
        }
    }

    static func explain(_ e: DecodingError) -> String {
        switch e {
        case let .dataCorrupted(c):
            return c.codingPath.isEmpty && c.debugDescription.contains("JSON") ? "not a valid JSON object" : c.debugDescription
        case let .typeMismatch(_, c), let .valueNotFound(_, c):
            let key = c.codingPath.map(\.stringValue).joined(separator: ".")
            return key.isEmpty ? "expected a JSON object of integers" : "\"\(key)\" must be an integer"
        case let .keyNotFound(k, _): return "missing \"\(k.stringValue)\""
        @unknown default: return "\(e)"
        }
    }

    /// The MLP width actually used.
    public var resolvedIntermediate: Int { intermediate ?? ((hidden * 8 / 3 + 7) / 8 * 8) }

    /// Checks every field; the message names the key (or flag) and what it must be.
    public func validate() throws {
        for (name, v) in [("hidden", hidden), ("layers", layers), ("heads", heads), ("kv_heads", kvHeads),
                          ("intermediate", resolvedIntermediate), ("seq_len", seqLen)] where v <= 0 || v > 1 << 20 {
            throw SweepError.invalid(field: name, value: "\(v)", expected: "a positive integer up to \(1 << 20)")
        }
        guard hidden % heads == 0 else {
            throw SweepError.invalid(field: "hidden", value: "\(hidden)", expected: "a multiple of heads (\(heads))")
        }
        guard heads % kvHeads == 0 else {
            throw SweepError.invalid(field: "heads", value: "\(heads)", expected: "a multiple of kv_heads (\(kvHeads))")
        }
        guard (hidden / heads) % 2 == 0 else {
            throw SweepError.invalid(field: "hidden", value: "\(hidden)", expected: "hidden/heads even (RoPE rotates pairs)")
        }
    }

    /// Byte-level Llama config: vocabulary 256, tied embeddings, context = seq_len.
    public var modelConfig: ModelConfig {
        Pretrainer.byteConfig(hidden: hidden, layers: layers, heads: heads, kvHeads: kvHeads,
                              intermediate: resolvedIntermediate, contextLength: seqLen)
    }
}
