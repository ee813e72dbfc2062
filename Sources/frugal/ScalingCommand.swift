// frugal scaling — scaling laws on a CPU: `optimal` splits a budget into parameters and tokens
// under Chinchilla (parametric closed form), the ~20 tokens/parameter rule and Kaplan; `fit`
// fits L = E + A·C^−α (and L(N, D)) to finished runs with bootstrap intervals and compares two
// sets of runs (the lecture's blue-versus-red analysis) with --compare, or as `compare A B`. Numbers come from FrugalEstimate;
// this file only parses and prints. See docs/scaling.md.
import ArgumentParser
import Foundation
import FrugalEstimate

struct ScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "Scaling laws: compute-optimal allocation, and fitting laws to your own runs.",
        subcommands: [Optimal.self, Fit.self, Compare.self, Sweep.self])

    struct Optimal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split a budget (compute, model size or token count) into parameters and tokens under each law.")

        @Option(help: "Training compute in FLOPs, e.g. 5.76e23.") var compute: Double?
        @Option(help: "Model size N in parameters, e.g. 7e9.") var params: Double?
        @Option(help: "Training tokens D, e.g. 1.4e12.") var tokens: Double?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            let given = [compute, params, tokens].compactMap { $0 }.count
            guard given == 1 else { throw ValidationError("give exactly one of --compute, --params, --tokens (got \(given)).") }
        }

        func run() throws {
            let budget: ScalingOptimum.Budget = compute.map { .compute($0) } ?? params.map { .params($0) } ?? .tokens(tokens!)
            let o = try ScalingOptimum(budget: budget)
            let law = ChinchillaLaw.hoffmann2022
            if json {
                func row(_ r: ScalingOptimum.Row) -> [String: Any] {
                    ["params": r.allocation.params, "tokens": r.allocation.tokens, "compute": r.allocation.compute,
                     "tokens_per_param": r.allocation.tokensPerParameter, "loss": r.chinchillaLoss,
                     "reducible_loss": r.chinchillaReducibleLoss, "kaplan_loss": r.kaplanLoss]
                }
                let out: [String: Any] = [
                    "budget": ["kind": budget.name, "value": budget.value],
                    "chinchilla": row(o.chinchilla), "rule_of_20": row(o.ruleOfThumb), "kaplan": row(o.kaplan),
                    "kaplan_compute_loss": o.kaplanComputeLoss,
                    "constants": ["chinchilla": ["E": law.E, "A": law.A, "B": law.B, "alpha": law.alpha, "beta": law.beta,
                                                 "G": law.G, "a": law.paramsExponent, "b": law.tokensExponent],
                                  "kaplan": ["alpha_N": 0.076, "N_c": 8.8e13, "alpha_D": 0.095, "D_c": 5.4e13,
                                             "alpha_C": 0.050, "C_c_pf_days": 3.1e8],
                                  "tokens_per_param_rule": 20],
                ]
                print(try ScalingJSON.string(out))
                return
            }
            print("Budget: \(budget.name) = \(ScalingJSON.sci(budget.value))\(budget.name == "compute" ? " FLOPs" : "")   (C = 6·N·D)")
            print("")
            let header = ["allocation", "params N", "tokens D", "compute C", "D/N", "Chinchilla L", "L − E", "Kaplan L"]
            var rows: [[String]] = []
            for (name, r) in [("chinchilla (approach 3)", o.chinchilla), ("rule of 20 tokens/param", o.ruleOfThumb), ("kaplan (N ∝ C^0.73)", o.kaplan)] {
                rows.append([name, ScalingJSON.sci(r.allocation.params), ScalingJSON.sci(r.allocation.tokens),
                             ScalingJSON.sci(r.allocation.compute), String(format: "%.1f", r.allocation.tokensPerParameter),
                             String(format: "%.4f", r.chinchillaLoss), String(format: "%.4f", r.chinchillaReducibleLoss),
                             String(format: "%.4f", r.kaplanLoss)])
            }
            print(ScalingJSON.table(header, rows))
            print("")
            print("Chinchilla: L = \(law.E) + \(law.A)/N^\(law.alpha) + \(law.B)/D^\(law.beta); N_opt = \(String(format: "%.3f", law.G))·(C/6)^\(String(format: "%.3f", law.paramsExponent)) (Hoffmann et al. 2022).")
            print("Kaplan: L(N, D) = [(8.8e13/N)^(0.076/0.095) + 5.4e13/D]^0.095; L(C) = (3.1e8 PF-days/C)^0.050 = \(String(format: "%.4f", o.kaplanComputeLoss)) at the Chinchilla row's compute (Kaplan et al. 2020).")
            print("Losses are nats/token; Chinchilla (MassiveText) and Kaplan (WebText2) losses are on different data — compare within a column.")
        }
    }

    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit L = E + A·C^−α (and L = E + A/N^α + B/D^β) to runs in a JSON-lines file.",
            discussion: """
            Each line: {"compute": FLOPs, "loss": final loss, "params": N, "tokens": D} (params and tokens optional;
            compute may be omitted when both are given). Robust least squares in log space (Huber δ = 1e-3) from a grid
            of starts; percentile bootstrap intervals.
            """)

        @Argument(help: "Runs file (JSON lines).") var runs: String
        @Option(help: "A second runs file to compare against (whose curve is steeper, where they cross).") var compare: String?
        @OptionGroup var options: FitOptions

        func run() throws { try options.report(runs: runs, compare: compare) }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit both runs files and compare the curves (the same as `fit A --compare B`).")

        @Argument(help: "First runs file (JSON lines), drawn blue.") var first: String
        @Argument(help: "Second runs file (JSON lines), drawn red.") var second: String
        @OptionGroup var options: FitOptions

        func run() throws { try options.report(runs: first, compare: second) }
    }

    /// What `fit` and `compare` share: the prediction point, the bootstrap, the output format.
    struct FitOptions: ParsableArguments {
        @Option(help: "Predict the loss at this compute (FLOPs), e.g. 1e21.") var at: Double?
        @Option(help: "Bootstrap resamples (0 disables intervals).") var resamples = 200
        @Option(help: "Seed of the bootstrap resampling.") var seed: UInt64 = 20_220_329
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard resamples >= 0 else { throw ValidationError("--resamples must be 0 or more.") }
            if let c = at, !(c.isFinite && c > 0) { throw ValidationError("--at must be a positive compute in FLOPs, such as 1e21.") }
        }

        func report(runs: String, compare: String?) throws {
            let fitter = ScalingFitter(options: ScalingFitOptions(resamples: resamples, seed: seed))
            let first = try ScalingRun.read(contentsOf: URL(fileURLWithPath: runs))
            let fit1 = try fitter.fit(first, file: runs)
            var second: (runs: [ScalingRun], fit: ScalingFit)?
            if let other = compare {
                let r = try ScalingRun.read(contentsOf: URL(fileURLWithPath: other))
                second = (r, try fitter.fit(r, file: other))
            }
            if json {
                var out = ScalingJSON.fitObject(fit1, file: runs, runs: first.count)
                out["resamples"] = resamples
                out["level"] = fit1.level
                if let c = at { out["at"] = ["compute": c, "loss": ScalingJSON.interval(fit1.compute.predict(compute: c))] }
                if let other = compare, let s = second {
                    var cmp = ScalingJSON.fitObject(s.fit, file: other, runs: s.runs.count)
                    let comparison = ScalingComparison(first: fit1.compute.law, second: s.fit.compute.law)
                    let names = [runs, other]
                    cmp["steeper"] = comparison.steeper.map { names[$0 - 1] } ?? NSNull()
                    cmp["crossings"] = comparison.crossings
                    cmp["asymptotic_winner"] = comparison.asymptoticWinner.map { names[$0 - 1] } ?? NSNull()
                    if let c = at {
                        cmp["at"] = ["compute": c, "loss": ScalingJSON.interval(s.fit.compute.predict(compute: c)),
                                     "lower": comparison.lower(at: c).map { names[$0 - 1] } ?? NSNull()]
                    }
                    out["compare"] = cmp
                }
                print(try ScalingJSON.string(out))
                return
            }
            printFit(fit1, file: runs, count: first.count)
            if let c = at {
                let p = fit1.compute.predict(compute: c)
                print("  predicted loss at C = \(ScalingJSON.sci(c)) FLOPs: \(ScalingJSON.range(p))")
            }
            guard let other = compare, let s = second else { return }
            print("")
            printFit(s.fit, file: other, count: s.runs.count)
            let cmp = ScalingComparison(first: fit1.compute.law, second: s.fit.compute.law)
            let names = [runs, other]
            print("")
            print("Comparison (blue = \(runs), red = \(other)):")
            if let st = cmp.steeper {
                print("  steeper curve: \(names[st - 1]) (α = \(String(format: "%.4f", st == 1 ? cmp.first.alpha : cmp.second.alpha)) vs \(String(format: "%.4f", st == 1 ? cmp.second.alpha : cmp.first.alpha))); it gains more loss per decade of compute.")
            } else {
                print("  equal exponents: neither curve is steeper.")
            }
            if cmp.crossings.isEmpty {
                print("  the curves do not cross between 1 and 1e40 FLOPs.")
            } else {
                for c in cmp.crossings {
                    let after = cmp.lower(at: c * 10).map { names[$0 - 1] } ?? "neither"
                    print("  curves cross at C = \(ScalingJSON.sci(c)) FLOPs (L = \(String(format: "%.4f", cmp.first.loss(compute: c)))); above it \(after) predicts the lower loss.")
                }
            }
            if let w = cmp.asymptoticWinner { print("  as compute → ∞ each curve tends to its E; \(names[w - 1]) ends lower.") }
            if let c = at {
                let p1 = fit1.compute.predict(compute: c), p2 = s.fit.compute.predict(compute: c)
                print("  at C = \(ScalingJSON.sci(c)) FLOPs: \(runs) predicts \(ScalingJSON.range(p1)); \(other) predicts \(ScalingJSON.range(p2)).")
            }
        }

        private func printFit(_ fit: ScalingFit, file: String, count: Int) {
            let pct = Int((fit.level * 100).rounded())
            print("\(file): \(count) runs. Huber (δ = 1e-3) on log loss; \(resamples) bootstrap resamples, \(pct)% intervals.")
            let c = fit.compute
            print("  L(C) = E + A·C^−α:  E = \(ScalingJSON.range(c.E)), A = \(ScalingJSON.range(c.A)), α = \(ScalingJSON.range(c.alpha))")
            if let pt = fit.paramsTokens {
                print("  L(N, D) = E + A/N^α + B/D^β:  E = \(ScalingJSON.range(pt.E)), A = \(ScalingJSON.range(pt.A)), B = \(ScalingJSON.range(pt.B)), α = \(ScalingJSON.range(pt.alpha)), β = \(ScalingJSON.range(pt.beta))")
                print("    compute-optimal: N_opt ∝ C^\(String(format: "%.3f", pt.law.paramsExponent)), D_opt ∝ C^\(String(format: "%.3f", pt.law.tokensExponent))")
            } else if let why = fit.paramsTokensSkipped {
                print("  L(N, D) not fitted: \(why).")
            }
        }
    }
}

/// Formatting shared by the scaling and plot commands (JSON with sorted keys, tables, numbers).
enum ScalingJSON {
    static func string(_ object: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: sanitize(object), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// Non-finite numbers become null (JSON has no NaN or infinity).
    static func sanitize(_ v: Any) -> Any {
        switch v {
        case let d as Double: return d.isFinite ? d : NSNull()
        case let a as [Any]: return a.map(sanitize)
        case let o as [String: Any]: return o.mapValues(sanitize)
        default: return v
        }
    }

    static func interval(_ i: FitInterval) -> [String: Any] { ["value": i.value, "low": i.low, "high": i.high] }

    static func fitObject(_ fit: ScalingFit, file: String, runs: Int) -> [String: Any] {
        let c = fit.compute
        var o: [String: Any] = ["file": file, "runs": runs, "E": interval(c.E), "A": interval(c.A), "alpha": interval(c.alpha)]
        if let pt = fit.paramsTokens {
            o["params_tokens_law"] = ["E": interval(pt.E), "A": interval(pt.A), "B": interval(pt.B),
                                      "alpha": interval(pt.alpha), "beta": interval(pt.beta),
                                      "params_exponent": pt.law.paramsExponent, "tokens_exponent": pt.law.tokensExponent]
        } else {
            o["params_tokens_law"] = NSNull()
            o["params_tokens_skipped"] = fit.paramsTokensSkipped ?? NSNull()
        }
        return o
    }

    static func sci(_ v: Double) -> String { String(format: "%.3g", v) }

    static func range(_ i: FitInterval) -> String {
        i.low == i.high ? sci(i.value) : "\(sci(i.value)) [\(sci(i.low)), \(sci(i.high))]"
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.enumerated().map { c, s in c == 0 ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[c] - s.count) + s }.joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)).joined(separator: "\n")
    }
}
