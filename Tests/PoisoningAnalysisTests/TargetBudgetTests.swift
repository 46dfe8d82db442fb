import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine

/// The budget from which gradient canceling's victim is its target, on constructed runs: each
/// verdict, the rule "within 1% of the target and agreeing on every test row", the per-seed rule "the
/// first swept fraction" (a target reached below τ is never hidden), the halfway bar beside it,
/// unjudged runs and the intervals.
struct TargetBudgetTests {
    /// Runs of series 0 at fractions 0, 0.5, 1, 2 and 4 for each seed: (seed, τ, the clean model's
    /// agreement a₀ recorded as every run's baseline, (agreement, distance from the target) at 0.5, 1, 2, 4).
    func runs(_ seeds: [(UInt64, Double?, Double?, [(Double, Double)])]) -> [RunResult] {
        seeds.flatMap { seed, tau, baseline, victims in
            zip([0, 0.5, 1, 2, 4], [(baseline ?? 0.5, 0.3)] + victims).map { fraction, victim in
                var metrics = [MetricKey.targetAgreement: victim.0, MetricKey.targetDistance: victim.1, MetricKey.testAccuracy: 0.7]
                if let tau { metrics[MetricKey.poisonabilityThreshold] = tau }
                if let baseline { metrics[MetricKey.targetAgreement + MetricKey.baselineSuffix] = baseline }
                return RunResult(fraction: fraction, series: 0, seed: seed, poisonedCount: Int(fraction * 100), realisedFraction: fraction,
                                 metrics: metrics, divergence: nil)
            }
        }
    }

    /// The opening of every sentence, before the seeds.
    static let opening = "Per seed, the first swept budget at which the retrained victim is the target (within 1.0% of its parameters "
        + "and agreeing with it on every test row; halfway: the first at which it closes 50.0% of the clean model's disagreement with "
        + "the target, which the prediction does not concern): "

    @Test func everySeedsVictimIsTheTargetFromAboveItsTauAndTheMeansHaveTheirTIntervals() {
        // Seed 1: agreement 1 at 2 and 4, distance 0.005 at 2 → 2 (halfway, bar 0.95: 1). Seed 2: 2 (distance 0.009; halfway,
        // bar 0.9: 2). Seed 3: 1 (halfway 1); at 4 it leaves the target again (agreement 0.99), which the first budget ignores.
        let budget = TargetBudget(runs: runs([(1, 0.8, 0.9, [(0.94, 0.2), (0.97, 0.05), (1, 0.005), (1, 0.001)]),
                                              (2, 1.5, 0.8, [(0.8, 0.3), (0.85, 0.2), (1, 0.009), (1, 0)]),
                                              (3, 0.5, 0.9, [(0.9, 0.1), (1, 0.002), (1, 0.001), (0.99, 0.02)])]),
                                  series: 0, confidence: 0.95)
        #expect(budget.seeds == [TargetBudget.SeedBudget(seed: 1, tau: 0.8, baseline: 0.9, budget: 2, halfway: 1, judged: 4),
                                 TargetBudget.SeedBudget(seed: 2, tau: 1.5, baseline: 0.8, budget: 2, halfway: 2, judged: 4),
                                 TargetBudget.SeedBudget(seed: 3, tau: 0.5, baseline: 0.9, budget: 1, halfway: 1, judged: 4)])
        // The excess (budget − τ)/τ per seed: 1.5, 1/3, 1; mean 94.4% with the paired t interval [−51.0%, 239.8%]
        // (scipy.stats.t), which holds the 25% margin: undecided, though every seed reaches the target above its τ.
        #expect(budget.verdict == .excessUndecided)
        #expect(abs((budget.excess?.value ?? 0) - (1.5 + 1.0 / 3 + 1) / 3) < 1e-12)
        #expect(abs((budget.excess?.interval?.lower ?? 0) - -0.5095563780780768) < 1e-9)
        #expect(abs((budget.excess?.interval?.upper ?? 0) - 2.3984452669669656) < 1e-9)
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
        #expect(budget.sentence == Self.opening + "seed 1 at 200.0% (τ 80.0%, halfway 100.0%), seed 2 at 200.0% (τ 150.0%, halfway "
            + "200.0%), seed 3 at 100.0% (τ 50.0%, halfway 100.0%); no seed's victim is the target below its τ and every seed's is "
            + "above it, but the first budget exceeds τ by 94.4% of τ on average [-51.0%, 239.8%] (paired over seeds), which holds the "
            + "25.0% margin: the runs cannot tell success near τ from late success; more seeds, or fractions swept closer above τ, would.")
    }

    /// Every seed first reaches its target at 1 (agreement 0.95 and distance 0.05 at 0.5): with τ 0.95, 0.9 and 0.97 the excess
    /// (budget − τ)/τ is 5.3%, 11.1%, 3.1%, mean 6.5% with the paired t interval [−3.8%, 16.8%], at most the 25% margin: consistent;
    /// with τ 0.5, 0.45 and 0.55 it is 100%, 122%, 81.8%, mean 101.3% [51.1%, 151.6%] (scipy.stats.t), above the margin: reached
    /// late. Each verdict's sentence says it once, with the interval it rests on.
    @Test(arguments: [([0.95, 0.9, 0.97], TargetBudget.Verdict.consistent, -0.038135504342346085, 0.16791585441569676),
                      ([0.5, 0.45, 0.55], .reachedLate, 0.51078629693932356, 1.5161497299967039)])
    func theVerdictJudgesThePairedExcessOverTauAgainstTheMargin(taus: [Double], verdict: TargetBudget.Verdict, lower: Double, upper: Double) {
        let reachedAtOne: [(Double, Double)] = [(0.95, 0.05), (1, 0.001), (1, 0.001), (1, 0.001)]
        let budget = TargetBudget(runs: runs(taus.enumerated().map { (UInt64($0 + 1), $1, 0.9, reachedAtOne) }), series: 0, confidence: 0.95)
        #expect(budget.seeds.map(\.budget) == [1, 1, 1])
        #expect(budget.verdict == verdict)
        let excesses = taus.map { (1 - $0) / $0 }
        #expect(abs((budget.excess?.value ?? 0) - excesses.reduce(0, +) / 3) < 1e-12)
        #expect(abs((budget.excess?.interval?.lower ?? 0) - lower) < 1e-9 && abs((budget.excess?.interval?.upper ?? 0) - upper) < 1e-9)
        let agrees = budget.sentence.contains("the runs agree with the prediction"), late = budget.sentence.contains("later than the prediction's τ")
        #expect(agrees == (verdict == .consistent) && late == (verdict == .reachedLate), "\(budget.sentence)")
        #expect(budget.sentence.contains(verdict == .consistent ? "at most the 25.0% margin" : "above the 25.0% margin"))
    }

    @Test func aVictimThatIsTheTargetBelowItsTauIsCountedThereEvenIfItLeavesItAtLargerBudgets() {
        // Seed 1 is the target at 0.5, below its τ 0.8, then leaves it at 1: counted at 0.5. Seed 2 agrees on every row at 4
        // but lies 0.011 from the target: never reached, though it passes the halfway bar 0.97 from 0.5.
        let budget = TargetBudget(runs: runs([(1, 0.8, 0.9, [(1, 0.004), (0.98, 0.03), (1, 0.001), (1, 0.001)]),
                                              (2, 1.5, 0.94, [(0.99, 0.02), (0.99, 0.02), (0.99, 0.02), (1, 0.011)])]),
                                  series: 0, confidence: 0.95)
        #expect(budget.seeds.map(\.budget) == [0.5, nil] && budget.seeds.map(\.halfway) == [0.5, 0.5])
        #expect(budget.verdict == .successBelowTau)
        #expect(budget.budget == nil)
        #expect(budget.cell == "not reached in the swept range (seed 2)")
        #expect(budget.sentence == Self.opening + "seed 1 at 50.0% (τ 80.0%, halfway 50.0%), seed 2 not in the swept range (τ 150.0%, "
            + "halfway 50.0%); seed 1 reaches the target below τ, against the prediction (unless a model within 1.0% of the target is "
            + "reachable there).")
    }

    @Test func aRunWhoseVictimIsNotConvergedIsNotJudged() {
        // Seed 1 is the target at 0.5, below its τ 0.8, but that run's victim has gradient norm 2e-5, above the tolerance
        // 1e-5: not judged, so its first budget is 2; exactly at the tolerance a run counts.
        let unconverged = runs([(1, 0.8, 0.9, [(1, 0.001), (0.9, 0.1), (1, 0.001), (1, 0)]),
                                (2, 0.8, 0.9, [(1, 0.001), (0.9, 0.1), (1, 0.001), (1, 0)])]).map { run in
            guard run.fraction == 0.5 else { return run }
            var metrics = run.metrics!
            metrics[MetricKey.victimGradientNorm] = run.seed == 1 ? 2e-5 : MetricKey.victimGradientTolerance
            return RunResult(fraction: run.fraction, series: 0, seed: run.seed, poisonedCount: run.poisonedCount,
                             realisedFraction: run.realisedFraction, metrics: metrics, divergence: nil)
        }
        let budget = TargetBudget(runs: unconverged, series: 0, confidence: 0.95)
        #expect(budget.seeds.map(\.budget) == [2, 0.5])
        #expect(budget.seeds.map(\.unconverged) == [1, nil] && budget.seeds.map(\.judged) == [3, 4])
        #expect(budget.sentence.contains("halfway 50.0%) (1 run not judged: the victim's gradient norm on its training rows is above 1e-5, not converged);"))
    }

    @Test func whenNoVictimIsJudgedTheCellSaysSoAndThereIsNoVerdict() {
        // Every victim above the tolerance (an MLP's, trained by SGD): nothing is judged, whatever its agreement and distance.
        let unjudged = runs([(1, 0.8, 0.9, [(1, 0.001), (1, 0.001), (1, 0.001), (1, 0)]), (2, 0.8, 0.9, [(0.9, 0.1), (0.9, 0.1), (0.9, 0.1), (0.9, 0.1)])])
            .map { run in
                var metrics = run.metrics!
                if run.fraction > 0 { metrics[MetricKey.victimGradientNorm] = 0.006 }
                return RunResult(fraction: run.fraction, series: 0, seed: run.seed, poisonedCount: run.poisonedCount,
                                 realisedFraction: run.realisedFraction, metrics: metrics, divergence: nil)
            }
        let budget = TargetBudget(runs: unjudged, series: 0, confidence: 0.95)
        #expect(budget.verdict == nil && budget.budget == nil)
        #expect(budget.seeds.map(\.judged) == [0, 0] && budget.seeds.map(\.budget) == [nil, nil])
        #expect(budget.cell == "not judged (no converged victim)")
        #expect(budget.sentence.hasSuffix("; no run is judged, so the runs do not test the prediction."))
    }

    @Test func anIntervalInsideTheSweptRangeIsNotMarkedClipped() {
        // Five seeds first at 2: spread raised to the grid's smallest gap 0.5, 2 ± 2.776445 · 0.5/√5 = [1.379, 2.621] (scipy t.ppf).
        let budget = TargetBudget(runs: runs((1...5).map { (UInt64($0), 0.8, 0.9, [(0.9, 0.1), (0.9, 0.1), (1, 0.001), (1, 0.001)]) }),
                                  series: 0, confidence: 0.95)
        #expect(budget.lowerClipped == nil)
        #expect(budget.cell == "200.0% [137.9%, 262.1%]")
    }

    @Test func aSeedNotReachedAboveItsTauLeavesTheSecondHalfUnshown() {
        let budget = TargetBudget(runs: runs([(1, 0.8, 0.5, [(0.5, 0.3), (0.6, 0.2), (1, 0.001), (1, 0.001)]),
                                              (2, 1.5, 0.5, [(0.5, 0.3), (0.6, 0.2), (0.7, 0.1), (0.74, 0.05)])]),
                                  series: 0, confidence: 0.95)
        #expect(budget.seeds.map(\.budget) == [2, nil])
        #expect(budget.verdict == .notReachedAboveTau)
        #expect(budget.cell == "not reached in the swept range (seed 2)")
        #expect(budget.sentence.hasSuffix("; no seed's victim is the target below its τ, but gradient canceling did not reach it above τ for "
            + "every seed in the swept range (what this attack reached, not a bound on the problem)."))
    }

    @Test func withoutATauThereIsNoVerdictButStillABudget() {
        let budget = TargetBudget(runs: runs([(1, nil, 0.9, Array(repeating: (1, 0.001), count: 4)), (2, nil, 0.9, Array(repeating: (1, 0.001), count: 4))]),
                                  series: 0, confidence: 0.95)
        #expect(budget.verdict == nil && budget.tau == nil)
        // Both seeds at 0.5: spread raised to the grid's smallest gap 0.5, 0.5 ± 12.706 · 0.5/√2, clipped to [0.5, 4].
        #expect(budget.budget == Estimate(value: 0.5, interval: Interval(lower: 0.5, upper: 4)))
        #expect(budget.sentence == Self.opening + "seed 1 at 50.0% (halfway 50.0%), seed 2 at 50.0% (halfway 50.0%); no τ is predicted.")
    }

    @Test func withoutTheCleanModelsAgreementOnlyTheHalfwayBarIsMissing() {
        let budget = TargetBudget(runs: runs([(1, 0.8, nil, [(0.9, 0.1), (1, 0.005), (1, 0.001), (1, 0.001)])]), series: 0, confidence: 0.95)
        #expect(budget.seeds == [TargetBudget.SeedBudget(seed: 1, tau: 0.8, baseline: nil, budget: 1, halfway: nil, judged: 4)])
        // One seed: no interval of the excess over τ, so the verdict cannot judge it against the margin.
        #expect(budget.verdict == .excessUndecided && budget.excess == nil)
        #expect(budget.sentence.hasPrefix(Self.opening + "seed 1 at 100.0% (τ 80.0%, no clean run at fraction 0);"))
        #expect(budget.sentence.contains("there is no interval of the first budget's excess over τ (it needs two seeds, each with a τ)"))
    }
}
