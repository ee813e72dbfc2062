// StrictDecoding — decoding of Frugal's own configuration values (TrainOptions, LoRAConfig) from
// JSON files: a missing key takes its default, an unknown key is an error (a typo must not pass
// silently; design rule 5: defaults < file < command line).
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A key in one of Frugal's own configuration files that its type does not know. Readers of a file
/// prefix the file's name ("run.yaml: unknown key 'lr_rate' (known: …)").
public struct UnknownKeyError: Error, CustomStringConvertible, Equatable, Sendable {
    public let key: String
    /// Every key the type knows, sorted.
    public let known: [String]
    /// What was being decoded ("finetune config", "LoRA", …).
    public let type: String
    public var description: String { "unknown key '\(key)' (known: \(known.joined(separator: ", ")))" }
}

/// Throws an UnknownKeyError naming the first key of the decoder's object that is not in `known`.
func refuseUnknownKeys<K: CodingKey & CaseIterable>(_ decoder: Decoder, _ known: K.Type, in type: String) throws {
    let all = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
    let valid = Set(K.allCases.map(\.stringValue))
    if let bad = all.sorted().first(where: { !valid.contains($0) }) {
        throw UnknownKeyError(key: bad, known: valid.sorted(), type: type)
    }
}
