// JSONStyle — the one key style of every JSON Frugal prints (`--json`) or writes for people and
// scripts to read: snake_case keys, sorted, paths without escaped slashes (docs/json.md). Frugal's
// own input files (finetune configs, checkpoints) spell their keys explicitly and decode strictly.
import Foundation

public enum JSONStyle {
    /// An encoder in this style; `pretty` for whole documents, compact for JSON lines.
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        enc.keyEncodingStrategy = .convertToSnakeCase
        return enc
    }

    /// `value` encoded in this style, as text.
    public static func string<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        String(decoding: try encoder(pretty: pretty).encode(value), as: UTF8.self)
    }
}
