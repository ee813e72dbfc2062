// ScalingOptimum — for one budget (a compute budget, a model size or a token count), the
// allocation under each law side by side: Chinchilla's parametric closed form, the ~20 tokens
// per parameter rule, and Kaplan's N_opt(C); each with its predicted loss under both laws.
// Chinchilla and Kaplan losses are on different data and tokenizers: compare within a column.
import Foundation

public struct ScalingOptimum: Sendable, Equatable {
    public enum Budget: Sendable, Equatable {
        case compute(Double)   // FLOPs
        case params(Double)    // N
        case tokens(Double)    // D

        public var name: String {
            switch self { case .compute: return "compute"; case .params: return "params"; case .tokens: return "tokens" }
        }
        public var value: Double {
            switch self { case let .compute(v), let .params(v), let .tokens(v): return v }
        }
    }

    /// One row: a split and what each law predicts for it.
    public struct Row: Sendable, Equatable {
        public var allocation: ScalingAllocation
        public var chinchillaLoss: Double          // Chinchilla L(N, D)
        public var chinchillaReducibleLoss: Double // L − E
        public var kaplanLoss: Double              // Kaplan L(N, D) (N read as non-embedding)
    }

    public var budget: Budget
    public var chinchilla: Row
    public var ruleOfThumb: Row
    public var kaplan: Row
    /// Kaplan's L(C_min) for the row's compute (its own frontier), Chinchilla row's compute.
    public var kaplanComputeLoss: Double

    public init(budget: Budget, chinchillaLaw: ChinchillaLaw = .hoffmann2022,
                rule: ScalingTokenRule = .chinchilla, kaplanLaw: KaplanLaw = .kaplan2020) throws {
        let v = budget.value
        guard v.isFinite, v > 0 else { throw ScalingError.nonPositiveBudget(name: budget.name, value: v) }
        func row(_ a: ScalingAllocation) -> Row {
            Row(allocation: a,
                chinchillaLoss: chinchillaLaw.loss(params: a.params, tokens: a.tokens),
                chinchillaReducibleLoss: chinchillaLaw.reducibleLoss(params: a.params, tokens: a.tokens),
                kaplanLoss: kaplanLaw.loss(params: a.params, tokens: a.tokens))
        }
        self.budget = budget
        switch budget {
        case let .compute(c):
            chinchilla = row(chinchillaLaw.optimal(compute: c))
            ruleOfThumb = row(rule.optimal(compute: c))
            kaplan = row(kaplanLaw.optimal(compute: c))
        case let .params(n):
            chinchilla = row(chinchillaLaw.optimal(params: n))
            ruleOfThumb = row(rule.optimal(params: n))
            kaplan = row(kaplanLaw.optimal(params: n))
        case let .tokens(d):
            chinchilla = row(chinchillaLaw.optimal(tokens: d))
            ruleOfThumb = row(rule.optimal(tokens: d))
            kaplan = row(kaplanLaw.optimal(tokens: d))
        }
        kaplanComputeLoss = kaplanLaw.loss(compute: chinchilla.allocation.compute)
    }
}
