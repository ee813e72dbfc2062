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
            TokenizeCommand.self,
        ]
    )

    /// Makes OpenBLAS use this CPU's kernels (see BLASCore), then runs the command.
    static func main() {
        BLASCore.reexecWithBestKernelsIfNeeded()
        main(nil)
    }
}
