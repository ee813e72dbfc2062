// frugal — the command-line tool. One file per subcommand (Command+Name.swift); this file only
// lists them. The library reports (values, typed errors, progress callbacks); only this target prints.
import ArgumentParser
import FrugalCore

@main
struct Frugal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frugal",
        abstract: "Deep learning for the GPU-poor: understand, shrink, fine-tune and run language models on a CPU.",
        version: "0.1.0",
        subcommands: [
            // Subcommands, one per line (keep sorted; merges stay trivial).
            ChatCommand.self,
            EstimateCommand.self,
            EvaluateCommand.self,
            ExportCommand.self,
            FinetuneCommand.self,
            FormatsCommand.self,
            GenerateCommand.self,
            InfoCommand.self,
            MergeCommand.self,
            PerplexityCommand.self,
            PlotCommand.self,
            PretrainCommand.self,
            QuantizeCommand.self,
            ScalingCommand.self,
            ServeCommand.self,
            TokenizeCommand.self,
        ]
    )

    /// Makes OpenBLAS use this CPU's kernels (see BLASCore), then runs the command. Errors in the
    /// arguments (parsing and `validate()`) print with the usage; errors of a running command print
    /// their message alone, a ValidationError included (ArgumentParser would append the usage to it).
    /// Every message starts "error: " (`_errorPrefix`; ArgumentParser's default is "Error: "), and
    /// a running command's message goes through Terminal.error: untrusted text escaped, at most
    /// about 4 KB, one write.
    static func main() {
        BLASCore.reexecWithBestKernelsIfNeeded()
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do { try command.run() } catch {
            if error is ExitCode || error is CleanExit { exit(withError: error) }
            // One short, escaped message, written at once (Terminal.error), whatever the error.
            Terminal.error((error as? ValidationError)?.message ?? Terminal.describe(error))
            exit(withError: ExitCode.failure)
        }
    }

    static var _errorPrefix: String { "error: " }
}
