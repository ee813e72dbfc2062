// FitInterval — a fitted value with a percentile bootstrap interval (Efron 1979): the
// (1−level)/2 and (1+level)/2 quantiles of the value over resampled fits. With no resamples the
// interval collapses to the value.
import Foundation

public struct FitInterval: Sendable, Equatable, Codable {
    public var value: Double
    public var low: Double
    public var high: Double

    public init(value: Double, low: Double, high: Double) { self.value = value; self.low = low; self.high = high }

    /// Percentile interval of `samples` around `value` at confidence `level` (e.g. 0.95).
    public init(value: Double, samples: [Double], level: Double) {
        let s = samples.filter { $0.isFinite }.sorted()
        guard !s.isEmpty else { self.init(value: value, low: value, high: value); return }
        self.init(value: value, low: Self.quantile(s, (1 - level) / 2), high: Self.quantile(s, (1 + level) / 2))
    }

    /// Linear-interpolated quantile of sorted values (numpy's default, "linear").
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of no values")
        let pos = q * Double(sorted.count - 1)
        let i = Int(pos.rounded(.down)), frac = pos - Double(i)
        return i + 1 < sorted.count ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
}
