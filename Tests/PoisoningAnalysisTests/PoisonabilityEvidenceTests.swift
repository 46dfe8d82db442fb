import Testing
import PoisoningAnalysis

/// The "Predicted vs measured" findings, on constructed evidence: the floor below τ, the accuracy
/// finding each way, and "cannot decide" when the sweep does not bracket τ or an interval holds 0. The accuracy intervals
/// and seed counts are those of `scripts/poisonability_verdicts.py` (SciPy's t quantiles), recorded
/// in `scripts/poisonability_verdicts.out`.
struct PoisonabilityEvidenceTests {
    typealias Point = PoisonabilityEvidence.FractionEvidence

    /// τ of 1.0 and 1.2 over two seeds, target accuracy 0.6, 300 test rows, the given
    /// (fraction, per-seed victim − target differences) points and runs (seed, fraction, τ, ratio);
    /// without runs, one per seed at every point, recording its seed's τ (ratio 0.5).
    func evidence(_ points: [(Double, [Double])] = [], runs: [(UInt64, Double, Double, Double)] = [], taus: [Double] = [1.0, 1.2],
                  targetGradientRatio: Double? = nil, seedsWithoutThreshold: Int = 0) -> PoisonabilityEvidence {
        let runs = !runs.isEmpty ? runs : points.flatMap { point in taus.enumerated().map { (UInt64($0 + 1), point.0, $1, 0.5) } }
        return PoisonabilityEvidence(taus: taus, runs: runs.map { PoisonabilityEvidence.RunEvidence(seed: $0.0, fraction: $0.1, tau: $0.2, gradientRatio: $0.3) },
                              seedsWithoutThreshold: seedsWithoutThreshold, targetAccuracy: 0.6,
                              fractions: points.map { Point(fraction: $0.0, gradientRatio: 0.5, accuracyDifferences: $0.1) },
                              testRows: 300, targetGradientRatio: targetGradientRatio)
    }

    /// Seed 1 (τ 1.0) and seed 2 (τ 1.2); 1.1 lies above the first τ and below the second.
    static let runs: [(UInt64, Double, Double, Double)] = [(1, 0.5, 1.0, 0.3), (2, 0.5, 1.2, 0.08), (1, 1.1, 1.0, 0.02), (2, 1.1, 1.2, 0.05),
                                                           (1, 2.0, 1.0, 1.5e-6), (2, 2.0, 1.2, 0.004)]

    /// The parameter-space finding states the floor below τ only (the verdict above τ is `TargetBudget`'s): the least ratio
    /// among the runs below their seed's τ, whatever the runs above it measure.
    @Test func theParameterSpaceFindingQuotesTheLeastRatioBelowTau() {
        let sentence = "In parameter space, below the τ it records every run's mixed gradient stays at 5.0% of the clean one or more (least at "
            + "110.0%, τ = 120.0%)."
        #expect(evidence(runs: Self.runs).parameterSpaceSentence == sentence)
        // Cancelled or not above τ, the sentence is the same: it no longer judges those runs.
        #expect(evidence(runs: Self.runs.map { $0.1 == 2.0 ? ($0.0, 2.0, $0.2, 0.3) : $0 }).parameterSpaceSentence == sentence)
        // Every run above its τ: nothing to show below it.
        #expect(evidence(runs: [(1, 2.0, 1.0, 1e-6)]).parameterSpaceSentence
            == "No run lies below the τ it records, so the runs do not show the floor below it; sweep fractions on both sides of τ.")
    }

    @Test func theAccuracyFindingReadsThePairedIntervalOfVictimMinusTarget() {
        let opening = "In accuracy (victim − target, paired over seeds, with its 95% interval; gradient canceling's empirical behaviour, "
            + "as in the paper's Figure 2, which τ does not predict)"
        let above = (0.5, [0.05, 0.06, 0.07]), open = (2.0, [-0.01, 0.0, 0.013])
        // Below every τ the victim is more accurate; above, the interval holds 0.
        let holds = evidence([above, open])
        #expect(holds.accuracySentence == opening + " at the largest swept budget at which every run lies below its own τ the victim is still more "
            + "accurate than the target (+0.060 [+0.035, +0.085] at 50.0%); where every run lies above its own τ it is first not told apart from it with "
            + "+0.001 [-0.028, +0.030] at 200.0% = 1.83 τ (the mean over its runs of ε_d over each run's own τ).")
        // Below τ the victim is already no more accurate than the target: quoted at the largest budget below every τ (0.75), not
        // the first (0.5, undecided).
        let early = evidence([(0.5, [0.01, -0.01, 0.005]), (0.75, [-0.03, -0.02, -0.025]), open])
        #expect(early.accuracySentence == opening + " at the largest swept budget at which every run lies below its own τ the victim is already no more "
            + "accurate than the target (-0.025 [-0.037, -0.013] at 75.0%); where every run lies above its own τ it is first not told apart from it with "
            + "+0.001 [-0.028, +0.030] at 200.0% = 1.83 τ (the mean over its runs of ε_d over each run's own τ).")
        // At the largest budget below τ the interval holds 0: the design that would decide it.
        let undecided = evidence([above, (0.75, [0.01, -0.01, 0.005]), open])
        #expect(undecided.accuracySentence == opening + " at the largest swept budget at which every run lies below its own τ the runs cannot tell the "
            + "victim's accuracy from the target's (+0.002 [-0.024, +0.028] at 75.0%, the interval holds 0); where every run lies above its own τ it is "
            + "first not told apart from it with +0.001 [-0.028, +0.030] at 200.0% = 1.83 τ (the mean over its runs of ε_d over each run's own τ). Resolving a difference of 0.020 "
            + "(the planning effect, 6.0 of the 300 test rows) at 80% power needs about 5 seeds at the measured per-seed spread 0.010 "
            + "(3 were run), or, were that spread all the test sample's (it shrinks as 1/√rows), about 500 test rows with these 3 "
            + "seeds (300 × 5/3).")
        // r24h major 2: "from 200%" read as "from there on" though a larger budget tells them apart again; the sentence says
        // "first" and names that budget, or says every larger one agrees.
        let again = evidence([above, open, (3.0, [0.04, 0.05, 0.06])])
        #expect(again.accuracySentence == opening + " at the largest swept budget at which every run lies below its own τ the victim is still more "
            + "accurate than the target (+0.060 [+0.035, +0.085] at 50.0%); where every run lies above its own τ it is first not told apart from it with "
            + "+0.001 [-0.028, +0.030] at 200.0% = 1.83 τ (the mean over its runs of ε_d over each run's own τ), but more accurate again at "
            + "+0.050 [+0.025, +0.075] at 300.0%.")
        let agrees = evidence([above, open, (3.0, [-0.01, 0.0, 0.013])])
        #expect(agrees.accuracySentence == opening + " at the largest swept budget at which every run lies below its own τ the victim is still more "
            + "accurate than the target (+0.060 [+0.035, +0.085] at 50.0%); where every run lies above its own τ it is first not told apart from it with "
            + "+0.001 [-0.028, +0.030] at 200.0% = 1.83 τ (the mean over its runs of ε_d over each run's own τ), and at every larger such budget too.")
        // Above τ the victim stays decidedly more accurate.
        let never = evidence([above, (2.0, [0.04, 0.05, 0.06])])
        #expect(never.accuracySentence == opening + " at the largest swept budget at which every run lies below its own τ the victim is still more "
            + "accurate than the target (+0.060 [+0.035, +0.085] at 50.0%); where every run lies above its own τ it stays more accurate than the target "
            + "at every budget (+0.050 [+0.025, +0.075] at 200.0%).")
        // No budget below every τ.
        #expect(evidence([open]).accuracySentence == opening + " the runs cannot decide: at no swept budget does every run lie below its "
            + "own τ (the lowest recorded is 100.0%); sweep budgets on both sides of τ.")
    }

    /// The floor below τ: W₀(1/e) = 0.2784645427610738 (scipy.special.lambertw), τ 0.5, 20 poisons on 100 rows, ‖θ‖ 2,
    /// clean gradient 0.1: 0.27846 · 0.3/2 · 100/120 / 0.1 = 0.348; none at or above τ. The sentence quotes the run closest
    /// to its floor (seed 2 at 1.1: 0.05 against 0.04) beside it, and calls it a consistency check.
    @Test func belowTauTheMixedGradientIsQuotedBesideItsFloor() {
        let floor = PoisonabilityEvidence.RunEvidence.floorRatio(tau: 0.5, clean: 100, poisons: 20, classes: 2, targetNorm: 2, cleanGradientNorm: 0.1)
        #expect(abs((floor ?? 0) - 0.2784645427610738 * 0.3 / 2 * 100 / 120 / 0.1) < 1e-12)
        #expect(PoisonabilityEvidence.RunEvidence.floorRatio(tau: 0.5, clean: 100, poisons: 50, classes: 2, targetNorm: 2, cleanGradientNorm: 0.1) == nil)
        let runs = Self.runs.map { run in
            PoisonabilityEvidence.RunEvidence(seed: run.0, fraction: run.1, tau: run.2, gradientRatio: run.3,
                                              boundRatio: run.1 < run.2 ? (run.0 == 1 ? 0.1 : 0.04) : nil)
        }
        let bounded = PoisonabilityEvidence(taus: [1.0, 1.2], runs: runs, seedsWithoutThreshold: 0, targetAccuracy: 0.6, fractions: [], testRows: 300)
        #expect(bounded.parameterSpaceSentence == ("In parameter space, below the τ it records every run's "
            + "mixed gradient stays at 5.0% of the clean one or more (least at 110.0%, τ = 120.0%) (a consistency check, which cannot "
            + "fail: below τ no poison set brings the mixed gradient under W₀((c − 1)/e)(τ − ε_d)/‖θ‖ · n/(n + m), θ the target's last layer centred; closest to it, "
            + "seed 2 at 110.0% measures 5.0% of the clean gradient against the bound 4.0%)."))
    }

    @Test func aTargetNotStationaryOnItsOwnRowsIsSaid() {
        #expect(evidence(targetGradientRatio: 0.05).stationaritySentence == "The target is not stationary on its own training rows: "
            + "its gradient there is up to 5.0% of the clean gradient at it (over the seeds), above the 0.1% at which this section "
            + "counts a mixture as stationary. τ is computed at these parameters and takes the target for the end of its training; "
            + "a target trained to convergence can have another τ, or one where these have none.")
        #expect(evidence(targetGradientRatio: 5e-4).stationaritySentence == nil)
        #expect(evidence().stationaritySentence == nil)
    }

    @Test func withoutAThresholdTheSectionSaysSo() {
        let none = evidence([(0.5, [0.01, 0.02])], taus: [], seedsWithoutThreshold: 2)
        #expect(none.accuracySentence == nil)
        #expect(none.parameterSpaceSentence == "No seed's target has a threshold (the product of its weights and its clean "
            + "gradient is at most 0), so the paper predicts no floor for the mixed gradient.")
        // No seed computed one (no finished run at a positive budget): none is said not to exist (r24j M2).
        #expect(evidence(taus: []).parameterSpaceSentence
            == "No run at a positive budget finished, so no τ was computed and the runs show nothing of parameter space.")
    }
}
