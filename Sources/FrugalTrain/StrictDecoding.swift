// StrictDecoding — decoding of Frugal's own configuration values (TrainOptions, LoRAConfig) from
// JSON files: a missing key takes its default, an unknown key is an error (a typo must not pass
// silently; design rule 5: defaults < file < command line).
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Throws a DecodingError naming the first key of the decoder's object that is not in `known`.
func refuseUnknownKeys<K: CodingKey & CaseIterable>(_ decoder: Decoder, _ known: K.Type, in type: String) throws {
    let all = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
    let valid = Set(K.allCases.map(\.stringValue))
    if let bad = all.sorted().first(where: { !valid.contains($0) }) {
        throw DecodingError.dataCorrupted(.init(
            codingPath: decoder.codingPath,
            debugDescription: "unknown \(type) key '\(bad)'; valid keys are \(K.allCases.map(\.stringValue).sorted().joined(separator: ", "))"))
    }
}
