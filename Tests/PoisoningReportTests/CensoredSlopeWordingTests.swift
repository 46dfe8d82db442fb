import PoisoningAnalysis
import PoisoningEngine
@testable import PoisoningReport
import Testing

/// `averageTrendResults` with MLP 32's midpoint moved to 62%, beyond the largest swept fraction (50%):
/// its threshold lies outside the sweep, so the slope is unmeasured and only its censored interval can
/// decide, while MLP 128 vs MLP 64 stays unresolved.
func censoredSlopeResults() throws -> StudyResults {
    let study = try Study(StudyConfig(seeds: Array(1...12), claims: nil))
    let runs = study.runSpecs.map { spec -> RunResult in
        let model = study.series[spec.series].model
        let shift = 0.02 * sin(Double(spec.seed) * 2.3 + Double(model) * 1.7)
        let curve = SigmoidParameters(amplitude: 0.6, steepness: 14, midpoint: [0.62, 0.36, 0.355][model] + shift, floor: 0.3)
        return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed,
                         poisonedCount: poisonCount(fraction: spec.fraction, of: study.split.train.count), realisedFraction: spec.fraction,
                         metrics: runMetrics(test: curve.value(at: spec.fraction), train: 1 - 0.4 * spec.fraction, trainClean: 0.95, loss: 0.3),
                         divergence: nil)
    }
    return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
}

/// A model-size verdict decided by the slope's censored interval names that interval, in the Findings
/// and in the opening, and never claims that every pair of models is resolved (r21c #1).
struct CensoredSlopeWordingTests {
    @Test func theFindingAndTheOpeningNameTheSlopesBound() throws {
        let results = try censoredSlopeResults()
        let trend = try #require(results.statistics.trends.first)
        #expect(trend.slope.value == nil && trend.decision == .resolved)
        let report = try markdownReport(results)
        let opening = openingSummary(results)
        print(report)
        print(opening)
        #expect(!report.contains("every pair of models differs"))
    }
}
