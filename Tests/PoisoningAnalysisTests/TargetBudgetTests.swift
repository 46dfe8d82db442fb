import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine

/// The budget from which gradient canceling's victim agrees with its target, on constructed runs:
/// each verdict, the per-seed rule "at that and every larger swept fraction", and the interval.
struct TargetBudgetTests {
    /// Runs of series 0 at fractions 0, 0.5, 1, 2 and 4 for each seed: (seed, τ, agreement at 0.5, 1, 2, 4).
    func runs(_ seeds: [(UInt64, Double?, [Double])]) -> [RunResult] {
        seeds.flatMap { seed, tau, agreements in
            zip([0, 0.5, 1, 2, 4], [0.5] + agreements).map { fraction, agreement in
                var metrics = [MetricKey.targetAgreement: agreement, MetricKey.testAccuracy: 0.7]
                if let tau { metrics[MetricKey.poisonabilityThreshold] = tau }
                return RunResult(fraction: fraction, series: 0, seed: seed, poisonedCount: Int(fraction * 100), realisedFraction: fraction,
                                 metrics: metrics, divergence: nil)
            }
        }
    }

    @Test func everySeedAgreesFromAboveItsTauAndTheMeanHasItsTInterval() {
        // Seed 1 agrees at 0.5 alone (not counted) and from 2 on; seed 2 from 2 (0.95 is enough); seed 3 from 1.
        let budget = TargetBudget(runs: runs([(1, 0.8, [0.96, 0.90, 0.97, 0.99]), (2, 1.5, [0.80, 0.85, 0.95, 0.98]),
                                              (3, 0.5, [0.90, 0.96, 0.99, 0.97])]),
                                  series: 0, confidence: 0.95)
        #expect(budget.seeds == [TargetBudget.SeedBudget(seed: 1, tau: 0.8, budget: 2), TargetBudget.SeedBudget(seed: 2, tau: 1.5, budget: 2),
                                 TargetBudget.SeedBudget(seed: 3, tau: 0.5, budget: 1)])
        #expect(budget.verdict == .consistent)
        // Mean 5/3, s = √(1/3), t(2, 0.975) = 4.302652729911275 (scipy.stats.t.ppf): 5/3 ± 4.3027/3; the lower end
        // (0.232) is clipped to the smallest swept fraction 0.5.
        #expect(budget.budget?.value == 5.0 / 3)
        #expect(budget.budget?.interval?.lower == 0.5)
        #expect(abs((budget.budget?.interval?.upper ?? 0) - (5.0 / 3 + 4.302652729911275 / 3)) < 1e-9)
        #expect(budget.cell == "166.7% [50.0%, 310.1%]")
        #expect(budget.sentence == "Per seed, the victim agrees with its target (the target's class on 95.0% of the test rows or more, "
            + "at that and every larger swept budget): seed 1 from 200.0% (τ 80.0%), seed 2 from 200.0% (τ 150.0%), seed 3 from 100.0% (τ 50.0%); "
            + "consistent with the prediction: no seed agrees from below its τ, and every seed does above it.")
    }

    @Test func aSeedAgreeingFromBelowItsTauContradictsThePrediction() {
        // Seed 2 agrees from 1, below its τ 1.5; seed 1 never agrees at 4 (not reached).
        let budget = TargetBudget(runs: runs([(1, 0.8, [0.99, 0.99, 0.99, 0.94]), (2, 1.5, [0.80, 0.97, 0.96, 0.98])]),
                                  series: 0, confidence: 0.95)
        #expect(budget.seeds.map(\.budget) == [nil, 1])
        #expect(budget.verdict == .successBelowTau)
        #expect(budget.budget == nil)
        #expect(budget.cell == "not reached in the swept range (seed 1)")
        #expect(budget.sentence.hasSuffix("budget): seed 1 not in the swept range (τ 80.0%), seed 2 from 100.0% (τ 150.0%); "
            + "not consistent with the prediction: seed 2 agrees from below τ."))
    }

    @Test func aSeedNotReachedAboveItsTauLeavesTheSecondHalfUnshown() {
        let budget = TargetBudget(runs: runs([(1, 0.8, [0.5, 0.6, 0.97, 0.99]), (2, 1.5, [0.5, 0.6, 0.7, 0.8])]), series: 0, confidence: 0.95)
        #expect(budget.seeds.map(\.budget) == [2, nil])
        #expect(budget.verdict == .notReachedAboveTau)
        #expect(budget.cell == "not reached in the swept range (seed 2)")
        #expect(budget.sentence.hasSuffix("; no seed agrees from below its τ, but not every seed does above it in the swept range."))
    }

    @Test func withoutATauThereIsNoVerdictButStillABudget() {
        let budget = TargetBudget(runs: runs([(1, nil, [0.99, 0.99, 0.99, 0.99]), (2, nil, [0.99, 0.99, 0.99, 0.99])]),
                                  series: 0, confidence: 0.95)
        #expect(budget.verdict == nil)
        // Both seeds from 0.5: spread raised to the grid's smallest gap 0.5, 0.5 ± 12.706 · 0.5/√2, clipped to [0.5, 4].
        #expect(budget.budget == Estimate(value: 0.5, interval: Interval(lower: 0.5, upper: 4)))
        #expect(budget.sentence.hasSuffix("budget): seed 1 from 50.0%, seed 2 from 50.0%; no τ is predicted."))
    }
}
