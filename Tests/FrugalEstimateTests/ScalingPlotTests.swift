// SVG output: well-formed XML (parsed with XMLParser), data points where the axis mapping puts
// them, decades labelled 10^k, text escaped, and the metrics log reader.
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import FrugalEstimate

/// Collects circles inside the data group and all text, checking well-formedness on the way.
private final class SVGCollector: NSObject, XMLParserDelegate {
    var dataCircles: [(Double, Double)] = []
    var polylines = 0
    var texts: [String] = []
    var root: String?
    private var classes: [String] = []
    private var currentText = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if root == nil { root = name }
        classes.append(attributes["class"] ?? "")
        if name == "circle", classes.contains("data"), let x = attributes["cx"].flatMap(Double.init), let y = attributes["cy"].flatMap(Double.init) {
            dataCircles.append((x, y))
        }
        if name == "polyline", classes.contains("data") { polylines += 1 }
        if name == "text" { currentText = "" }
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        classes.removeLast()
        if name == "text" { texts.append(currentText) }
    }

    static func parse(_ svg: String) -> SVGCollector? {
        let c = SVGCollector()
        let p = XMLParser(data: Data(svg.utf8))
        p.delegate = c
        return p.parse() ? c : nil
    }
}

final class ScalingPlotTests: XCTestCase {
    func testLogAxisMapsDecadesLinearlyAndLabelsThem() throws {
        let ax = try PlotAxis(scale: .log10, values: [1e15, 1e21], pixelLower: 100, pixelUpper: 700)
        let d = ax.map(1e21) - ax.map(1e20)
        XCTAssertEqual(ax.map(1e16) - ax.map(1e15), d, accuracy: 1e-9)   // equal spacing per decade
        XCTAssertEqual(ax.map(ax.lower), 100, accuracy: 1e-9); XCTAssertEqual(ax.map(ax.upper), 700, accuracy: 1e-9)
        let labels = ax.ticks.compactMap(\.plain)
        XCTAssertEqual(labels, (15...21).map { "10^\($0)" })
        XCTAssertTrue(ax.ticks.contains { $0.label == "10<tspan dy=\"-0.5em\" font-size=\"75%\">18</tspan>" })
        XCTAssertTrue(ax.ticks.contains { $0.value == 3e17 && $0.label == nil })   // minor tick
    }

    func testNarrowLogAxisLabelsMantissas() throws {
        let ay = try PlotAxis(scale: .log10, values: [2.3, 6.8], pixelLower: 470, pixelUpper: 50)
        let labels = ay.ticks.compactMap(\.plain)
        // Domain 2.3…6.8 padded by 4% of its log span: 2.20…7.10, so every integer 3…7 is labelled.
        XCTAssertEqual(ay.lower, pow(10, log10(2.3) - 0.04 * log10(6.8 / 2.3)), accuracy: 1e-12)
        XCTAssertEqual(labels, ["3", "4", "5", "6", "7"])
        XCTAssertGreaterThan(ay.map(3), ay.map(6))   // y grows upward
    }

    func testLinearAxisNiceTicks() throws {
        let ax = try PlotAxis(scale: .linear, values: [0, 487], pixelLower: 0, pixelUpper: 1)
        XCTAssertEqual(ax.lower, 0); XCTAssertEqual(ax.upper, 500)
        XCTAssertEqual(ax.ticks.compactMap(\.plain), ["0", "100", "200", "300", "400", "500"])
        XCTAssertThrowsError(try PlotAxis(scale: .log10, values: [0, -1], pixelLower: 0, pixelUpper: 1))
    }

    func testChartIsWellFormedAndPointsLandOnTheMapping() throws {
        let xs = [1e16, 1e17, 1e18, 1e19], ys = [5.0, 4.0, 3.2, 2.8]
        let chart = PlotChart(title: "loss <&> compute", xLabel: "compute (FLOPs)", yLabel: "loss", xScale: .log10, yScale: .log10,
                              series: [PlotSeries(label: "runs \"a\"", color: PlotChart.blue, style: .points, x: xs + [-1], y: ys + [3]),
                                       PlotSeries(label: "fit", color: PlotChart.blue, style: .line, x: xs, y: ys)])
        let svg = try chart.svg()
        let parsed = try XCTUnwrap(SVGCollector.parse(svg), "SVG is not well-formed XML")
        XCTAssertEqual(parsed.root, "svg")
        XCTAssertEqual(parsed.polylines, 1)
        let (ax, ay) = try chart.layout()
        XCTAssertEqual(parsed.dataCircles.count, 4)   // the non-positive x is dropped on a log axis
        for (i, (cx, cy)) in parsed.dataCircles.enumerated() {
            XCTAssertEqual(cx, ax.map(xs[i]), accuracy: 0.006)
            XCTAssertEqual(cy, ay.map(ys[i]), accuracy: 0.006)
            // and by hand: fraction of the log span
            let fx = (log10(xs[i]) - log10(ax.lower)) / (log10(ax.upper) - log10(ax.lower))
            XCTAssertEqual(cx, PlotChart.left + fx * (PlotChart.width - PlotChart.right - PlotChart.left), accuracy: 0.006)
        }
        XCTAssertTrue(parsed.texts.contains("loss <&> compute"))   // escaped in the file, intact after parsing
        XCTAssertTrue(svg.contains("loss &lt;&amp;&gt; compute"))
        XCTAssertTrue(parsed.texts.contains("runs \"a\""))
        XCTAssertTrue(parsed.texts.contains("1017"))   // "10" + superscript "17"
    }

    func testRunsChartHasPointsFitAndFrontier() throws {
        let runs = ScalingFitTests.gridRuns()
        let fit = try ScalingFitter(options: ScalingFitOptions(resamples: 0)).fit(runs, file: "grid")
        let chart = PlotScaling.runsChart([.init(label: "grid", runs: runs, fit: fit)])
        XCTAssertEqual(chart.series.map(\.style), [.points, .line, .dashed])
        XCTAssertEqual(chart.xScale, .log10); XCTAssertEqual(chart.yScale, .log10)
        let parsed = try XCTUnwrap(SVGCollector.parse(try chart.svg()))
        XCTAssertEqual(parsed.dataCircles.count, runs.count)
        XCTAssertEqual(parsed.polylines, 2)
        XCTAssertTrue(parsed.texts.contains("training compute C (FLOPs, log scale)"))
        // The frontier never lies above the fitted law's value at any run's own (N, D).
        for r in runs { XCTAssertLessThanOrEqual(fit.paramsTokens!.law.frontierLoss(compute: r.compute),
                                                 fit.paramsTokens!.law.loss(params: r.params!, tokens: r.tokens!) + 1e-12) }
    }

    func testMetricsLogAndChart() throws {
        let text = """
        {"step": 0, "tokens": 0, "train_loss": 9.1, "valid_loss": 9.2, "lr": 0.0003}
        {"step": 10, "tokens": 40960, "train_loss": 6.0}

        {"step": 20, "tokens": 81920, "train_loss": 4.5, "valid_loss": 4.9}
        """
        let log = try PlotMetricsLog.parse(text, file: "m.jsonl")
        XCTAssertEqual(log.records.count, 3)
        XCTAssertEqual(log.records[1], .init(step: 10, tokens: 40960, trainLoss: 6.0, validLoss: nil))
        let chart = try PlotScaling.metricsChart(log, title: "run")
        XCTAssertEqual(chart.series.map(\.label), ["training loss", "validation loss"])
        XCTAssertEqual(chart.series[1].x, [0, 20])
        let parsed = try XCTUnwrap(SVGCollector.parse(try chart.svg()))
        XCTAssertEqual(parsed.dataCircles.count, 2)
        XCTAssertThrowsError(try PlotMetricsLog.parse("{\"step\": 1, \"train_loss\": 2}\n{\"train_loss\": 2}", file: "m.jsonl")) { e in
            XCTAssertEqual(e as? PlotError, .malformedLine(file: "m.jsonl", line: 2, reason: "missing \"step\""))
        }
        XCTAssertThrowsError(try PlotMetricsLog.parse("{\"step\": 1}", file: "m.jsonl")) { e in
            XCTAssertEqual(e as? PlotError, .noData(what: "m.jsonl has no train_loss or valid_loss values"))
        }
        XCTAssertThrowsError(try PlotMetricsLog.parse("nope", file: "m.jsonl")) { e in
            XCTAssertEqual(e as? PlotError, .malformedLine(file: "m.jsonl", line: 1, reason: "not a JSON object"))
        }
    }

    /// `frugal plot metrics` on a finetune folder: its metrics.jsonl lines (TrainMetrics, sorted
    /// snake_case keys; runs written before snake_case had camelCase ones) give the training loss,
    /// the validation loss where evaluated, and the cumulative tokens.
    func testMetricsLogReadsFinetuneKeys() throws {
        let text = """
        {"grad_norm":1.5,"loss":2.75,"lr":0.0002,"peak_memory_bytes":1000,"step":1,"supervised_tokens":10,"tokens":48,"tokens_per_second":90,"total_tokens":48}
        {"eval_loss":2.5,"grad_norm":1.25,"loss":2.25,"lr":0.0002,"peak_memory_bytes":1000,"step":2,"supervised_tokens":12,"tokens":48,"tokens_per_second":95,"total_tokens":96}
        """
        let old = """
        {"gradNorm":1.5,"loss":2.75,"lr":0.0002,"peakMemoryBytes":1000,"step":1,"supervisedTokens":10,"tokens":48,"tokensPerSecond":90,"totalTokens":48}
        {"evalLoss":2.5,"gradNorm":1.25,"loss":2.25,"lr":0.0002,"peakMemoryBytes":1000,"step":2,"supervisedTokens":12,"tokens":48,"tokensPerSecond":95,"totalTokens":96}
        """
        let log = try PlotMetricsLog.parse(text, file: "metrics.jsonl")
        XCTAssertEqual(log.records, [.init(step: 1, tokens: 48, trainLoss: 2.75, validLoss: nil),
                                     .init(step: 2, tokens: 96, trainLoss: 2.25, validLoss: 2.5)])
        XCTAssertEqual(try PlotMetricsLog.parse(old, file: "metrics.jsonl").records, log.records)
        let chart = try PlotScaling.metricsChart(log, title: "finetune")
        XCTAssertEqual(chart.series.map(\.label), ["training loss", "validation loss"])
    }

    func testMetricsReadsFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("frugal-metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("{\"step\": 1, \"train_loss\": 2.5}\n".utf8).write(to: dir.appendingPathComponent("metrics.jsonl"))
        XCTAssertEqual(try PlotMetricsLog.read(at: dir).records.count, 1)
        XCTAssertThrowsError(try PlotMetricsLog.read(at: dir.appendingPathComponent("missing")))
    }
}
