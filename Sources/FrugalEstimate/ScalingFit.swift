// ScalingFit — what `ScalingFitter` returns: the compute law L = E + A·C^−α always, and the
// Chinchilla form L = E + A/N^α + B/D^β when every run has params and tokens and they vary
// independently. Each parameter carries a bootstrap interval; the resampled laws are kept so
// predictions (e.g. at `--at C`) get intervals too.
import Foundation

public struct ScalingFitOptions: Sendable, Equatable {
    /// Bootstrap resamples (0 = no intervals).
    public var resamples: Int
    public var seed: UInt64
    /// Confidence of the percentile intervals.
    public var level: Double
    /// Huber δ on log-residuals (Hoffmann et al. 2022 used 1e-3).
    public var huberDelta: Double

    public init(resamples: Int = 200, seed: UInt64 = 20_220_329, level: Double = 0.95, huberDelta: Double = 1e-3) {
        self.resamples = resamples; self.seed = seed; self.level = level; self.huberDelta = huberDelta
    }
}

/// L = E + A·C^−α with intervals.
public struct ScalingComputeFit: Sendable {
    public var law: ScalingPowerLaw
    public var E: FitInterval
    public var A: FitInterval
    public var alpha: FitInterval
    /// Laws fitted to the bootstrap resamples.
    public var samples: [ScalingPowerLaw]
    /// Σ Huber(log-residual) at the fit.
    public var objective: Double
    public var runCount: Int

    /// Predicted loss at `compute` with a bootstrap interval.
    public func predict(compute c: Double, level: Double = 0.95) -> FitInterval {
        FitInterval(value: law.loss(compute: c), samples: samples.map { $0.loss(compute: c) }, level: level)
    }
}

/// L = E + A/N^α + B/D^β with intervals.
public struct ScalingParamsTokensFit: Sendable {
    public var law: ChinchillaLaw
    public var E: FitInterval
    public var A: FitInterval
    public var B: FitInterval
    public var alpha: FitInterval
    public var beta: FitInterval
    public var samples: [ChinchillaLaw]
    public var objective: Double
    public var runCount: Int
}

public struct ScalingFit: Sendable {
    public var compute: ScalingComputeFit
    public var paramsTokens: ScalingParamsTokensFit?
    /// Why the N, D form was not fitted, when it was not.
    public var paramsTokensSkipped: String?
    public var level: Double
}
