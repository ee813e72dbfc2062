// DefaultModel — where scripts/fetch-default-model puts the default model, SmolLM2-135M-Instruct
// (Q4_1 GGUF): $FRUGAL_HOME/models/, else ~/.cache/frugal/models/. Commands accept `default` as
// MODEL and resolve it here.
import Foundation

public enum DefaultModel {
    public static let fileName = "SmolLM2-135M-Instruct.Q4_1.gguf"
    /// What to tell a user whose default model is missing.
    public static let advice = "run scripts/setup (or scripts/fetch-default-model)"

    /// The Frugal cache directory: $FRUGAL_HOME, else ~/.cache/frugal.
    public static func home(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let h = environment["FRUGAL_HOME"], !h.isEmpty { return h }
        let user = environment["HOME"] ?? NSHomeDirectory()
        return (user as NSString).appendingPathComponent(".cache/frugal")
    }

    /// Full path of the default model file (which may not exist).
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        ((home(environment: environment) as NSString).appendingPathComponent("models") as NSString)
            .appendingPathComponent(fileName)
    }
}
