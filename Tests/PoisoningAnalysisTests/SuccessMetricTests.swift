import Foundation
import Testing
@testable import PoisoningAnalysis
import PoisoningEngine
import TestSupport

/// The success metric the report's success column, defense table and success figure show is the one
/// each attack declares, never merely its first metric.
struct SuccessMetricTests {
    /// A gradient-canceling study's success metric is the victim's agreement with its target,
    /// corrected for the clean model's (its fraction-0 run), not the threshold τ its metrics list
    /// first: τ is a budget, up to 3.6 on 5-class data, not a rate. Each run at 0.1 records the
    /// agreement, its baseline (the fraction-0 run's agreement) and their difference exactly.
    @Test func gradientCancelingsSuccessIsAgreementWithTheTargetOverTheCleanModelsNotTau() throws {
        let study = try Study(StudyConfig(
            data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(80), "features": .int(3), "classes": .int(2)]),
            models: [StudyConfig.component(LogisticRegression.kind)],
            attacks: [StudyConfig.component(GradientCanceling.kind, ["target": .string("gradpc 0.5"), "steps": .int(20)])],
            fractions: [0, 0.1], seeds: [2], training: TrainingSettings(epochs: 3, batchSize: 16),
            targets: [StudyConfig.component(GradPCTarget.kind, ["eps-w": .double(0.5)])]))
        #expect(study.attackMetrics.first?.key == MetricKey.poisonabilityThreshold)
        let results = StudyResults(study: study, runs: runStudy(study, threads: 1).results, toolVersion: "test")
        let metric = try #require(results.successMetric(of: 0))
        #expect(metric.key == MetricKey.targetAgreement && metric.hasBaseline)
        let clean = try #require(results.runs.first { $0.fraction == 0 }?.metrics)
        let poisoned = try #require(results.runs.first { $0.fraction == 0.1 }?.metrics)
        let agreement = try #require(poisoned[metric.key]), baseline = try #require(poisoned[metric.baseline.key])
        #expect(baseline == clean[metric.key])
        #expect(poisoned[metric.excess.key] == agreement - baseline)
    }

}
