import Foundation
import PoisoningEngine

/// The measured budget from which gradient canceling's retrained victim agrees with its target, for
/// one gradient-canceling series, beside each seed's predicted threshold τ (Lu, Kamath and Yu 2023).
///
/// "Agrees": the victim predicts the target's class on at least `agreementShare` of the test rows.
/// The paper's attack aims at a model, not at an accuracy: where the poisons make the target
/// stationary on the mixture, the convex victim retrained on it *is* the target, so it predicts as
/// the target on every row. Agreement tests that; an accuracy within a tolerance of the target's does
/// not (a victim can lose the target's accuracy on other rows, and a target that loses little
/// accuracy is "reached" by any victim near the clean model). The share is below 1 because the victim
/// is retrained by SGD for a fixed number of epochs, never exactly to the target.
///
/// Per seed the budget is the smallest swept positive fraction from which the victim agrees at that
/// fraction and at every larger swept one (an isolated agreeing run below a disagreeing one does not
/// count); none when it does not agree at the largest.
public struct TargetBudget: Sendable, Codable, Equatable {
    /// One seed: its τ (absent when its target has none) and its measured budget (absent when not
    /// reached in the swept range).
    public struct SeedBudget: Sendable, Codable, Equatable {
        /// The seed.
        public let seed: UInt64
        /// Its target's threshold τ; nil when ⟨W, G⟩ ≤ 0.
        public let tau: Double?
        /// The smallest swept fraction from which its victim agrees with its target; nil when not reached.
        public let budget: Double?

        /// One seed's budget beside its τ.
        public init(seed: UInt64, tau: Double?, budget: Double?) {
            self.seed = seed
            self.tau = tau
            self.budget = budget
        }

        /// Whether the victim agrees with the target from a budget below τ.
        public var isBelowTau: Bool { tau.flatMap { tau in budget.map { $0 < tau } } == true }
    }

    /// Whether the measured budgets follow the prediction: no success below τ, success above it.
    public enum Verdict: String, Sendable, Codable, Equatable {
        /// Every seed with a τ has a budget at or above its τ.
        case consistent
        /// Some seed's budget lies below its τ: success where the theory rules it out.
        case successBelowTau
        /// No budget lies below its τ, but some seed with a τ is not reached in the swept range.
        case notReachedAboveTau
    }

    /// The share of test rows on which victim and target must predict the same class.
    public static let agreementShare = 0.95

    /// The series (a gradient-canceling series).
    public let series: Int
    /// `agreementShare`, recorded with the numbers it made.
    public let agreementShare: Double
    /// Per seed that finished, in seed order.
    public let seeds: [SeedBudget]
    /// The mean budget over the seeds with its Student-t interval at the study's confidence, its
    /// spread at least the smallest gap between swept fractions (a budget is known to the grid only)
    /// and its ends clipped to the swept positive fractions; nil unless every seed is reached (and
    /// there are two).
    public let budget: Estimate?
    /// Nil when no seed's target has a τ.
    public let verdict: Verdict?

    /// The budgets of `seeds` of series `series`, their estimate and verdict; `swept` the swept
    /// positive fractions, ascending.
    public init(series: Int, seeds: [SeedBudget], swept: [Double], confidence: Double) {
        self.series = series
        agreementShare = Self.agreementShare
        self.seeds = seeds
        let budgets = seeds.compactMap(\.budget)
        if budgets.count == seeds.count, budgets.count >= 2, let low = swept.min(), let high = swept.max(),
           let interval = studentTInterval(budgets, resolution: zip(swept.dropFirst(), swept).map { $0 - $1 }.min() ?? 0,
                                           confidence: confidence) {
            budget = Estimate(value: budgets.reduce(0, +) / Double(budgets.count),
                              interval: Interval(lower: interval.lower.map { max($0, low) }, upper: interval.upper.map { min($0, high) }))
        } else {
            budget = nil
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

    /// The budgets of series `series` from its finished runs (`targetAgreement` per run; τ from each
    /// seed's run at its smallest fraction, the same at every fraction).
    public init(runs: [RunResult], series: Int, confidence: Double) {
        let finished = runs.filter { $0.series == series && $0.metrics != nil && $0.fraction > 0 }
        let swept = Set(finished.map(\.fraction)).sorted()
        let seeds = Set(finished.map(\.seed)).sorted().map { seed -> SeedBudget in
            let own = finished.filter { $0.seed == seed }.sorted { $0.fraction < $1.fraction }
            var budget: Double?
            for run in own.reversed() {
                guard let agreement = run.metrics?[MetricKey.targetAgreement], agreement >= Self.agreementShare else { break }
                budget = run.fraction
            }
            return SeedBudget(seed: seed, tau: own.first?.metrics?[MetricKey.poisonabilityThreshold], budget: budget)
        }
        self.init(series: series, seeds: seeds, swept: swept, confidence: confidence)
    }

    /// The report's cell: "112.0% [20.0%, 340.0%]", or which seeds are not reached.
    public var cell: String {
        if let value = budget?.value {
            let interval = budget?.interval
            return percent(value) + (interval?.lower.flatMap { lower in interval?.upper.map { " [\(percent(lower)), \(percent($0))]" } } ?? "")
        }
        let missing = seeds.filter { $0.budget == nil }.map { String($0.seed) }
        if missing.isEmpty { return seeds.first.flatMap(\.budget).map(percent) ?? "n/a" }
        return "not reached in the swept range (seed\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")))"
    }

    /// One sentence: the definition, each seed's budget beside its τ, and the verdict.
    public var sentence: String {
        let perSeed = seeds.map { seed in
            "seed \(seed.seed) " + (seed.budget.map { "from \(percent($0))" } ?? "not in the swept range") + (seed.tau.map { " (τ \(percent($0)))" } ?? "")
        }.joined(separator: ", ")
        let opening = "Per seed, the victim agrees with its target (the target's class on \(percent(agreementShare)) of the test rows or "
            + "more, at that and every larger swept budget): \(perSeed)"
        switch verdict {
        case nil: return opening + "; no τ is predicted."
        case .consistent: return opening + "; consistent with the prediction: no seed agrees from below its τ, and every seed does above it."
        case .successBelowTau:
            let below = seeds.filter(\.isBelowTau).map { String($0.seed) }
            return opening + "; not consistent with the prediction: seed\(below.count == 1 ? "" : "s") \(below.joined(separator: ", ")) "
                + "agree\(below.count == 1 ? "s" : "") from below τ."
        case .notReachedAboveTau:
            return opening + "; no seed agrees from below its τ, but not every seed does above it in the swept range."
        }
    }
}
