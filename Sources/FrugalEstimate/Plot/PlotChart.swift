// PlotChart — a two-axis chart (points, solid and dashed lines) rendered to SVG text: title,
// axis labels, grid at labelled ticks, minor tick marks, and a legend in the upper right of the
// plot area. Values outside an axis (e.g. ≤ 0 on a log axis) are dropped, never drawn at NaN.
// Layout is fixed (820×540 px) so tests can recompute where a point must land via `layout()`.
import Foundation

public struct PlotSeries: Sendable {
    public enum Style: Sendable, Equatable { case points, line, dashed, linePoints }
    public var label: String
    public var color: String      // CSS colour, e.g. "#1f77b4"
    public var style: Style
    public var x: [Double]
    public var y: [Double]

    public init(label: String, color: String, style: Style, x: [Double], y: [Double]) {
        precondition(x.count == y.count, "series \(label): \(x.count) x values but \(y.count) y values")
        self.label = label; self.color = color; self.style = style; self.x = x; self.y = y
    }
}

public struct PlotChart: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: PlotAxis.Scale
    public var yScale: PlotAxis.Scale
    public var series: [PlotSeries]

    public static let width = 820.0, height = 540.0
    public static let left = 90.0, right = 30.0, top = 50.0, bottom = 70.0

    public static let blue = "#1f77b4", red = "#d62728", green = "#2ca02c", gray = "#555555"

    public init(title: String, xLabel: String, yLabel: String, xScale: PlotAxis.Scale, yScale: PlotAxis.Scale,
                series: [PlotSeries]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.xScale = xScale; self.yScale = yScale; self.series = series
    }

    /// The two axes in pixel space (x left→right, y bottom→top).
    public func layout() throws -> (x: PlotAxis, y: PlotAxis) {
        let xs = series.flatMap(\.x), ys = series.flatMap(\.y)
        let x = try PlotAxis(scale: xScale, values: xs, pixelLower: Self.left, pixelUpper: Self.width - Self.right)
        let y = try PlotAxis(scale: yScale, values: ys, pixelLower: Self.height - Self.bottom, pixelUpper: Self.top)
        return (x, y)
    }

    public func svg() throws -> String {
        let (ax, ay) = try layout()
        let x0 = Self.left, x1 = Self.width - Self.right, y0 = Self.height - Self.bottom, y1 = Self.top
        let n = SVGDocument.num
        var doc = SVGDocument(width: Self.width, height: Self.height)
        doc.element("rect", ["x": "0", "y": "0", "width": n(Self.width), "height": n(Self.height), "fill": "white"])
        doc.text(title, ["x": n(Self.width / 2), "y": "30", "text-anchor": "middle", "font-size": "18", "font-weight": "bold"])
        // Grid and ticks.
        doc.open("g", ["class": "grid", "stroke": "#dddddd", "stroke-width": "1"])
        for t in ax.ticks where t.label != nil { doc.element("line", ["x1": n(ax.map(t.value)), "y1": n(y0), "x2": n(ax.map(t.value)), "y2": n(y1)]) }
        for t in ay.ticks where t.label != nil { doc.element("line", ["x1": n(x0), "y1": n(ay.map(t.value)), "x2": n(x1), "y2": n(ay.map(t.value))]) }
        doc.close("g")
        doc.open("g", ["class": "ticks", "stroke": "black", "stroke-width": "1"])
        for t in ax.ticks {
            let len = t.label == nil ? 4.0 : 7.0, px = n(ax.map(t.value))
            doc.element("line", ["x1": px, "y1": n(y0), "x2": px, "y2": n(y0 + len)])
        }
        for t in ay.ticks {
            let len = t.label == nil ? 4.0 : 7.0, py = n(ay.map(t.value))
            doc.element("line", ["x1": n(x0 - len), "y1": py, "x2": n(x0), "y2": py])
        }
        doc.close("g")
        doc.open("g", ["class": "tick-labels", "font-size": "13", "fill": "black"])
        for t in ax.ticks { if let l = t.label { doc.rawText(markup: l, ["x": n(ax.map(t.value)), "y": n(y0 + 24), "text-anchor": "middle"]) } }
        for t in ay.ticks { if let l = t.label { doc.rawText(markup: l, ["x": n(x0 - 10), "y": n(ay.map(t.value) + 4.5), "text-anchor": "end"]) } }
        doc.close("g")
        doc.element("rect", ["x": n(x0), "y": n(y1), "width": n(x1 - x0), "height": n(y0 - y1), "fill": "none", "stroke": "black", "stroke-width": "1.2"])
        doc.text(xLabel, ["x": n((x0 + x1) / 2), "y": n(Self.height - 18), "text-anchor": "middle", "font-size": "15"])
        doc.text(yLabel, ["x": "22", "y": n((y0 + y1) / 2), "text-anchor": "middle", "font-size": "15",
                          "transform": "rotate(-90 22 \(n((y0 + y1) / 2)))"])
        // Data, clipped to the plot area.
        doc.open("clipPath", ["id": "plot-area"])
        doc.element("rect", ["x": n(x0), "y": n(y1), "width": n(x1 - x0), "height": n(y0 - y1)])
        doc.close("clipPath")
        doc.open("g", ["class": "data", "clip-path": "url(#plot-area)"])
        for s in series {
            let pts = zip(s.x, s.y).filter { ax.contains($0.0) && ay.contains($0.1) }
            switch s.style {
            case .points:
                doc.open("g", ["class": "points", "fill": s.color, "fill-opacity": "0.85", "stroke": "white", "stroke-width": "0.8"])
                for (x, y) in pts { doc.element("circle", ["cx": n(ax.map(x)), "cy": n(ay.map(y)), "r": "4.5"]) }
                doc.close("g")
            case .line, .dashed, .linePoints:
                if s.style == .linePoints {
                    doc.open("g", ["class": "points", "fill": s.color, "stroke": "white", "stroke-width": "0.8"])
                    for (x, y) in pts { doc.element("circle", ["cx": n(ax.map(x)), "cy": n(ay.map(y)), "r": "3.5"]) }
                    doc.close("g")
                }
                guard pts.count >= 2 else { continue }
                let d = pts.map { "\(n(ax.map($0.0))),\(n(ay.map($0.1)))" }.joined(separator: " ")
                if s.style == .dashed {
                    doc.element("polyline", ["class": "dashed", "points": d, "fill": "none", "stroke": s.color, "stroke-width": "2", "stroke-dasharray": "7 5"])
                } else {
                    doc.element("polyline", ["class": "line", "points": d, "fill": "none", "stroke": s.color, "stroke-width": "2"])
                }
            }
        }
        doc.close("g")
        legend(&doc, x1: x1, y1: y1)
        return doc.xml
    }

    private func legend(_ doc: inout SVGDocument, x1: Double, y1: Double) {
        guard !series.isEmpty else { return }
        let n = SVGDocument.num
        let rowH = 20.0
        let widest = series.map { Double($0.label.count) }.max() ?? 10
        let w = min(520, 44 + widest * 7.0), h = 10 + rowH * Double(series.count)
        let lx = x1 - w - 10, ly = y1 + 10
        doc.open("g", ["class": "legend", "font-size": "12.5"])
        doc.element("rect", ["x": n(lx), "y": n(ly), "width": n(w), "height": n(h), "fill": "white", "fill-opacity": "0.9", "stroke": "#999999"])
        for (i, s) in series.enumerated() {
            let cy = ly + 5 + rowH * (Double(i) + 0.5)
            switch s.style {
            case .points:
                doc.element("circle", ["cx": n(lx + 18), "cy": n(cy), "r": "4.5", "fill": s.color])
            case .line, .linePoints:
                doc.element("line", ["x1": n(lx + 6), "y1": n(cy), "x2": n(lx + 30), "y2": n(cy), "stroke": s.color, "stroke-width": "2"])
                if s.style == .linePoints { doc.element("circle", ["cx": n(lx + 18), "cy": n(cy), "r": "3.5", "fill": s.color]) }
            case .dashed:
                doc.element("line", ["x1": n(lx + 6), "y1": n(cy), "x2": n(lx + 30), "y2": n(cy), "stroke": s.color, "stroke-width": "2", "stroke-dasharray": "7 5"])
            }
            doc.text(s.label, ["x": n(lx + 38), "y": n(cy + 4.5)])
        }
        doc.close("g")
    }
}
