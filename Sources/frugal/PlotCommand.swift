// frugal plot — pictures as SVG (pure text, always), plus a PNG beside it when rsvg-convert or
// ImageMagick's convert is on PATH (detected, never required).
//   frugal plot runs RUNS.jsonl [--compare OTHER.jsonl] --output FILE.svg
//   frugal plot metrics DIR --output FILE.svg      (DIR/metrics.jsonl from pretrain/finetune)
// Charts are built by FrugalEstimate's PlotScaling; this file reads, writes and reports.
import ArgumentParser
import Foundation
import FrugalEstimate

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw scaling runs or a training log as SVG (and PNG when a converter is installed).",
        subcommands: [Runs.self, Metrics.self])

    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Loss against compute (log-log): runs, fitted curve, compute-optimal frontier.")
        @Argument(help: "Runs file (JSON lines with compute and loss).") var runs: String
        @Option(help: "A second runs file, drawn in red.") var compare: String?
        @Option(help: "Output SVG file.") var output: String
        @Option(help: "Chart title.") var title: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let fitter = ScalingFitter(options: ScalingFitOptions(resamples: 0))
            var inputs: [PlotScaling.RunsInput] = []
            for file in [runs] + (compare.map { [$0] } ?? []) {
                let r = try ScalingRun.read(contentsOf: URL(fileURLWithPath: file))
                inputs.append(.init(label: URL(fileURLWithPath: file).lastPathComponent, runs: r, fit: try fitter.fit(r, file: file)))
            }
            let svg = try PlotScaling.runsChart(inputs, title: title).svg()
            try PlotOutput.write(svg: svg, to: output, json: json)
        }
    }

    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Training and validation loss against step, from DIR/metrics.jsonl.")
        @Argument(help: "Run folder holding metrics.jsonl (or the file itself).") var dir: String
        @Option(help: "Output SVG file.") var output: String
        @Option(help: "Chart title.") var title: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let url = URL(fileURLWithPath: dir)
            let log = try PlotMetricsLog.read(at: url)
            let chart = try PlotScaling.metricsChart(log, title: title ?? "Training curve: \(url.lastPathComponent)")
            try PlotOutput.write(svg: try chart.svg(), to: output, json: json)
        }
    }
}

/// Writes the SVG atomically and, when a converter is found, a PNG next to it.
enum PlotOutput {
    static func write(svg: String, to path: String, json: Bool) throws {
        let url = URL(fileURLWithPath: path)
        try Data(svg.utf8).write(to: url, options: .atomic)
        var png: String?
        var note: String?
        if let (tool, args) = converter(svg: url.path, png: tmpPNG(url).path) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            do {
                try p.run(); p.waitUntilExit()
                if p.terminationStatus == 0 {
                    let dest = url.deletingPathExtension().appendingPathExtension("png")
                    _ = try? FileManager.default.removeItem(at: dest)
                    try FileManager.default.moveItem(at: tmpPNG(url), to: dest)
                    png = dest.path
                } else {
                    note = "\(URL(fileURLWithPath: tool).lastPathComponent) exited with \(p.terminationStatus); no PNG written"
                }
            } catch { note = "could not run \(tool): \(error.localizedDescription)" }
            _ = try? FileManager.default.removeItem(at: tmpPNG(url))
        } else {
            note = "no PNG: install rsvg-convert (librsvg) or ImageMagick to get one"
        }
        if json {
            print(try ScalingJSON.string(["svg": url.path, "png": png ?? NSNull(), "note": note ?? NSNull()] as [String: Any]))
        } else {
            print("wrote \(url.path)")
            if let png { print("wrote \(png)") } else if let note { print(note) }
        }
    }

    static func tmpPNG(_ svg: URL) -> URL {
        svg.deletingLastPathComponent().appendingPathComponent(".\(svg.deletingPathExtension().lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).png")
    }

    /// rsvg-convert, else ImageMagick convert, found on PATH.
    static func converter(svg: String, png: String) -> (String, [String])? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        func find(_ name: String) -> String? {
            for dir in path.split(separator: ":") {
                let p = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: p) { return p }
            }
            return nil
        }
        if let t = find("rsvg-convert") { return (t, ["-o", png, svg]) }
        if let t = find("convert") { return (t, [svg, png]) }
        return nil
    }
}
