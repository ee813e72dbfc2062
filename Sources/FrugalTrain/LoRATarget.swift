// LoRATarget — the projections of a decoder block that LoRA can wrap: PEFT's target_modules name
// (q_proj, as every runnable family spells it), the short form (q), and the decoder slot
// (ModelFamily.Role). The path inside a block comes from the model's family (ModelFamily's module
// table, the one place checkpoint names live).
//
// `resolve` accepts full names, short forms, comma-separated lists and "all-linear" (PEFT's
// all-linear: every linear layer except the output head), read by FrugalSpec's LoRATargetNames,
// which the estimator shares. Matching is exact; PEFT's regex targets are left out.
import Foundation
import FrugalModels
import FrugalSpec

public enum LoRATarget: String, CaseIterable, Codable, Sendable {
    case qProj = "q_proj", kProj = "k_proj", vProj = "v_proj", oProj = "o_proj"
    case gateProj = "gate_proj", upProj = "up_proj", downProj = "down_proj"
    /// The token embedding (PEFT lora_embedding_A/B) and the output head, named only explicitly.
    case embedTokens = "embed_tokens", lmHead = "lm_head"

    /// The short form accepted on the command line (LoRATargetNames' rule: the name without "_proj").
    public var shortName: String? { LoRATargetNames.shortName(rawValue) }
    /// A linear layer inside every block (what all-linear means).
    public var isBlockLinear: Bool { role.isLinear }

    /// The decoder slot this target wraps.
    public var role: ModelFamily.Role {
        switch self {
        case .qProj: return .q
        case .kProj: return .k
        case .vProj: return .v
        case .oProj: return .o
        case .gateProj: return .gate
        case .upProj: return .up
        case .downProj: return .down
        case .embedTokens: return .embedding
        case .lmHead: return .head
        }
    }

    /// Module path in `family`'s checkpoints: inside a decoder layer ("self_attn.q_proj"), or of
    /// the whole model ("model.embed_tokens", "lm_head").
    public func modulePath(in family: ModelFamily) -> String { family.module(role)!.hf }

    static var blockLinearNames: [String] { allCases.filter(\.isBlockLinear).map(\.rawValue) }

    /// Every accepted spelling except all-linear.
    public static var validNames: [String] { LoRATargetNames.validNames(blockLinearNames) + LoRATargetNames.explicitOnly }

    /// Resolves target specifications (each may be a comma-separated list) into distinct
    /// projections in block order, through LoRATargetNames (the one reading of target names).
    /// Throws on an unknown name or an empty list.
    public static func resolve(_ specs: [String]) throws -> [LoRATarget] {
        do throws(LoRATargetNames.ResolveError) {
            return try LoRATargetNames.resolve(specs, modules: blockLinearNames, extra: LoRATargetNames.explicitOnly)
                .map { LoRATarget(rawValue: $0)! }
        } catch .unknown(let name, let valid) {
            throw LoRAError.unknownTarget(name, valid: valid)
        } catch .empty {
            throw LoRAError.noTargets
        }
    }
}
