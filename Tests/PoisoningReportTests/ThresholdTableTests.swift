import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// The report's table of the threshold τ.
struct ThresholdTableTests {
    /// A gradient-canceling series whose target has no threshold (its runs record no τ, as when
    /// <w, g(μ)> < 0) keeps its column in the "Threshold τ" table, each cell saying that no threshold
    /// exists, beside the series that has one.
    @Test func aSeriesWithoutTauSaysNoThresholdExists() throws {
        let study = try Study(StudyConfig(
            data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(80), "features": .int(3), "classes": .int(2)]),
            models: [StudyConfig.component(LogisticRegression.kind)],
            attacks: ["gradpc 0.5", "label-flip 0.5"].map { StudyConfig.component(GradientCanceling.kind, ["target": .string($0), "steps": .int(5)]) },
            fractions: [0, 0.1], seeds: [2], training: TrainingSettings(epochs: 3, batchSize: 16),
            targets: [StudyConfig.component(GradPCTarget.kind), StudyConfig.component(LabelFlipTarget.kind)]))
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
