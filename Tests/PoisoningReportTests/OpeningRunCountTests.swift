import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
@testable import PoisoningReport
import TestSupport

/// Review r23f, finding 4: the opening counts the models that trained, not the runs of the design;
/// quotes a rate "at X% poisoned" only where that budget was poisoned (a saturated budget and one
/// that poisoned no row are named as such); and the Findings give no "± 0.000" for one seed.
struct OpeningRunCountTests {
    /// A linear SVM under svm-gradient on two Gaussian clusters, one seed, with made-up runs: each
    /// run at `fractions` finishes with the attacker's SVM's errors `error` above clean (validation and
    /// test alike), poisoning `poisoned` rows (saturated when `saturated`), unless `failing` holds it.
    static func results(fractions: [Double], failing: Set<Double> = [], poisoned: (Double) -> Int = { _ in 5 },
                        saturated: Bool = false, error: Double = 0.25) throws -> StudyResults {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(60), "features": .int(4), "classes": .int(2)])
        let study = try Study(StudyConfig(data: data, models: [StudyConfig.component(LinearSVM.kind)],
                                          attacks: [StudyConfig.component(SVMGradient.kind)], fractions: fractions, seeds: [1]))
        let rows = Double(study.split.train.count)
        let runs = study.runSpecs.map { spec -> RunResult in
            let count = spec.fraction == 0 ? 0 : poisoned(spec.fraction)
            guard !failing.contains(spec.fraction) else {
                let reason = "the attack gradient is undefined"
                return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: 0,
                                 metrics: nil, divergence: RunResult.failureMessage(seriesLabel: "linear SVM (C = 1.0)", fraction: spec.fraction,
                                                                                    seed: spec.seed, reason: reason),
                                 failure: reason)
            }
            var metrics = runMetrics(test: 1 - (spec.fraction == 0 ? 0 : error), train: 1, trainClean: 1, loss: 0.1)
            for key in [SVMGradient.validationErrorKey, SVMGradient.testErrorKey] {
                let value = spec.fraction == 0 ? 0 : error
                metrics[key] = value
                metrics[key + MetricKey.baselineSuffix] = 0
                metrics[key + MetricKey.excessSuffix] = value
            }
            metrics[SVMGradient.randomFlipTestErrorKey] = 0
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: count,
                             realisedFraction: Double(count) / rows, metrics: metrics, divergence: nil,
                             saturated: saturated && spec.fraction > 0)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    /// The opening's first sentence and the one after it, for `results`.
    static func head(_ results: StudyResults) -> String {
        let series = results.series[0]
        return "(\(series.modelLabel)) with dual coordinate descent on \(results.data.name) under \(series.attackLabel) at "
    }

    @Test func everyRunFailedSaysSoAndCountsNoModel() throws {
        let results = try Self.results(fractions: [0, 0.1], failing: [0, 0.1])
        let opening = openingSummary(results)
        #expect(opening.hasPrefix("We trained none of 2 models " + Self.head(results) + "2 poison fractions from 0.0% to 10.0%, 1 seed each. "
            + "Every run failed, so nothing was measured (runs.csv's divergence column gives each reason)."), "\(opening)")
    }

    @Test func twoOfThreeFailedSaysWhichTrained() throws {
        let results = try Self.results(fractions: [0, 0.1, 0.2], failing: [0.1, 0.2])
        let opening = openingSummary(results)
        #expect(opening.hasPrefix("We trained 1 of 3 models " + Self.head(results) + "3 poison fractions from 0.0% to 20.0%, 1 seed each. "
            + "2 of the 3 runs failed (runs.csv's divergence column gives each reason); only \(results.series[0].label) at 0.0%, seed 1 trained."),
                "\(opening)")
    }

    @Test func aSaturatedBudgetIsNamedAsSuch() throws {
        let results = try Self.results(fractions: [0, 0.5], poisoned: { _ in 10 }, saturated: true)
        let share = percent(10 / Double(results.data.trainCount))
        let opening = openingSummary(results)
        #expect(opening.contains(" 1 seed each. At 50.0% asked (saturated at 10 poisoned rows, \(share) of the training rows) the attacker's SVM "
            + "validation error minus its rate without poisons is +0.250 (\(results.series[0].label))."), "\(opening)")
        #expect(!opening.contains("At 50.0% poisoned"), "\(opening)")
    }

    @Test func aBudgetThatPoisonedNoRowIsNamedAsSuch() throws {
        let results = try Self.results(fractions: [0, 0.1], poisoned: { _ in 0 }, error: 0)
        let opening = openingSummary(results)
        #expect(opening.contains(" 1 seed each. At 10.0% asked, no row was poisoned: the attacker's SVM validation error minus its rate "
            + "without poisons is 0.000 (\(results.series[0].label))."), "\(opening)")
    }

    @Test func aFinishedStudyKeepsItsCountAndPoisonedBudget() throws {
        let results = try Self.results(fractions: [0, 0.1], poisoned: { _ in 4 })
        let opening = openingSummary(results)
        #expect(opening.hasPrefix("We trained 2 models " + Self.head(results) + "2 poison fractions from 0.0% to 10.0%, 1 seed each. At 10.0% "
            + "poisoned the attacker's SVM validation error minus its rate without poisons is +0.250 (\(results.series[0].label))."), "\(opening)")
    }

    @Test func oneSeedShowsNoSpreadInTheFindings() throws {
        let results = try Self.results(fractions: [0, 0.1])
        let findings = findingSentences(results).joined(separator: "\n")
        #expect(!findings.contains("± 0.000"), "\(findings)")
        #expect(findings.contains("minus its rate without poisons (the same seed at fraction 0) is +0.250 (one seed) (\(results.series[0].label))"),
                "\(findings)")
    }
}
