import Foundation
import Testing
@testable import PoisoningAnalysis
import PoisoningEngine
import TestSupport

struct AggregationTests {
    @Test func meanAndSampleStandardDeviationMatchClosedForm() {
        let stats = MeanStd(of: [2, 4, 4, 4, 5, 5, 7, 9])
        #expect(stats.mean == 5)
        #expect(abs(stats.std - (32.0 / 7).squareRoot()) < 1e-15)
        #expect(MeanStd(of: [0.7]).std == 0)
    }

    @Test func divergedRunsAreCountedButNeverAveragedIn() throws {
        let study = widthStudy([8], fractions: [0, 0.5], seeds: [1, 2, 3])
        let runs = study.runSpecs.map { spec in
            let diverged = spec.fraction == 0.5 && spec.seed == 2
            let accuracy = spec.fraction == 0 ? 0.9 : 0.4 + 0.1 * Double(spec.seed)
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed,
                             poisonedCount: 0, realisedFraction: spec.fraction,
                             metrics: diverged ? nil : runMetrics(test: accuracy, train: 1, trainClean: 1, loss: 0.1),
                             divergence: diverged ? "diverged" : nil)
        }
        let points = aggregate(runs, fractions: study.config.fractions, seriesCount: 1)
        #expect(points.map(\.fraction) == [0, 0.5])
        let poisoned = points[1]
        #expect(poisoned.runCount == 2 && poisoned.divergedCount == 1)
        let accuracy = try #require(poisoned.metric(MetricKey.testAccuracy))
        #expect(abs(accuracy.mean - 0.6) < 1e-12)                 // seeds 1 and 3: 0.5 and 0.7
        #expect(abs(accuracy.std - 0.02.squareRoot()) < 1e-12)
    }
}

struct ThresholdTests {
    let curve = SigmoidParameters(amplitude: 0.7, steepness: 10, midpoint: 0.3, floor: 0.2)

    @Test func closedFormSolutionLiesOnTheCurve() throws {
        let threshold = criticalThreshold(of: curve, target: 0.55, swept: 0...0.5)
        // Target halfway down the drop: exactly the midpoint x0.
        #expect(threshold.status == .withinRange)
        #expect(abs(try #require(threshold.fraction) - 0.3) < 1e-12)
        let other = criticalThreshold(of: curve, target: 0.7, swept: 0...0.5)
        let x = try #require(other.fraction)
        #expect(abs(curve.value(at: x) - 0.7) < 1e-12)
        #expect(abs(x - (0.3 + log(0.7 / 0.5 - 1) / 10)) < 1e-15)
    }

    @Test func beyondTheSweptRangeIsMarkedExtrapolated() throws {
        let threshold = criticalThreshold(of: curve, target: 0.25, swept: 0...0.5)
        #expect(threshold.status == .extrapolated)
        #expect(try #require(threshold.fraction) > 0.5)
    }

    @Test func targetsOutsideTheCurvesRangeAreNotReached() {
        let belowFloor = criticalThreshold(of: curve, target: 0.15, swept: 0...0.5)
        #expect(belowFloor.fraction == nil && belowFloor.status == .notReached)
        #expect(belowFloor.reason?.contains("levels off at 0.200") == true)
        let aboveCeiling = criticalThreshold(of: curve, target: 0.95, swept: 0...0.5)
        #expect(aboveCeiling.fraction == nil && aboveCeiling.status == .notReached)
        #expect(aboveCeiling.reason?.contains("starts at 0.900") == true)
        let atFloor = criticalThreshold(of: curve, target: 0.2, swept: 0...0.5)
        #expect(atFloor.status == .notReached)
    }
}

struct FindingsTests {
    static let fractions = [0, 0.1, 0.2, 0.3, 0.4, 0.5]

    /// Points whose mean test accuracy follows `curve` exactly for each width (series in ascending width).
    func points(_ curves: [Int: SigmoidParameters]) -> [AggregatePoint] {
        Self.fractions.flatMap { fraction in
            curves.keys.sorted().enumerated().map { series, width in
                let accuracy = curves[width]!.value(at: fraction)
                return AggregatePoint(fraction: fraction, series: series, runCount: 3, divergedCount: 0,
                                      realisedFraction: MeanStd(of: [fraction]),
                                      metrics: runMetrics(test: accuracy, train: 1, trainClean: 1, loss: 0.1).mapValues { MeanStd(of: [$0]) })
            }
        }
    }

    /// The findings of `curves`, with the series of a study of MLPs of those widths.
    func findingsFor(_ curves: [Int: SigmoidParameters]) -> (fits: [SeriesFit], findings: Findings) {
        let data = points(curves)
        let series = widthStudy(curves.keys.sorted(), fractions: Self.fractions, seeds: [1]).series
        let fits = fitSeries(data, seriesCount: series.count, classes: 5)
        return (fits, findings(fits: fits, points: data, fractions: Self.fractions, series: series, attackMetrics: []))
    }

    func findingsFor(midpoints: [Int: Double], steepness: Double = 12) -> Findings {
        findingsFor(midpoints.mapValues { SigmoidParameters(amplitude: 0.7, steepness: steepness, midpoint: $0, floor: 0.2) }).findings
    }

    @Test func decreasingThresholdsMeanLargerModelsAreMoreSensitive() {
        let result = findingsFor(midpoints: [32: 0.35, 64: 0.3, 128: 0.25])
        #expect(result.sensitivity.first?.largerModelsMoreSensitive == true)
        #expect(result.sensitivity.first?.trend == .decreasing)
        #expect(result.sharpTransition == true)
    }

    @Test func increasingThresholdsMeanLargerModelsAreLessSensitive() {
        let result = findingsFor(midpoints: [32: 0.2, 64: 0.3, 128: 0.35])
        #expect(result.sensitivity.first?.largerModelsMoreSensitive == false)
        #expect(result.sensitivity.first?.trend == .increasing)
    }

    @Test func mixedThresholdsAreReportedAsNonMonotonic() {
        let result = findingsFor(midpoints: [32: 0.3, 64: 0.2, 128: 0.35])
        #expect(result.sensitivity.first?.largerModelsMoreSensitive == false)
        #expect(result.sensitivity.first?.trend == .nonMonotone)
    }

    @Test func gentleCurvesAreNotSharp() {
        let result = findingsFor(midpoints: [32: 0.3, 64: 0.25], steepness: 3)
        #expect(result.sharpTransition == false)
    }

    @Test func aCurveThatNeverFallsFarEnoughCountsAsLeastSensitive() {
        // Width 32 levels off at 0.6, above the target (clean ~0.9 + chance 0.2) / 2 ~ 0.55.
        let curves = [32: SigmoidParameters(amplitude: 0.3, steepness: 12, midpoint: 0.3, floor: 0.6),
                      64: SigmoidParameters(amplitude: 0.7, steepness: 12, midpoint: 0.3, floor: 0.2)]
        let (fits, result) = findingsFor(curves)
        #expect(fits[0].threshold.status == .notReached && fits[0].threshold.fraction == nil)
        #expect(result.sensitivity.first?.largerModelsMoreSensitive == true)
        #expect(result.sensitivity.first?.trend == .decreasing)
        #expect(result.series[0].thresholdStatus == .notReached)
    }

    @Test func aFlatCurveReportsWhyItHasNoFit() {
        let curves = [32: SigmoidParameters(amplitude: 0, steepness: 12, midpoint: 0.3, floor: 0.8),
                      64: SigmoidParameters(amplitude: 0.7, steepness: 12, midpoint: 0.3, floor: 0.2)]
        let (fits, result) = findingsFor(curves)
        #expect(fits[0].parameters == nil && fits[0].failure?.contains("no transition") == true)
        #expect(fits[0].threshold.status == .noFit)
        #expect(result.sensitivity.first?.largerModelsMoreSensitive == nil)
        #expect(result.sensitivity.first?.trend == .missingThreshold && result.sensitivity.first?.unfittedSeries == 0)
    }
}

struct StudyResultsTests {
    /// A small real study: 2 widths, 4 fractions, 2 seeds, 30 epochs.
    static let study = widthStudy([8, 16], fractions: [0, 0.2, 0.4, 0.6], seeds: [1, 2], epochs: 30)

    @Test func resultsJSONHasSortedKeysNoTimingsAndRoundTrips() throws {
        let runs = runStudy(Self.study, threads: 2).results
        let results = StudyResults(study: Self.study, runs: runs, toolVersion: "test")
        let data = try results.jsonData()
        #expect(timingKeys(inJSON: data).isEmpty)
        #expect(try JSONDecoder().decode(StudyResults.self, from: data) == results)
        let text = String(decoding: data, as: UTF8.self)
        let topKeys = ["\"attackMetrics\"", "\"config\"", "\"data\"", "\"findings\"", "\"fits\"", "\"hasDetection\"",
                       "\"points\"", "\"runs\"", "\"series\"", "\"toolVersion\""]
        let positions = topKeys.map { text.range(of: "\n  \($0)")!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(results.points.count == 8 && results.fits.count == 2 && results.runs.count == 16)
    }

    @Test func identicalAcrossThreadCounts() throws {
        let one = try StudyResults(study: Self.study, runs: runStudy(Self.study, threads: 1).results,
                                   toolVersion: "test").jsonData()
        let three = try StudyResults(study: Self.study, runs: runStudy(Self.study, threads: 3).results,
                                     toolVersion: "test").jsonData()
        #expect(one == three)
    }

    @Test func timingKeysAreFoundAtAnyDepth() {
        let data = Data(#"{"a": {"wallSeconds": 1}, "b": [{"duration": 2}], "c": 3}"#.utf8)
        #expect(timingKeys(inJSON: data) == ["duration", "wallSeconds"])
    }

    @Test func validationFlagsAStudyWithNoDrop() {
        // Only clean fractions: accuracy never drops, so the study's checks must fail.
        let study = widthStudy([8], fractions: [0, 0.001, 0.002, 0.003], seeds: [1], epochs: 30)
        let results = StudyResults(study: study, runs: runStudy(study, threads: 2).results, toolVersion: "test")
        let failures = results.validationFailures()
        #expect(failures.contains { $0.contains("not at least 0.05 below clean") })
    }
}
