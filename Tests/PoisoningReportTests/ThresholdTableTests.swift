import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// The report's table of the threshold τ and its findings on gradient canceling's quantities.
struct ThresholdTableTests {
    /// Two gradient-canceling series (targets gradpc 0.5 and label-flip 0.5), fractions 0 and 0.1, one seed.
    static func study() throws -> Study {
        try Study(StudyConfig(
            data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(80), "features": .int(3), "classes": .int(2)]),
            models: [StudyConfig.component(LogisticRegression.kind)],
            attacks: ["gradpc 0.5", "label-flip 0.5"].map { StudyConfig.component(GradientCanceling.kind, ["target": .string($0), "steps": .int(5)]) },
            fractions: [0, 0.1], seeds: [2], training: TrainingSettings(epochs: 3, batchSize: 16),
            targets: [StudyConfig.component(GradPCTarget.kind), StudyConfig.component(LabelFlipTarget.kind)]))
    }

    /// τ, the target's accuracy and distance from clean and the clean gradient norm are each run's
    /// seed's, equal at every fraction, and the findings say "at every fraction" of them, not "at the
    /// largest fraction"; the mixed gradient norm, which the poisons change, is given at the largest.
    @Test func fractionIndependentQuantitiesAreNotFindingsAtTheLargestFraction() throws {
        let study = try Self.study()
        let runs = runStudy(study, threads: 1).results
        for key in GradientCanceling.fractionIndependentKeys {
            for series in 0..<2 {
                let values = runs.filter { $0.series == series }.map { $0.metrics?[key] }
                #expect(values.count == 2 && values[0] != nil && values[0] == values[1], "\(key) of series \(series): \(values)")
            }
        }
        let sentences = findingSentences(StudyResults(study: study, runs: runs, toolVersion: "test"))
        #expect(sentences.contains { $0.hasPrefix("At every fraction the threshold τ (poison budget below which") })
        #expect(sentences.contains { $0.hasPrefix("At every fraction the clean gradient norm (") })
        #expect(sentences.contains { $0.hasPrefix("At the largest fraction (10.0%) the mixed gradient norm (") })
        #expect(!sentences.contains { $0.hasPrefix("At the largest fraction") && $0.contains("threshold τ") })
    }

    /// A gradient-canceling series whose target has no threshold (its runs record no τ, as when
    /// <w, g(μ)> < 0) keeps its column in the "Threshold τ" table, each cell saying that no threshold
    /// exists, beside the series that has one.
    @Test func aSeriesWithoutTauSaysNoThresholdExists() throws {
        let study = try Self.study()
        // The second series' target as one without a threshold: its runs without τ.
        let runs = runStudy(study, threads: 1).results.map { run in
            RunResult(fraction: run.fraction, series: run.series, seed: run.seed, poisonedCount: run.poisonedCount,
                      realisedFraction: run.realisedFraction,
                      metrics: run.series == 1 ? run.metrics?.filter { $0.key != MetricKey.poisonabilityThreshold } : run.metrics,
                      divergence: run.divergence)
        }
        #expect(runs.filter { $0.series == 0 }.allSatisfy { $0.metrics?[MetricKey.poisonabilityThreshold] != nil })
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let table = try #require(ReportModel.attackMetricTables(of: results, fractions: [0, 0.1]).first { $0.name == "Threshold τ" })
        #expect(table.headers == results.series.map(\.label))
        #expect(table.rows.map { $0.cells[1] } == ["none (no threshold exists)", "none (no threshold exists)"])
        #expect(table.rows.allSatisfy { $0.cells[0].first?.isNumber == true })
    }
}
