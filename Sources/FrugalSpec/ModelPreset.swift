// ModelPreset — a published model's configuration under a short name, for `--preset NAME`
// (estimates for models one does not have on disk). The catalog is ModelPreset+Catalog.swift.
// Leaves out: tokenizers and weights; a preset is a ModelConfig and a citation, nothing more.
public struct ModelPreset: Sendable, Equatable {
    public var name: String          // canonical name, e.g. "Llama-2-7B"
    public var aliases: [String]     // other accepted spellings (matched case-insensitively)
    public var source: String        // where the numbers come from (HF repo id or paper)
    public var note: String?         // what the preset leaves out, if anything
    public var config: ModelConfig

    /// Looks a preset up by name or alias, ignoring case.
    public static func named(_ name: String) throws -> ModelPreset {
        let key = name.lowercased()
        if let p = catalog.first(where: { $0.name.lowercased() == key || $0.aliases.contains { $0.lowercased() == key } }) {
            return p
        }
        throw ModelConfigError.unknownPreset(name: name, known: catalog.map(\.name))
    }
}
