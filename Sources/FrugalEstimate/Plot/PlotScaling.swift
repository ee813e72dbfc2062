// PlotScaling — the two standard pictures built as PlotCharts:
//  • runs: final loss against training compute on log-log axes — the runs as points, the fitted
//    L = E + A·C^−α as a line, and, when the N, D law was fitted, its compute-optimal frontier
//    (L at N_opt, D_opt) dashed; a second runs file is drawn in red beside the first in blue.
//  • metrics: training and validation loss against optimizer step.
import Foundation

public enum PlotScaling {
    /// One runs file and its fit.
    public struct RunsInput: Sendable {
        public var label: String
        public var runs: [ScalingRun]
        public var fit: ScalingFit
        public init(label: String, runs: [ScalingRun], fit: ScalingFit) { self.label = label; self.runs = runs; self.fit = fit }
    }

    /// Loss against compute. Curves span the runs' compute range widened by half a decade each side
    /// (and out to any crossing of the two fits, so the crossing is visible).
    public static func runsChart(_ inputs: [RunsInput], title: String? = nil) -> PlotChart {
        let all = inputs.flatMap(\.runs).map(\.compute)
        var lo = log10(all.min() ?? 1) - 0.5, hi = log10(all.max() ?? 10) + 0.5
        if inputs.count == 2 {
            for c in ScalingComparison(first: inputs[0].fit.compute.law, second: inputs[1].fit.compute.law).crossings {
                let k = log10(c)
                if k > lo - 3, k < hi + 3 { lo = min(lo, k - 0.3); hi = max(hi, k + 0.3) }
            }
        }
        let grid = (0...120).map { pow(10, lo + (hi - lo) * Double($0) / 120) }
        let colors = [PlotChart.blue, PlotChart.red, PlotChart.green, PlotChart.gray]
        var series: [PlotSeries] = []
        for (i, input) in inputs.enumerated() {
            let color = colors[i % colors.count]
            let law = input.fit.compute.law
            series.append(PlotSeries(label: "\(input.label): runs (\(input.runs.count))", color: color, style: .points,
                                     x: input.runs.map(\.compute), y: input.runs.map(\.loss)))
            series.append(PlotSeries(label: "\(input.label): L = \(fmt(law.E)) + \(fmt(law.A))·C^−\(fmt(law.alpha))",
                                     color: color, style: .line, x: grid, y: grid.map { law.loss(compute: $0) }))
            if let pt = input.fit.paramsTokens {
                series.append(PlotSeries(label: "\(input.label): compute-optimal frontier of L(N, D)", color: color, style: .dashed,
                                         x: grid, y: grid.map { pt.law.frontierLoss(compute: $0) }))
            }
        }
        return PlotChart(title: title ?? (inputs.count == 2 ? "Scaling: \(inputs[0].label) vs \(inputs[1].label)" : "Scaling: loss against compute"),
                         xLabel: "training compute C (FLOPs, log scale)", yLabel: "final loss (nats/token, log scale)",
                         xScale: .log10, yScale: .log10, series: series)
    }

    /// Training and validation loss against step.
    public static func metricsChart(_ log: PlotMetricsLog, title: String) throws -> PlotChart {
        let train = log.records.filter { $0.trainLoss != nil }, valid = log.records.filter { $0.validLoss != nil }
        var series: [PlotSeries] = []
        if !train.isEmpty {
            series.append(PlotSeries(label: "training loss", color: PlotChart.blue, style: .line,
                                     x: train.map(\.step), y: train.map { $0.trainLoss! }))
        }
        if !valid.isEmpty {
            series.append(PlotSeries(label: "validation loss", color: PlotChart.red, style: .linePoints,
                                     x: valid.map(\.step), y: valid.map { $0.validLoss! }))
        }
        guard !series.isEmpty else { throw PlotError.noData(what: "no loss values") }
        return PlotChart(title: title, xLabel: "optimizer step", yLabel: "loss (nats/token)",
                         xScale: .linear, yScale: .linear, series: series)
    }

    /// Three significant digits ("1.69", "406", "3.1e+08").
    public static func fmt(_ v: Double) -> String { String(format: "%.3g", v) }
}
