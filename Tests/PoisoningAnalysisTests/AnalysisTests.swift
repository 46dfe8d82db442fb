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

    /// A defense that flags rows where none was poisoned records precision 0, which means nothing
    /// (precision of finding poisoned rows is undefined there): the point leaves it out, as it does
    /// recall, while a cell with poisoned rows averages only the runs that poisoned some.
    @Test func detectionPrecisionIsLeftOutWhereNoRowWasPoisoned() throws {
        let study = widthStudy([8], fractions: [0, 0.5], seeds: [1, 2])
        let runs = study.runSpecs.map { spec in
            // Seed 2 at 0.5 poisons no row (as a rounding budget may): its precision 0 is not averaged in.
            let poisoned = spec.fraction == 0 || spec.seed == 2 ? 0 : 10
            var metrics = runMetrics(test: 0.8, train: 1, trainClean: 1, loss: 0.1)
            metrics[MetricKey.removedFraction] = 0.1
            metrics[MetricKey.detectionPrecision] = poisoned == 0 ? 0 : 0.6
            if poisoned > 0 { metrics[MetricKey.detectionRecall] = 0.5 }
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: poisoned,
                             realisedFraction: spec.fraction, metrics: metrics, divergence: nil)
        }
        let points = aggregate(runs, fractions: study.config.fractions, seriesCount: 1)
        #expect(points[0].metric(MetricKey.detectionPrecision) == nil && points[0].metric(MetricKey.detectionRecall) == nil)
        #expect(points[0].metric(MetricKey.removedFraction)?.mean == 0.1)
        #expect(points[1].metric(MetricKey.detectionPrecision) == MeanStd(of: [0.6]))
        #expect(points[1].metric(MetricKey.testAccuracy) == MeanStd(of: [0.8, 0.8]))
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

    @Test func aCrossingBeyondTheLargestSweptFractionIsOnlyALowerBound() throws {
        let threshold = criticalThreshold(of: curve, target: 0.25, swept: 0...0.5)
        #expect(threshold.status == .aboveRange && threshold.fraction == nil)
        #expect(try #require(threshold.extrapolatedFraction) > 0.5)
        #expect(threshold.reason == "the fitted curve falls to the target 0.250 only beyond the largest swept fraction, 50.0%")
        #expect(threshold.censored(curve: curve) == .infinity)
        #expect(thresholdEstimate(threshold.censored(curve: curve), swept: 0...0.5, interval: nil)
            == Estimate(value: 0.5, interval: nil, bound: .lower))
    }

    @Test func aCrossingBeforeTheSmallestSweptFractionIsOnlyAnUpperBound() throws {
        // The curve is at 0.712 at 20%: it fell to 0.85 at 4.4%, before the sweep starts.
        let threshold = criticalThreshold(of: curve, target: 0.85, swept: 0.2...0.5)
        #expect(threshold.status == .belowRange && threshold.fraction == nil)
        #expect(abs(try #require(threshold.extrapolatedFraction) - (0.3 + log(0.7 / 0.65 - 1) / 10)) < 1e-12)
        #expect(threshold.censored(curve: curve) == -.infinity)
        #expect(thresholdEstimate(threshold.censored(curve: curve), swept: 0.2...0.5, interval: nil)
            == Estimate(value: 0.2, interval: nil, bound: .upper))
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
    static let fractions = (0...10).map { Double($0) * 0.05 }

    /// Results of MLPs of `curves.keys` (ascending width) whose runs, with 4 seeds, follow each curve
    /// plus a deterministic seed noise of amplitude `noise` (zero mean over the seeds at every fraction).
    static func results(_ curves: [Int: SigmoidParameters], noise: Double = 0.004) -> StudyResults {
        results(curves.mapValues { curve in { curve.value(at: $0) } }, noise: noise)
    }

    /// The same for curves given as functions of the fraction.
    static func results(_ curves: [Int: (Double) -> Double], noise: Double = 0.004) -> StudyResults {
        let widths = curves.keys.sorted()
        let study = widthStudy(widths, fractions: fractions, seeds: [1, 2, 3, 4], epochs: 5)
        let runs = study.runSpecs.map { spec in
            let i = fractions.firstIndex(of: spec.fraction)!, s = Int(spec.seed)
            let pattern = [1.0, -1.0, 0.5, -0.5][(s - 1 + i) % 4]
            let accuracy = curves[widths[spec.series]]!(spec.fraction) + noise * pattern
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                             metrics: runMetrics(test: accuracy, train: 1, trainClean: 1, loss: 0.1), divergence: nil)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    static func sigmoid(_ midpoint: Double, steepness: Double = 25) -> SigmoidParameters {
        SigmoidParameters(amplitude: 0.7, steepness: steepness, midpoint: midpoint, floor: 0.2)
    }

    /// Results of `models` (in study order) whose runs follow sigmoids of `midpoints` (in the same
    /// order), with 4 seeds and the seed noise of `results`.
    static func results(models: [ParameterValue], midpoints: [Double]) -> StudyResults {
        let study = try! Study(StudyConfig(models: models, fractions: fractions, seeds: [1, 2, 3, 4], training: TrainingSettings(epochs: 5)))
        let runs = study.runSpecs.map { spec in
            let i = fractions.firstIndex(of: spec.fraction)!
            let pattern = [1.0, -1.0, 0.5, -0.5][(Int(spec.seed) - 1 + i) % 4]
            let accuracy = sigmoid(midpoints[spec.series]).value(at: spec.fraction) + 0.004 * pattern
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                             metrics: runMetrics(test: accuracy, train: 1, trainClean: 1, loss: 0.1), divergence: nil)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    /// Model sizes are compared within one kind: a logistic regression beside one MLP makes no trend
    /// (the two differ in more than their parameter count), and beside two MLPs it is left out of
    /// theirs, whose clearly falling thresholds resolve it. An adaptive study plans as many trends.
    @Test func modelSizesAreComparedWithinOneKindOnly() {
        let logistic = StudyConfig.component(LogisticRegression.kind)
        let pair = Self.results(models: [logistic, StudyConfig.mlp(64)], midpoints: [0.35, 0.25])
        #expect(pair.series[0].parameterCount < pair.series[1].parameterCount)
        #expect(pair.statistics.trends.isEmpty && pair.findings.sensitivity.isEmpty)
        #expect(sequentialComparisonCount(series: pair.series, modelKinds: pair.config.modelKinds, questions: [.thresholdTrend]) == 0)

        // The logistic regression, the smallest model, has the lowest threshold: across kinds the
        // thresholds would not fall with size.
        let three = Self.results(models: [StudyConfig.mlp(32), logistic, StudyConfig.mlp(128)], midpoints: [0.35, 0.2, 0.25])
        #expect(three.series[1].parameterCount < three.series[0].parameterCount)
        #expect(three.statistics.trends.map(\.series) == [[0, 2]])
        #expect(three.findings.sensitivity.map(\.series) == [[0, 2]])
        #expect(three.findings.sensitivity.first?.trend == .decreasing)
        #expect(three.findings.sensitivity.first?.largerModelsMoreSensitive == true)
        #expect(sequentialComparisonCount(series: three.series, modelKinds: three.config.modelKinds, questions: [.thresholdTrend]) == 1)
    }

    @Test func clearlySeparatedThresholdsResolveTheTrendAndEveryPair() {
        let results = Self.results([32: Self.sigmoid(0.35), 64: Self.sigmoid(0.3), 128: Self.sigmoid(0.25)])
        let comparison = results.findings.sensitivity.first
        #expect(comparison?.trend == .decreasing)
        #expect(comparison?.largerModelsMoreSensitive == true)
        let trend = results.statistics.trends.first
        #expect(trend?.decision == .resolved && (trend?.slope.value ?? 0) < 0)
        let pairs = results.statistics.differences.filter { $0.quantity == .threshold }
        #expect(pairs.count == 3 && pairs.allSatisfy { $0.decision == .resolved })
        #expect(pairs.allSatisfy { $0.seedPlan == nil })
    }

    @Test func increasingThresholdsMeanLargerModelsAreLessSensitive() {
        let results = Self.results([32: Self.sigmoid(0.2), 64: Self.sigmoid(0.3), 128: Self.sigmoid(0.35)])
        #expect(results.findings.sensitivity.first?.largerModelsMoreSensitive == false)
        #expect(results.findings.sensitivity.first?.trend == .increasing)
    }

    @Test func equalCurvesLeaveTheTrendUnresolvedAndPlanSeedsOnlyForUnresolvedPairs() {
        let results = Self.results([32: Self.sigmoid(0.3), 64: Self.sigmoid(0.3)], noise: 0.02)
        #expect(results.findings.sensitivity.first?.largerModelsMoreSensitive == nil)
        let pair = results.statistics.differences.first { $0.quantity == .threshold }!
        #expect(pair.decision != .resolved && pair.difference.interval?.excludes(0) == false)
        let plan = try! #require(pair.seedPlan)
        #expect(plan.effect == 0.02 && plan.power == 0.8 && plan.degreesOfFreedom == 3)
        #expect((plan.fewestSeeds ?? 0) <= (plan.seeds ?? .max) && (plan.seeds ?? .max) <= (plan.mostSeeds ?? .max))
        // The clean accuracies of the two series agree seed by seed: σ of their paired differences is
        // the one-test-row floor.
        let clean = results.statistics.differences.first { $0.quantity == .cleanAccuracy }!
        #expect(clean.seedPlan?.sigma == 1 / Double(results.statistics.testRows) && clean.seedPlan?.degreesOfFreedom == 3)
    }

    /// A straight line beats the sigmoid, but the fitted sigmoid is nearly straight too, so the
    /// design could not have shown it: undecided, not gradual.
    @Test func aSteepSigmoidOnManyFractionsIsSharpAndAStraightLineIsUndecided() {
        let sharp = Self.results([32: Self.sigmoid(0.25, steepness: 40)])
        #expect(sharp.statistics.series[0].preferredCurve == .sigmoid)
        #expect(sharp.findings.series[0].shape == .sharp && sharp.findings.sharpTransition == true)
        let line = Self.results([32: { 0.9 - 0.8 * $0 }])
        #expect(line.statistics.series[0].preferredCurve != .sigmoid)
        #expect(line.statistics.series[0].curveEvidence?.designCanDecide == false)
        #expect(line.findings.series[0].shape == .undecided && line.findings.sharpTransition == nil)
    }

    @Test func aCurveThatNeverFallsFarEnoughHasNoThreshold() throws {
        // Width 32 levels off at 0.6, above the target (clean ~0.9 + chance 0.2) / 2 ~ 0.55.
        let results = Self.results([32: SigmoidParameters(amplitude: 0.3, steepness: 25, midpoint: 0.3, floor: 0.6), 64: Self.sigmoid(0.3)])
        #expect(results.fits[0].threshold.status == .notReached && results.fits[0].threshold.fraction == nil)
        #expect(results.findings.sensitivity.first?.trend == .decreasing)
        #expect(results.findings.series[0].thresholdStatus == .notReached)
        // Not reached: known only to exceed the largest swept fraction.
        #expect(results.statistics.series[0].threshold.value == 0.5 && results.statistics.series[0].threshold.bound == .lower)
        // The slope cannot be measured, but the one pair is resolved: the larger model's threshold is lower,
        // by at least 50% minus its threshold.
        #expect(results.statistics.trends.first?.slope.value == nil)
        let pair = try #require(results.statistics.differences.first { $0.quantity == .threshold })
        #expect(pair.decision == .resolved && pair.difference.interval?.lower == nil && (pair.difference.interval?.upper ?? 0) < 0)
        #expect(try pair.difference.bound == .upper && pair.difference.value == #require(results.fits[1].threshold.fraction) - 0.5)
        #expect(results.findings.sensitivity.first?.largerModelsMoreSensitive == true)
    }

    @Test func aThresholdBeyondTheSweptFractionsIsABoundInEveryDifferenceAndNoSlope() throws {
        // Width 32 falls halfway at 65%, beyond the sweep (0 to 50%); width 64 at 30%.
        let results = Self.results([32: Self.sigmoid(0.65, steepness: 10), 64: Self.sigmoid(0.3)])
        let threshold = results.fits[0].threshold
        #expect(threshold.status == .aboveRange && threshold.fraction == nil)
        #expect(abs(try #require(threshold.extrapolatedFraction) - 0.65) < 0.05)
        #expect(results.findings.series[0].threshold == nil && results.findings.series[0].thresholdStatus == .aboveRange)
        let estimate = results.statistics.series[0].threshold
        #expect(estimate.value == 0.5 && estimate.bound == .lower)
        // No end of any threshold interval lies beyond the largest swept fraction.
        for s in results.statistics.series {
            #expect([s.threshold.interval?.lower, s.threshold.interval?.upper].allSatisfy { ($0 ?? 0) <= 0.5 })
        }
        // MLP 64 − MLP 32: at most its threshold minus 50%, resolved only as negative.
        let pair = try #require(results.statistics.differences.first { $0.quantity == .threshold })
        let other = try #require(results.fits[1].threshold.fraction)
        #expect(try pair.difference.bound == .upper && abs(#require(pair.difference.value) - (other - 0.5)) < 1e-12)
        #expect((pair.decision == .resolved) == ((pair.difference.interval?.upper ?? 0) < 0) && pair.seedPlan == nil)
        #expect(pair.decision == .resolved && pair.difference.interval?.lower == nil)
        // The slope through a bound is not measured, and the trend orders the bound beyond every measured threshold.
        #expect(results.statistics.trends.first?.slope.value == nil)
        #expect(results.findings.sensitivity.first?.trend == .decreasing)
        #expect(results.findings.sensitivity.first?.largerModelsMoreSensitive == true)
    }

    @Test func aFlatCurveReportsWhyItHasNoFit() {
        let results = Self.results([32: SigmoidParameters(amplitude: 0, steepness: 12, midpoint: 0.3, floor: 0.8), 64: Self.sigmoid(0.3)],
                                   noise: 0)
        #expect(results.fits[0].parameters == nil && results.fits[0].failure?.contains("no transition") == true)
        #expect(results.fits[0].threshold.status == .noFit)
        #expect(results.findings.sensitivity.first?.largerModelsMoreSensitive == nil)
        #expect(results.findings.sensitivity.first?.trend == .missingThreshold && results.findings.sensitivity.first?.unfittedSeries == 0)
        #expect(results.findings.series[0].shape == .noFit)
    }
}

/// The rules that turn intervals into claims switch exactly at their boundaries.
struct ClaimRuleTests {
    /// Statistics of a series whose sigmoid has evidence ratio `ratio` against the simpler curves (the
    /// design expected to give it `expected` were the fitted sigmoid true) and whose k has the
    /// interval [lower, upper].
    func statistics(kLower: Double, kUpper: Double, ratio: Double = 100, expected: Double = 1) -> SeriesStatistics {
        let none = Estimate(value: nil, interval: nil)
        return SeriesStatistics(series: 0, cleanAccuracy: none, cleanAccuracyWilson: nil, threshold: none, amplitude: none,
                                steepness: Estimate(value: (kLower + kUpper) / 2, interval: Interval(lower: kLower, upper: kUpper)),
                                midpoint: none, floor: none, gapAtLargestFraction: none, band: nil, curves: [],
                                preferredCurve: ratio > 1 ? .sigmoid : .line,
                                curveEvidence: CurveEvidence(sigmoidEvidenceRatio: ratio, seedSpread: 0.03, expectedAtThisDesign: expected,
                                                             decisiveDesign: nil),
                                parametersAtBounds: [], dropRemainingAtLargestFraction: nil,
                                fittedCeiling: nil)
    }

    @Test func sharpOnlyWhenTheWholeIntervalOfKLiesAboveTheThreshold() {
        #expect(transitionShape(statistics(kLower: 5.0001, kUpper: 9), sharpSteepness: 5) == .sharp)
        #expect(transitionShape(statistics(kLower: 5, kUpper: 9), sharpSteepness: 5) == .undecided)
        #expect(transitionShape(statistics(kLower: 4.9999, kUpper: 9), sharpSteepness: 5) == .undecided)
        #expect(transitionShape(statistics(kLower: 2, kUpper: 5), sharpSteepness: 5) == .gradual)
        #expect(transitionShape(statistics(kLower: 2, kUpper: 5.0001), sharpSteepness: 5) == .undecided)
    }

    /// A shape is claimed only when the evidence ratio of the sigmoid against the simpler curves is at
    /// least 10 or at most 1/10; a simpler curve's win counts only where the design would have shown
    /// the fitted sigmoid (expected ratio at least 10), whatever k's interval.
    @Test func aShapeNeedsAnEvidenceRatioOfTenAndADesignThatCouldShowTheSigmoid() {
        #expect(transitionShape(statistics(kLower: 6, kUpper: 9, ratio: 10), sharpSteepness: 5) == .sharp)
        #expect(transitionShape(statistics(kLower: 6, kUpper: 9, ratio: 9.99), sharpSteepness: 5) == .undecided)
        #expect(transitionShape(statistics(kLower: 2, kUpper: 4, ratio: 9.99), sharpSteepness: 5) == .undecided)
        #expect(transitionShape(statistics(kLower: 2, kUpper: 4, ratio: 0.1), sharpSteepness: 5) == .undecided)
        #expect(transitionShape(statistics(kLower: 2, kUpper: 4, ratio: 10), sharpSteepness: 5) == .gradual)
        #expect(transitionShape(statistics(kLower: 2, kUpper: 9, ratio: 10), sharpSteepness: 5) == .undecided)
        #expect(transitionShape(statistics(kLower: 6, kUpper: 9, ratio: 0.1, expected: 9.99), sharpSteepness: 5) == .undecided)
        #expect(transitionShape(statistics(kLower: 6, kUpper: 9, ratio: 0.1, expected: 10), sharpSteepness: 5) == .gradual)
        #expect(transitionShape(statistics(kLower: 6, kUpper: 9, ratio: 0.11, expected: 1000), sharpSteepness: 5) == .undecided)
    }

    @Test func aDifferenceIsResolvedExactlyWhenItsIntervalExcludesZero() {
        #expect(Interval(lower: 1e-12, upper: 0.1).excludes(0))
        #expect(!Interval(lower: 0, upper: 0.1).excludes(0))
        #expect(!Interval(lower: -1e-12, upper: 0.1).excludes(0))
        #expect(Interval(lower: -0.1, upper: -1e-12).excludes(0))
        #expect(!Interval(lower: -0.1, upper: 0).excludes(0))
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
        let topKeys = ["\"attackMetrics\"", "\"config\"", "\"data\"", "\"findings\"", "\"fits\"", "\"hasDefense\"",
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
        // A value that reads like a timing is no key; keys in arrays of arrays and beside nulls count.
        let nested = Data(#"{"note": "time", "x": [[{"Time": null}], "seconds"], "y": {"z": {"wall": true}}}"#.utf8)
        #expect(timingKeys(inJSON: nested) == ["Time", "wall"])
        #expect(timingKeys(inJSON: Data("not json".utf8)).isEmpty)
    }

    @Test func validationFlagsAStudyWithNoDrop() {
        // Only clean fractions: accuracy never drops, so the study's checks must fail.
        let study = widthStudy([8], fractions: [0, 0.003, 0.006, 0.009], seeds: [1], epochs: 30)
        let results = StudyResults(study: study, runs: runStudy(study, threads: 2).results, toolVersion: "test")
        let failures = results.validationFailures()
        #expect(failures.contains { $0.contains("not at least 0.05 below clean") })
    }
}
