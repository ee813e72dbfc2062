// ModelSource — what a MODEL argument names: a GGUF file, an HF model directory, or the name of a
// model in the cache (`default`, `gemma3-270m`: the models scripts/setup fetched; see CachedModel).
// Every command resolves MODEL here. Cache names are looked up first; a path with a "/" never is.
import Foundation

public enum ModelSource: Equatable, Sendable {
    case gguf(path: String)
    case hfDirectory(path: String)

    public var path: String {
        switch self { case .gguf(let p), .hfDirectory(let p): return p }
    }

    /// Resolves `argument`; throws ModelSourceError saying what to do when it names nothing usable.
    public static func resolve(_ argument: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ModelSource {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if let cached = CachedModel.named(argument) {
            let p = cached.path(environment: environment)
            guard fm.fileExists(atPath: p) else {
                throw cached == .defaultModel ? ModelSourceError.defaultMissing(path: p)
                                              : ModelSourceError.cachedModelMissing(name: cached.name, path: p)
            }
            return .gguf(path: p)
        }
        guard fm.fileExists(atPath: argument, isDirectory: &isDir) else { throw ModelSourceError.notFound(argument: argument) }
        if isDir.boolValue {
            guard HFModelDirectory.looksLikeModelDirectory(argument) else { throw ModelSourceError.notAModel(path: argument) }
            return .hfDirectory(path: argument)
        }
        // A file: GGUF by its magic, whatever its name.
        if let h = FileHandle(forReadingAtPath: argument) {
            defer { try? h.close() }
            if let magic = try? h.read(upToCount: 4), Array(magic) == Array("GGUF".utf8) { return .gguf(path: argument) }
        }
        throw ModelSourceError.notAModel(path: argument)
    }
}

public enum ModelSourceError: Error, CustomStringConvertible, Equatable {
    case defaultMissing(path: String)
    /// A cache name other than `default` whose file is not there.
    case cachedModelMissing(name: String, path: String)
    case notFound(argument: String)
    case notAModel(path: String)

    static var names: String { CachedModel.all.map { "`\($0.name)`" }.joined(separator: ", ") }

    public var description: String {
        switch self {
        case .defaultMissing(let p): return "the default model \(p) is missing: \(DefaultModel.advice)"
        case let .cachedModelMissing(name, p):
            return "the model `\(name)` is not in the model cache (\(p) is missing): \(CachedModel.named(name)?.advice ?? DefaultModel.advice)"
        case .notFound(let a): return "\(a): no such file or directory; pass a .gguf file, an HF model directory, or a cached model (\(Self.names))"
        case .notAModel(let p): return "\(p): neither a GGUF file nor an HF model directory (with config.json); pass one of those, or a cached model (\(Self.names))"
        }
    }
}
