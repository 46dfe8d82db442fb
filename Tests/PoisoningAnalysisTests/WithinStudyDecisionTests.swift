import Foundation
import Testing
import PoisoningEngine
import TestSupport
@testable import PoisoningAnalysis

/// Within one study a difference or a trend is resolved only when an end of its interval clears zero
/// by two of its recorded Monte Carlo errors (`SignDecision`, the decision of `compare`'s fits);
/// within them it is undetermined. The findings, the claim on model size and an adaptive study's
/// stopping rule read that one decision.
struct WithinStudyDecisionTests {
    /// An estimate at the middle of the interval from `lower` to `upper`, each end with Monte Carlo
    /// error `error`.
    static func estimate(_ lower: Double, _ upper: Double, error: Double) -> Estimate {
        Estimate(value: (lower + upper) / 2,
                 interval: Interval(lower: lower, upper: upper, monteCarloError: EndErrors(lower: error, upper: error)))
    }

    /// With errors of 0.5 pp the margin is 1 pp: an end at 1 pp from zero (on either side of it), or
    /// a hair inside, is undetermined; a hair beyond, resolved (or, on the far side, not resolved).
    /// A difference, a trend and `Estimate.signResolved` decide alike; an exact interval (a mean's,
    /// no error) is resolved as soon as it excludes zero.
    @Test func anEndMustClearZeroByTwoOfItsMonteCarloErrors() {
        let hair = 1e-9
        let cases: [(Double, Double, SignDecision)] = [
            (0.01 + hair, 0.05, .resolved), (0.01, 0.05, .undetermined), (0.01 - hair, 0.05, .undetermined),
            (0.001, 0.05, .undetermined), (-0.01, 0.05, .undetermined), (-0.01 - hair, 0.05, .notResolved),
            (-0.05, -0.01 - hair, .resolved), (-0.05, -0.01, .undetermined), (-0.05, -0.01 + hair, .undetermined),
            (-0.05, 0.01 + hair, .notResolved),
        ]
        for (lower, upper, expected) in cases {
            let estimate = Self.estimate(lower, upper, error: 0.005)
            let difference = SeriesDifference(base: 0, other: 1, axis: .model, quantity: .threshold, difference: estimate, seedPlan: nil)
            let trend = ThresholdTrend(attack: 0, defense: 0, series: [0, 1, 2], slope: estimate, reason: nil, seedPlan: nil)
            #expect(difference.decision == expected, "[\(lower), \(upper)]")
            #expect(trend.decision == expected, "[\(lower), \(upper)]")
            #expect(estimate.signResolved == (expected == .resolved), "[\(lower), \(upper)]")
        }
        let exact = SeriesDifference(base: 0, other: 1, axis: .model, quantity: .cleanAccuracy,
                                     difference: Estimate(value: 0.01, interval: Interval(lower: 0.0001, upper: 0.02)), seedPlan: nil)
        #expect(exact.decision == .resolved)
    }

    /// The reference study (its recorded runs, with its published claims).
    static func referenceResults() throws -> StudyResults {
        let study = try Study(StudyConfig.reference)
        return StudyResults(study: study, runs: try ReferenceRecording.load().runResults(for: study), toolVersion: "test", threads: 2)
    }

    /// On the reference study every difference and trend records the decision of its own interval,
    /// and its bootstrap intervals (threshold differences, the trend) carry the Monte Carlo errors that
    /// decision reads.
    @Test func theReferenceStudysDecisionsAreThoseOfItsIntervals() throws {
        let statistics = try Self.referenceResults().statistics
        for d in statistics.differences {
            #expect(d.decision == SignDecision(d.difference))
        }
        for t in statistics.trends { #expect(t.decision == SignDecision(t.slope)) }
        let thresholds = statistics.differences.filter { $0.quantity == .threshold }
        #expect(thresholds.count == 3 && statistics.trends.count == 1)
        #expect(thresholds.contains { $0.difference.interval?.monteCarloError != nil })
        #expect(statistics.trends[0].slope.interval?.monteCarloError != nil)
    }

    /// The findings, the published claim "larger models are more sensitive" and the adaptive study's
    /// comparisons read the trend's decision: a slope interval of -3.0 to -0.9 pp excludes zero, but
    /// with errors of 0.5 pp its upper end is undetermined, so the runs do not resolve the direction,
    /// the claim is not resolved and the comparison is undetermined (an adaptive study goes on); with
    /// errors of 0.4 pp it clears zero by two errors and all three say resolved.
    @Test func findingsClaimsAndTheStoppingRuleReadTheDecision() throws {
        let results = try Self.referenceResults()
        let s = results.statistics
        for (error, expected) in [(0.005, SignDecision.undetermined), (0.004, .resolved)] {
            let old = s.trends[0]
            let trend = ThresholdTrend(attack: old.attack, defense: old.defense, series: old.series,
                                       slope: Self.estimate(-0.03, -0.009, error: error), reason: nil, seedPlan: nil)
            #expect(trend.slope.interval?.excludes(0) == true && trend.decision == expected)
            let statistics = StudyStatistics(confidence: s.confidence, replicates: s.replicates, seeds: s.seeds, testRows: s.testRows,
                                             method: s.method, series: s.series, differences: s.differences, trends: [trend])
            let found = findings(fits: results.fits, statistics: statistics, points: results.points, fractions: results.config.fractions,
                                 series: results.series, attackMetrics: results.attackMetrics, claims: results.config.claims)
            let resolved = expected == .resolved
            #expect(found.sensitivity[0].resolved == resolved)
            #expect(found.sensitivity[0].largerModelsMoreSensitive == (resolved ? true : nil))
            let claim = try #require(found.claims?.largerModelsMoreSensitive.first)
            #expect(claim.answer.verdict == (resolved ? .supported : .notResolved))
            let comparisons = sequentialComparisons(statistics, series: results.series, questions: [.thresholdTrend])
            #expect(comparisons.map(\.decision) == [expected])
        }
    }
}
