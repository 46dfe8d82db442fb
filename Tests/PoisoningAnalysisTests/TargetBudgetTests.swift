import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine

/// The budget at which gradient canceling's victim first agrees with its target beyond the clean
/// model, on constructed runs: each verdict, the bar on the excess over the clean model's agreement,
/// the per-seed rule "the first swept fraction" (agreement below τ is never hidden), and the intervals.
struct TargetBudgetTests {
    /// Runs of series 0 at fractions 0, 0.5, 1, 2 and 4 for each seed: (seed, τ, the clean model's
    /// agreement a₀ recorded as every run's baseline, agreement at 0.5, 1, 2, 4).
    func runs(_ seeds: [(UInt64, Double?, Double?, [Double])]) -> [RunResult] {
        seeds.flatMap { seed, tau, baseline, agreements in
            zip([0, 0.5, 1, 2, 4], [baseline ?? 0.5] + agreements).map { fraction, agreement in
                var metrics = [MetricKey.targetAgreement: agreement, MetricKey.testAccuracy: 0.7]
                if let tau { metrics[MetricKey.poisonabilityThreshold] = tau }
                if let baseline { metrics[MetricKey.targetAgreement + MetricKey.baselineSuffix] = baseline }
                return RunResult(fraction: fraction, series: 0, seed: seed, poisonedCount: Int(fraction * 100), realisedFraction: fraction,
                                 metrics: metrics, divergence: nil)
            }
        }
    }

    @Test func everySeedReachesTheBarFromAboveItsTauAndTheMeansHaveTheirTIntervals() {
        // Bars a₀ + (1 − a₀)/2: seed 1 0.95 (first at 2), seed 2 0.90 (first at 2), seed 3 0.95 (first at 1).
        let budget = TargetBudget(runs: runs([(1, 0.8, 0.9, [0.94, 0.90, 0.97, 0.99]), (2, 1.5, 0.8, [0.80, 0.85, 0.95, 0.98]),
                                              (3, 0.5, 0.9, [0.90, 0.97, 0.99, 0.97])]),
                                  series: 0, confidence: 0.95)
        #expect(budget.seeds == [TargetBudget.SeedBudget(seed: 1, tau: 0.8, baseline: 0.9, budget: 2),
                                 TargetBudget.SeedBudget(seed: 2, tau: 1.5, baseline: 0.8, budget: 2),
                                 TargetBudget.SeedBudget(seed: 3, tau: 0.5, baseline: 0.9, budget: 1)])
        #expect(budget.verdict == .consistent)
        // Mean 5/3, s = √(1/3), t(2, 0.975) = 4.302652729911275 (scipy.stats.t.ppf): 5/3 ± 4.3027/3; the lower end
        // (0.232) is clipped to the smallest swept fraction 0.5.
        #expect(budget.budget?.value == 5.0 / 3)
        #expect(budget.budget?.interval?.lower == 0.5)
        #expect(abs((budget.budget?.interval?.upper ?? 0) - (5.0 / 3 + 4.302652729911275 / 3)) < 1e-9)
        #expect(budget.lowerClipped == true)
        #expect(budget.cell == "166.7% [50.0% (clipped), 310.1%]")
        // τ: mean 2.8/3, s² = Σ(τ − mean)²/2, ± 4.3027 s/√3; the lower end (−0.34) clipped at 0.
        let meanTau = 2.8 / 3, spread = ([0.8, 1.5, 0.5].reduce(0) { $0 + ($1 - meanTau) * ($1 - meanTau) } / 2).squareRoot()
        #expect(abs((budget.tau?.value ?? 0) - meanTau) < 1e-12)
        #expect(budget.tau?.interval?.lower == 0)
        #expect(abs((budget.tau?.interval?.upper ?? 0) - (meanTau + 4.302652729911275 * spread / 3.0.squareRoot())) < 1e-9)
        #expect(budget.sentence == "Per seed, the first swept budget at which the victim agrees with its target beyond the clean model "
            + "(it closes 50.0% or more of the clean model's disagreement with the target on the test rows): seed 1 at 200.0% (clean "
            + "0.900, bar 0.950, τ 80.0%), seed 2 at 200.0% (clean 0.800, bar 0.900, τ 150.0%), seed 3 at 100.0% (clean 0.900, bar "
            + "0.950, τ 50.0%); the runs cannot contradict the prediction: no seed reaches it below its τ, and every seed does above "
            + "it (the prediction rules out only reaching the target itself below τ, so this does not confirm that half of it either).")
    }

    @Test func aSeedReachingTheBarBelowItsTauContradictsThePredictionEvenIfItDropsAfter() {
        // Seed 1 reaches its bar 0.95 at 0.5, below its τ 0.8, then drops at 1: counted at 0.5. Seed 2 agrees on 0.95 or
        // more everywhere, but its clean model already agrees on 0.94: its bar 0.97 is never reached.
        let budget = TargetBudget(runs: runs([(1, 0.8, 0.9, [0.96, 0.90, 0.97, 0.99]), (2, 1.5, 0.94, [0.95, 0.96, 0.96, 0.965])]),
                                  series: 0, confidence: 0.95)
        #expect(budget.seeds.map(\.budget) == [0.5, nil])
        #expect(budget.verdict == .successBelowTau)
        #expect(budget.budget == nil)
        #expect(budget.cell == "not reached in the swept range (seed 2)")
        #expect(budget.sentence.hasSuffix("rows): seed 1 at 50.0% (clean 0.900, bar 0.950, τ 80.0%), seed 2 not in the swept range "
            + "(clean 0.940, bar 0.970, τ 150.0%); seed 1 reaches it below τ. This does not contradict the prediction, which rules "
            + "out only reaching the target itself below τ, not closing part of the way to it; the bar cannot test that half of it."))
    }

    @Test func aRunWhoseVictimIsNotConvergedIsNotJudged() {
        // Seed 1 reaches its bar 0.95 at 0.5, below its τ 0.8, but that run's victim has gradient norm 2e-5, above the
        // tolerance 1e-5: not judged, so its first budget is 2 (at 1 it agrees on 0.90); exactly at the tolerance a run counts.
        let unconverged = runs([(1, 0.8, 0.9, [0.96, 0.90, 0.97, 0.99]), (2, 0.8, 0.9, [0.96, 0.90, 0.97, 0.99])]).map { run in
            guard run.fraction == 0.5 else { return run }
            var metrics = run.metrics!
            metrics[MetricKey.victimGradientNorm] = run.seed == 1 ? 2e-5 : MetricKey.victimGradientTolerance
            return RunResult(fraction: run.fraction, series: 0, seed: run.seed, poisonedCount: run.poisonedCount,
                             realisedFraction: run.realisedFraction, metrics: metrics, divergence: nil)
        }
        let budget = TargetBudget(runs: unconverged, series: 0, confidence: 0.95)
        #expect(budget.seeds.map(\.budget) == [2, 0.5])
        #expect(budget.seeds.map(\.unconverged) == [1, nil])
        #expect(budget.sentence.contains("τ 80.0%) (1 run not judged: the victim's gradient norm on its training rows is above 1e-5, not converged);"))
    }

    @Test func anIntervalInsideTheSweptRangeIsNotMarkedClipped() {
        // Five seeds first at 2: spread raised to the grid's smallest gap 0.5, 2 ± 2.776445 · 0.5/√5 = [1.379, 2.621] (scipy t.ppf).
        let budget = TargetBudget(runs: runs((1...5).map { (UInt64($0), 0.8, 0.9, [0.9, 0.9, 0.97, 0.99]) }), series: 0, confidence: 0.95)
        #expect(budget.lowerClipped == nil)
        #expect(budget.cell == "200.0% [137.9%, 262.1%]")
    }

    @Test func aSeedNotReachedAboveItsTauLeavesTheSecondHalfUnshown() {
        let budget = TargetBudget(runs: runs([(1, 0.8, 0.5, [0.5, 0.6, 0.97, 0.99]), (2, 1.5, 0.5, [0.5, 0.6, 0.7, 0.74])]),
                                  series: 0, confidence: 0.95)
        #expect(budget.seeds.map(\.budget) == [2, nil])
        #expect(budget.verdict == .notReachedAboveTau)
        #expect(budget.cell == "not reached in the swept range (seed 2)")
        #expect(budget.sentence.hasSuffix("; no seed reaches it below its τ, but not every seed does in the swept range."))
    }

    @Test func withoutATauThereIsNoVerdictButStillABudget() {
        let budget = TargetBudget(runs: runs([(1, nil, 0.9, [0.99, 0.99, 0.99, 0.99]), (2, nil, 0.9, [0.99, 0.99, 0.99, 0.99])]),
                                  series: 0, confidence: 0.95)
        #expect(budget.verdict == nil && budget.tau == nil)
        // Both seeds at 0.5: spread raised to the grid's smallest gap 0.5, 0.5 ± 12.706 · 0.5/√2, clipped to [0.5, 4].
        #expect(budget.budget == Estimate(value: 0.5, interval: Interval(lower: 0.5, upper: 4)))
        #expect(budget.sentence.hasSuffix("rows): seed 1 at 50.0% (clean 0.900, bar 0.950), seed 2 at 50.0% (clean 0.900, bar 0.950); "
            + "no τ is predicted."))
    }

    @Test func withoutTheCleanModelsAgreementNoBudgetIsClaimed() {
        let budget = TargetBudget(runs: runs([(1, 0.8, nil, [0.99, 0.99, 0.99, 0.99])]), series: 0, confidence: 0.95)
        #expect(budget.seeds == [TargetBudget.SeedBudget(seed: 1, tau: 0.8, baseline: nil, budget: nil)])
        #expect(budget.verdict == .notReachedAboveTau)
        #expect(budget.sentence.hasSuffix("rows): seed 1 without the clean model's agreement (no run at fraction 0); no seed reaches "
            + "it below its τ, but not every seed does in the swept range."))
    }
}
