// LoRAConfig — the hyperparameters of a LoRA adapter (Hu et al. 2021), with PEFT's `LoraConfig`
// defaults (peft `tuners/lora/config.py`): r = 8, lora_alpha = 8, lora_dropout = 0, use_rslora =
// false, and for Llama the default targets q_proj, v_proj.
//
// scaling = alpha / r, or alpha / √r with rsLoRA (Kalajdzievski 2023). `method` picks the adapter
// type (AdapterFactory): LoRA, or DoRA (PEFT's use_dora).
// Leaves out: LoRA biases, rank/alpha patterns per layer, layers_to_transform.
import Foundation

public struct LoRAConfig: Codable, Equatable, Sendable {
    /// Rank r of the update B·A.
    public var rank: Int = 8
    /// lora_alpha.
    public var alpha: Float = 8
    /// Dropout probability on the LoRA branch's input (0 = identity).
    public var dropout: Float = 0
    /// Scale by alpha/√r instead of alpha/r.
    public var useRSLoRA: Bool = false
    /// Target module names as given (q_proj, q, all-linear, …); see `LoRATarget.resolve`.
    public var targets: [String] = ["q_proj", "v_proj"]
    /// The adapter type wrapped around each target.
    public var method: AdapterMethod = .lora

    public init(rank: Int = 8, alpha: Float = 8, dropout: Float = 0, useRSLoRA: Bool = false,
                targets: [String] = ["q_proj", "v_proj"], method: AdapterMethod = .lora) {
        self.rank = rank; self.alpha = alpha; self.dropout = dropout
        self.useRSLoRA = useRSLoRA; self.targets = targets; self.method = method
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case rank, alpha, dropout, useRSLoRA, targets, method }

    /// Missing keys take PEFT's defaults; unknown keys are refused.
    public init(from decoder: Decoder) throws {
        try refuseUnknownKeys(decoder, CodingKeys.self, in: "LoRA")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = LoRAConfig()
        rank = try c.decodeIfPresent(Int.self, forKey: .rank) ?? d.rank
        alpha = try c.decodeIfPresent(Float.self, forKey: .alpha) ?? d.alpha
        dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? d.dropout
        useRSLoRA = try c.decodeIfPresent(Bool.self, forKey: .useRSLoRA) ?? d.useRSLoRA
        targets = try c.decodeIfPresent([String].self, forKey: .targets) ?? d.targets
        method = try c.decodeIfPresent(AdapterMethod.self, forKey: .method) ?? d.method
    }

    /// The factor applied to B·A·x.
    public var scaling: Float {
        useRSLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank)
    }

    /// Largest rank accepted (PEFT ranks are 4…256; this bound keeps every A/B shape product far
    /// from overflow and refuses corrupt files before anything is allocated).
    public static let maxRank = 1 << 16

    /// Checks ranges and resolves the targets.
    public func validated() throws -> [LoRATarget] {
        guard rank > 0 && rank <= Self.maxRank else {
            throw LoRAError.invalidConfig(field: "rank", value: "\(rank)", expected: "a positive integer of at most \(Self.maxRank)")
        }
        guard alpha.isFinite && alpha > 0 else {
            throw LoRAError.invalidConfig(field: "alpha", value: "\(alpha)", expected: "a positive finite number")
        }
        guard dropout >= 0 && dropout < 1 else {
            throw LoRAError.invalidConfig(field: "dropout", value: "\(dropout)", expected: "in [0, 1)")
        }
        return try LoRATarget.resolve(targets)
    }

    /// Same rank, alpha, dropout, rsLoRA and resolved targets (however the targets are spelled).
    public func isEquivalent(to other: LoRAConfig) -> Bool {
        rank == other.rank && alpha == other.alpha && dropout == other.dropout && useRSLoRA == other.useRSLoRA
            && method == other.method && (try? LoRATarget.resolve(targets)) == (try? LoRATarget.resolve(other.targets))
    }
}
