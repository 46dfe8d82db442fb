import Foundation
import PoisoningEngine

/// The measured budget at which gradient canceling's retrained victim first agrees with its target
/// beyond what the clean model already does, for one gradient-canceling series, beside each seed's
/// predicted threshold τ (Lu, Kamath and Yu 2023), and τ's mean over seeds with its interval.
///
/// The paper's attack aims at a model, not at an accuracy: where the poisons make the target
/// stationary on the mixture, the convex victim retrained on it *is* the target, so it predicts as
/// the target on every row. Agreement (the share of test rows on which victim and target predict the
/// same class) tests that, but the clean model already agrees with a target near it on most rows
/// (`targetAgreementBaseline`, 0.90 to 0.95 for a GradPC target at ε_w = 0.1), so a bar on agreement
/// alone is met by victims the poisons did not move. The bar is therefore on the excess over the
/// clean model: the victim "reaches" the target when it closes at least `closedShare` of the clean
/// model's disagreement with it, agreement ≥ a₀ + closedShare · (1 − a₀), a₀ the clean model's
/// agreement of the same seed.
///
/// Per seed the budget is the *first* swept positive fraction at which the victim reaches the bar, so
/// that a budget below τ that already reaches it is never hidden by a larger one that does not; none
/// when no swept fraction reaches it.
public struct TargetBudget: Sendable, Codable, Equatable {
    /// One seed: its τ (absent when its target has none), the clean model's agreement with the target
    /// and its measured budget (absent when not reached in the swept range).
    public struct SeedBudget: Sendable, Codable, Equatable {
        /// The seed.
        public let seed: UInt64
        /// Its target's threshold τ; nil when ⟨W, G⟩ ≤ 0.
        public let tau: Double?
        /// The clean model's agreement with the target a₀; nil when the series has no run at fraction 0.
        public let baseline: Double?
        /// The smallest swept positive fraction at which its victim reaches the bar; nil when none does.
        public let budget: Double?
        /// Its runs whose victim is not converged (`victimGradientNorm` above `MetricKey.victimGradientTolerance`),
        /// whose agreement is not judged; nil when there are none.
        public let unconverged: Int?

        /// One seed's budget beside its τ and its clean model's agreement.
        public init(seed: UInt64, tau: Double?, baseline: Double?, budget: Double?, unconverged: Int? = nil) {
            self.seed = seed
            self.tau = tau
            self.baseline = baseline
            self.budget = budget
            self.unconverged = unconverged
        }

        /// The agreement the victim must reach, a₀ + closedShare · (1 − a₀); nil without a₀.
        public var bar: Double? { baseline.map { $0 + TargetBudget.closedShare * (1 - $0) } }

        /// Whether the victim reaches the bar at a budget below τ.
        public var isBelowTau: Bool { tau.flatMap { tau in budget.map { $0 < tau } } == true }
    }

    /// How the measured budgets sit against each seed's τ (the prediction: the target is not reached below τ, and
    /// gradient canceling reaches it above).
    public enum Verdict: String, Sendable, Codable, Equatable {
        /// Every seed with a τ first reaches the bar at or above its τ: the runs cannot contradict the
        /// prediction (nor confirm its first half, which rules out only reaching the target itself).
        case consistent
        /// Some seed reaches the bar at a budget below its τ. The theory rules out only reaching the target
        /// itself there, so this does not contradict it; it shows the bar cannot test that half.
        case successBelowTau
        /// No seed reaches the bar below its τ, but some seed with a τ does not reach it in the swept range.
        case notReachedAboveTau
    }

    /// The share of the clean model's disagreement with the target that the victim must close.
    public static let closedShare = 0.5

    /// The series (a gradient-canceling series).
    public let series: Int
    /// `closedShare`, recorded with the numbers it made.
    public let closedShare: Double
    /// Per seed that finished, in seed order.
    public let seeds: [SeedBudget]
    /// The mean budget over the seeds with its Student-t interval at the study's confidence, its
    /// spread at least the smallest gap between swept fractions (a budget is known to the grid only)
    /// and its ends clipped to the swept positive fractions; nil unless every seed is reached (and
    /// there are two).
    public let budget: Estimate?
    /// True when `budget`'s Student-t interval reached below the smallest swept positive fraction, its
    /// lower end clipped there (the grid cannot resolve below it); nil otherwise.
    public let lowerClipped: Bool?
    /// τ's mean over the seeds whose target has one, with its Student-t interval at the study's
    /// confidence (its lower end clipped at 0: τ is a budget); nil with fewer than two such seeds.
    public let tau: Estimate?
    /// Nil when no seed's target has a τ.
    public let verdict: Verdict?

    /// The budgets of `seeds` of series `series`, their estimate, τ's and the verdict; `swept` the
    /// swept positive fractions, ascending.
    public init(series: Int, seeds: [SeedBudget], swept: [Double], confidence: Double) {
        self.series = series
        closedShare = Self.closedShare
        self.seeds = seeds
        let budgets = seeds.compactMap(\.budget)
        if budgets.count == seeds.count, budgets.count >= 2, let low = swept.min(), let high = swept.max(),
           let interval = studentTInterval(budgets, resolution: zip(swept.dropFirst(), swept).map { $0 - $1 }.min() ?? 0,
                                           confidence: confidence) {
            budget = Estimate(value: budgets.reduce(0, +) / Double(budgets.count),
                              interval: Interval(lower: interval.lower.map { max($0, low) }, upper: interval.upper.map { min($0, high) }))
            lowerClipped = interval.lower.map { $0 < low } == true ? true : nil
        } else {
            budget = nil
            lowerClipped = nil
        }
        let taus = seeds.compactMap(\.tau)
        if let interval = studentTInterval(taus, resolution: 0, confidence: confidence) {
            tau = Estimate(value: taus.reduce(0, +) / Double(taus.count), interval: Interval(lower: interval.lower.map { max($0, 0) },
                                                                                               upper: interval.upper))
        } else {
            tau = nil
        }
        let predicted = seeds.filter { $0.tau != nil }
        if predicted.isEmpty {
            verdict = nil
        } else if predicted.contains(where: \.isBelowTau) {
            verdict = .successBelowTau
        } else if predicted.contains(where: { $0.budget == nil }) {
            verdict = .notReachedAboveTau
        } else {
            verdict = .consistent
        }
    }

    /// The budgets of series `series` from its finished runs (`targetAgreement` and its clean
    /// baseline per run; τ from each seed's run at its smallest fraction, the same at every fraction).
    /// A run whose victim is not converged (`victimGradientNorm` above `MetricKey.victimGradientTolerance`) is
    /// not judged: its agreement measures where its training stopped as much as the poisons.
    public init(runs: [RunResult], series: Int, confidence: Double) {
        let finished = runs.filter { $0.series == series && $0.metrics != nil && $0.fraction > 0 }
        let swept = Set(finished.map(\.fraction)).sorted()
        let converged = { (run: RunResult) in (run.metrics?[MetricKey.victimGradientNorm]).map { $0 <= MetricKey.victimGradientTolerance } ?? true }
        let seeds = Set(finished.map(\.seed)).sorted().map { seed -> SeedBudget in
            let own = finished.filter { $0.seed == seed }.sorted { $0.fraction < $1.fraction }
            let baseline = own.lazy.compactMap { $0.metrics?[MetricKey.targetAgreement + MetricKey.baselineSuffix] }.first
            let withoutBudget = SeedBudget(seed: seed, tau: own.first?.metrics?[MetricKey.poisonabilityThreshold], baseline: baseline,
                                           budget: nil)
            let first = withoutBudget.bar.flatMap { bar in
                own.first { converged($0) && ($0.metrics?[MetricKey.targetAgreement]).map { $0 >= bar } == true }?.fraction
            }
            let unconverged = own.filter { !converged($0) }.count
            return SeedBudget(seed: seed, tau: withoutBudget.tau, baseline: baseline, budget: first, unconverged: unconverged > 0 ? unconverged : nil)
        }
        self.init(series: series, seeds: seeds, swept: swept, confidence: confidence)
    }

    /// The report's cell: "112.0% [20.0%, 340.0%]" ("[5.0% (clipped), …]" when the lower end is the
    /// smallest swept budget the interval reached below), or which seeds are not reached.
    public var cell: String {
        if let value = budget?.value {
            let interval = budget?.interval, clipped = lowerClipped == true ? " (clipped)" : ""
            return percent(value) + (interval?.lower.flatMap { lower in interval?.upper.map { " [\(percent(lower))\(clipped), \(percent($0))]" } } ?? "")
        }
        let missing = seeds.filter { $0.budget == nil }.map { String($0.seed) }
        if missing.isEmpty { return seeds.first.flatMap(\.budget).map(percent) ?? "n/a" }
        return "not reached in the swept range (seed\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")))"
    }

    /// One sentence: the definition, each seed's budget beside its clean agreement, bar and τ, and the verdict.
    public var sentence: String {
        let perSeed = seeds.map { seed in
            guard let baseline = seed.baseline, let bar = seed.bar else {
                return "seed \(seed.seed) without the clean model's agreement (no run at fraction 0)"
            }
            return "seed \(seed.seed) " + (seed.budget.map { "at \(percent($0))" } ?? "not in the swept range")
                + " (clean \(fixed(baseline, decimals: 3)), bar \(fixed(bar, decimals: 3))" + (seed.tau.map { ", τ \(percent($0))" } ?? "") + ")"
        }.joined(separator: ", ")
        let unconverged = seeds.compactMap(\.unconverged).reduce(0, +)
        let opening = "Per seed, the first swept budget at which the victim agrees with its target beyond the clean model (it closes "
            + "\(percent(closedShare)) or more of the clean model's disagreement with the target on the test rows): \(perSeed)"
            + (unconverged == 0 ? "" : " (\(unconverged) run\(unconverged == 1 ? "" : "s") not judged: the victim's gradient norm on its training rows "
                + "is above 1e\(Int(log10(MetricKey.victimGradientTolerance).rounded())), not converged)")
        switch verdict {
        case nil: return opening + "; no τ is predicted."
        case .consistent:
            return opening + "; the runs cannot contradict the prediction: no seed reaches it below its τ, and every seed does above it "
                + "(the prediction rules out only reaching the target itself below τ, so this does not confirm that half of it either)."
        case .successBelowTau:
            let below = seeds.filter(\.isBelowTau).map { String($0.seed) }
            return opening + "; seed\(below.count == 1 ? "" : "s") \(below.joined(separator: ", ")) "
                + "reach\(below.count == 1 ? "es" : "") it below τ. This does not contradict the prediction, which rules out only "
                + "reaching the target itself below τ, not closing part of the way to it; the bar cannot test that half of it."
        case .notReachedAboveTau:
            return opening + "; no seed reaches it below its τ, but not every seed does in the swept range."
        }
    }
}
