import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
@testable import PoisoningReport

/// A study's measurements (`measure: [input-curvature]`) through results.json, the tidy tables and
/// the report; a study without them writes no trace of them.
struct MeasuredMetricsReportTests {
    /// A small backdoor study on the reference data, with or without the measurement.
    static func results(measure: [String]) throws -> StudyResults {
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(8)], attacks: [StudyConfig.component("backdoor")], fractions: [0, 0.1],
                                          seeds: [1, 2], training: TrainingSettings(epochs: 5), analysis: AnalysisSettings(replicates: 200),
                                          measure: measure))
        return StudyResults(study: study, runs: runStudy(study, threads: 2).results, toolVersion: "9.9.9", threads: 2)
    }

    @Test func theMeasuredMetricsReachResultsJsonTheTablesAndTheReport() throws {
        let measured = try Self.results(measure: ["input-curvature"])
        let json = try measured.jsonData()
        // The file reads back, its analysis rebuilt from its own configuration and runs.
        #expect(try StudyResults.read(json) == measured)
        #expect(measured.measuredMetrics?.map(\.key) == [MetricKey.inputCurvatureTopClean, MetricKey.inputCurvatureTopTriggered,
                                                         MetricKey.inputCurvatureTopPoisoned, MetricKey.inputCurvatureTopPoisonedBaseline,
                                                         MetricKey.inputCurvatureTriggerAlignment,
                                                         MetricKey.inputCurvatureResidual, MetricKey.inputCurvatureUnconverged])
        let point = try #require(measured.points.first { $0.fraction == 0.1 })
        #expect(point.metric(MetricKey.inputCurvatureTopClean)?.mean ?? 0 > 0 && point.metric(MetricKey.inputCurvatureTriggerAlignment) != nil)
        let header = TidyTables.pointsCSV(measured).prefix { $0 != "\n" }
        #expect(header.contains("inputCurvatureTopClean_mean,inputCurvatureTopClean_std") && header.contains("inputCurvatureTriggerAlignment_mean"))
        // The report shows the alignment (a rate) with the attacks' tables, and every curvature metric in its own table.
        let report = try markdownReport(measured)
        #expect(report.contains("\n## Curvature alignment with the trigger\n"))
        #expect(report.contains("\n## Input curvature\n"))

        let plain = try Self.results(measure: [])
        #expect(plain.measuredMetrics == nil)
        let text = String(decoding: try plain.jsonData(), as: UTF8.self)
        #expect(!text.contains("measure") && !text.contains("inputCurvature"))
    }
}
