// CachedModel — the models Frugal's scripts fetch into its model cache ($FRUGAL_HOME/models, else
// ~/.cache/frugal/models; see DefaultModel.home), by the name a MODEL argument gives them:
//   default       SmolLM2-135M-Instruct, Q4_1 (Apache-2.0)       scripts/fetch-default-model
//   gemma3-270m   Gemma 3 270M pretrained, Q4_K_M (Gemma terms)   scripts/fetch-gemma3
// scripts/setup runs both fetches. ModelSource.resolve (the one resolver) looks names up here; a
// name never contains "/", so `./gemma3-270m` still names a file or directory.
import Foundation

public struct CachedModel: Sendable, Equatable {
    /// The MODEL argument that names it.
    public let name: String
    /// Its file in the cache's models/ folder.
    public let fileName: String
    /// The script that fetches and verifies it (relative to the repository root).
    public let fetchScript: String

    public static let defaultModel = CachedModel(name: "default", fileName: DefaultModel.fileName,
                                                 fetchScript: "scripts/fetch-default-model")
    public static let gemma3_270m = CachedModel(name: "gemma3-270m", fileName: "gemma3-270m.gguf",
                                                fetchScript: "scripts/fetch-gemma3")
    /// Every model a name resolves to, in the order listings show them.
    public static let all: [CachedModel] = [.defaultModel, .gemma3_270m]

    public static func named(_ name: String) -> CachedModel? { all.first { $0.name == name } }

    /// Full path of the cached file (which may not exist).
    public func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        ((DefaultModel.home(environment: environment) as NSString).appendingPathComponent("models") as NSString)
            .appendingPathComponent(fileName)
    }

    /// What to tell a user whose cached copy is missing.
    public var advice: String { "run scripts/setup (or \(fetchScript))" }
}
