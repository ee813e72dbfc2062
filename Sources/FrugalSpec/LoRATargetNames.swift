// LoRATargetNames — the one reading of a LoRA target list as a person writes it (finetune's and
// estimate's --targets, a finetune config file, an adapter_config.json): PEFT's target_modules names
// (q_proj), their short forms (q: the name without "_proj"), comma-separated lists, and PEFT's
// "all-linear" (every linear module of a block, not the output head). FrugalTrain's LoRATarget and
// FrugalEstimate's TrainingOptions both resolve through here, each against the module names it
// knows (LoRATarget's projections; a ModelConfig's linear modules, which for GPT-2 are c_attn, …).
// Matching is exact; PEFT's regex targets are left out.
import Foundation

public enum LoRATargetNames {
    public enum ResolveError: Error, Equatable, Sendable {
        /// A name that is neither one of `modules`, a short form of one, nor all-linear.
        case unknown(String, valid: [String])
        /// The specifications named no module.
        case empty
    }

    public static let allLinear = "all-linear"

    /// The short form of a module name ("q_proj" → "q"), or nil when it has none.
    public static func shortName(_ module: String) -> String? {
        module.hasSuffix("_proj") ? String(module.dropLast(5)) : nil
    }

    /// Every spelling that names one of `modules` (all-linear aside).
    public static func validNames(_ modules: [String]) -> [String] {
        modules + modules.compactMap(shortName)
    }

    /// Modules that are named only explicitly: all-linear never includes them (PEFT's all-linear
    /// leaves out the output head, and the embedding is no linear layer).
    public static let explicitOnly = ["embed_tokens", "lm_head"]

    /// Resolves `specs` (each may be a comma-separated list) into distinct names from `modules`
    /// (plus `extra`, which all-linear does not include), in the order of `modules` then `extra`.
    public static func resolve(_ specs: [String], modules: [String], extra: [String] = []) throws(ResolveError) -> [String] {
        var chosen = Set<String>()
        var any = false
        for spec in specs {
            for raw in spec.split(separator: ",") {
                let name = raw.trimmingCharacters(in: .whitespaces)
                if name.isEmpty { continue }
                any = true
                if name == allLinear { chosen.formUnion(modules); continue }
                guard let m = modules.first(where: { $0 == name || shortName($0) == name }) ?? extra.first(where: { $0 == name }) else {
                    throw .unknown(name, valid: validNames(modules) + extra)
                }
                chosen.insert(m)
            }
        }
        guard any else { throw .empty }
        var seen = Set<String>()
        return (modules + extra).filter { chosen.contains($0) && seen.insert($0).inserted }
    }
}

