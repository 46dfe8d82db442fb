import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine

/// The budget from which gradient canceling makes its target stationary on the mixture (its mixed
/// gradient at most 10⁻³ of the clean one), on constructed runs: each verdict, judged on that budget
/// alone, the per-seed rule "the first swept fraction" (a cancellation below τ is never hidden), the
/// rule's boundary, and the victim's separate finding (the first budget at which the retrained victim
/// is the target, within 1% of it and agreeing on every test row, and the halfway bar), with its
/// unjudged runs.
struct TargetBudgetTests {
    /// One run at a positive fraction: the victim's agreement with the target, its distance from it,
    /// and the mixed/clean gradient ratio at the target.
    typealias Victim = (agreement: Double, distance: Double, ratio: Double)

    /// Runs of series 0 at fractions 0, 0.5, 1, 2 and 4 for each seed: (seed, τ, the clean model's
    /// agreement a₀ recorded as every run's baseline, the runs at 0.5, 1, 2, 4). The clean gradient's
    /// norm is 2, the mixed one 2 · ratio.
    func runs(_ seeds: [(UInt64, Double?, Double?, [Victim])]) -> [RunResult] {
        seeds.flatMap { seed, tau, baseline, victims in
            zip([0, 0.5, 1, 2, 4], [(baseline ?? 0.5, 0.3, 1)] + victims).map { fraction, victim in
                var metrics = [MetricKey.targetAgreement: victim.agreement, MetricKey.targetDistance: victim.distance, MetricKey.testAccuracy: 0.7,
                               MetricKey.cleanGradientNorm: 2, MetricKey.mixedGradientNorm: 2 * victim.ratio]
                if let tau { metrics[MetricKey.poisonabilityThreshold] = tau }
                if let baseline { metrics[MetricKey.targetAgreement + MetricKey.baselineSuffix] = baseline }
                return RunResult(fraction: fraction, series: 0, seed: seed, poisonedCount: Int(fraction * 100), realisedFraction: fraction,
                                 metrics: metrics, divergence: nil)
            }
        }
    }

    /// The opening of every verdict sentence, before the seeds.
    static let opening = "Per seed, where gradient canceling first makes the target stationary on the mixture, its mixed gradient at most "
        + "0.1% of the clean one (the event τ predicts), between the last swept budget that does not and the first that does, each also "
        + "in units of τ: "
    /// The opening of every victim sentence, before the seeds.
    static let victimOpening = "Separately, per seed, the first swept budget at which the retrained victim is the target (within 1.0% of "
        + "its parameters and agreeing with it on every test row; halfway: the first at which it closes 50.0% of the clean model's "
        + "disagreement with the target)"

    @Test func everySeedsGradientIsCancelledAboveItsTauAndTheMeansHaveTheirTIntervals() {
        // Seed 1: ratio 1e-3 (exactly the rule) at 2 → 2; its victim is the target from 2 too (halfway, bar 0.95: 1). Seed 2:
        // ratio 1.0000001e-3 at 1 (just above the rule, not cancelled), 1e-6 at 2 → 2; its victim lies 0.02 from the target at
        // 2 and 4: never the target (halfway, bar 0.9: 2). Seed 3: cancelled at 1 (halfway 1), its victim the target only from 4.
        let budget = TargetBudget(runs: runs([(1, 0.8, 0.9, [(0.94, 0.2, 0.1), (0.97, 0.05, 0.01), (1, 0.005, 1e-3), (1, 0.001, 1e-6)]),
                                              (2, 1.5, 0.8, [(0.8, 0.3, 0.2), (0.85, 0.2, 1.0000001e-3), (1, 0.02, 1e-6), (1, 0.02, 1e-7)]),
                                              (3, 0.5, 0.9, [(0.9, 0.1, 0.05), (1, 0.012, 1e-4), (0.99, 0.02, 1e-5), (1, 0.001, 1e-6)])]),
                                  series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(budget.seeds == [TargetBudget.SeedBudget(seed: 1, tau: 0.8, baseline: 0.9, budget: 2, lastUncancelled: 1, budgetTau: 0.8,
                                                         lastUncancelledTau: 0.8, reached: 2, halfway: 1, judged: 4),
                                 TargetBudget.SeedBudget(seed: 2, tau: 1.5, baseline: 0.8, budget: 2, lastUncancelled: 1, budgetTau: 1.5,
                                                         lastUncancelledTau: 1.5, reached: nil, halfway: 2, judged: 4),
                                 TargetBudget.SeedBudget(seed: 3, tau: 0.5, baseline: 0.9, budget: 1, lastUncancelled: 0.5, budgetTau: 0.5,
                                                         lastUncancelledTau: 0.5, reached: 4, halfway: 1, judged: 4)])
        // The excess (budget − τ)/τ per seed: 1.5, 1/3, 1; mean 94.4% with the paired t interval [−51.0%, 239.8%]
        // (scipy.stats.t), which holds the 25% margin: undecided, though every seed's gradient is cancelled above its τ.
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
        // Per seed, each bracket straddles 1.25 τ: (1.25, 2.50], (0.67, 1.33], (1.00, 2.00] τ, so more fractions there would decide.
        #expect(budget.sentence() == Self.opening + "seed 1 in (100.0%, 200.0%] = (1.25, 2.50] τ, seed 2 in (100.0%, 200.0%] = (0.67, 1.33] τ, "
            + "seed 3 in (50.0%, 100.0%] = (1.00, 2.00] τ; no seed's gradient is cancelled below its τ and every seed's is above it; the first "
            + "cancelling budget exceeds τ by 94.4% of τ on average [-51.0%, 239.8%] (paired over seeds), which holds the 25.0% margin, so on "
            + "average the runs cannot tell cancellation near τ from late; per seed, for seeds 1, 2, 3 the grid brackets the first cancelling "
            + "budget across 1.25 τ: fractions swept between τ and 1.25 τ for them would tell near from late.")
        // The victim's finding is separate, and says the victim is the target only where its numbers do.
        #expect(budget.victimSentence == Self.victimOpening + ": seed 1 at 200.0% (halfway 100.0%), seed 2 not in the swept range "
            + "(halfway 200.0%), seed 3 at 400.0% (halfway 100.0%).")
    }

    /// Every seed's gradient is first cancelled at 1, whatever its victim: with τ 0.95, 0.9 and 0.97 the excess (budget − τ)/τ
    /// is 5.3%, 11.1%, 3.1%, mean 6.5% with the paired t interval [−3.8%, 16.8%], at most the 25% margin: consistent; with τ
    /// 0.5, 0.45 and 0.55 it is 100%, 122%, 81.8%, mean 101.3% [51.1%, 151.6%] (scipy.stats.t), above the margin, but the last
    /// uncancelled budget 0.5 is within 1.25 τ, so the grid cannot tell late from near (`lateCancellationNeedsAFailedRunBeyondTheMargin`). Each
    /// verdict's sentence says it once, with the interval it rests on; the victims (never the target, 0.05 from it) do not enter.
    @Test(arguments: [([0.95, 0.9, 0.97], TargetBudget.Verdict.consistent, -0.038135504342346085, 0.16791585441569676),
                      ([0.5, 0.45, 0.55], .excessUndecided, 0.51078629693932356, 1.5161497299967039)])
    func theVerdictJudgesThePairedExcessOverTauAgainstTheMargin(taus: [Double], verdict: TargetBudget.Verdict, lower: Double, upper: Double) {
        let cancelledAtOne: [Victim] = [(0.95, 0.05, 0.01), (0.97, 0.05, 1e-4), (0.97, 0.05, 1e-6), (0.97, 0.05, 1e-8)]
        let budget = TargetBudget(runs: runs(taus.enumerated().map { (UInt64($0 + 1), $1, 0.9, cancelledAtOne) }), series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(budget.seeds.map(\.budget) == [1, 1, 1] && budget.seeds.map(\.reached) == [nil, nil, nil])
        #expect(budget.verdict == verdict)
        let excesses = taus.map { (1 - $0) / $0 }
        #expect(abs((budget.excess?.value ?? 0) - excesses.reduce(0, +) / 3) < 1e-12)
        #expect(abs((budget.excess?.interval?.lower ?? 0) - lower) < 1e-9 && abs((budget.excess?.interval?.upper ?? 0) - upper) < 1e-9)
        let agrees = budget.sentence().contains("the runs agree with the prediction"), late = budget.sentence().contains("later than the prediction's τ")
        #expect(agrees == (verdict == .consistent) && late == (verdict == .reachedLate), "\(budget.sentence())")
        #expect(budget.sentence().contains(verdict == .consistent ? "at most the 25.0% margin"
            : "above the 25.0% margin, but a first cancelling budget is only the upper end of its grid bracket; per seed, for seeds 1, 2, 3"))
        // Where τ is necessary only, late cancellation is said not to go against the prediction.
        #expect(budget.sentence(necessaryOnly: true).hasSuffix(" τ is necessary only here, so this does not go against the prediction.")
                == (verdict == .reachedLate))
        #expect(budget.victimSentence == Self.victimOpening + ": seed 1 not in the swept range (halfway 50.0%), seed 2 not in the swept "
            + "range (halfway 50.0%), seed 3 not in the swept range (halfway 50.0%).")
    }

    /// r24g major 1, as examples/poisonability-reference's gradpc 0.25: five seeds first cancelled at 4, each one's last
    /// uncancelled run (at 2) at 1.49, 2.42, 1.52, 2.88 and 1.69 of its τ, every one beyond 1.25 τ. The mean of
    /// (lastUncancelled − τ)/τ is 100% with the paired t interval [23.0%, 177.0%] (scipy.stats.t), which dips under the
    /// margin; the verdict judges per seed, so every seed failed late: reachedLate. With a sixth seed whose bracket
    /// (1.11, 2.22] τ straddles 1.25 τ the runs cannot tell for that seed, and the sentence says which seeds are which.
    @Test func lateCancellationIsJudgedPerSeedNotFromTheAveragedFloor() {
        let late: [Victim] = [(0.9, 0.1, 0.1), (0.9, 0.1, 0.1), (0.9, 0.1, 0.1), (1, 0.001, 1e-6)]
        let floors = [1.49, 2.42, 1.52, 2.88, 1.69]
        let budget = TargetBudget(runs: runs(floors.enumerated().map { (UInt64($0 + 1), 2 / $1, 0.9, late) }), series: 0, confidence: 0.95,
                                  cancel: .weightsAndBias)
        #expect(budget.seeds.map(\.isLate) == [true, true, true, true, true] && budget.seeds.map(\.lastUncancelled) == [2, 2, 2, 2, 2])
        #expect(abs((budget.excessFloor?.interval?.lower ?? 0) - 0.23021838983856635) < 1e-9)
        #expect(budget.verdict == .reachedLate)
        #expect(budget.sentence().hasSuffix("; no seed's gradient is cancelled below its τ, but for every seed a run beyond 1.25 τ failed "
            + "(each seed's furthest such run lies at 1.49–2.88 τ): gradient canceling cancelled it later than the prediction's τ, late "
            + "at the attack's step cap (a run that fails there might cancel with more steps); what this attack needed, not a bound on the problem."))
        let open: [Victim] = [(0.9, 0.1, 0.1), (0.9, 0.1, 0.1), (1, 0.001, 1e-6), (1, 0.001, 1e-6)]
        let mixed = TargetBudget(runs: runs(floors.enumerated().map { (UInt64($0 + 1), 2 / $1, 0.9, late) } + [(6, 0.9, 0.9, open)]),
                                 series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(mixed.verdict == .excessUndecided && mixed.seeds.map(\.isLate) == [true, true, true, true, true, false])
        #expect(mixed.sentence().hasSuffix("; per seed, 5 of 6 failed beyond 1.25 τ (seed 1's run at 200.0% = 1.49 τ; seed 2's run at "
            + "200.0% = 2.42 τ; seed 3's run at 200.0% = 1.52 τ; seed 4's runs at 100.0% = 1.44 τ and 200.0% = 2.88 τ; seed 5's run at 200.0% = 1.69 τ failed "
            + "to cancel; late at the "
            + "attack's step cap (a run that fails there might cancel with more steps)); for seed 6 the grid brackets the first cancelling "
            + "budget across 1.25 τ: fractions swept between τ and 1.25 τ for it would tell near from late."))
        #expect(mixed.sentence().contains("seed 6 in (100.0%, 200.0%] = (1.11, 2.22] τ;"))
    }

    /// r24h major 1: a seed without τ (⟨W, G⟩ ≤ 0) beside late and near seeds. Seeds 1 and 2 fail at 2 = 1.49 and 2.42 τ and
    /// cancel at 4 (late); seed 3 cancels at 1 = 1.11 τ (near); seed 4 has no τ. Before, the excess needed every seed to have a
    /// τ, so the sentence advised more seeds and judged none. Now each seed with a τ is judged and seed 4 is named; with only
    /// late seeds beside it the verdict is reachedLate "for every seed with a τ"; with one seed with a τ there is no interval,
    /// the seed is still judged, and more seeds are not advised.
    @Test func aSeedWithoutTauIsNamedNotJudgedAndTheOthersAreJudged() {
        let late: [Victim] = [(0.9, 0.1, 0.1), (0.9, 0.1, 0.1), (0.9, 0.1, 0.1), (1, 0.001, 1e-6)]
        let near: [Victim] = [(0.9, 0.1, 0.1), (1, 0.001, 1e-6), (1, 0.001, 1e-6), (1, 0.001, 1e-6)]
        let mixed = TargetBudget(runs: runs([(1, 2 / 1.49, 0.9, late), (2, 2 / 2.42, 0.9, late), (3, 0.9, 0.9, near), (4, nil, 0.9, late)]),
                                 series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(mixed.excess != nil && mixed.verdict == .excessUndecided)
        #expect(mixed.sentence().hasSuffix("; per seed, 1 of 3 seeds cancel within 1.25 τ (seed 3); 2 of 3 failed beyond 1.25 τ (seed 1's run at "
            + "200.0% = 1.49 τ; seed 2's run at 200.0% = 2.42 τ failed to cancel; late at the attack's step cap (a run that fails there might cancel with more steps)); no seed's bracket straddles 1.25 τ, so more fractions "
            + "cannot change this; more seeds would narrow the average; 1 of 4 seeds has no τ (⟨W, G⟩ ≤ 0: seed 4), not judged."), "\(mixed.sentence())")
        let allLate = TargetBudget(runs: runs([(1, 2 / 1.49, 0.9, late), (2, 2 / 2.42, 0.9, late), (4, nil, 0.9, late)]),
                                   series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(allLate.verdict == .reachedLate)
        #expect(allLate.sentence().contains("but for every seed with a τ a run beyond 1.25 τ failed (each seed's furthest such run lies at 1.49–2.42 τ)"))
        #expect(allLate.sentence().hasSuffix("what this attack needed, not a bound on the problem; 1 of 3 seeds has no τ (⟨W, G⟩ ≤ 0: seed 4), not judged."))
        let one = TargetBudget(runs: runs([(3, 0.9, 0.9, near), (4, nil, 0.9, late), (5, nil, 0.9, near)]), series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(one.excess == nil && one.verdict == .excessUndecided)
        #expect(one.sentence().hasSuffix("but there is no interval of the first budget's excess over τ (it needs two seeds with a τ; one has one); per seed, "
            + "1 of 1 seeds cancel within 1.25 τ (seed 3); no seed's bracket straddles 1.25 τ, so more fractions cannot change this; "
            + "2 of 3 seeds have no τ (⟨W, G⟩ ≤ 0: seeds 4, 5), not judged."), "\(one.sentence())")
        #expect(!one.sentence().contains("more seeds"))
    }

    @Test func aGradientCancelledBelowItsTauIsCountedThereEvenIfNotAtLargerBudgets() {
        // Seed 1 is cancelled at 0.5, below its τ 0.8, then not at 1: counted at 0.5. Seed 2's victim agrees on every row at 4
        // and lies 0.005 from the target (the target), but its gradient is never cancelled (2e-3 at 4).
        let budget = TargetBudget(runs: runs([(1, 0.8, 0.9, [(1, 0.004, 1e-4), (0.98, 0.03, 0.01), (1, 0.001, 1e-6), (1, 0.001, 1e-6)]),
                                              (2, 1.5, 0.94, [(0.99, 0.02, 0.3), (0.99, 0.02, 0.1), (0.99, 0.02, 0.01), (1, 0.005, 2e-3)])]),
                                  series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(budget.seeds.map(\.budget) == [0.5, nil] && budget.seeds.map(\.reached) == [0.5, 4] && budget.seeds.map(\.halfway) == [0.5, 0.5])
        #expect(budget.verdict == .successBelowTau)
        #expect(budget.budget == nil)
        #expect(budget.cell == "not cancelled in the swept range (seed 2)")
        #expect(budget.sentence() == Self.opening + "seed 1 in (0.0%, 50.0%] = (0.00, 0.62] τ, seed 2 not in the swept range (none up to "
            + "400.0% = 2.67 τ cancels); seed 1 (its run at 50.0%) cancels it "
            + "below τ, against the prediction (unless the floor below τ, which tends to 0 as ε_d nears τ, is under 0.1% of the clean "
            + "gradient there).")
    }

    @Test func aRunWhoseVictimIsNotConvergedIsNotJudgedForTheVictimsFindingButCountsForTheBudget() {
        // Both seeds' gradient is cancelled at 0.5, below τ 0.8. Seed 1's victim there has gradient norm 2e-5, above the tolerance
        // 1e-5: not judged, so it is the target first at 2; exactly at the tolerance (seed 2) a victim counts.
        let unconverged = runs([(1, 0.8, 0.9, [(1, 0.001, 1e-4), (0.9, 0.1, 0.01), (1, 0.001, 1e-6), (1, 0, 1e-6)]),
                                (2, 0.8, 0.9, [(1, 0.001, 1e-4), (0.9, 0.1, 0.01), (1, 0.001, 1e-6), (1, 0, 1e-6)])]).map { run in
            guard run.fraction == 0.5 else { return run }
            var metrics = run.metrics!
            metrics[MetricKey.victimGradientNorm] = run.seed == 1 ? 2e-5 : MetricKey.victimGradientTolerance
            return RunResult(fraction: run.fraction, series: 0, seed: run.seed, poisonedCount: run.poisonedCount,
                             realisedFraction: run.realisedFraction, metrics: metrics, divergence: nil)
        }
        let budget = TargetBudget(runs: unconverged, series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(budget.seeds.map(\.budget) == [0.5, 0.5] && budget.seeds.map(\.reached) == [2, 0.5])
        #expect(budget.seeds.map(\.unconverged) == [1, nil] && budget.seeds.map(\.judged) == [3, 4])
        #expect(budget.verdict == .successBelowTau)
        #expect(budget.victimSentence.hasSuffix("(1 run not judged: the victim's gradient norm on its training rows is above 1e-5, not converged)."))
    }

    @Test func whenNoVictimIsJudgedTheVerdictStillStandsOnTheMixedGradient() {
        // Every victim above the tolerance (an MLP's, trained by SGD): no victim is judged, but the mixed gradient at the target is
        // measured without one. Seed 1 is cancelled at 2, seed 2 never: not reached above τ.
        let unjudged = runs([(1, 0.8, 0.9, [(1, 0.001, 0.1), (1, 0.001, 0.01), (1, 0.001, 1e-4), (1, 0, 1e-6)]),
                             (2, 0.8, 0.9, [(0.9, 0.1, 0.2), (0.9, 0.1, 0.1), (0.9, 0.1, 0.05), (0.9, 0.1, 0.03)])])
            .map { run in
                var metrics = run.metrics!
                if run.fraction > 0 { metrics[MetricKey.victimGradientNorm] = 0.006 }
                return RunResult(fraction: run.fraction, series: 0, seed: run.seed, poisonedCount: run.poisonedCount,
                                 realisedFraction: run.realisedFraction, metrics: metrics, divergence: nil)
            }
        let budget = TargetBudget(runs: unjudged, series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(budget.verdict == .notReachedAboveTau && budget.budget == nil)
        #expect(budget.seeds.map(\.judged) == [0, 0] && budget.seeds.map(\.budget) == [2, nil] && budget.seeds.map(\.reached) == [nil, nil])
        #expect(budget.cell == "not cancelled in the swept range (seed 2)")
        #expect(budget.sentence().hasSuffix("; no seed's gradient is cancelled below its τ, but gradient canceling did not cancel it at any "
            + "swept budget for seed 2, runs above τ included (what this attack reached, not a bound on the problem)."))
        #expect(budget.sentence(necessaryOnly: true).hasSuffix("(what this attack reached, not a bound on the problem). τ is necessary only "
            + "here, so this does not go against the prediction."))
        #expect(budget.victimSentence == Self.victimOpening + ": no run's victim is judged (none is converged to a gradient norm of 1e-5 "
            + "on its training rows).")
    }

    @Test func anIntervalInsideTheSweptRangeIsNotMarkedClipped() {
        // Five seeds first at 2: spread raised to the grid's smallest gap 0.5, 2 ± 2.776445 · 0.5/√5 = [1.379, 2.621] (scipy t.ppf).
        let budget = TargetBudget(runs: runs((1...5).map { (UInt64($0), 0.8, 0.9, [(0.9, 0.1, 0.1), (0.9, 0.1, 0.01), (1, 0.001, 1e-4), (1, 0.001, 1e-5)]) }),
                                  series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(budget.lowerClipped == nil)
        #expect(budget.cell == "200.0% [137.9%, 262.1%]")
    }

    @Test func withoutATauThereIsNoVerdictButStillABudget() {
        let cancelled: [Victim] = Array(repeating: (1, 0.001, 1e-4), count: 4)
        let budget = TargetBudget(runs: runs([(1, nil, 0.9, cancelled), (2, nil, 0.9, cancelled)]), series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(budget.verdict == nil && budget.tau == nil)
        // Both seeds at 0.5: spread raised to the grid's smallest gap 0.5, 0.5 ± 12.706 · 0.5/√2, clipped to [0.5, 4].
        #expect(budget.budget == Estimate(value: 0.5, interval: Interval(lower: 0.5, upper: 4)))
        #expect(budget.sentence() == Self.opening + "seed 1 in (0.0%, 50.0%], seed 2 in (0.0%, 50.0%]; no τ is predicted.")
    }

    @Test func withoutTheCleanModelsAgreementOnlyTheHalfwayBarIsMissing() {
        let budget = TargetBudget(runs: runs([(1, 0.8, nil, [(0.9, 0.1, 0.1), (1, 0.005, 1e-4), (1, 0.001, 1e-5), (1, 0.001, 1e-6)])]),
                                  series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(budget.seeds == [TargetBudget.SeedBudget(seed: 1, tau: 0.8, baseline: nil, budget: 1, lastUncancelled: 0.5, budgetTau: 0.8,
                                                         lastUncancelledTau: 0.8, reached: 1, halfway: nil, judged: 4)])
        // One seed: no interval of the excess over τ, so the verdict cannot judge it against the margin.
        #expect(budget.verdict == .excessUndecided && budget.excess == nil)
        #expect(budget.sentence().hasPrefix(Self.opening + "seed 1 in (50.0%, 100.0%] = (0.62, 1.25] τ;"))
        #expect(budget.sentence().contains("there is no interval of the first budget's excess over τ (it needs two seeds, each with a τ: more seeds would give it); per seed, 1 of 1 seeds cancel within 1.25 τ (seed 1)"))
        #expect(budget.victimSentence == Self.victimOpening + ": seed 1 at 100.0% (no converged clean model at fraction 0).")
    }

    /// r24f major "verdict with nothing swept above tau": seeds never cancelled whose runs all lie below their τ
    /// (19.5 and 26.2, fractions up to 4, as out-offset's gradpc 0.5 up to 1.5) leave the runs unable to decide,
    /// and the sentence names the budgets that would, and that the fraction cap (10) keeps them out of any study;
    /// τ 9 is reachable only up to the cap; one seed that fails above its τ (0.8) makes it "not reached".
    @Test func withNothingSweptAboveTauTheVerdictCannotDecide() {
        let never: [Victim] = Array(repeating: (0.9, 0.1, 0.05), count: 4)
        let unswept = TargetBudget(runs: runs([(1, 19.5, 0.9, never), (2, 26.2, 0.9, never)]), series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(unswept.verdict == .notSweptAboveTau)
        #expect(unswept.seeds.map(\.lastUncancelled) == [4, 4] && unswept.seeds.map(\.budget) == [nil, nil])
        #expect(unswept.sentence() == Self.opening + "seed 1 not in the swept range (none up to 400.0% = 0.21 τ cancels), seed 2 not in the "
            + "swept range (none up to 400.0% = 0.15 τ cancels); no seed's gradient is cancelled below its τ, but seeds 1, 2 are cancelled at "
            + "no swept budget and have no run above τ: the runs cannot decide whether gradient canceling reaches the target above it. Budgets "
            + "above τ, up to 1.25 τ, would decide: seed 1 (1950.0%, 2437.5%], seed 2 (2620.0%, 3275.0%]; fractions are capped at 1000.0%, so "
            + "no study can sweep above τ for seeds 1, 2, and there the prediction cannot be tested by running gradient canceling.")
        let partly = TargetBudget(runs: runs([(1, 9, 0.9, never), (2, 5, 0.9, never)]), series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(partly.verdict == .notSweptAboveTau)
        #expect(partly.sentence().hasSuffix("would decide: seed 1 (900.0%, 1125.0%], seed 2 (500.0%, 625.0%]; for seed 1 only up to the cap "
            + "of 1000.0%."))
        let failed = TargetBudget(runs: runs([(1, 0.8, 0.9, never), (2, 26.2, 0.9, never)]), series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(failed.verdict == .notReachedAboveTau)
        #expect(failed.sentence().hasSuffix("did not cancel it at any swept budget for seed 1, runs above τ included (what this attack reached, "
            + "not a bound on the problem); seed 2 had no run above τ."))
    }

    /// r24f major "excess verdict ignores the grid": on the grid 0.5, 1, 2, 4 with τ 0.5, 0.45, 0.55, every seed first
    /// cancelled at 1 exceeds τ by 101.3% [51.1%, 151.6%] on average, but its last uncancelled budget 0.5 only by 0.7%
    /// [−24.5%, 25.8%] (scipy.stats.t): no run at 1.25 τ or more failed, so for every seed the grid cannot tell late from
    /// near; first cancelled at 2, every seed's last uncancelled budget 1 lies beyond 1.25 τ (1.82–2.22 τ): late.
    @Test func lateCancellationNeedsAFailedRunBeyondTheMargin() {
        let taus = [0.5, 0.45, 0.55]
        let atOne: [Victim] = [(0.9, 0.1, 0.05), (0.97, 0.05, 1e-4), (0.97, 0.05, 1e-6), (0.97, 0.05, 1e-8)]
        let atTwo: [Victim] = [(0.9, 0.1, 0.05), (0.9, 0.1, 0.02), (0.97, 0.05, 1e-6), (0.97, 0.05, 1e-8)]
        let grid = TargetBudget(runs: runs(taus.enumerated().map { (UInt64($0 + 1), $1, 0.9, atOne) }), series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(grid.seeds.map(\.budget) == [1, 1, 1] && grid.seeds.map(\.lastUncancelled) == [0.5, 0.5, 0.5])
        #expect(grid.verdict == .excessUndecided)
        #expect(abs((grid.excess?.interval?.lower ?? 0) - 0.5107862969393233) < 1e-9)
        #expect(abs((grid.excessFloor?.value ?? 0) - 0.006734006734006699) < 1e-12)
        #expect(abs((grid.excessFloor?.interval?.lower ?? 0) - -0.24460685153033823) < 1e-9)
        #expect(abs((grid.excessFloor?.interval?.upper ?? 0) - 0.25807486499835164) < 1e-9)
        #expect(grid.sentence() == Self.opening + "seed 1 in (50.0%, 100.0%] = (1.00, 2.00] τ, seed 2 in (50.0%, 100.0%] = (1.11, 2.22] τ, "
            + "seed 3 in (50.0%, 100.0%] = (0.91, 1.82] τ; no seed's gradient is cancelled below its τ and every seed's is above it; the first "
            + "cancelling budget exceeds τ by 101.3% of τ on average [51.1%, 151.6%] (paired over seeds), above the 25.0% margin, but a first "
            + "cancelling budget is only the upper end of its grid bracket; per seed, for seeds 1, 2, 3 the grid brackets the first cancelling "
            + "budget across 1.25 τ: fractions swept between τ and 1.25 τ for them would tell near from late.")
        let late = TargetBudget(runs: runs(taus.enumerated().map { (UInt64($0 + 1), $1, 0.9, atTwo) }), series: 0, confidence: 0.95, cancel: .weightsAndBias)
        #expect(late.seeds.map(\.budget) == [2, 2, 2] && late.seeds.map(\.lastUncancelled) == [1, 1, 1])
        #expect(late.verdict == .reachedLate)
        #expect(abs((late.excessFloor?.interval?.lower ?? 0) - 0.5107862969393233) < 1e-9)
        #expect(late.sentence().hasSuffix("; no seed's gradient is cancelled below its τ, but for every seed a run beyond 1.25 τ failed "
            + "(each seed's furthest such run lies at 1.82–2.22 τ): gradient canceling cancelled it later than the "
            + "prediction's τ, late at the attack's step cap (a run that fails there might cancel with more steps); what this attack needed, "
            + "not a bound on the problem."))
    }

    /// Review finding 1 (h24c): a consistent verdict hid a late seed. Under `cancel: weights` each run records its own τ_w.
    /// Seeds 1 and 2 (τ_w 0.95, 0.9 in every run) fail at 0.5 and cancel from 1. Seed 3's runs record τ_w 0.35, 0.97, 1.9
    /// and 1.9 at 0.5, 1, 2 and 4: its run at 0.5 fails at 0.5/0.35 = 1.43 τ_w, beyond the margin, its run at 1 fails at 1.03
    /// τ_w (its last uncancelled, within the margin), and it cancels from 2 = 1.05 τ_w. The excess (1/0.95, 1/0.9, 2/1.9 − 1:
    /// mean 7.2% [−1.2%, 15.6%], scipy.stats.t) lies within the margin, so before the verdict was `consistent` and the
    /// sentence said the runs agree with the prediction. Seed 3 failed beyond the margin of its own τ_w, so the verdict is
    /// `excessUndecided`, and the sentence says the runs are consistent on average only, naming seed 3's run in τ_w.
    @Test func aSeedThatFailedBeyondTheMarginKeepsAnAverageWithinItFromBeingConsistent() {
        let taus: [UInt64: [Double]] = [1: [0.95, 0.95, 0.95, 0.95], 2: [0.9, 0.9, 0.9, 0.9], 3: [0.35, 0.97, 1.9, 1.9]]
        let from: [UInt64: Double] = [1: 1, 2: 1, 3: 2]
        let runs = [UInt64(1), 2, 3].flatMap { seed in
            zip([0.5, 1, 2, 4], taus[seed]!).map { fraction, tau in
                RunResult(fraction: fraction, series: 0, seed: seed, poisonedCount: Int(fraction * 100), realisedFraction: fraction,
                          metrics: [MetricKey.targetAgreement: 0.9, MetricKey.targetDistance: 0.1, MetricKey.testAccuracy: 0.7,
                                    MetricKey.cleanGradientNorm: 1, MetricKey.mixedGradientNorm: fraction >= from[seed]! ? 1e-6 : 0.1,
                                    MetricKey.weightsOnlyThreshold: tau], divergence: nil)
            }
        }
        let budget = TargetBudget(runs: runs, series: 0, confidence: 0.95, cancel: .weights)
        #expect(budget.seeds.map(\.budget) == [1, 1, 2] && budget.seeds.map(\.lastUncancelled) == [0.5, 0.5, 1])
        #expect(budget.seeds.map(\.lateFailures) == [nil, nil, [TargetBudget.SeedBudget.LateFailure(fraction: 0.5, inTau: 0.5 / 0.35)]])
        #expect(budget.seeds.map(\.isLate) == [false, false, true])
        let excesses = [1 / 0.95 - 1, 1 / 0.9 - 1, 2 / 1.9 - 1]
        #expect(abs((budget.excess?.value ?? 0) - excesses.reduce(0, +) / 3) < 1e-12)
        #expect((budget.excess?.interval?.upper ?? 1) <= TargetBudget.judgedMargin)
        #expect(budget.verdict == .excessUndecided)
        let sentence = budget.sentence(symbol: "τ_w")
        #expect(!sentence.contains("the runs agree with the prediction"), "\(sentence)")
        #expect(sentence.contains("seed 3 in (100.0%, 200.0%] = (1.03, 1.05] τ_w; no seed's gradient is cancelled below its τ_w and every "
            + "seed's is above it; the first cancelling budget exceeds τ_w by 7.2% of τ_w on average [-1.2%, 15.6%] (paired over seeds), at most "
            + "the 25.0% margin, so the runs are consistent with the prediction on average only: seed 3's run at 50.0% = 1.43 τ_w failed to "
            + "cancel beyond 1.25 τ_w, evidence of late cancellation for that seed; per seed, 2 of 3 seeds cancel within 1.25 τ_w (seeds 1, 2); "
            + "1 of 3 failed beyond 1.25 τ_w (seed 3's run at 50.0% = 1.43 τ_w failed to cancel; late at the attack's step cap"), "\(sentence)")
        // A results.json written before `lateFailures` was recorded judges the last uncancelled run alone, as before.
        let old = TargetBudget.SeedBudget(seed: 3, tau: 1.9, baseline: nil, budget: 2, lastUncancelled: 1, budgetTau: 1.9, lastUncancelledTau: 0.7)
        #expect(old.isLate && old.lateRuns == [TargetBudget.SeedBudget.LateFailure(fraction: 1, inTau: 1 / 0.7)])
    }

    /// A run beyond (1 + margin) of its own τ_w that fails above its seed's first cancelling budget (the
    /// attack not converging there) is named, and keeps the verdict from `consistent`, without making
    /// the seed late; with the same runs cancelling there, the verdict is `consistent`.
    @Test func aFailureAboveTheFirstCancellingBudgetIsNamedAndKeepsTheVerdictFromConsistent() {
        let taus: [UInt64: Double] = [1: 0.95, 2: 0.9, 3: 0.9]
        let make = { (failAbove: Bool) in
            [UInt64(1), 2, 3].flatMap { seed in
                [0.5, 1, 2, 4].map { fraction in
                    let cancels = fraction >= 1 && !(failAbove && seed == 3 && fraction == 4)
                    return RunResult(fraction: fraction, series: 0, seed: seed, poisonedCount: Int(fraction * 100), realisedFraction: fraction,
                                     metrics: [MetricKey.targetAgreement: 0.9, MetricKey.targetDistance: 0.1, MetricKey.testAccuracy: 0.7,
                                               MetricKey.cleanGradientNorm: 1, MetricKey.mixedGradientNorm: cancels ? 1e-6 : 0.1,
                                               MetricKey.weightsOnlyThreshold: taus[seed]!], divergence: nil)
                }
            }
        }
        let monotone = TargetBudget(runs: make(false), series: 0, confidence: 0.95, cancel: .weights)
        #expect(monotone.verdict == .consistent && monotone.seeds.allSatisfy { $0.failuresAbove == nil })
        let budget = TargetBudget(runs: make(true), series: 0, confidence: 0.95, cancel: .weights)
        #expect(budget.seeds.map(\.budget) == [1, 1, 1])
        #expect(budget.seeds.map(\.failuresAbove) == [nil, nil, [TargetBudget.SeedBudget.LateFailure(fraction: 4, inTau: 4 / 0.9)]])
        #expect(budget.seeds.map(\.isLate) == [false, false, false])
        #expect(budget.verdict == .excessUndecided)
        let sentence = budget.sentence(symbol: "τ_w")
        #expect(sentence.contains("at most the 25.0% margin, so the runs are consistent with the prediction on average only (a run above a first "
            + "cancelling budget failed, named at the end); per seed, 3 of 3 seeds cancel within 1.25 τ_w (seeds 1, 2, 3); no seed's bracket "
            + "straddles 1.25 τ_w, so more fractions cannot change this; more seeds would narrow the average; above its seed's first cancelling "
            + "budget, seed 3's run at 400.0% = 4.44 τ_w failed to cancel beyond 1.25 τ_w: not late cancellation (a smaller budget cancels) but "
            + "gradient canceling not converging at that budget within its step cap, so the runs do not show success at every budget above τ_w."),
                "\(sentence)")
    }
}
