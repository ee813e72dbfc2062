// LRSchedule — learning rate per optimizer step: linear warmup from 0 over `warmup` steps, then
// cosine decay to `minRatio`·peak, linear decay to 0, or constant (transformers'
// get_cosine_schedule_with_warmup / get_linear_schedule_with_warmup / constant_with_warmup).
import Foundation

public struct LRSchedule: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case cosine, linear, constant }
    public var kind: Kind
    public var peak: Float
    public var warmup: Int
    public var total: Int
    public var minRatio: Float

    public init(kind: Kind = .cosine, peak: Float, warmup: Int = 0, total: Int, minRatio: Float = 0) {
        self.kind = kind; self.peak = peak; self.warmup = warmup; self.total = total; self.minRatio = minRatio
    }

    /// Learning rate for optimizer step `step` (0-based).
    public func lr(at step: Int) -> Float {
        if step < warmup { return peak * Float(step + 1) / Float(warmup) }
        let span = max(total - warmup, 1)
        let progress = min(Float(step - warmup) / Float(span), 1)
        switch kind {
        case .constant: return peak
        case .linear: return peak * (1 - progress)
        case .cosine: return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + cos(Float.pi * progress)))
        }
    }
}
