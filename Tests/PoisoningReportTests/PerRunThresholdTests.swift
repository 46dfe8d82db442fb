import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// Every run is judged by the weights-only threshold τ_w it records itself (issue 24, r24g blocker 1):
/// τ_w depends on the labels the run's poisons keep, so it varies between a seed's runs (in r24g's
/// biased studies from 444.7 at 1% to 2.7–4.9 at larger budgets). On constructed runs of three seeds at
/// fractions 0.5, 1 and 2 (`cancel: weights`) whose τ_w varies with the fraction, so that judged by
/// the τ_w of each seed's smallest-fraction run (the rule before the fix) a run changes side.
struct PerRunThresholdTests {
    /// τ_w per seed at fractions 0, 0.5, 1, 2, and the first fraction at which the run cancels (mixed
    /// gradient 1e-5 of the clean one; 0.05 below it). Seed 1: τ_w 1.5 at 0.5 (few poisons, all of one
    /// label), 0.9 from 1, where it cancels (1.11 of its own τ_w; below the 1.5 of its first run).
    /// Seed 2: τ_w 0.45, 0.85, then `lastTau` at 2; cancels from 1 (1.18 of its own). Seed 3: τ_w 0.45
    /// everywhere, cancels from 0.5 (1.11).
    /// Seed 1's victim at 2 is not converged (gradient norm 2e-5) when `unconvergedAtTwo`; the victims' distances from
    /// the target are 9, 0.2 and 0.4 (seeds 1–3), their agreement with it 0.6, 0.95 and 0.97 at positive fractions, 0.9 at
    /// fraction 0 (the clean model's, so the excess at positive fractions is −0.3, 0.05 and 0.07).
    /// `withoutTau`: that seed's runs record no τ_w (⟨W, G_W⟩ ≤ 0). `noneConverged`: no run's victim is converged.
    /// `cleanUnconverged`: that seed's victim at fraction 0 (its clean model) is not converged.
    static func results(lastTau: Double, unconvergedAtTwo: Bool = false, withoutTau: UInt64? = nil, noneConverged: Bool = false,
                        cleanUnconverged: UInt64? = nil) throws -> StudyResults {
        let study = try ApplicableThresholdVerdictTests.study()
        let taus: [UInt64: [Double: Double]] = [1: [0: 1.5, 0.5: 1.5, 1: 0.9, 2: 0.9], 2: [0: 0.45, 0.5: 0.45, 1: 0.85, 2: lastTau],
                                                3: [0: 0.45, 0.5: 0.45, 1: 0.45, 2: 0.45]]
        let from: [UInt64: Double] = [1: 1, 2: 1, 3: 0.5]
        let runs = study.runSpecs.filter { $0.series == 0 }.map { spec in
            let cancelled = spec.fraction >= from[spec.seed]!
            let agreement = spec.fraction == 0 ? 0.9 : [1: 0.6, 2: 0.95, 3: 0.97][spec.seed]!
            var metrics = [MetricKey.testAccuracy: 0.8, MetricKey.targetAccuracy: 0.7, MetricKey.targetAgreement: agreement,
                           MetricKey.targetDistance: [1: 9, 2: 0.2, 3: 0.4][spec.seed]!, MetricKey.cleanGradientNorm: 1, MetricKey.mixedGradientNorm: cancelled ? 1e-5 : 0.05,
                           MetricKey.poisonabilityThreshold: 5, MetricKey.weightsOnlyThreshold: taus[spec.seed]![spec.fraction]!,
                           MetricKey.biasGradientRatio: 0.25, MetricKey.victimGradientNorm: 1e-6]
            if noneConverged || (unconvergedAtTwo && spec.seed == 1 && spec.fraction == 2) { metrics[MetricKey.victimGradientNorm] = 2e-5 }
            if spec.seed == withoutTau { metrics[MetricKey.weightsOnlyThreshold] = nil }
            if spec.seed == cleanUnconverged && spec.fraction == 0 { metrics[MetricKey.victimGradientNorm] = 2e-5 }
            return RunResult(fraction: spec.fraction, series: 0, seed: spec.seed, poisonedCount: Int(spec.fraction * 56),
                             realisedFraction: spec.fraction, metrics: metrics, divergence: nil)
        }
        return StudyResults(study: study, runs: study.withCleanBaselines(runs), toolVersion: "test")
    }

    /// Without a run below its own τ_w: seed 1's run at 1 cancels at 1/0.9 = 1.11 τ_w, so no run contradicts the
    /// prediction; judged by its first run's 1.5 it would (the verdict was successBelowTau). The excess over each
    /// run's own τ_w (1/0.9 − 1, 1/0.85 − 1, 0.5/0.45 − 1): mean 13.3% [3.9%, 22.7%] (scipy.stats.t), within the margin.
    @Test func aRunBelowItsFirstRunsThresholdButAboveItsOwnIsNoContradiction() throws {
        let results = try Self.results(lastTau: 1.0)
        let budget = try #require(results.targetBudgets?.first { $0.series == 0 })
        #expect(budget.seeds.map(\.budget) == [1, 1, 0.5] && budget.seeds.map(\.budgetTau) == [0.9, 0.85, 0.45])
        #expect(budget.seeds.map(\.lastUncancelledTau) == [1.5, 0.45, nil] && budget.seeds.map(\.cancelledBelowTau) == [nil, nil, nil])
        // A seed's τ_w is the median of its runs' (1.5, 0.9, 0.9 → 0.9), not its first run's.
        #expect(budget.seeds.map(\.tau) == [0.9, 0.85, 0.45])
        #expect(budget.seeds.map(\.isBelowTau) == [false, false, false])
        #expect(budget.verdict == .consistent)
        #expect(abs((budget.excess?.value ?? 0) - 0.13289760348583882) < 1e-12)
        #expect(abs((budget.excess?.interval?.lower ?? 0) - 0.03915789259805098) < 1e-9)
        #expect(abs((budget.excess?.interval?.upper ?? 0) - 0.22663731437362666) < 1e-9)
        let evidence = PoisonabilityEvidence(results, series: 0)
        #expect(evidence.contradictingRuns.isEmpty)
        #expect(evidence.runs.filter { $0.seed == 1 }.map(\.tau) == [1.5, 0.9, 0.9])
        #expect(evidence.taus == [0.9, 0.85, 0.45])
        // Every run at 0.5 lies below its own τ_w only for seed 1 (0.5 < 1.5), so 0.5 is on neither side; from 1 every run is above.
        #expect(evidence.sides.below.isEmpty && evidence.sides.above.map(\.fraction) == [1, 2])
        let row = ReportModel.predictedRows(of: results)[0]
        #expect(row.findings.contains { $0.contains("seed 1 in (50.0%, 100.0%] = (0.33, 1.11] τ_w, seed 2 in (50.0%, 100.0%] = (1.11, 1.18] τ_w, "
            + "seed 3 in (0.0%, 50.0%] = (0.00, 1.11] τ_w; the first cancelling budget exceeds τ_w by 13.3% of τ_w on average [3.9%, 22.7%]") })
    }

    /// r24h major 1: seed 3 has no τ_w (and cancels from 0.5). The excess and the per-seed judgement are over seeds 1 and 2,
    /// which have one (before, the excess needed every seed to have one, so the sentence said "more seeds would" and judged
    /// none); the seed without is named, not judged. Each fraction's ratio and accuracy differences are those of the runs
    /// with a τ_w only, as the table labels the fraction by their side (before: seed 3's cancelled 1e-5 was averaged in).
    @Test func aSeedWithoutTauIsLeftOutOfTheVerdictAndTheFractionFigures() throws {
        let results = try Self.results(lastTau: 1.0, withoutTau: 3)
        let budget = try #require(results.targetBudgets?.first { $0.series == 0 })
        #expect(budget.seeds.map(\.tau) == [0.9, 0.85, nil])
        #expect(abs((budget.excess?.value ?? 0) - (1 / 0.9 + 1 / 0.85 - 2) / 2) < 1e-12)
        #expect(budget.verdict == .excessUndecided)
        let sentence = budget.sentence(symbol: "τ_w")
        #expect(sentence.contains("and that of every seed with a τ_w is above it; the first cancelling budget exceeds τ_w by 14.4% of τ_w on average"))
        #expect(sentence.hasSuffix("; per seed, 2 of 2 seeds cancel within 1.25 τ_w (seeds 1, 2); no seed's bracket straddles 1.25 τ_w, so more "
            + "fractions cannot change this; more seeds would narrow the average; 1 of 3 seeds has no τ_w (⟨W, G⟩ ≤ 0: seed 3), not judged."), "\(sentence)")
        let evidence = PoisonabilityEvidence(results, series: 0)
        #expect(evidence.fractions.map(\.gradientRatio) == [0.05, 1e-5, 1e-5])
        #expect(evidence.fractions.map(\.accuracyDifferences.count) == [2, 2, 2])
    }

    /// Seed 2's run at 2 records τ_w 2.5 (its poisons' labels changed) and cancels: below its own τ_w, against the
    /// prediction, though above the 0.45 of its first run (the verdict was consistent). Seed 1's run at 1 is not counted.
    @Test func aRunAboveItsFirstRunsThresholdButBelowItsOwnContradicts() throws {
        let results = try Self.results(lastTau: 2.5)
        let budget = try #require(results.targetBudgets?.first { $0.series == 0 })
        #expect(budget.seeds.map(\.cancelledBelowTau) == [nil, 2, nil] && budget.seeds.map(\.isBelowTau) == [false, true, false])
        #expect(budget.verdict == .successBelowTau)
        #expect(budget.sentence(symbol: "τ_w").contains("; seed 2 (its run at 200.0%) cancels it below the τ_w that run records, against the prediction"))
        let evidence = PoisonabilityEvidence(results, series: 0)
        #expect(evidence.contradictingRuns == [PoisonabilityEvidence.RunEvidence(seed: 2, fraction: 2, tau: 2.5, gradientRatio: 1e-5)])
        #expect(evidence.parameterSpaceSentence == "In parameter space the runs go against the prediction: 1 run below the τ_w it records brings "
            + "the mixed gradient to 0.1% of the clean one or less (deepest: seed 2 at 200.0% = 0.80 τ_w, τ_w = 250.0%, leaves 1.0e-05 of it); "
            + "below τ_w no poison set brings it to 0, but the floor tends to 0 as ε_d nears τ_w and none is computed for τ_w, so this "
            + "contradicts τ_w unless that floor is under 0.1% of the clean gradient there.")
    }

    /// r24g and h24c findings 2 and 3: the Findings' victim distance at the largest fraction averaged unconverged victims in,
    /// and gave mean ± std. With seed 1's victim at 2 unconverged, the sentence gives the mean over the other two runs with
    /// its Student t interval, 0.300 (−0.971 to 1.571) (scipy.stats.t, t(1) = 12.706) clipped at 0, a distance's least value,
    /// and says one of three runs was left out; with every victim converged, the mean over all three with its interval,
    /// 3.200 (−9.280 to 15.680) clipped the same, nothing left out.
    @Test func theFindingsLeaveUnconvergedVictimsOutOfTheVictimsDistance() throws {
        let distance = { (results: StudyResults) in findingSentences(results).first { $0.contains("distance from target") } ?? "" }
        let unconverged = distance(try Self.results(lastTau: 1.0, unconvergedAtTwo: true))
        #expect(unconverged.hasPrefix("At the largest fraction (200.0%) the victim's distance from target ("), "\(unconverged)")
        #expect(unconverged.contains(")) (mean over seeds, its 95% Student t interval, clipped to the metric's range, in parentheses), over "
            + "the runs whose retrained victim converged (gradient norm at most 1e-5 on its training rows; an unconverged one measures where "
            + "its training stopped as much as the poisons, and is left out), is 0.300 (0.000 to 1.571) (1 of 3 runs left out) ("), "\(unconverged)")
        #expect(!unconverged.contains("±"), "\(unconverged)")
        let converged = distance(try Self.results(lastTau: 1.0))
        #expect(converged.contains(" is 3.200 (0.000 to 15.680) (") && !converged.contains("left out") && !converged.contains("±"), "\(converged)")
    }

    /// h24c finding 2: every other place that averages the victim's agreement with the target or its distance from it
    /// counts converged victims only and says how many runs it left out. With seed 1's victim at 2 unconverged (its
    /// agreement 0.6, excess −0.3), the excess at 2 is the mean of 0.05 and 0.07, +0.060, not the −0.060 of all three runs,
    /// with its Student t interval, the spread 0.014 raised to one of the 24 test rows, ± t(1) (1/24)/√2 = ± 0.374
    /// (scipy.stats.t, t(1) = 12.706): in the Findings, in the tables of the attack's metrics (the distance 0.300 [−0.971,
    /// 1.571], unraised, the agreement 0.960 [0.586, 1.334], each clipped to its range), in the points (points.csv) and in the attack comparison
    /// table; at 1, where every victim converged, nothing is left out.
    @Test func everyAverageOfTheVictimsAgreementLeavesUnconvergedVictimsOut() throws {
        let results = try Self.results(lastTau: 1.0, unconvergedAtTwo: true)
        let point = try #require(results.points.first { $0.series == 0 && $0.fraction == 2 })
        #expect(abs((point.metric(MetricKey.targetAgreement)?.mean ?? 0) - 0.96) < 1e-12)
        #expect(abs((point.metric(MetricKey.targetAgreement + MetricKey.excessSuffix)?.mean ?? 0) - 0.06) < 1e-12)
        #expect(abs((point.metric(MetricKey.targetDistance)?.mean ?? 0) - 0.3) < 1e-12)
        let excess = findingSentences(results).first { $0.contains("agreement with target") } ?? ""
        #expect(excess.contains(" is +0.060 (-0.314 to +0.434) (1 run left out: victim not converged) ("), "\(excess)")
        let tables = ReportModel.attackMetricTables(of: results, fractions: results.config.fractions)
        let cell = { (name: String, fraction: Int) in tables.first { $0.name == name }?.rows[fraction].cells.first ?? "" }
        #expect(cell("Victim's distance from target", 3) == "0.300 [0.000, 1.571] (1 of 3 runs left out: victim not converged)")
        #expect(cell("Agreement with target", 3) == "0.960 [0.586, 1.000] (1 of 3 runs left out: victim not converged)")
        #expect(cell("Agreement with target, excess over clean", 3) == "+0.060 [-0.314, +0.434] (1 of 3 runs left out: victim not converged)")
        #expect(!cell("Agreement with target", 2).contains("left out") && !cell("Agreement with target", 2).contains("±"))
        let summary = tables.first { $0.name == "Victim's distance from target" }?.summary ?? ""
        #expect(summary.hasPrefix("mean over seeds, in brackets its 95% Student t interval (its lower end clipped at 0; none with one seed); only runs whose retrained "
            + "victim converged"), "\(summary)")
        let comparison = ReportModel.attackComparisonRows(of: results, budget: 2, hasDefenses: false).map(\.success)
        #expect(comparison.contains { $0.hasPrefix("+0.060 [-0.314, +0.434] (1 of 3 runs left out: victim not converged)") }, "\(comparison)")
    }

    /// h24c finding 2, as examples/poisonability-mlp: where no victim converged, the victim's distance and agreement have no
    /// mean anywhere, and the report says so rather than drop them: each table keeps its column, its cells "none converged",
    /// and the Findings name the metrics not given and the runs at the largest fraction (before, the agreement's excess was
    /// the mean over every unconverged victim).
    @Test func whereNoVictimConvergedTheReportSaysSoInsteadOfAMean() throws {
        let results = try Self.results(lastTau: 1.0, noneConverged: true)
        #expect(results.points.allSatisfy { $0.metric(MetricKey.targetAgreement) == nil && $0.metric(MetricKey.targetDistance) == nil })
        let tables = ReportModel.attackMetricTables(of: results, fractions: results.config.fractions)
        for name in ["Victim's distance from target", "Agreement with target", "Agreement with target, excess over clean",
                     "Agreement with target, clean model"] {
            #expect(tables.first { $0.name == name }?.rows[3].cells == ["none converged (3 runs)"], "\(name)")
        }
        let sentence = findingSentences(results).first { $0.contains("are not given") } ?? ""
        #expect(sentence == "At the largest fraction (200.0%) the victim's distance from target, agreement with target (excess over clean) and "
            + "agreement with target are not given: none of the 3 runs' retrained victims converged (gradient norm at most 1e-5 on its "
            + "training rows), and an unconverged one measures where its training stopped as much as the poisons.", "\(sentence)")
    }

    /// h24c leftovers: an agreement excess is a pair of victims, so a seed whose clean model (fraction 0) did not converge
    /// has none: with seed 1's clean victim unconverged, the excess at 2 is the mean of 0.05 and 0.07, +0.060 [−0.314,
    /// +0.434] (t(1) = 12.706, spread raised to one of 24 test rows; scipy.stats.t), its run counted as left out, while the
    /// agreement itself keeps all three (0.6, 0.95, 0.97: 0.840). The clean model's agreement is where an unconverged clean
    /// victim stopped, so seed 1 has none either (r24k): over seeds 2 and 3, 0.9 each, it reads as a mean with its Student t
    /// interval, 0.900 [0.526, 1.000] (t(1) = 12.706 × (1/24) / √2 = 0.374, one test row, clipped at 1), not ± std, seed 1 counted.
    @Test func anExcessWhoseCleanVictimDidNotConvergeIsLeftOutWithItsCleanAgreement() throws {
        let results = try Self.results(lastTau: 1.0, cleanUnconverged: 1)
        let excessKey = MetricKey.targetAgreement + MetricKey.excessSuffix
        #expect(results.runs.filter { $0.series == 0 && $0.seed == 1 }.allSatisfy { $0.metrics?[excessKey] == nil })
        #expect(results.runs.filter { $0.series == 0 && $0.seed == 1 }.allSatisfy { $0.metrics?[MetricKey.cleanTargetAgreement] == nil })
        #expect(results.runs.filter { $0.series == 0 && $0.seed == 2 }.allSatisfy { $0.metrics?[MetricKey.cleanTargetAgreement] == 0.9 })
        let point = try #require(results.points.first { $0.series == 0 && $0.fraction == 2 })
        #expect(abs((point.metric(excessKey)?.mean ?? 0) - 0.06) < 1e-12)
        #expect(abs((point.metric(MetricKey.targetAgreement)?.mean ?? 0) - 0.84) < 1e-12)
        let tables = ReportModel.attackMetricTables(of: results, fractions: results.config.fractions)
        let cell = { (name: String, fraction: Int) in tables.first { $0.name == name }?.rows[fraction].cells.first ?? "" }
        #expect(cell("Agreement with target, excess over clean", 3) == "+0.060 [-0.314, +0.434] (1 of 3 runs left out: victim not converged)")
        #expect(cell("Agreement with target, clean model", 3) == "0.900 [0.526, 1.000] (1 of 3 runs left out: clean model's victim not converged)")
        let summary = tables.first { $0.name == "Agreement with target, clean model" }?.summary ?? ""
        #expect(summary.hasPrefix("mean over seeds, in brackets its 95% Student t interval") && !summary.contains("±"), "\(summary)")
        #expect(summary.contains("; only seeds whose clean model's victim converged (gradient norm at most 1e-5 on its training rows) count"), "\(summary)")
        let excess = findingSentences(results).first { $0.contains("agreement with target") && $0.contains("minus the clean model's") } ?? ""
        #expect(excess.contains(" is +0.060 (-0.314 to +0.434) (1 run left out: victim not converged) ("), "\(excess)")
        #expect(excess.contains("; the clean model's rate is 0.900 (0.526 to 1.000) (1 seed left out: clean model's victim not converged) (")
                && !excess.contains("±"), "\(excess)")
    }

    /// r24j m7: the biases' leftover, 0.25 of the clean gradient in every run, is one number, not "25.0%–25.0%".
    @Test func aLeftoverRangeWhoseEndsAreEqualIsOneNumber() throws {
        let findings = ReportModel.predictedRows(of: try Self.results(lastTau: 1.0))[0].findings
        let method = findings.first { $0.contains("of the clean one at positive budgets)") } ?? ""
        #expect(method.contains("the biases' left (25.0% of the clean one at positive budgets)."), "\(method)")
    }

    /// r24j M2: where no run at a positive budget finished, no τ_w was computed, and the report says so rather than
    /// "no threshold exists" (which the seeds' ⟨W, G⟩ ≤ 0 would mean), nor "no run's victim is judged" of no run, nor an
    /// empty list of seeds.
    @Test func withoutAFinishedRunAtAPositiveBudgetNoThresholdIsSaidNotToExist() throws {
        let finished = try Self.results(lastTau: 1.0)
        let runs = finished.runs.map { run in
            run.fraction == 0 ? run : RunResult(fraction: run.fraction, series: run.series, seed: run.seed, poisonedCount: run.poisonedCount,
                                                realisedFraction: run.realisedFraction, metrics: nil, divergence: "diverged")
        }
        let study = try ApplicableThresholdVerdictTests.study()
        let results = StudyResults(study: study, runs: study.withCleanBaselines(runs), toolVersion: "test")
        let row = ReportModel.predictedRows(of: results)[0]
        #expect(row.tau == "not computed (no finished run at a positive budget)", "\(row.tau)")
        let text = row.findings.joined(separator: " ")
        #expect(!text.contains("no threshold exists") && !text.contains("No seed's target has a threshold") && !text.contains("): ;"), "\(text)")
        #expect(PoisonabilityEvidence(results, series: 0).parameterSpaceSentence
            == "No run at a positive budget finished, so no τ_w was computed and the runs show nothing of parameter space.")
        let budget = TargetBudget(runs: results.runs, series: 0, confidence: 0.95, cancel: .weights)
        #expect(budget.victimSentence.hasSuffix("closes 50.0% of the clean model's disagreement with the target): no run at a positive budget finished."))
        #expect(budget.sentence(symbol: "τ_w").hasSuffix("every run is judged by its own): none: no run at a positive budget finished, so no τ_w was computed."))
        let tau = ReportModel.attackMetricTables(of: results, fractions: results.config.fractions).first { $0.name.hasPrefix("Threshold τ") }
        #expect(tau.map { $0.rows.dropFirst().allSatisfy { $0.cells.allSatisfy { $0 == "n/a" } } } == true, "\(String(describing: tau?.rows))")
    }
}

/// Review r24k's minors on the cells and sentences of a gradient-canceling study.
struct ReviewR24kWordingTests {
    /// The runs of `PerRunThresholdTests.results` (series 0, `cancel: weights`) given to both series of the study,
    /// series 1 being `cancel: weights-and-bias`.
    static func bothSeries(noneConverged: Bool) throws -> StudyResults {
        let study = try ApplicableThresholdVerdictTests.study()
        let runs = try PerRunThresholdTests.results(lastTau: 1.0, noneConverged: noneConverged).runs.flatMap { run in
            [0, 1].map { RunResult(fraction: run.fraction, series: $0, seed: run.seed, poisonedCount: run.poisonedCount,
                                   realisedFraction: run.realisedFraction, metrics: run.metrics, divergence: nil) }
        }
        return StudyResults(study: study, runs: study.withCleanBaselines(runs), toolVersion: "test")
    }

    /// m-a: where no retrained victim converged, the attack's success has no mean; the attacks-compared and attack-budget
    /// tables said "—", which their captions give to an attack without the metric. They say "none converged" and count the runs.
    @Test func aSuccessWithNoConvergedVictimSaysSoNotADash() throws {
        let results = try Self.bothSeries(noneConverged: true)
        let comparison = ReportModel.attackComparisonRows(of: results, budget: 2, hasDefenses: false).map(\.success)
        #expect(comparison == ["none converged (3 runs)", "none converged (3 runs)"], "\(comparison)")
        let rows = attackBudgetRows(results)
        #expect(!rows.isEmpty)
        for row in rows {
            #expect(row.success == "none converged (3 runs of \(results.series[1].attackLabel), 3 runs of \(results.series[0].attackLabel))",
                    "\(row.success)")
        }
        let converged = try Self.bothSeries(noneConverged: false)
        #expect(attackBudgetRows(converged).allSatisfy { !$0.success.contains("none converged") && $0.success != "—" })
    }

    /// The attack-budget cell of a pair whose own victims converged but whose clean models' (fraction 0) did not: it
    /// counts each series' runs and says why, where it once cut "no converged pair (…)" into "o converged pair (…".
    @Test func aPairWithoutConvergedCleanModelsSaysWhyInTheAttackBudgetTable() throws {
        let both = try Self.bothSeries(noneConverged: false)
        let study = try Study(both.config)
        let runs = both.runs.map { run in
            guard run.fraction == 0, var metrics = run.metrics else { return run }
            metrics[MetricKey.victimGradientNorm] = 2e-5
            return run.withMetrics(metrics)
        }
        let results = StudyResults(study: study, runs: study.withCleanBaselines(runs), toolVersion: "test")
        let rows = attackBudgetRows(results)
        #expect(!rows.isEmpty)
        for row in rows {
            #expect(row.success == "none converged (3 runs of \(results.series[1].attackLabel) with no converged clean model, "
                        + "3 runs of \(results.series[0].attackLabel) with no converged clean model)", "\(row.success)")
        }
    }

    /// The attack-budget cell counts the seeds it leaves out (review r24m m3): with one seed's victims unconverged in the
    /// second series at every positive budget, each corrected-success cell reads "(a to b; 2 of 3 seeds)"; with two seeds'
    /// "(one seed of 3)"; the test-error cells, which count every finished run, keep all 3 seeds and say nothing.
    @Test func theAttackBudgetCellSaysHowManySeedsItCounts() throws {
        let both = try Self.bothSeries(noneConverged: false)
        let study = try Study(both.config)
        #expect(attackBudgetRows(both).allSatisfy { !$0.success.contains(" of 3") && !$0.testError.contains(" of 3") })
        let unconverged = { (seeds: Set<UInt64>) -> StudyResults in
            let runs = both.runs.map { run in
                guard run.series == 1, run.fraction > 0, seeds.contains(run.seed), var metrics = run.metrics else { return run }
                metrics[MetricKey.victimGradientNorm] = 2e-5
                return run.withMetrics(metrics)
            }
            return StudyResults(study: study, runs: study.withCleanBaselines(runs), toolVersion: "test")
        }
        let seeds = both.config.seeds
        let oneLeftOut = attackBudgetRows(unconverged([seeds[0]]))
        #expect(!oneLeftOut.isEmpty)
        for row in oneLeftOut {
            #expect(row.success.hasSuffix("; 2 of 3 seeds)") && !row.success.contains("one seed"), "\(row.success)")
            #expect(!row.testError.contains(" of 3"), "\(row.testError)")
        }
        for row in attackBudgetRows(unconverged([seeds[0], seeds[1]])) {
            #expect(row.success.hasSuffix(" (one seed of 3)"), "\(row.success)")
        }
    }

    /// m-b: the "Target stationary from" column stands in for the victim's agreement only where a series leaves the biases'
    /// gradient on the mixture; a study whose gradient-canceling series all cancel it (`weights-and-bias`) does not say so.
    @Test func theStationarityColumnsSentenceIsSaidOnlyWhereTheBiasesAreLeft() throws {
        let both = try Self.bothSeries(noneConverged: false)
        var config = both.config
        config.attacks = [config.attacks[1]]
        let study = try Study(config)
        let runs = both.runs.filter { $0.series == 1 }.map { run in
            RunResult(fraction: run.fraction, series: 0, seed: run.seed, poisonedCount: run.poisonedCount,
                      realisedFraction: run.realisedFraction, metrics: run.metrics, divergence: nil)
        }
        let weightsAndBias = StudyResults(study: study, runs: study.withCleanBaselines(runs), toolVersion: "test")
        #expect(ReportModel(both, command: "make-report").leavesBiasesUncancelled)
        #expect(!ReportModel(weightsAndBias, command: "make-report").leavesBiasesUncancelled)
        for format in ReportFormat.allCases {
            let render = { (results: StudyResults) in
                try renderReport(template: format.definition.shippedTemplate.text, fileName: format.reportFileName,
                                 context: reportContext(for: results, format: format, settings: ReportSettings(command: "make-report", figureExtension: "png")),
                                 strict: true).text
            }
            #expect(try render(both).contains("The stationarity column stands in for the budget"), "\(format)")
            #expect(try !render(weightsAndBias).contains("The stationarity column stands in"), "\(format)")
            #expect(try render(weightsAndBias).contains("Predicted vs measured"), "\(format)")
        }
    }

    /// r24m m5: where every clean model's victim (fraction 0) did not converge, the excess has no run, though the victims at
    /// 200% converged: its cell says no pair converged and why, not "none converged"; the clean agreement's cell says none
    /// converged; the agreement itself, over the converged victims 0.6, 0.95, 0.97, is 0.840.
    @Test func anExcessWithoutAConvergedCleanVictimSaysNoPairConverged() throws {
        let study = try ApplicableThresholdVerdictTests.study()
        let runs = try PerRunThresholdTests.results(lastTau: 1.0).runs.map { run in
            guard run.fraction == 0, var metrics = run.metrics else { return run }
            metrics[MetricKey.victimGradientNorm] = 2e-5
            return run.withMetrics(metrics)
        }
        let results = StudyResults(study: study, runs: study.withCleanBaselines(runs), toolVersion: "test")
        let tables = ReportModel.attackMetricTables(of: results, fractions: results.config.fractions)
        let cell = { (name: String) in tables.first { $0.name == name }?.rows[3].cells.first ?? "" }
        #expect(cell("Agreement with target, excess over clean") == "no converged pair (3 runs: clean model's victim not converged)")
        #expect(cell("Agreement with target, clean model") == "none converged (3 runs)")
        #expect(cell("Agreement with target").hasPrefix("0.840 ["), "\(cell("Agreement with target"))")
    }

    /// m-c: a range whose ends are equal is one number ("1.11 τ_w", not "1.11–1.11 τ_w"), and a count of one is singular
    /// ("over the 1 run", "none for 1 seed").
    @Test func equalEndsAreOneNumberAndOneIsSingular() throws {
        let results = try PerRunThresholdTests.results(lastTau: 1.0)
        let one = try StudyResults(study: ApplicableThresholdVerdictTests.study(),
                                   runs: results.runs.filter { $0.seed == 3 && ($0.fraction == 0 || $0.fraction == 2) }, toolVersion: "test")
        let method = ReportModel.predictedRows(of: one)[0].findings.joined(separator: " ")
        #expect(method.contains("the weights-only τ_w of each run's target and poison labels, 45.0% over the 1 run at positive budgets (0.09 τ)"),
                "\(method)")
        #expect(!method.contains("45.0%–45.0%"))
        let withoutTau = try PerRunThresholdTests.results(lastTau: 1.0, withoutTau: 3)
        #expect(ReportModel.predictedRows(of: withoutTau)[0].tau.hasSuffix("; none for 1 seed"), "\(ReportModel.predictedRows(of: withoutTau)[0].tau)")
    }

    /// r24j m6: τ's Student t interval over seeds is clipped at 0 (τ is a budget), as the stationary-from cell's is clipped to
    /// the grid, and is marked so: seeds 1 and 2 at τ_w 0.9 and 0.45 (seed 2's median of 0.45, 0.85, 0.2), mean 67.5%, their
    /// t(1) interval 67.5% ± 12.706 × 0.318 / √2 reaches −218%.
    @Test func aTauIntervalClippedAtZeroIsMarked() throws {
        let tau = ReportModel.predictedRows(of: try PerRunThresholdTests.results(lastTau: 0.2, withoutTau: 3))[0].tau
        #expect(tau.hasPrefix("τ_w = 67.5% [0.0% (clipped), "), "\(tau)")
        let unclipped = ReportModel.predictedRows(of: try PerRunThresholdTests.results(lastTau: 1.0))[0].tau
        #expect(!unclipped.contains("clipped"), "\(unclipped)")
    }
}
