// PlotAxis — maps data values to pixels on a linear or base-10 log scale and chooses ticks.
// Log axes: the domain is the data range padded by 4% of its log span; decades are labelled
// 10^k (superscript), and when fewer than three decades fall inside, 2× and 5× (or every
// mantissa) ticks are labelled too so a narrow loss range still reads. Linear axes: "nice"
// steps of 1, 2 or 5 × 10^k with the domain rounded out to them.
import Foundation

public struct PlotAxis: Sendable, Equatable {
    public enum Scale: Sendable, Equatable { case linear, log10 }

    public struct Tick: Sendable, Equatable {
        public var value: Double
        /// Label as SVG inner markup (already escaped); nil for an unlabelled minor tick.
        public var label: String?
        /// The label as plain text, for tests and tooltips ("10^3", "2", "0.5").
        public var plain: String?
    }

    public var scale: Scale
    public var lower: Double
    public var upper: Double
    /// Pixel positions of `lower` and `upper` (upper may be smaller, as for a y axis).
    public var pixelLower: Double
    public var pixelUpper: Double
    public var ticks: [Tick]

    /// An axis spanning `values` (non-finite values, and non-positive ones on a log axis, ignored).
    public init(scale: Scale, values: [Double], pixelLower: Double, pixelUpper: Double) throws {
        let v = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard var lo = v.min(), var hi = v.max() else { throw PlotError.noData(what: "no finite values for an axis") }
        self.scale = scale; self.pixelLower = pixelLower; self.pixelUpper = pixelUpper
        switch scale {
        case .log10:
            var a = Foundation.log10(lo), b = Foundation.log10(hi)
            if b - a < 0.2 { let m = 0.5 * (a + b); a = m - 0.1; b = m + 0.1 }
            let pad = 0.04 * (b - a)
            lo = pow(10, a - pad); hi = pow(10, b + pad)
            self.lower = lo; self.upper = hi
            self.ticks = Self.logTicks(lo, hi)
        case .linear:
            if hi - lo < 1e-12 * max(1, abs(hi)) { lo -= max(0.5, abs(lo) * 0.1); hi += max(0.5, abs(hi) * 0.1) }
            let step = Self.niceStep((hi - lo) / 6)
            lo = (lo / step).rounded(.down) * step; hi = (hi / step).rounded(.up) * step
            self.lower = lo; self.upper = hi
            var t: [Tick] = []
            var k = 0
            while true {
                let x = lo + Double(k) * step
                if x > hi + step * 1e-9 { break }
                let s = Self.decimal(x, step: step)
                t.append(Tick(value: x, label: SVGDocument.escape(s), plain: s))
                k += 1
            }
            self.ticks = t
        }
    }

    /// Pixel position of a data value.
    public func map(_ v: Double) -> Double {
        let f: Double
        switch scale {
        case .linear: f = (v - lower) / (upper - lower)
        case .log10: f = (Foundation.log10(v) - Foundation.log10(lower)) / (Foundation.log10(upper) - Foundation.log10(lower))
        }
        return pixelLower + f * (pixelUpper - pixelLower)
    }

    public func contains(_ v: Double) -> Bool {
        v.isFinite && v >= lower * (1 - 1e-12) && v <= upper * (1 + 1e-12) && (scale == .linear || v > 0)
    }

    /// 1, 2 or 5 × 10^k at or above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        let p = pow(10, Foundation.log10(raw).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * p >= raw * (1 - 1e-9) { return m * p }
        return 10 * p
    }

    static func decimal(_ x: Double, step: Double) -> String {
        let digits = max(0, -Int(Foundation.log10(step).rounded(.down)))
        let s = String(format: "%.\(digits)f", abs(x) < step * 1e-9 ? 0 : x)
        return s
    }

    static func logTicks(_ lo: Double, _ hi: Double) -> [Tick] {
        let kLo = Int(Foundation.log10(lo).rounded(.down)), kHi = Int(Foundation.log10(hi).rounded(.up))
        let decadesInside = (kLo...kHi).filter { pow(10, Double($0)) >= lo && pow(10, Double($0)) <= hi }.count
        let labelled: Set<Int> = decadesInside >= 3 ? [1] : (decadesInside >= 1 && Foundation.log10(hi / lo) > 1.5 ? [1, 2, 5] : Set(1...9))
        let stride = max(1, Int((Double(decadesInside) / 8).rounded(.up)))  // at most ~8 decade labels
        var ticks: [Tick] = []
        for k in kLo...kHi {
            for m in 1...9 {
                let v = Double(m) * pow(10, Double(k))
                guard v >= lo, v <= hi else { continue }
                if m == 1 {
                    let show = k % stride == 0
                    ticks.append(Tick(value: v, label: show ? "10<tspan dy=\"-0.5em\" font-size=\"75%\">\(k)</tspan>" : nil,
                                      plain: show ? "10^\(k)" : nil))
                } else if labelled.contains(m) {
                    let s = mantissaLabel(m, k)
                    ticks.append(Tick(value: v, label: SVGDocument.escape(s), plain: s))
                } else {
                    ticks.append(Tick(value: v, label: nil, plain: nil))
                }
            }
        }
        return ticks
    }

    /// m·10^k as plain text: decimals for 10^-3…10^4, otherwise "m×10^k" spelled out.
    static func mantissaLabel(_ m: Int, _ k: Int) -> String {
        if (-3...4).contains(k) {
            let v = Double(m) * pow(10, Double(k))
            return k >= 0 ? String(Int(v.rounded())) : String(format: "%.\(-k)f", v)
        }
        return "\(m)e\(k)"
    }
}
