import Foundation
import PoisoningAnalysis
import PoisoningEngine
@testable import PoisoningReport
import Testing
import TestSupport

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
        #expect(report.contains("- Larger models are more sensitive: the threshold's slope per doubling of parameters is at most "
            + "-5.6 pp (95% CI; the slope itself cannot be measured: some model's threshold lies outside the swept fractions). "
            + "Threshold differences resolved: "))
        #expect(report.contains("Not resolved: MLP 128 vs MLP 64 -0.4 pp (95% CI -1.7 pp to +0.8 pp;"))
        #expect(!report.contains("every pair of models differs"))
        #expect(opening.contains("larger models are more sensitive on average (slope per doubling of parameters at "
            + "most -5.6 pp, 95% CI; pp: percentage points). Not resolved: "), "\(opening)")
    }
}

/// The curve table's rule for "Decided" says what `transitionShape` does: gradual, too, needs the
/// curves told apart first (r21c #2).
struct DecidedRuleTextTests {
    @Test func gradualNeedsTheCurvesToldApart() throws {
        let report = try markdownReport(try referenceResults())
        #expect(report.contains("gradual when the curves are told apart and\neither a simpler curve wins or k's whole interval "
            + "lies at or below 5; curves only when the\ncurves are told apart for the sigmoid but k's interval (or its absence) "
            + "leaves both sides of\n5 open, or the fit is poorly identified; no when the curves are not told apart. A fit whose "
            + "estimate of\nk or x0 lies at its bound, or whose curve never falls to its threshold, is called neither sharp nor gradual."))
    }
}
