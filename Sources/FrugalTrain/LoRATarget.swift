// LoRATarget — the projections of a Llama block that LoRA can wrap, and the one table that maps
// their names: the transformers module name (q_proj), the short form (q), the path inside a block
// (self_attn.q_proj) and the block's Swift property. Checkpoint names are data here, nowhere else.
//
// `resolve` accepts full names, short forms, comma-separated lists and "all-linear" (PEFT's
// all-linear: every linear layer except the output head). Matching is exact; PEFT's regex targets
// are left out.
import Foundation
import FrugalModels

public enum LoRATarget: String, CaseIterable, Codable, Sendable {
    case qProj = "q_proj", kProj = "k_proj", vProj = "v_proj", oProj = "o_proj"
    case gateProj = "gate_proj", upProj = "up_proj", downProj = "down_proj"

    /// The short form accepted on the command line.
    public var shortName: String { String(rawValue.dropLast(5)) }

    /// Module path inside a decoder layer, as in transformers' state dict.
    public var modulePath: String {
        switch self {
        case .qProj, .kProj, .vProj, .oProj: return "self_attn.\(rawValue)"
        case .gateProj, .upProj, .downProj: return "mlp.\(rawValue)"
        }
    }

    /// The block's slot for this projection.
    var slot: ReferenceWritableKeyPath<DecoderBlock, any LinearLayer> {
        switch self {
        case .qProj: return \.qProj
        case .kProj: return \.kProj
        case .vProj: return \.vProj
        case .oProj: return \.oProj
        case .gateProj: return \.gateProj
        case .upProj: return \.upProj
        case .downProj: return \.downProj
        }
    }

    /// Every accepted spelling except all-linear.
    public static var validNames: [String] { allCases.map(\.rawValue) + allCases.map(\.shortName) }

    /// Resolves target specifications (each may be a comma-separated list) into distinct
    /// projections in block order. Throws on an unknown name or an empty list.
    public static func resolve(_ specs: [String]) throws -> [LoRATarget] {
        var chosen = Set<LoRATarget>()
        var any = false
        for spec in specs {
            for raw in spec.split(separator: ",") {
                let name = raw.trimmingCharacters(in: .whitespaces)
                if name.isEmpty { continue }
                any = true
                if name == "all-linear" { chosen.formUnion(allCases); continue }
                guard let t = allCases.first(where: { $0.rawValue == name || $0.shortName == name }) else {
                    throw LoRAError.unknownTarget(name, valid: validNames)
                }
                chosen.insert(t)
            }
        }
        guard any else { throw LoRAError.noTargets }
        return allCases.filter { chosen.contains($0) }
    }
}
