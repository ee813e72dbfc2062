// ScalingPowerLaw — loss against training compute with an irreducible term:
// L(C) = E + A·C^−α (C in FLOPs). The shape of Kaplan's L(C) plus Chinchilla's E; what
// `frugal scaling fit` fits when runs carry only compute and loss.
import Foundation

public struct ScalingPowerLaw: Sendable, Equatable {
    public var E: Double
    public var A: Double
    public var alpha: Double

    public init(E: Double, A: Double, alpha: Double) { self.E = E; self.A = A; self.alpha = alpha }

    /// L(C) = E + A·C^−α.
    public func loss(compute c: Double) -> Double { E + reducibleLoss(compute: c) }

    /// L − E = A·C^−α.
    public func reducibleLoss(compute c: Double) -> Double { A * pow(c, -alpha) }
}
