// TokenizerJSONParser — reads the pipeline components of a Hugging Face `tokenizer.json` (the
// `tokenizers` library's serde serialization, `tokenizers/src/{normalizers,pre_tokenizers,
// decoders,processors}/mod.rs`) into `Normalizer`, `PreTokenizer`, `TokenDecoder` and the
// post-processor's prefix/suffix ids.
//
// Each reader accepts exactly the variants and fields the pipeline implements and refuses any
// other by name (`TokenizerError.unsupported`, naming the file and the field path), since a
// silently skipped component would change the ids. Defaults follow the Rust deserializers
// (ByteLevel.use_regex true — add_prefix_space, required there, is taken as false when absent;
// Metaspace prepend_scheme "always", split true, legacy add_prefix_space false → "never").
// Irrelevant keys (trim_offsets, type ids, str_rep) are ignored.
import Foundation

struct TokenizerJSONParser {
    let source: String

    func int(_ v: Any?) -> Int? {
        // JSON booleans arrive as NSNumber with objCType "c"; they are not ids.
        guard let n = v as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
        let d = n.doubleValue
        guard d == d.rounded(), abs(d) < 1e15 else { return nil }
        return n.intValue
    }

    func double(_ v: Any?) -> Double? { (v as? NSNumber)?.doubleValue }

    func typeName(_ v: Any) -> String {
        if let o = v as? [String: Any], let t = o["type"] as? String { return "\"\(t)\"" }
        return "\(v)"
    }

    private func object(_ v: Any, _ field: String) throws -> ([String: Any], String) {
        guard let o = v as? [String: Any], let type = o["type"] as? String else {
            throw TokenizerError.missingField(source: source, field: "\(field).type", expected: "a string")
        }
        return (o, type)
    }

    private func bool(_ o: [String: Any], _ key: String, _ field: String, default d: Bool) throws -> Bool {
        guard let v = o[key], !(v is NSNull) else { return d }
        guard let b = v as? Bool else { throw TokenizerError.missingField(source: source, field: "\(field).\(key)", expected: "a boolean") }
        return b
    }

    private func string(_ o: [String: Any], _ key: String, _ field: String) throws -> String {
        guard let s = o[key] as? String else { throw TokenizerError.missingField(source: source, field: "\(field).\(key)", expected: "a string") }
        return s
    }

    private func scalar(_ o: [String: Any], _ key: String, _ field: String) throws -> Unicode.Scalar {
        let s = try string(o, key, field)
        guard s.unicodeScalars.count == 1, let c = s.unicodeScalars.first else {
            throw TokenizerError.missingField(source: source, field: "\(field).\(key)", expected: "a single character")
        }
        return c
    }

    /// `{"String": s}` → s; a `{"Regex": r}` pattern is refused unless `allowRegex`.
    private func literalPattern(_ o: [String: Any], _ field: String) throws -> String {
        guard let p = o["pattern"] as? [String: Any] else {
            throw TokenizerError.missingField(source: source, field: "\(field).pattern", expected: "{\"String\": …}")
        }
        if let s = p["String"] as? String { return s }
        if let r = p["Regex"] as? String {
            throw TokenizerError.unsupported(source: source, field: "\(field).pattern", value: "Regex \"\(r)\" (only literal String patterns)")
        }
        throw TokenizerError.missingField(source: source, field: "\(field).pattern", expected: "{\"String\": …}")
    }

    // MARK: normalizer

    func normalizer(_ v: Any?, field: String = "normalizer") throws -> Normalizer? {
        guard let v, !(v is NSNull) else { return nil }
        let (o, type) = try object(v, field)
        switch type {
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "Prepend": return .prepend(try string(o, "prepend", "\(field) Prepend"))
        case "Replace":
            return .replace(pattern: try literalPattern(o, "\(field) Replace"), content: try string(o, "content", "\(field) Replace"))
        case "Sequence":
            guard let list = o["normalizers"] as? [Any] else {
                throw TokenizerError.missingField(source: source, field: "\(field).normalizers", expected: "an array")
            }
            return .sequence(try list.enumerated().compactMap { try normalizer($1, field: "\(field).normalizers[\($0)]") })
        default:
            throw TokenizerError.unsupported(source: source, field: field, value: "\"\(type)\"")
        }
    }

    // MARK: pre-tokenizer

    func preTokenizer(_ v: Any?) throws -> PreTokenizer? {
        guard let v, !(v is NSNull) else { return nil }
        let p = try preTokenizerStep(v, field: "pre_tokenizer")
        // ByteLevel maps to the byte alphabet inside the model, so nothing may follow it.
        var steps: [PreTokenizer] = []
        func flatten(_ p: PreTokenizer) { if case let .sequence(l) = p { l.forEach(flatten) } else { steps.append(p) } }
        flatten(p)
        if let i = steps.firstIndex(where: { if case .byteLevel = $0 { return true } else { return false } }), i != steps.count - 1 {
            throw TokenizerError.unsupported(source: source, field: "pre_tokenizer", value: "a step after ByteLevel (ByteLevel must come last)")
        }
        return p
    }

    private func preTokenizerStep(_ v: Any, field: String) throws -> PreTokenizer {
        let (o, type) = try object(v, field)
        switch type {
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: try bool(o, "add_prefix_space", "\(field) ByteLevel", default: false),
                              useRegex: try bool(o, "use_regex", "\(field) ByteLevel", default: true))
        case "Digits":
            return .digits(individual: try bool(o, "individual_digits", "\(field) Digits", default: false))
        case "Split":
            let f = "\(field) Split"
            guard let p = o["pattern"] as? [String: Any] else {
                throw TokenizerError.missingField(source: source, field: "\(f).pattern", expected: "{\"String\": …} or {\"Regex\": …}")
            }
            let pattern: SplitPattern
            if let s = p["String"] as? String {
                pattern = .string(s)
            } else if let r = p["Regex"] as? String {
                guard let known = SplitPattern.recognize(regex: r) else {
                    throw TokenizerError.unsupported(source: source, field: "\(f).pattern", value: "Regex \"\(r)\" (known: the GPT-2, Llama 3 and Qwen2 patterns)")
                }
                pattern = known
            } else {
                throw TokenizerError.missingField(source: source, field: "\(f).pattern", expected: "{\"String\": …} or {\"Regex\": …}")
            }
            let behaviors: [String: PreTokenizer.SplitBehavior] = [
                "Removed": .removed, "Isolated": .isolated, "MergedWithPrevious": .mergedWithPrevious,
                "MergedWithNext": .mergedWithNext, "Contiguous": .contiguous]
            let name = try string(o, "behavior", f)
            guard let behavior = behaviors[name] else {
                throw TokenizerError.unsupported(source: source, field: "\(f).behavior", value: "\"\(name)\"")
            }
            return .split(pattern: pattern, behavior: behavior, invert: try bool(o, "invert", f, default: false))
        case "Metaspace":
            let f = "\(field) Metaspace"
            return .metaspace(replacement: try scalar(o, "replacement", f), prependScheme: try prependScheme(o, f),
                              split: try bool(o, "split", f, default: true))
        case "Sequence":
            guard let list = o["pretokenizers"] as? [Any] else {
                throw TokenizerError.missingField(source: source, field: "\(field).pretokenizers", expected: "an array")
            }
            return .sequence(try list.enumerated().map { try preTokenizerStep($1, field: "\(field).pretokenizers[\($0)]") })
        default:
            throw TokenizerError.unsupported(source: source, field: field, value: "\"\(type)\"")
        }
    }

    private func prependScheme(_ o: [String: Any], _ field: String) throws -> PreTokenizer.PrependScheme {
        var scheme = PreTokenizer.PrependScheme.always
        if let s = o["prepend_scheme"], !(s is NSNull) {
            guard let name = s as? String, let parsed = PreTokenizer.PrependScheme(rawValue: name) else {
                throw TokenizerError.unsupported(source: source, field: "\(field).prepend_scheme", value: "\(s)")
            }
            scheme = parsed
        }
        if (o["add_prefix_space"] as? Bool) == false { scheme = .never }
        return scheme
    }

    // MARK: decoder

    func decoder(_ v: Any?, field: String = "decoder") throws -> TokenDecoder {
        guard let v, !(v is NSNull) else {
            throw TokenizerError.unsupported(source: source, field: field, value: "null (tokens joined by spaces)")
        }
        let (o, type) = try object(v, field)
        switch type {
        case "ByteLevel": return .byteLevel
        case "ByteFallback": return .byteFallback
        case "Fuse": return .fuse
        case "Metaspace":
            let f = "\(field) Metaspace"
            return .metaspace(replacement: try scalar(o, "replacement", f), prependScheme: try prependScheme(o, f))
        case "Replace":
            return .replace(pattern: try literalPattern(o, "\(field) Replace"), content: try string(o, "content", "\(field) Replace"))
        case "Strip":
            let f = "\(field) Strip"
            guard let start = int(o["start"]), let stop = int(o["stop"]), start >= 0, stop >= 0 else {
                throw TokenizerError.missingField(source: source, field: "\(f).start/stop", expected: "non-negative integers")
            }
            return .strip(content: try scalar(o, "content", f), start: start, stop: stop)
        case "Sequence":
            guard let list = o["decoders"] as? [Any] else {
                throw TokenizerError.missingField(source: source, field: "\(field).decoders", expected: "an array")
            }
            return .sequence(try list.enumerated().map { try decoder($1, field: "\(field).decoders[\($0)]") })
        default:
            throw TokenizerError.unsupported(source: source, field: field, value: "\"\(type)\"")
        }
    }

    // MARK: post-processor

    /// The ids a post-processor puts before and after a single sequence.
    func postProcessor(_ v: Any?, tokenIDs: [String: Int]) throws -> ([Int], [Int]) {
        guard let v, !(v is NSNull) else { return ([], []) }
        let (o, type) = try object(v, "post_processor")
        switch type {
        case "ByteLevel":
            return ([], [])
        case "Sequence":
            var prefix: [Int] = [], suffix: [Int] = []
            for step in (o["processors"] as? [Any]) ?? [] {
                let (p, s) = try postProcessor(step, tokenIDs: tokenIDs)
                prefix += p; suffix = s + suffix
            }
            return (prefix, suffix)
        case "TemplateProcessing":
            guard let single = o["single"] as? [[String: Any]] else {
                throw TokenizerError.missingField(source: source, field: "post_processor.single", expected: "an array")
            }
            let specials = (o["special_tokens"] as? [String: Any]) ?? [:]
            var prefix: [Int] = [], suffix: [Int] = []
            var seenSequence = false
            for piece in single {
                if piece["Sequence"] != nil { seenSequence = true; continue }
                guard let st = piece["SpecialToken"] as? [String: Any], let name = st["id"] as? String else {
                    throw TokenizerError.unsupported(source: source, field: "post_processor.single", value: "\(piece)")
                }
                var ids: [Int] = []
                if let entry = specials[name] as? [String: Any], let list = entry["ids"] as? [Any] {
                    ids = list.compactMap { int($0) }
                } else if let id = tokenIDs[name] {
                    ids = [id]
                } else {
                    throw TokenizerError.inconsistent(source: source, detail: "post_processor special token \"\(name)\" has no id")
                }
                if seenSequence { suffix += ids } else { prefix += ids }
            }
            return (prefix, suffix)
        default:
            throw TokenizerError.unsupported(source: source, field: "post_processor", value: "\"\(type)\"")
        }
    }
}
