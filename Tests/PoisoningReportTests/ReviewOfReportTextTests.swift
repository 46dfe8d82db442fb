import Foundation
import Testing
@testable import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// A study of two widths under random label flips whose accuracy declines linearly and slowly (0.2 per
/// unit of poison fraction from 0.9), so that no fitted curve falls to its threshold (0.55) by the
/// largest fraction, 50%: every threshold is "not reached" beside an interval that says no more.
func slowDeclineResults() throws -> StudyResults {
    let study = try Study(StudyConfig(models: [16, 64].map(StudyConfig.mlp), fractions: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
                                      seeds: [1, 2, 3], training: TrainingSettings(epochs: 5)))
    let runs = study.runSpecs.map { spec -> RunResult in
        let offset = [1: 0.01, 2: -0.006, 3: -0.002][spec.seed]! + 0.004 * Double(spec.series)
        return madeUpRun(spec, in: study, metrics: runMetrics(test: 0.9 - 0.2 * spec.fraction + offset, train: 0.95 - 0.3 * spec.fraction,
                                                             trainClean: 0.95, loss: 0.3))
    }
    return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
}

/// Review of issue 22, finding 4: the note on open interval ends quoted an interval the report does
/// not print (attacks: “50.0% or more” beside a table showing “17.7% or more”).
struct OpenEndNoteQuotesAShownIntervalTests {
    @Test func aThresholdIntervalThatSaysNoMoreThanItsBoundIsNeverQuoted() throws {
        let results = try slowDeclineResults()
        for fit in results.fits {
            let estimate = results.statistics.series[fit.series].threshold
            try #require(fit.threshold.status != .withinRange && fit.threshold.status != .noFit)
            try #require(estimate.interval?.upper == nil && informativeIntervalText(estimate, percent) == nil,
                         "the fixture's thresholds are bounds whose interval the tables leave out")
        }
        #expect(shownThresholdIntervals(results).isEmpty)
        // Only the note on the fit's bounds (L's interval reaches it), none on a threshold's open end.
        #expect(openEndNote(results) == fitBoundNote(results), "no table shows an open threshold interval, so there is none to explain")
        #expect(!(openEndNote(results) ?? "").contains("has an unbounded"))
        #expect(!openingSummary(results).contains("”: the interval reaches past"))
    }

    @Test(arguments: [0, 1, 2])
    func theQuotedIntervalIsOneTheReportPrints(fixture: Int) throws {
        let results = try [referenceResults, attackCatalogueResults, slowDeclineResults][fixture]()
        let report = try markdownReport(results)
        // The notes' "An interval written “…” has an unbounded" and the opening's "“…”: the interval reaches past".
        let quoted = try Regex(#"“([^”]+)”(?:: the interval reaches past| has an unbounded)"#)
        for match in report.matches(of: quoted) {
            let interval = String(match.output[1].substring!)
            // The interval's text stands in a threshold cell: "[interval]" in a table, or "(interval)" in a sentence.
            #expect(report.contains("[\(interval)]") || report.contains("(\(interval))"), "“\(interval)” is quoted but not shown")
        }
    }
}

/// Review of issue 22, finding 6: a point estimate of a slope beside "95% CI none".
struct NotEstimableIntervalTests {
    @Test func aSlopeWithoutAnIntervalIsNotEstimableNotNone() {
        let trend = ThresholdTrend(attack: 0, defense: 0, series: [0, 1], slope: Estimate(value: -0.001, interval: nil),
                                   reason: "too many unfitted replicates", seedPlan: nil)
        let clause = slopeClause(trend, level: "95%")
        #expect(clause.hasPrefix(" (-0.1 pp (percentage points) per doubling of parameters, 95% CI not estimable, as "))
        #expect(!clause.contains("none"))
        let bounded = ThresholdTrend(attack: 0, defense: 0, series: [0, 1],
                                     slope: Estimate(value: -0.001, interval: Interval(lower: -0.004, upper: 0.002)), reason: nil, seedPlan: nil)
        #expect(slopeClause(bounded, level: "95%") == " (-0.1 pp (percentage points) per doubling of parameters, 95% CI -0.4 pp to +0.2 pp)")
    }

    @Test func aSeedIntervalThatIsMissingIsNotEstimable() {
        let words = FindingWords(results: fixedResults())
        #expect(words.seedInterval(nil) { fixed($0, decimals: 3) } == "95% CI not estimable")
        #expect(words.seedInterval(Interval(lower: 0.1, upper: 0.2)) { fixed($0, decimals: 3) } == "95% CI 0.100 to 0.200")
    }
}

/// A study as examples/curvature is shaped: too few fractions (3) for any sigmoid fit. Two widths under
/// random label flips and margin flips; the clean runs (fraction 0) depend on the width and seed only,
/// as the attacks share them, so two series of one width differ only once poisoned.
func threeFractionResults() throws -> StudyResults {
    let study = try Study(StudyConfig(models: [16, 64].map(StudyConfig.mlp),
                                      attacks: [StudyConfig.component(RandomLabelFlip.kind), StudyConfig.component("margin-flip")],
                                      fractions: [0, 0.1, 0.2], seeds: [1, 2, 3], training: TrainingSettings(epochs: 5)))
    let runs = study.runSpecs.map { spec -> RunResult in
        let description = study.series[spec.series]
        let clean = 0.88 + 0.02 * Double(description.model) + [1: 0.01, 2: -0.006, 3: -0.002][spec.seed]!
        let slope = 0.8 + 0.5 * Double(description.attack) + 0.1 * Double(spec.seed)
        return madeUpRun(spec, in: study, metrics: runMetrics(test: clean - slope * spec.fraction,
                                                             train: 0.95 - (0.3 + 0.1 * Double(description.attack)) * spec.fraction,
                                                             trainClean: 0.95, loss: 0.3))
    }
    return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
}

/// Review of issue 22, finding 1: a study with too few fractions for any fit opened with "No series'
/// fitted curve falls to its critical threshold … Not resolved: whether the transition is sharp" and
/// said "has no fit" once per series.
struct StudyWithoutFitsTests {
    @Test func theOpeningSaysOnceThatThereAreTooFewFractions() throws {
        let results = try threeFractionResults()
        try #require(results.fits.allSatisfy { $0.threshold.status == .noFit })
        let opening = openingSummary(results)
        #expect(opening.contains(" 3 fractions: too few for a sigmoid fit (needs 4)."))
        #expect(!opening.contains("critical threshold") && !opening.contains("sharp"), "\(opening)")
        #expect(!opening.contains("Not resolved"), "nothing undefined is an open question: \(opening)")
    }

    @Test func theReportGivesTheReasonForNoFitOnceAndNoThresholdRows() throws {
        let results = try threeFractionResults()
        let report = try markdownReport(results)
        #expect(!report.contains("has no fit"))
        #expect(report.components(separatedBy: "too few for a sigmoid fit").count - 1 == 2,
                "the opening and the fits section each say it once")
        let findings = try #require(report.components(separatedBy: "## Findings").last?.components(separatedBy: "## Figures").first)
        // The Findings say it in other words than the opening (issue 21 §7).
        #expect(findings.contains("No series has a critical threshold or a transition shape: a sigmoid fit needs 4 fractions, and no "
            + "series has more than 3."), "\(findings)")
        #expect(!findings.contains("no fit"), "the findings list no per-series \"no fit\": \(findings)")
        #expect(!report.contains("| Critical threshold | MLP"), "undefined threshold differences stay out of the confidence table")
    }

    @Test func aStudyWithSomeFitsNamesEachFailureOnce() throws {
        // Every series of the reference study has a fit: no failure sentence.
        #expect(fitFailureSentences(try referenceResults()).isEmpty)
        #expect(fitFailureSentences(try threeFractionResults()) == ["3 fractions: too few for a sigmoid fit (needs 4)."])
    }
}

/// Review of issue 22, finding 3: a difference zero by construction (series that share their clean
/// runs) was listed as unresolved with a seed plan.
struct IdenticalRunsTests {
    @Test func differencesOfIdenticalRunsAreLeftOutAndSaidSo() throws {
        let results = try threeFractionResults()
        let clean = results.statistics.differences.filter { $0.quantity == .cleanAccuracy }
        let byAttack = clean.filter { $0.axis == .attack }, byModel = clean.filter { $0.axis == .model }
        try #require(byAttack.count == 2 && byModel.count == 2)
        #expect(byAttack.allSatisfy { identicalRuns($0, results) }, "the attacks share the clean runs")
        #expect(!byModel.contains { identicalRuns($0, results) }, "the widths' clean runs differ")
        #expect(!results.statistics.differences.contains { $0.quantity == .gapAtLargestFraction && identicalRuns($0, results) })
        let shown = shownDifferences(results)
        #expect(shown.count == results.statistics.differences.count - 2 - 4)
        #expect(leftOutDifferencesNote(results) == "Left out of the table: 2 differences of identical runs (every paired difference "
            + "exactly 0, as where series share their clean runs) and 4 threshold differences of a series with no fit.")
        let report = try markdownReport(results)
        #expect(report.components(separatedBy: "| Clean accuracy | MLP").count - 1 == 2, "the widths' clean accuracies only")
        #expect(leftOutDifferencesNote(try referenceResults()) == nil)
    }
}

/// compare's fits row decides on the interval it shows: a k difference whose lower end cleared zero
/// only at the first study's upper end at k's bound (100) reads "at most" there, and is not resolved.
struct CompareShownDecisionTests {
    @Test func aDifferenceResolvedOnlyByAnEndAtTheFitsBoundIsNotShownResolved() {
        let errors = EndErrors(lower: 0.01, upper: 0.01)
        let first = Estimate(value: 20, interval: Interval(lower: 10, upper: 100, monteCarloError: errors))
        let second = Estimate(value: 60, interval: Interval(lower: 50, upper: 90, monteCarloError: errors))
        let raw = Estimate(value: 40, interval: Interval(lower: 0.5, upper: 75, monteCarloError: errors))
        let fit = FitComparison(series: "MLP 64", quantity: "steepness", first: first, second: second, difference: raw)
        #expect(fit.decision == .resolved)
        let bounds = SigmoidFitBounds.study(largestFraction: 0.5)
        let shown = differenceOpenAtBounds(fit, parameter: 1, bounds)
        #expect(shown?.lower == nil && shown?.upper == 75)
        #expect(shownDecision(fit, interval: shown, parameter: 1, bounds) == .notResolved)
        // An interval shown as it is keeps the study's decision.
        #expect(shownDecision(fit, interval: fit.difference.interval, parameter: 1, bounds) == .resolved)
    }

    /// With a pilot (more than 3 seeds) the opened row decides on the pilot's difference opened the same way
    /// (review r21m m3), not on this stream's interval and errors: here this stream's upper end (+0.001, error
    /// 0.01) would read undetermined by the plain rule, the pilot's (+0.2, error 0.01) reads not resolved.
    @Test func anOpenedRowDecidesOnThePilotOpenedTheSameWay() {
        let errors = EndErrors(lower: 0.01, upper: 0.01)
        let first = Estimate(value: 20, interval: Interval(lower: 10, upper: 100, monteCarloError: errors))
        let second = Estimate(value: 19, interval: Interval(lower: 5, upper: 90, monteCarloError: errors))
        let raw = Estimate(value: -1, interval: Interval(lower: -30, upper: 0.001, monteCarloError: errors))
        let pilot = Estimate(value: -1, interval: Interval(lower: -29, upper: 0.2, monteCarloError: errors))
        let fit = FitComparison(series: "MLP 64", quantity: "steepness", first: first, second: second, difference: raw, pilot: pilot)
        let bounds = SigmoidFitBounds.study(largestFraction: 0.5)
        let shown = differenceOpenAtBounds(fit, parameter: 1, bounds)
        #expect(shown?.lower == nil && shown?.upper == 0.001)
        #expect(SignDecision(Estimate(value: -1, interval: shown)) == .undetermined)
        #expect(shownDecision(fit, interval: shown, parameter: 1, bounds) == .notResolved)
        // The same row without a pilot reads this stream's interval.
        let alone = FitComparison(series: "MLP 64", quantity: "steepness", first: first, second: second, difference: raw)
        #expect(shownDecision(alone, interval: shown, parameter: 1, bounds) == .undetermined)
    }
}
