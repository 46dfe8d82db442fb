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
    static func sweep(distances: [Double], more: [ParameterValue] = [], fractions: [Double] = [0, 0.1], seeds: Int = 4,
                      metrics: (_ attack: Int, _ defense: Int, _ fraction: Double, _ seed: Int) -> [String: Double]) throws
        -> (study: Study, runs: [RunResult]) {
        let attacks = distances.map { distance in
            StudyConfig.component("backdoor", ["target": .int(0), "near-clone": .mapping([ParameterEntry(key: "distance", value: .double(distance))])])
        } + more
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(8)], attacks: attacks,
                                          defenses: [StudyConfig.component(NoDefense.kind), StudyConfig.component(InputCurvatureFilter.kind)],
                                          fractions: fractions, seeds: (1...UInt64(seeds)).map { $0 }, training: TrainingSettings(epochs: 5),
                                          analysis: AnalysisSettings(replicates: 200), measure: ["input-curvature"]))
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

    /// Spikes made as c · efficacy^p · exp(±noise), the noise of seeds 1 and 2 (and of 3 and 4)
    /// opposite: the least-squares slope is linear in log spike, so the seeds' exponents are p ± δ₁ and
    /// p ± δ₂ and their mean is exactly p. Six efficacies per seed: three distances' strengths 0.1,
    /// 0.2, 0.4 at 10% and twice that at 20%.
    static func powerLawResults(power: Double, noise: Double) throws -> StudyResults {
        let pattern = [0.9, -0.4, 0.2, -1.0, 0.6, -0.3], other = [-0.5, 0.8, -0.9, 0.1, 0.4, -0.2]
        let (study, runs) = try sweep(distances: [0, 1, 2], fractions: [0, 0.1, 0.2]) { attack, defense, fraction, seed in
            let efficacy = [0.1, 0.2, 0.4][attack] * fraction / 0.1
            let point = attack * 2 + (fraction == 0.2 ? 1 : 0)
            let shake = noise * [pattern[point], -pattern[point], other[point], -other[point]][seed]
            var values = curvature(fraction: fraction, efficacy: efficacy, spike: 0.5 * pow(efficacy, power) * exp(shake))
            if defense == 1 { values.merge(detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    @Test func aSpikeGrowingLikeTheSquareGivesAnIntervalHolding2() throws {
        let results = try Self.powerLawResults(power: 2, noise: 0.1)
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        #expect(fit.spikeKey == MetricKey.inputCurvatureTopTriggered && fit.efficacyKey == "backdoorSuccessExcess")
        #expect(fit.pointsUsed == 24 && fit.pointsLeftOut == 0 && fit.exponent.count == 4)
        let interval = try #require(fit.exponent.interval)
        #expect(abs(try #require(fit.exponent.mean) - 2) < 1e-9)
        #expect(try #require(interval.lower) < 2 && 2 < (try #require(interval.upper)) && interval.lower! > 1 && interval.upper! < 3)
        #expect(fit.verdict == .supported)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, MLP 8, no defense:") })
        #expect(sentence.contains("(24 runs) gives the exponent p of spike ∝ efficacy^p: 2.00 ["))
        #expect(sentence.contains("] (mean over 4 seeds with its 95% Student-t interval). Granziol (2026) claims"))
        #expect(sentence.hasSuffix("(p = 2; supported when the interval holds 2 and lies between 1 and 3, contradicted when it excludes 2): these runs support it."))
    }

    @Test func aSpikeGrowingLinearlyGivesAnIntervalExcluding2() throws {
        let results = try Self.powerLawResults(power: 1, noise: 0.1)
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        #expect(abs(try #require(fit.exponent.mean) - 1) < 1e-9)
        #expect(try #require(fit.exponent.interval?.upper) < 2 && fit.verdict == .contradicted)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, MLP 8, no defense:") })
        #expect(sentence.hasSuffix("these runs contradict it: the spike grows more slowly than the square of the efficacy."))
    }

    @Test func aNoisySquareGivesAnIntervalTooWideToTell() throws {
        let results = try Self.powerLawResults(power: 2, noise: 3)
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        let interval = try #require(fit.exponent.interval)
        #expect(interval.lower! < 1 || interval.upper! > 3)
        #expect(interval.lower! < 2 && interval.upper! > 2 && fit.verdict == .notResolved)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, MLP 8, no defense:") })
        #expect(sentence.hasSuffix("these runs cannot tell: the interval holds 2 but reaches 1 or 3; more seeds would narrow it."))
    }

    /// Poisoned models less curved over the triggered rows than their clean models (as an MLP's
    /// cross-entropy, confident on the triggered rows, makes them): no spike, no exponent, and the
    /// sentence says why rather than asking for more fractions.
    @Test func spikesThatAreNeverPositiveGiveNoExponentAndSaySo() throws {
        let (study, runs) = try Self.sweep(distances: [0, 1], fractions: [0, 0.1, 0.2]) { attack, defense, fraction, _ in
            var values = Self.curvature(fraction: fraction, efficacy: 0.5 + 0.1 * Double(attack), spike: -0.2)
            if defense == 1 { values.merge(Self.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        #expect(fit.pointsUsed == 0 && fit.pointsLeftOut == 16 && fit.exponent.count == 0 && fit.verdict == .notResolved)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, MLP 8, no defense:") })
        #expect(sentence.contains("gives the exponent p of spike ∝ efficacy^p: none. Granziol (2026)"))
        #expect(sentence.hasSuffix("these runs cannot tell: in all 16 runs the efficacy or the spike is at most 0 (a poisoned model no more "
            + "curved over these rows than its clean model), so there is no growth to fit."))
    }

    @Test func aDistanceIsInvisibleOnlyWhenEveryIntervalSaysSo() {
        let i = { (lower: Double, upper: Double) in Interval(lower: lower, upper: upper) }
        let status = { (success: Interval?, spike: Interval?, aurocs: [Interval?]) in CurvatureClaims.status(success: success, spike: spike, aurocs: aurocs) }
        #expect(status(i(0.6, 0.8), i(-0.01, 0.02), [i(0.4, 0.6)]) == .invisible)
        #expect(status(i(0.6, 0.8), i(-0.03, -0.01), [i(0.4, 0.6), i(0.45, 0.55)]) == .invisible, "a spike below the clean level reaches it")
        #expect(status(i(0.4, 0.7), i(-0.01, 0.02), [i(0.4, 0.6)]) == .notResolved, "the success's interval straddles 0.5")
        #expect(status(i(0.6, 0.8), nil, [i(0.4, 0.6)]) == .notResolved, "no interval of the spike")
        #expect(status(i(0.6, 0.8), i(-0.01, 0.02), [nil]) == .notResolved, "no interval of an AUROC")
        #expect(status(i(0.2, 0.4), i(-0.01, 0.02), [i(0.4, 0.6)]) == .fails, "the success lies below 0.5")
        #expect(status(i(0.6, 0.8), i(0.01, 0.02), [i(0.4, 0.6)]) == .fails, "the spike lies above the clean level")
        #expect(status(i(0.6, 0.8), i(-0.01, 0.02), [i(0.4, 0.6), i(0.6, 0.9)]) == .fails, "one detector finds the poisons")
        #expect(status(i(0.4, 0.7), i(0.01, 0.02), [i(0.4, 0.6)]) == .fails, "a failed condition decides even beside a straddling success")
        let verdict = CurvatureClaims.NearCloneRegime.verdict
        #expect(verdict([.invisible, .invisible, .fails]) == .supported)
        #expect(verdict([.invisible, .notResolved, .invisible]) == .supported)
        #expect(verdict([.notResolved, .invisible, .fails]) == .notResolved)
        #expect(verdict([.fails, .fails]) == .contradicted)
        #expect(verdict([.fails, .notResolved]) == .notResolved)
        #expect(verdict([]) == .notResolved)
    }

    /// Distances 0, 1 and 1000 at 10%; per seed (index s) the success over clean, the spike and the
    /// filter's AUROC are `success[d] + 0.01 s`, `spike[d] + 0.01 (s - 1.5)`, `auroc[d] + 0.01 (s - 1.5)`.
    static func nearCloneResults(success: [Double], spike: [Double], auroc: [Double]) throws -> StudyResults {
        let (study, runs) = try sweep(distances: [0, 1, 1000]) { attack, defense, fraction, seed in
            let shake = 0.01 * (Double(seed) - 1.5)
            var values = curvature(fraction: fraction, efficacy: success[attack] + 0.01 * Double(seed), spike: spike[attack] + shake)
            if defense == 1 { values.merge(detection(fraction: fraction, auroc: auroc[attack] + shake)) { $1 } }
            return values
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    @Test func nearClonesThatStayEffectiveAndInvisibleSupportTheClaimUpToTheLastSuchDistance() throws {
        let results = try Self.nearCloneResults(success: [0.8, 0.7, 0.1], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.points.map(\.distance) == [0, 1, 1000] && regime.fraction == 0.1)
        #expect(regime.points.map(\.status) == [.invisible, .invisible, .fails])
        #expect(regime.invisibleUpTo == 1 && regime.verdict == .supported)
        // d 0: success 0.815 (0.80 + 0.01 × 1.5) ± t(0.975, 3) · s/√4 = 3.182446 × 0.0129099/2 = 0.0205.
        let success = try #require(regime.points[0].success.interval)
        #expect(abs(success.lower! - (0.815 - 3.182446 * 0.0129099 / 2)) < 1e-5)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors, MLP 8 at 10.0% poisoned") })
        #expect(sentence.contains("d 0: success +0.815 [+0.794, +0.836], spike "))
        #expect(sentence.contains("input-curvature 10% AUROC 0.500 [0.479, 0.521] (effective and invisible); d 1: success +0.715"))
        #expect(sentence.contains("d 1000: success +0.115 [+0.094, +0.136], spike +0.5 [+0.479, +0.521]"))
        #expect(sentence.contains("input-curvature 10% AUROC 0.900 [0.879, 0.921] (success below 0.5, spike above the clean model's, an AUROC above 0.5)"))
        #expect(sentence.hasSuffix("these runs support it for the swept d from 0 to 1; at d 1000 it no longer holds."))
    }

    @Test func nearClonesThatLoseTheirSuccessOrShowASpikeContradictTheClaim() throws {
        let results = try Self.nearCloneResults(success: [0.3, 0.2, 0.1], spike: [0.2, 0.3, 0.5], auroc: [0.3, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.points.map(\.status) == [.fails, .fails, .fails] && regime.verdict == .contradicted && regime.invisibleUpTo == nil)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(sentence.contains("AUROC 0.300 [0.279, 0.321] (success below 0.5, spike above the clean model's, an AUROC below 0.5: "
            + "the scores separate the poisons, in reverse); d 1:"))
        #expect(sentence.hasSuffix("these runs contradict it: at no swept d (d 0 to 1000) are the poisons both effective and invisible."))
    }

    @Test func aSuccessStraddlingOneHalfAtTheSmallestDistanceCannotTell() throws {
        let results = try Self.nearCloneResults(success: [0.485, 0.7, 0.1], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.points.map(\.status) == [.notResolved, .invisible, .fails] && regime.verdict == .notResolved)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(sentence.contains("(not resolved: the success's interval holds 0.5)"))
        #expect(sentence.hasSuffix("these runs cannot tell at d 0, the smallest swept; it holds at d 1, but not from the smallest swept d; "
            + "more seeds would narrow the intervals."))
    }

    /// A backdoor at d 1000 toward each poison's own class mean (`near-clone: {distance: 1000, toward:
    /// source-mean}`) beside the sweep d 0, 1, 1000 toward the target's mean: the two d-1000 attacks
    /// differ only in a nested option, and every place that names them tells them apart: the series
    /// labels, and the findings, where the source-mean attack is its own sweep (one distance, so its
    /// points do not join the target-mean sweep's line or verdict) and its point is "d 1000 (toward
    /// source mean)". Its success 0.1 + 0.01 s fails, so that sweep is contradicted.
    @Test func twoAttacksDifferingOnlyInANestedOptionAreToldApart() throws {
        let towardSource = StudyConfig.component("backdoor", ["target": .int(0), "near-clone": .mapping([
            ParameterEntry(key: "distance", value: .double(1000)), ParameterEntry(key: "toward", value: .string("source-mean")),
        ])])
        let success = [0.8, 0.7, 0.1, 0.1], spike = [0, 0, 0.5, 0], auroc = [0.5, 0.5, 0.9, 0.5]
        let (study, runs) = try Self.sweep(distances: [0, 1, 1000], more: [towardSource]) { attack, defense, fraction, seed in
            let shake = 0.01 * (Double(seed) - 1.5)
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
        #expect(regimes.map(\.verdict) == [.supported, .contradicted])
        #expect(CurvatureClaims.distanceLabel(1000, attack: towardSource) == "d 1000 (toward source mean)")
        #expect(CurvatureClaims.distanceLabel(1000, attack: study.config.attacks[2]) == "d 1000")
        let sentences = findingSentences(results).filter { $0.hasPrefix("Near-clone backdoors") }
        #expect(sentences.count == 2)
        let targetMean = try #require(sentences.first), sourceMean = try #require(sentences.last)
        #expect(targetMean.hasPrefix("Near-clone backdoors, MLP 8 at 10.0% poisoned") && !targetMean.contains("toward"))
        #expect(targetMean.contains("; d 1000: success +0.115 [+0.094, +0.136]"))
        #expect(targetMean.hasSuffix("these runs support it for the swept d from 0 to 1; at d 1000 it no longer holds."))
        #expect(sourceMean.hasPrefix("Near-clone backdoors (toward source mean), MLP 8 at 10.0% poisoned"))
        #expect(sourceMean.contains("paired by seed): d 1000 (toward source mean): success +0.115 [+0.094, +0.136], spike "))
        #expect(sourceMean.hasSuffix("these runs contradict it: at no swept d (d 1000) are the poisons both effective and invisible."))
    }

    /// results.json holds the claims (schema 4's `curvatureClaims`) and reads back to the same.
    @Test func resultsJSONHoldsTheClaimsAndReadsThemBack() throws {
        let results = try Self.nearCloneResults(success: [0.8, 0.7, 0.1], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let json = try results.jsonData()
        let document = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let claims = try #require(document["curvatureClaims"] as? [String: Any])
        let regime = try #require((claims["nearClone"] as? [[String: Any]])?.first)
        #expect(regime["verdict"] as? String == "supported" && regime["invisibleUpTo"] as? Double == 1)
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

        let plain = try Study(StudyConfig(models: [StudyConfig.mlp(8)], attacks: [StudyConfig.component("backdoor")], fractions: [0, 0.1],
                                          seeds: [1, 2], training: TrainingSettings(epochs: 5)))
        let plainResults = StudyResults(study: plain, runs: plain.runSpecs.map {
            madeUpRun($0, in: plain, metrics: runMetrics(test: 0.9, train: 0.95, trainClean: 0.95, loss: 0.3).merging(["backdoorSuccess": 0.2]) { $1 })
        }, toolVersion: "test")
        #expect(ReportModel(plainResults, command: "make-report", figures: []).curvatureRows.isEmpty && plainResults.curvatureClaims == nil)
        #expect(!(try markdownReport(plainResults)).contains("Input curvature"))
    }
}
