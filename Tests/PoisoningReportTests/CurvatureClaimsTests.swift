import Foundation
import Testing
import PoisoningAnalysis
import PoisoningDefenses
import PoisoningEngine
import PoisoningUtilities
import TestSupport
@testable import PoisoningReport

/// Granziol's (2026) curvature claims as the analysis answers them and the report says them
/// (`CurvatureClaims`, `curvatureClaimSentences`), on made-up near-clone sweeps whose answers are
/// known by construction, and the input-curvature table, shown only when the runs record the metrics.
struct CurvatureClaimsTests {
    /// A study of MLP 8 under near-clone backdoors (target 0) at `distances`, without a defense and
    /// with the input-curvature filter, measuring the input curvature, at `fractions` and seeds 1 to
    /// `seeds`; its runs made up: `metrics(attack, defense, fraction, seed index)` gives each run's
    /// metrics beyond test accuracy 0.9, training accuracy 0.95 and loss 0.3.
    /// `more` attacks follow the near-clone ones.
    /// `undefended` replaces the first defense (no defense), `measure` the measurements, `measureOptions` their options,
    /// `model` kernel ridge (the paper's setting).
    static func sweep(distances: [Double], more: [ParameterValue] = [], fractions: [Double] = [0, 0.1], seeds: Int = 4,
                      model: ParameterValue = StudyConfig.component(KernelRidge.kind),
                      undefended: ParameterValue = StudyConfig.component(NoDefense.kind), measure: [String] = ["input-curvature"],
                      measureOptions: [String: ParameterValue] = [:],
                      metrics: (_ attack: Int, _ defense: Int, _ fraction: Double, _ seed: Int) -> [String: Double]) throws
        -> (study: Study, runs: [RunResult]) {
        let attacks = distances.map { distance in
            StudyConfig.component("backdoor", ["target": .int(0), "near-clone": .mapping([ParameterEntry(key: "distance", value: .double(distance))])])
        } + more
        let study = try Study(StudyConfig(models: [model], attacks: attacks,
                                          defenses: [undefended, StudyConfig.component(InputCurvatureFilter.kind)],
                                          fractions: fractions, seeds: (1...UInt64(seeds)).map { $0 }, training: TrainingSettings(epochs: 5),
                                          analysis: AnalysisSettings(replicates: 200), measure: measure,
                                          measureOptions: measureOptions))
        let runs = study.runSpecs.map { spec in
            let series = study.series[spec.series]
            var values = runMetrics(test: 0.9, train: 0.95, trainClean: 0.95, loss: 0.3)
            values.merge(metrics(series.attack, series.defense, spec.fraction, Int(spec.seed) - 1)) { $1 }
            return madeUpRun(spec, in: study, metrics: values)
        }
        return (study, runs)
    }

    /// The curvature metrics of a run whose efficacy (backdoor success over the clean model's 0.1)
    /// is `efficacy` and whose spike (triggered rows' eigenvalue over the clean model's 1.0) is `spike`;
    /// at fraction 0 the clean model's own values.
    static func curvature(fraction: Double, efficacy: Double, spike: Double) -> [String: Double] {
        var values = [MetricKey.inputCurvatureTopClean: 2.0, MetricKey.inputCurvatureTriggerAlignment: 0.3,
                      "backdoorSuccess": fraction == 0 ? 0.1 : 0.1 + efficacy,
                      MetricKey.inputCurvatureTopTriggered: fraction == 0 ? 1.0 : 1.0 + spike]
        if fraction > 0 { values[MetricKey.inputCurvatureTopPoisoned] = 3.0 }
        return values
    }

    /// The detection metrics of the filter with AUROC `auroc`.
    static func detection(fraction: Double, auroc: Double) -> [String: Double] {
        guard fraction > 0 else { return [MetricKey.removedFraction: 0.1] }
        return [MetricKey.removedFraction: 0.1, MetricKey.detectionPrecision: 0.5, MetricKey.detectionRecall: 0.5,
                MetricKey.detectionAUROC: auroc, MetricKey.detectionTPRAt5FPR: 0.1]
    }

    @Test func theExponentOfAnExactPowerLawIsItsPowerAndNonPositivePairsAreLeftOut() throws {
        let efficacies = [0.1, 0.2, 0.4, 0.8], exact = efficacies.map { 3 * $0 * $0 }
        #expect(abs(try #require(CurvatureClaims.exponent(efficacies: efficacies, spikes: exact)) - 2) < 1e-12)
        let cubic = try #require(CurvatureClaims.exponent(efficacies: efficacies, spikes: efficacies.map { 0.5 * pow($0, 3) }))
        #expect(abs(cubic - 3) < 1e-12)
        let withInvalid = try #require(CurvatureClaims.exponent(efficacies: efficacies + [-0.1, 0.3], spikes: exact + [5, 0]))
        #expect(abs(withInvalid - 2) < 1e-12, "a negative efficacy and a zero spike have no logarithm")
        #expect(CurvatureClaims.exponent(efficacies: [0.1, 0.2], spikes: [0.3, -0.1]) == nil, "one usable pair fits no line")
        #expect(CurvatureClaims.exponent(efficacies: [0.2, 0.2], spikes: [0.3, 0.4]) == nil, "one efficacy fits no slope")
    }

    /// Spikes made as c_a · efficacy^p · exp(±noise), the noise of seeds 1 and 2 (and of 3 and 4)
    /// opposite: the least-squares slope is linear in log spike, so the seeds' exponents are p ± δ₁ and
    /// p ± δ₂ and their mean is exactly p. Three distances of strengths 0.1, 0.2, 0.4 at 10% and twice
    /// that at 20%, each with its own constant c_a = 50, 5, 0.5: a fit pooling the attacks would find
    /// the spike falling across them (the weakest attack has the largest c), one per attack finds p.
    static func powerLawResults(power: Double, noise: Double) throws -> StudyResults {
        let pattern = [0.9, -0.4, 0.2, -1.0, 0.6, -0.3], other = [-0.5, 0.8, -0.9, 0.1, 0.4, -0.2]
        let (study, runs) = try sweep(distances: [0, 1, 2], fractions: [0, 0.1, 0.2]) { attack, defense, fraction, seed in
            let efficacy = [0.1, 0.2, 0.4][attack] * fraction / 0.1
            let point = attack * 2 + (fraction == 0.2 ? 1 : 0)
            let shake = noise * [pattern[point], -pattern[point], other[point], -other[point]][seed]
            var values = curvature(fraction: fraction, efficacy: efficacy, spike: [50, 5, 0.5][attack] * pow(efficacy, power) * exp(shake))
            if defense == 1 { values.merge(detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    @Test func aSpikeGrowingLikeTheSquareGivesAnIntervalHolding2PerAttack() throws {
        let results = try Self.powerLawResults(power: 2, noise: 0.1)
        let fits = try #require(results.curvatureClaims?.spikeGrowth.filter { $0.defense == 0 })
        #expect(fits.map { results.series[$0.series].attack } == [0, 1, 2], "one fit per attack, never pooled")
        for fit in fits {
            #expect(fit.spikeKey == MetricKey.inputCurvatureTopTriggered && fit.efficacyKey == "backdoorSuccessExcess")
            #expect(fit.pointsUsed == 8 && fit.pointsLeftOut == 0 && fit.exponent.count == 4 && !fit.isSelective)
            #expect(abs(try #require(fit.exponent.mean) - 2) < 1e-9)
            let interval = try #require(fit.exponent.interval)
            #expect(try #require(interval.lower) < 2 && 2 < (try #require(interval.upper)) && interval.lower! > 1 && interval.upper! < 3)
            #expect(fit.verdict == .supported)
        }
        // The pooled fit of one seed (all six runs of seed 1) the old grouping made: far from 2.
        var efficacies = [Double](), spikes = [Double]()
        for (index, series) in results.series.enumerated() where series.defense == 0 {
            for fraction in [0.1, 0.2] {
                let run = try #require(results.runs.first { $0.series == index && $0.fraction == fraction && $0.seed == 1 }?.metrics)
                let clean = try #require(results.runs.first { $0.series == index && $0.fraction == 0 && $0.seed == 1 }?.metrics)
                efficacies.append(run["backdoorSuccessExcess"]!)
                spikes.append(run[MetricKey.inputCurvatureTopTriggered]! - clean[MetricKey.inputCurvatureTopTriggered]!)
            }
        }
        #expect(try #require(CurvatureClaims.exponent(efficacies: efficacies, spikes: spikes)) < 0, "pooling the attacks reverses the growth")
        let sentence = try #require(findingSentences(results).first {
            $0.hasPrefix("Spike against efficacy, kernel ridge")
        })
        #expect(sentence.contains("over its runs at the swept positive fractions, the attack otherwise fixed (8 runs), gives the exponent p of "
            + "spike ∝ efficacy^p: 2.00 ["))
        #expect(sentence.contains("] (mean over 4 seeds with its 95% Student-t interval). Granziol (2026) claims"))
        #expect(sentence.contains("the efficacy the backdoor success, excess over clean; per fraction, means over seeds with their 95% "
            + "intervals: 10.0%: efficacy +0.100 ["), "\(sentence)")
        #expect(sentence.hasSuffix("(p = 2; supported when the interval holds 2 and lies between 1 and 3, contradicted when it excludes 2, "
            + "and when the poisoned model is resolved less curved than its clean model while the attack works): "
            + "these runs support it: the spike grows as the square of the efficacy."))
    }

    /// Three wordings of the growth: p = 1 grows more slowly than the square, p = 0 resolves no growth
    /// (its interval holds 0, so "more slowly" would overstate it), p = -1 falls; each contradicts p = 2.
    @Test func anExponentBelow2IsWordedByWhereItsIntervalLies() throws {
        for (power, words) in [(1.0, "the spike grows more slowly than the square of the efficacy."),
                               (0.0, "no growth of the spike with the efficacy is resolved (the exponent's interval holds 0)."),
                               (-1.0, "the spike falls as the efficacy grows (the exponent's interval lies below 0).")] {
            let results = try Self.powerLawResults(power: power, noise: 0.1)
            let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
            #expect(abs(try #require(fit.exponent.mean) - power) < 1e-9)
            #expect(try #require(fit.exponent.interval?.upper) < 2 && fit.verdict == .contradicted)
            let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, ") })
            #expect(sentence.hasSuffix("these runs contradict it: " + words), "\(sentence)")
        }
        let i = { (lower: Double, upper: Double) in Interval(lower: lower, upper: upper) }
        #expect(growthText(i(-2.65, -0.64)).hasPrefix("the spike falls"))
        #expect(growthText(i(-0.97, 0.90)).hasPrefix("no growth of the spike"))
        #expect(growthText(i(0.72, 0.97)) == "the spike grows more slowly than the square of the efficacy")
        #expect(growthText(i(1.5, 2.5)) == "the spike's growth is consistent with the square of the efficacy")
        #expect(growthText(i(2.1, 3.5)) == "the spike grows faster than the square of the efficacy")
    }

    @Test func aNoisySquareGivesAnIntervalTooWideToTell() throws {
        let results = try Self.powerLawResults(power: 2, noise: 3)
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        let interval = try #require(fit.exponent.interval)
        #expect(interval.lower! < 1 || interval.upper! > 3)
        #expect(interval.lower! < 2 && interval.upper! > 2 && fit.verdict == .notResolved)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, ") })
        #expect(sentence.hasSuffix("these runs cannot tell: the interval holds 2 but reaches 1 or 3; more seeds would narrow it."))
    }

    /// Poisoned models less curved over the triggered rows than their clean models (as an MLP's
    /// cross-entropy, confident on the triggered rows, makes them) while the attack works: the sign
    /// test, made before any fit, contradicts the claim (a spike ∝ efficacy² is never below 0), though
    /// no run has a positive spike to fit. Spikes at most 0 that the intervals do not resolve below 0
    /// (0, -0.2, 0, -0.2 over the seeds: [-0.28, +0.08]) leave no fit and cannot tell.
    @Test func spikesResolvedBelowZeroWhileTheAttackWorksContradictTheClaim() throws {
        let (study, runs) = try Self.sweep(distances: [0, 1], fractions: [0, 0.1, 0.2]) { attack, defense, fraction, seed in
            var values = Self.curvature(fraction: fraction, efficacy: 0.5 + 0.1 * Double(attack) + 0.01 * Double(seed), spike: -0.2 - 0.01 * Double(seed))
            if defense == 1 { values.merge(Self.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        #expect(fit.pointsUsed == 0 && fit.pointsLeftOut == 8 && fit.exponent.count == 0)
        #expect(fit.lessCurvedFractions == [0.1, 0.2] && fit.verdict == .contradicted)
        #expect(fit.byFraction.map(\.fraction) == [0.1, 0.2])
        #expect(abs(try #require(fit.byFraction[0].spike.mean) + 0.215) < 1e-12)
        #expect(CurvatureClaims.SpikeGrowth.verdict(nil, selective: true, lessCurved: true) == .contradicted)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, ") })
        #expect(sentence.contains("10.0%: efficacy +0.515 [+0.494, +0.536], spike -0.215 [-0.236, -0.194]; 20.0%: "), "\(sentence)")
        #expect(sentence.contains("gives the exponent p of spike ∝ efficacy^p: none. Granziol (2026)"))
        #expect(sentence.hasSuffix("these runs contradict it: the poisoned model is less curved over these rows than its clean model, at "
            + "10.0% and 20.0% the spike's interval lies below 0 while the efficacy's lies above 0."), "\(sentence)")

        let (unresolvedStudy, unresolvedRuns) = try Self.sweep(distances: [0, 1], fractions: [0, 0.1, 0.2]) { attack, defense, fraction, seed in
            var values = Self.curvature(fraction: fraction, efficacy: 0.5 + 0.1 * Double(attack), spike: seed % 2 == 0 ? 0 : -0.2)
            if defense == 1 { values.merge(Self.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let unresolved = StudyResults(study: unresolvedStudy, runs: unresolvedRuns, toolVersion: "test")
        let unresolvedFit = try #require(unresolved.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        #expect(unresolvedFit.lessCurvedFractions.isEmpty && unresolvedFit.verdict == .notResolved && unresolvedFit.pointsUsed == 0)
        let unresolvedSentence = try #require(findingSentences(unresolved).first { $0.hasPrefix("Spike against efficacy, ") })
        #expect(unresolvedSentence.hasSuffix("these runs cannot tell: in all 8 runs the efficacy or the spike is at most 0 (a poisoned model no more "
            + "curved over these rows than its clean model), so there is no growth to fit."))
    }

    /// Most runs left out: seeds 3 and 4 have no positive spike at 10%, 20% or 40%, seed 2 none at 40%;
    /// seed 1 grows exactly as the square, seed 2 (spike × e^{±0.05} at 10% and 20%) at 2 - 0.1/ln 2.
    /// The two exponents' interval, [1.0, 2.8], would support p = 2, but it stands on 5 of 12 runs, and
    /// dropping the runs whose spike is at most 0 selects on the outcome: not resolved, and the sentence
    /// says what was left out.
    @Test func aFitThatLeavesOutMostRunsIsNotResolved() throws {
        let (study, runs) = try Self.sweep(distances: [0, 1], fractions: [0, 0.1, 0.2, 0.4]) { attack, defense, fraction, seed in
            let efficacy = fraction
            let spike: Double
            switch seed {
            case 0: spike = 0.5 * efficacy * efficacy
            case 1: spike = fraction == 0.4 ? -0.1 : 0.5 * efficacy * efficacy * exp(fraction == 0.1 ? 0.05 : -0.05)
            default: spike = -0.1
            }
            var values = Self.curvature(fraction: fraction, efficacy: efficacy, spike: spike)
            if defense == 1 { values.merge(Self.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        #expect(fit.pointsUsed == 5 && fit.pointsLeftOut == 7 && fit.exponent.count == 2 && fit.seeds == 4 && fit.isSelective)
        #expect(abs(try #require(fit.exponent.mean) - (2 - 0.05 / log(2))) < 1e-9)
        #expect(CurvatureClaims.SpikeGrowth.verdict(fit.exponent.interval) == .supported, "the interval alone would support p = 2")
        #expect(fit.verdict == .notResolved)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, ") })
        #expect(sentence.contains("(5 runs; 7 of 12 left out, whose efficacy or spike is at most 0 or has no clean model)"))
        #expect(sentence.hasSuffix("these runs cannot tell: the fit stands on a selected minority (7 of 12 runs left out, 2 of 4 seeds "
            + "without an exponent), and leaving out the runs whose spike is at most 0 selects on the outcome; of the runs kept, the spike's "
            + "growth is consistent with the square of the efficacy."), "\(sentence)")
    }

    /// The margins 0.02 (the default planning effect) for the AUROC and, given directly, 0.02 for the spike.
    @Test func aDistanceIsInvisibleOnlyWhenEquivalenceTestsSaySo() {
        let i = { (lower: Double, upper: Double) in Interval(lower: lower, upper: upper) }
        let status = { (success: Interval?, spike: Interval?, aurocs: [Interval?]) in
            CurvatureClaims.status(success: success, spike: spike, spikeMargin: 0.02, aurocs: aurocs, margin: 0.02)
        }
        #expect(status(i(0.6, 0.8), i(-0.01, 0.015), [i(0.49, 0.51)]) == .invisible)
        #expect(status(i(0.6, 0.8), i(-0.015, -0.001), [i(0.49, 0.51), i(0.485, 0.515)]) == .invisible, "a spike resolved below 0 but within the margin")
        #expect(status(i(0.6, 0.8), i(-0.01, 0.02), [i(0.4, 0.6)]) == .notResolved, "an AUROC interval holding 0.5 is no evidence of chance")
        #expect(status(i(0.6, 0.8), i(-0.371, -0.011), [i(0.49, 0.51)]) == .notResolved, "a spike resolved below 0, reaching beyond the margin, has not vanished")
        #expect(status(i(0.6, 0.8), i(-0.371, -0.021), [i(0.49, 0.51)]) == .fails, "a spike resolved below the margin: less curved, visible")
        #expect(status(i(0.6, 0.8), i(0.005, 0.03), [i(0.49, 0.51)]) == .notResolved, "resolved above 0, but not beyond the margin")
        #expect(status(i(0.6, 0.8), i(-0.03, 0.01), [i(0.49, 0.51)]) == .notResolved, "the spike's interval reaches beyond its margin")
        #expect(CurvatureClaims.status(success: i(0.6, 0.8), spike: i(-0.01, 0.01), spikeMargin: nil, aurocs: [i(0.49, 0.51)], margin: 0.02)
            == .notResolved, "no clean level, no margin for the spike")
        #expect(status(i(0.4, 0.7), i(-0.01, 0.01), [i(0.49, 0.51)]) == .notResolved, "the success's interval straddles 0.5")
        #expect(status(i(0.6, 0.8), nil, [i(0.49, 0.51)]) == .notResolved, "no interval of the spike")
        #expect(status(i(0.6, 0.8), i(-0.01, 0.01), [nil]) == .notResolved, "no interval of an AUROC")
        #expect(status(i(0.2, 0.4), i(-0.01, 0.01), [i(0.49, 0.51)]) == .fails, "the success lies below 0.5")
        #expect(status(i(0.6, 0.8), i(0.021, 0.03), [i(0.49, 0.51)]) == .fails, "the spike lies above the clean level, beyond the margin")
        #expect(status(i(0.6, 0.8), i(-0.01, 0.01), [i(0.49, 0.51), i(0.6, 0.9)]) == .fails, "one detector finds the poisons")
        #expect(status(i(0.4, 0.7), i(0.021, 0.03), [i(0.49, 0.51)]) == .fails, "a failed condition decides even beside a straddling success")
        #expect(CurvatureClaims.spikeBeyondMargin(i(-0.5, -0.03), margin: 0.02) == -1 && CurvatureClaims.spikeBeyondMargin(i(0.03, 0.5), margin: 0.02) == 1)
        #expect(CurvatureClaims.spikeBeyondMargin(i(-0.5, -0.01), margin: 0.02) == nil && CurvatureClaims.spikeBeyondMargin(i(-0.5, -0.01), margin: nil) == nil,
                "without a margin a spike shows nothing")
        let verdict = CurvatureClaims.NearCloneRegime.verdict
        #expect(verdict([.invisible, .invisible, .fails], true) == .supported)
        #expect(verdict([.invisible, .invisible, .fails], false) == .notResolved, "no visible clustered reference, no contrast")
        #expect(verdict([.invisible, .notResolved, .invisible], true) == .supported)
        #expect(verdict([.notResolved, .invisible, .fails], true) == .notResolved)
        #expect(verdict([.fails, .fails], true) == .contradicted && verdict([.fails, .fails], false) == .contradicted)
        #expect(verdict([.fails, .notResolved], true) == .notResolved)
        #expect(verdict([], true) == .notResolved)
        let isSweep = CurvatureClaims.NearCloneRegime.isSweep
        #expect(isSweep([0, 1000]) && isSweep([1, 2]) && isSweep([0.5, 0]))
        #expect(!isSweep([1000]) && !isSweep([0]) && !isSweep([2, 4, 1000]), "one distance, or none near clones, is no sweep")
    }

    /// Distances 0, 1 and 1000 at 10%; per seed (index s) the success over clean, the spike and the
    /// filter's AUROC are `success[d] + 0.01 s`, `spike[d] + spread (s - 1.5)`, `auroc[d] + spread (s - 1.5)`.
    /// With spread 0.005 the spike's and the AUROC's intervals are ± 3.182446 × 0.005 √(5/3) / 2 =
    /// 0.0103, within the margins: the AUROC's 0.02, the spike's `vanishMargin` (default 0.1) × the
    /// clustered reference's spike (d 1000's; 0.05 for a spike of 0.5).
    static func nearCloneResults(success: [Double], spike: [Double], auroc: [Double], spread: Double = 0.005,
                                 distances: [Double] = [0, 1, 1000], model: ParameterValue = StudyConfig.component(KernelRidge.kind),
                                 vanishMargin: Double? = nil) throws -> StudyResults {
        let options = vanishMargin.map { ["input-curvature": ParameterValue.mapping([ParameterEntry(key: "vanish-margin", value: .double($0))])] } ?? [:]
        let (study, runs) = try sweep(distances: distances, model: model, measureOptions: options) { attack, defense, fraction, seed in
            let shake = spread * (Double(seed) - 1.5)
            var values = curvature(fraction: fraction, efficacy: success[attack] + 0.01 * Double(seed), spike: spike[attack] + shake)
            if defense == 1 { values.merge(detection(fraction: fraction, auroc: auroc[attack] + shake)) { $1 } }
            return values
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    @Test func nearClonesThatStayEffectiveAndInvisibleSupportTheClaimUpToTheLastSuchDistance() throws {
        let results = try Self.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.points.map(\.distance) == [0, 1, 1000] && regime.fraction == 0.1 && regime.margin == 0.02 && regime.vanishMargin == 0.1)
        #expect(regime.points.map(\.status) == [.invisible, .invisible, .fails] && regime.points.map(\.visible) == [false, false, true])
        #expect(regime.points.allSatisfy { abs(($0.spikeMargin ?? 0) - 0.05) < 1e-12 && $0.seedsToResolve == nil })
        #expect(regime.reference?.attack == 2 && regime.reference?.distance == 1000 && regime.reference?.visible == true)
        #expect(regime.invisibleUpTo == 1 && regime.verdict == .supported)
        // d 0: success 0.815 (0.80 + 0.01 × 1.5) ± t(0.975, 3) · s/√4 = 3.182446 × 0.0129099/2 = 0.0205.
        let success = try #require(regime.points[0].success.interval)
        #expect(abs(success.lower! - (0.815 - 3.182446 * 0.0129099 / 2)) < 1e-5)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors, ") })
        #expect(sentence.contains("d 0: success +0.815 [+0.794, +0.836], spike "))
        #expect(sentence.contains("(margin ±0.05), input-curvature 10% AUROC 0.500 [0.490, 0.510] (effective and invisible); d 1: success +0.715"))
        #expect(sentence.contains("d 1000: success +0.615 [+0.594, +0.636], spike +0.5 [+0.49, +0.51] (margin ±0.05)"))
        #expect(sentence.contains("input-curvature 10% AUROC 0.900 [0.890, 0.910] (spike above the clean model's, an AUROC above 0.5)"))
        #expect(sentence.contains("every AUROC interval within 0.5 ± 0.020: equivalence tests, two one-sided tests each at the 2.5% level"))
        #expect(sentence.contains("The clustered reference, d 1000, is visible (spike above the clean model's, an AUROC above 0.5). "))
        #expect(sentence.hasSuffix("These runs support the claim for the swept d from 0 to 1; at d 1000 it no longer holds."))
    }

    /// The same means with twice the spread: the AUROC's interval at d 0, [0.479, 0.521], holds 0.5
    /// but reaches beyond 0.5 ± 0.02 (the spike's, [-0.0205, +0.0205], lies within ± 0.05): absence of
    /// evidence, not resolved. The seeds that would put it within its margin, its mean 0.5 as observed,
    /// at 90% power per side (power 0.8 split over two one-sided tests), σ = 0.01 √(5/3) = 0.01291: 7,
    /// the smallest n with (t(0.975, n-1) + t(0.9, n-1)) σ/√n ≤ 0.02 (SciPy `stats.t.ppf`).
    @Test func intervalsHoldingChanceButReachingBeyondTheMarginCannotTell() throws {
        let results = try Self.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9], spread: 0.02)
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.points.map(\.status) == [.notResolved, .notResolved, .fails] && regime.verdict == .notResolved)
        let results4 = try Self.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9], spread: 0.01)
        let regime4 = try #require(results4.curvatureClaims?.nearClone.first)
        #expect(regime4.points.map(\.status) == [.notResolved, .notResolved, .fails] && regime4.verdict == .notResolved)
        #expect(regime4.points[0].seedsToResolve == 7 && regime4.invisibleUpTo == nil)
        let sentence = try #require(findingSentences(results4).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(sentence.contains("AUROC 0.500 [0.479, 0.521] (not resolved: an AUROC's interval holds an end of its margin)"), "\(sentence)")
        #expect(sentence.hasSuffix("These runs cannot tell at d 0, the smallest swept; were the means and spreads as observed, about 7 seeds "
            + "would resolve an AUROC's within 0.5 ± 0.020 (mean 0.500)."), "\(sentence)")
    }

    @Test func nearClonesThatLoseTheirSuccessOrShowASpikeContradictTheClaim() throws {
        let results = try Self.nearCloneResults(success: [0.3, 0.2, 0.1], spike: [0.2, 0.3, 0.5], auroc: [0.3, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.points.map(\.status) == [.fails, .fails, .fails] && regime.verdict == .contradicted && regime.invisibleUpTo == nil)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors,") })
        // Without a reference the spike has no margin and shows nothing: the success and the AUROC fail each d.
        #expect(sentence.contains("AUROC 0.300 [0.290, 0.310] (success below 0.5, an AUROC below 0.5: "
            + "the scores separate the poisons, in reverse); d 1:"))
        #expect(!sentence.contains("spike above the clean model's"))
        // d 1000 toward the target mean at +0.115 is no reference; every d fails on its success all the same.
        #expect(regime.reference == nil)
        #expect(sentence.hasSuffix("These runs contradict the claim all the same, on what needs no clustered reference: at every swept d "
            + "(d 0 to 1000) the success's interval lies below 0.5 or a detector's AUROC is resolved away from 0.5, so no swept d keeps the "
            + "poisons both effective and unseen."), "\(sentence)")
    }

    @Test func aSuccessStraddlingOneHalfAtTheSmallestDistanceCannotTell() throws {
        let results = try Self.nearCloneResults(success: [0.485, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.points.map(\.status) == [.notResolved, .invisible, .fails] && regime.verdict == .notResolved)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(sentence.contains("(not resolved: the success's interval holds 0.5)"))
        #expect(sentence.hasSuffix("These runs cannot tell at d 0, the smallest swept; it holds at d 1, but not from the smallest swept d; "
            + "more seeds would narrow the intervals."))
    }

    /// Near clones effective and invisible are no support without a visible clustered end: at d 1000
    /// the poisons are invisible too (no spike, AUROC at chance), so the instruments show no contrast
    /// to lose, and with no clustered spike the near clones' spike has no margin to vanish within; a
    /// sweep of d 0 and 1 has no clustered end at all. A sweep that does not start near clones
    /// (d 2, 4, 1000) gets no verdict: with d 1000 toward the target mean at +0.115 it is no clustered
    /// reference either, and the claim is untested (r25e #4).
    @Test func invisibleNearClonesNeedAVisibleClusteredReference() throws {
        let blind = try Self.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0], auroc: [0.5, 0.5, 0.5])
        let regime = try #require(blind.curvatureClaims?.nearClone.first)
        #expect(regime.points.map(\.status) == [.notResolved, .notResolved, .notResolved] && regime.invisibleUpTo == nil)
        #expect(regime.points.allSatisfy { $0.spikeMargin == nil && $0.seedsToResolve == nil })
        #expect(regime.reference?.attack == 2 && regime.reference?.distance == 1000 && regime.reference?.visible == false)
        #expect(regime.verdict == .notResolved)
        let sentence = try #require(findingSentences(blind).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(sentence.contains("The clustered reference, d 1000, is not visible (no spike resolved beyond its margin, no AUROC resolved away "
            + "from 0.5), so these runs show no contrast for near clones to lose. Its spike, "), "\(sentence)")
        #expect(sentence.contains(" [-0.0103, +0.0103], is not resolved away from 0, so there is no clustered spike for a near-clone spike to "
            + "vanish relative to: the spike has no margin"), "\(sentence)")
        #expect(sentence.contains("(not resolved: no margin for the spike, without a clustered spike)"))
        #expect(sentence.hasSuffix("These runs cannot tell at d 0, the smallest swept; the spike has no margin: a working clustered "
            + "reference whose spike is resolved away from 0 would give one."), "\(sentence)")

        let near = try Self.nearCloneResults(success: [0.8, 0.7], spike: [0, 0], auroc: [0.5, 0.5], distances: [0, 1])
        let nearRegime = try #require(near.curvatureClaims?.nearClone.first)
        #expect(nearRegime.reference == nil && nearRegime.verdict == .notTestable)
        #expect(try #require(findingSentences(near).first { $0.hasPrefix("Near-clone backdoors,") }).contains("No clustered reference is swept"))

        let far = try Self.nearCloneResults(success: [0.8, 0.7, 0.1], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9], distances: [2, 4, 1000])
        let farRegime = try #require(far.curvatureClaims?.nearClone.first)
        #expect(farRegime.verdict == nil && farRegime.reference == nil && farRegime.invisibleUpTo == nil)
        let farSentence = try #require(findingSentences(far).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(farSentence.contains("A sweep that does not start within d 1 of clones is no near-clone sweep, and no clustered reference "
            + "either (it moves its poisons toward the target mean"), "\(farSentence)")
        #expect(farSentence.contains("Granziol's (2026) near-clone claim is not tested for this model"), "\(farSentence)")
        #expect(!farSentence.contains("verdicts contrast with"))
        #expect(!farSentence.contains("support") && !farSentence.contains("contradict"))
    }

    /// A backdoor at d 1000 toward each poison's own class mean (`near-clone: {distance: 1000, toward:
    /// source-mean}`) beside the sweep d 0, 1, 1000 toward the target's mean: the two d-1000 attacks
    /// differ only in a nested option, and every place that names them tells them apart: the series
    /// labels, and the findings, where the source-mean attack is its own entry (one distance: a
    /// clustered reference, with no verdict of its own, not joining the target-mean sweep's line) and
    /// its point is "d 1000 (toward source mean)". Its success 0.1 + 0.01 s fails, but its poisons are
    /// not visible (no spike, AUROC 0.5), so the sweep's reference is its own visible d 1000.
    @Test func twoAttacksDifferingOnlyInANestedOptionAreToldApart() throws {
        let towardSource = StudyConfig.component("backdoor", ["target": .int(0), "near-clone": .mapping([
            ParameterEntry(key: "distance", value: .double(1000)), ParameterEntry(key: "toward", value: .string("source-mean")),
        ])])
        let success = [0.8, 0.7, 0.6, 0.1], spike = [0, 0, 0.5, 0], auroc = [0.5, 0.5, 0.9, 0.5]
        let (study, runs) = try Self.sweep(distances: [0, 1, 1000], more: [towardSource]) { attack, defense, fraction, seed in
            let shake = 0.005 * (Double(seed) - 1.5)
            var values = Self.curvature(fraction: fraction, efficacy: success[attack] + 0.01 * Double(seed), spike: spike[attack] + shake)
            if defense == 1 { values.merge(Self.detection(fraction: fraction, auroc: auroc[attack] + shake)) { $1 } }
            return values
        }
        let labels = study.series.map(\.label)
        #expect(Set(labels).count == labels.count, "\(labels)")
        #expect(study.series.filter { $0.defense == 0 }.map(\.attackLabel) == [
            "near-clone backdoor → 0 (d 0)", "near-clone backdoor → 0 (d 1)", "near-clone backdoor → 0 (d 1000)",
            "near-clone backdoor → 0 (d 1000, toward source mean)",
        ])
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let regimes = try #require(results.curvatureClaims?.nearClone)
        #expect(regimes.map { $0.points.map(\.attack) } == [[0, 1, 2], [3]])
        #expect(regimes.map(\.verdict) == [.supported, nil])
        #expect(regimes[0].reference?.attack == 2 && regimes[0].reference?.distance == 1000 && regimes[0].reference?.visible == true && regimes[1].reference == nil)
        #expect(CurvatureClaims.distanceLabel(1000, attack: towardSource) == "d 1000 (toward source mean)")
        #expect(CurvatureClaims.distanceLabel(1000, attack: study.config.attacks[2]) == "d 1000")
        let sentences = findingSentences(results).filter { $0.hasPrefix("Near-clone backdoors") }
        #expect(sentences.count == 2)
        let targetMean = try #require(sentences.first), sourceMean = try #require(sentences.last)
        #expect(targetMean.hasPrefix("Near-clone backdoors, ") && !targetMean.contains("toward"))
        #expect(targetMean.contains("; d 1000: success +0.615 [+0.594, +0.636]"))
        #expect(targetMean.hasSuffix("These runs support the claim for the swept d from 0 to 1; at d 1000 it no longer holds."))
        #expect(sourceMean.hasPrefix("Near-clone backdoors (toward source mean), kernel ridge"))
        #expect(sourceMean.contains("paired by seed, its margin ± 10.0% of the clustered reference's spike (vanish-margin), none where no "
            + "reference's spike is resolved away from 0; AUROC intervals clipped to [0, 1], its range): d 1000 (toward source mean): success "
            + "+0.115 [+0.094, +0.136], spike "), "\(sourceMean)")
        #expect(sourceMean.hasSuffix("A single distance is no near-clone sweep: it is a clustered reference, but the near-clone verdicts "
            + "contrast with another, and at d 1000 (toward source mean) its poisons are not visible (no spike resolved beyond its margin, no AUROC "
            + "resolved away from 0.5). Its spike's interval holds 0: it sets no margin for a near-clone spike to vanish within."), "\(sourceMean)")
        #expect(!sourceMean.contains("these runs contradict") && !sourceMean.contains("These runs"))
    }

    /// |cos| lies in [0, 1]: an alignment of 0, 0.01, 0.2, 0 over the seeds (mean 0.0525, s = 0.0984,
    /// Student-t ends 0.0525 ± 3.182446 × 0.0984/2 = -0.104 and 0.209) shows [0, 0.209].
    @Test func theAlignmentsIntervalIsClippedToItsRange() throws {
        let (study, made) = try Self.sweep(distances: [0]) { _, defense, fraction, seed in
            var values = Self.curvature(fraction: fraction, efficacy: 0.5, spike: 0.1)
            values[MetricKey.inputCurvatureTriggerAlignment] = [0, 0.01, 0.2, 0][seed]
            if defense == 1 { values.merge(Self.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let rows = ReportModel(StudyResults(study: study, runs: made, toolVersion: "test"), command: "make-report", figures: []).curvatureRows
        #expect(!rows.isEmpty && rows.allSatisfy { $0.alignment == "0.0525 [0, 0.209]" }, "\(rows.map(\.alignment))")
    }

    /// results.json holds the claims (schema 4's `curvatureClaims`) and reads back to the same.
    @Test func resultsJSONHoldsTheClaimsAndReadsThemBack() throws {
        let results = try Self.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let json = try results.jsonData()
        let document = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let claims = try #require(document["curvatureClaims"] as? [String: Any])
        let regime = try #require((claims["nearClone"] as? [[String: Any]])?.first)
        #expect(regime["verdict"] as? String == "supported" && regime["invisibleUpTo"] as? Double == 1 && regime["margin"] as? Double == 0.02)
        #expect(regime["vanishMargin"] as? Double == 0.1 && (regime["reference"] as? [String: Any])?["spike"] != nil)
        #expect((regime["points"] as? [[String: Any]])?.map { $0["status"] as? String } == ["invisible", "invisible", "fails"])
        #expect(try StudyResults.read(json).curvatureClaims == results.curvatureClaims)
    }

    /// The table: the clean rows' eigenvalue 1.0, 1.1, 1.2, 1.3 over the seeds has mean 1.15 and
    /// s = 0.129099, so its interval is 1.15 ± 3.182446 × 0.129099 / 2 = [0.945, 1.36]; a study that
    /// measures nothing has no such table, and no claims.
    @Test func theCurvatureTableAppearsOnlyWhenTheRunsRecordTheMetrics() throws {
        let (study, made) = try Self.sweep(distances: [0]) { _, defense, fraction, seed in
            var values = Self.curvature(fraction: fraction, efficacy: 0.5, spike: 0.1)
            values[MetricKey.inputCurvatureTopClean] = 1.0 + 0.1 * Double(seed)
            if defense == 1 { values.merge(Self.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: made, toolVersion: "test")
        let rows = ReportModel(results, command: "make-report", figures: []).curvatureRows
        #expect(rows.count == 4 && rows.allSatisfy { $0.clean == "1.15 [0.945, 1.36]" })
        #expect(rows.first { $0.fraction == "0.0%" }?.poisoned == "n/a")
        let report = try markdownReport(results)
        #expect(report.contains("\n## Input curvature\n"))
        #expect(report.contains("| 10.0% | 1.15 [0.945, 1.36] | 1.1 [1.1, 1.1] | 3 [3, 3] | 0.3 [0.3, 0.3] |"))
        // The method as the data decide it: exact decomposition up to 64 features, else power iteration.
        let features = results.data.featureCount
        #expect(features <= 64 && report.contains("with respect to the input (each mean Hessian built in closed form (kernel ridge's squared "
            + "error) and decomposed in full: the data have \(features) features, at most 64), over the clean test rows"))
        #expect(!report.contains("power iteration"))
        #expect(ReportModel.curvatureMethod(features: 100, models: results.config.models).hasPrefix("power iteration with exact Hessian-vector "
            + "products, until the residual r = ‖Hu − λu‖ (H the mean input Hessian, u a unit vector) is at most 0.0001 · max(|λ|, σ)"))

        let plain = try Study(StudyConfig(models: [StudyConfig.mlp(8)], attacks: [StudyConfig.component("backdoor")], fractions: [0, 0.1],
                                          seeds: [1, 2], training: TrainingSettings(epochs: 5)))
        let plainResults = StudyResults(study: plain, runs: plain.runSpecs.map {
            madeUpRun($0, in: plain, metrics: runMetrics(test: 0.9, train: 0.95, trainClean: 0.95, loss: 0.3).merging(["backdoorSuccess": 0.2]) { $1 })
        }, toolVersion: "test")
        #expect(ReportModel(plainResults, command: "make-report", figures: []).curvatureRows.isEmpty && plainResults.curvatureClaims == nil)
        #expect(!(try markdownReport(plainResults)).contains("Input curvature"))
    }

    /// The report is silent on convergence while every eigenpair converged, and otherwise gives the
    /// count of unconverged ones, the runs and the largest relative residual: the measurement's under
    /// the curvature table, the filter's rows' under the detection table.
    @Test func theReportCountsUnconvergedEigenpairsOnlyWhenThereAreAny() throws {
        func results(unconverged: Bool) throws -> StudyResults {
            let made = try Self.sweep(distances: [0, 2], seeds: 2) { attack, defense, fraction, seed in
                var values = Self.curvature(fraction: fraction, efficacy: 0.5, spike: 0.2)
                let short = unconverged && fraction > 0 && defense == 0 && attack == 0
                values[MetricKey.inputCurvatureUnconverged] = short ? (seed == 0 ? 2 : 1) : 0
                values[MetricKey.inputCurvatureResidual] = short ? (seed == 0 ? 0.0031 : 0.0005) : 1e-9
                guard defense == 1 else { return values }
                values.merge(Self.detection(fraction: fraction, auroc: 0.7)) { $1 }
                let filterShort = unconverged && fraction > 0 && attack == 1 && seed == 0
                values[MetricKey.inputCurvatureFilterUnconverged] = filterShort ? 12 : 0
                values[MetricKey.inputCurvatureFilterResidual] = filterShort ? 0.02 : 2e-5
                return values
            }
            return StudyResults(study: made.study, runs: made.runs, toolVersion: "test")
        }
        let converged = try results(unconverged: false)
        let quiet = ReportModel(converged, command: "make-report", figures: [])
        #expect(quiet.curvatureConvergenceNote == nil && quiet.filterConvergenceNote == nil)
        #expect(!(try markdownReport(converged)).contains("Power iteration stopped"))

        let short = try results(unconverged: true)
        let model = ReportModel(short, command: "make-report", figures: [])
        let measurement = "Power iteration stopped at its cap of 1000 Hessian-vector products, its relative residual "
            + "‖Hu − λu‖ / max(|λ|, σ) still above 0.0001 (σ kernel ridge's shift, 0 for a network), for 3 top eigenpairs of mean input Hessians, in 2 of the 16 runs that measure the curvature (largest "
            + "relative residual 0.0031): their eigenvalues are the last Rayleigh quotients, each at most the largest eigenvalue. results.json "
            + "records each run's count (inputCurvatureUnconverged) and largest relative residual (inputCurvatureResidual)."
        let filter = "Power iteration stopped at its cap of 1000 Hessian-vector products, its relative residual "
            + "‖Hu − λu‖ / max(|λ|, σ) still above 0.0001 (σ kernel ridge's shift, 0 for a network), for 12 rows the input-curvature filter scored, in 1 of the 8 filtered runs (largest relative residual "
            + "0.02): their scores are the last Rayleigh quotients, each at most the largest eigenvalue. results.json records each run's count "
            + "(inputCurvatureFilterUnconverged) and largest relative residual (inputCurvatureFilterResidual)."
        #expect(model.curvatureConvergenceNote == measurement)
        #expect(model.filterConvergenceNote == filter)
        let report = try markdownReport(short)
        let curvature = try #require(report.range(of: "\n## Input curvature\n")), detection = try #require(report.range(of: "\n## Detection\n"))
        // Markdown escapes the bars of |λ| in running text.
        let escaped = { (text: String) in text.replacingOccurrences(of: "|", with: "\\|") }
        let note = try #require(report.range(of: escaped(measurement))), filterNote = try #require(report.range(of: escaped(filter)))
        #expect(note.lowerBound > curvature.lowerBound && filterNote.lowerBound > detection.lowerBound && filterNote.lowerBound < curvature.lowerBound)
    }
}
