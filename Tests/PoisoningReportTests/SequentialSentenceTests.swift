import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
@testable import PoisoningReport

/// The opening sentence of an adaptive study's record: its looks, why none come earlier, and what
/// the boundaries spend.
struct SequentialSentenceTests {
    func record(start: Int, step: Int, max: Int) -> SequentialRecord {
        let settings = SequentialSeeds(values: [42, 123, 7], start: start, step: step, max: max, until: [.thresholdTrend])
        let plan = sequentialLooks(start: start, step: step, max: max, alpha: 0.05, replicates: 1000)
        let outcome = runSequentialRule(looks: plan) { index, _ in ["trend": index == 0 ? .resolved : .open] }
        return SequentialRecord(settings: settings, nominalConfidence: 0.95, plan: plan, outcome: outcome, comparisons: ["trend"],
                                undetermined: Array(repeating: [], count: outcome.stoppedAt + 1),
                                replicates: Array(repeating: 1000, count: outcome.stoppedAt + 1))
    }

    @Test func looksTheBootstrapCannotReadAreNamedAsNotTaken() {
        let expected: String = "Adaptive study: seeds were added 3 at a time, up to 40, until threshold-trend was resolved, with looks at 24, 27, "
                + "30, 33, 36, 39 and 40 seeds (the study cannot stop before 24 seeds: O'Brien-Fleming spending keeps early looks "
                + "strict, so a look at 21 would spend only a 0.2% chance of a false resolution on each side of a comparison (0.4% in all), "
                + "a level at which fewer than two of the bootstrap's 1000 replicates lie beyond each end of the interval) "
                + "and Lan-DeMets O'Brien-Fleming-type boundaries that spend a 5% chance of any false resolution over all looks, "
                + "on its one comparison. It stopped at look 1 of 7 (24 seeds)"
        #expect(sequentialSentence(record(start: 3, step: 3, max: 40), replicates: 1000).hasPrefix(expected))
    }

    /// Why no earlier look is taken names the study's own replicates, not a fixed 1,000, and the
    /// spend on each side with its two-sided total.
    @Test func theNoEarlierLookReasonNamesTheStudysReplicates() {
        let sentence = sequentialSentence(record(start: 3, step: 3, max: 40), replicates: 4000)
        #expect(sentence.contains("0.2% chance of a false resolution on each side of a comparison (0.4% in all), a level at which "
            + "fewer than two of the bootstrap's 4000 replicates lie beyond each end of the interval"), "\(sentence)")
    }

    /// With several comparisons the sentence says how the error is split; the count is the record's
    /// comparisons, resolved or not.
    @Test func severalComparisonsSplitTheErrorByBonferroni() {
        let settings = SequentialSeeds(values: [42, 123, 7], start: 3, step: 3, max: 40, until: [.thresholdTrend, .thresholdPairs])
        let plan = sequentialLooks(start: 3, step: 3, max: 40, alpha: 0.05 / 4, replicates: 1000)
        let names = ["trend", "b - a", "c - a", "c - b"]
        let outcome = runSequentialRule(looks: plan) { index, _ in Dictionary(uniqueKeysWithValues: names.map { ($0, $0 != "c - b" || index == 1 ? SequentialAnswer.resolved : .open) }) }
        let record = SequentialRecord(settings: settings, nominalConfidence: 0.95, plan: plan, outcome: outcome, comparisons: names,
                                      undetermined: Array(repeating: [], count: outcome.stoppedAt + 1),
                                      replicates: Array(repeating: 1000, count: outcome.stoppedAt + 1))
        #expect(record.comparisonCount == 4 && record.seeds == 36)
        // SciPy: 2 norm.cdf(norm.ppf(0.0125 / 4) / sqrt(30 / 40)) = 0.0015920.
        let expected: String = "with looks at 33, 36, 39 and 40 seeds (the study cannot stop before 33 seeds: "
            + "O'Brien-Fleming spending keeps early looks strict, so a look at 30 would spend only a 0.16% chance of a false "
            + "resolution on each side of a comparison (0.32% in all), a level at which fewer than two of the bootstrap's 1000 "
            + "replicates lie beyond each end of the interval) and Lan-DeMets O'Brien-Fleming-type boundaries that spend a 5% chance of any "
            + "false resolution over all looks, split equally among its 4 comparisons (Bonferroni). It stopped at look 2 of 4 (36 seeds)"
        #expect(sequentialSentence(record, replicates: 1000).contains(expected))
    }

    @Test func aDesignWhoseLooksAreAllTakenSaysNothingOfEarlierOnes() {
        let sentence = sequentialSentence(record(start: 3, step: 3, max: 3), replicates: 1000)
        #expect(sentence.hasPrefix("Adaptive study: seeds were added 3 at a time, up to 3, until threshold-trend was resolved, "
                                   + "with looks at 3 seeds and Lan-DeMets"))
        #expect(!sentence.contains("cannot stop before"))
    }

    /// A comparison still undetermined at the last look is said to be so because of Monte Carlo error,
    /// with the replicates the look used and the fixed design that would answer it (issue 21 review).
    @Test func anUndeterminedComparisonNamesMonteCarloErrorAndTheFixedDesign() {
        let settings = SequentialSeeds(values: [42, 123, 7], start: 3, step: 3, max: 40, until: [.thresholdPairs])
        let plan = sequentialLooks(start: 3, step: 3, max: 40, alpha: 0.05, replicates: 1000)
        let outcome = runSequentialRule(looks: plan) { _, _ in ["MLP 128 - MLP 64": .open] }
        let record = SequentialRecord(settings: settings, nominalConfidence: 0.95, plan: plan, outcome: outcome,
                                      comparisons: ["MLP 128 - MLP 64"],
                                      undetermined: Array(repeating: ["MLP 128 - MLP 64"], count: outcome.stoppedAt + 1),
                                      replicates: Array(repeating: 8000, count: outcome.stoppedAt + 1))
        #expect(record.stop == .budgetSpent && record.seeds == 40)
        let clause: String = "At the last look MLP 128 - MLP 64 was undetermined because of Monte Carlo error, even with 8000 "
            + "bootstrap replicates: "
        let rest: String = "; an undetermined comparison does not count as resolved. A fixed study of 40 seeds read once at 95% "
            + "would decide it."
        #expect(sequentialSentence(record, replicates: 1000).contains(clause + undeterminedClause(pilot: false) + rest))
        // The opening names the same design for an undetermined pair; a study with fixed seeds, more replicates.
        let fixedStudy = fixedResults()
        #expect(monteCarloRemedy(fixedStudy) == "more bootstrap replicates (analysis: {replicates: "
            + "\(2 * fixedStudy.config.analysis.replicates)}) might answer it")
        #expect(monteCarloRemedy(fixedStudy.recording(record)) == "a fixed study of 40 seeds read once at 95% would decide it")
    }

    /// Looks escalate their replicates only while a comparison is undetermined, doubling up to the cap.
    @Test func replicatesDoubleWhileUndeterminedUpToTheCap() {
        var tried = [Int]()
        let never = escalatingReplicates(1000, analyse: { tried.append($0); return $0 }, undetermined: { _ in true })
        #expect(never.replicates == 8000 && tried == [1000, 2000, 4000, 8000])
        tried = []
        let second = escalatingReplicates(1000, analyse: { tried.append($0); return $0 }, undetermined: { $0 < 2000 })
        #expect(second.replicates == 2000 && second.analysis == 2000 && tried == [1000, 2000])
        tried = []
        let first = escalatingReplicates(1000, analyse: { tried.append($0); return $0 }, undetermined: { _ in false })
        #expect(first.replicates == 1000 && tried == [1000])
        #expect(escalatingReplicates(300, cap: 2, analyse: { $0 }, undetermined: { _ in true }).replicates == 600)
    }

    /// The rows of questions the study did not name are marked resolved at the adjusted level but lie
    /// outside the error it splits: the sentence says so, and says nothing when every question is named (r21c #4).
    @Test func rowsOfUnnamedQuestionsAreSaidToFallOutsideTheGuarantee() {
        #expect(sequentialSentence(record(start: 3, step: 3, max: 40), replicates: 1000).hasSuffix(
            " Only the comparisons the study named (threshold-trend) share its 5% bound on a false resolution; the tables' "
                + "threshold differences, clean-accuracy differences and gap differences are marked resolved at the same "
                + "adjusted level but fall outside that bound."))
        let settings = SequentialSeeds(values: [42, 123, 7], start: 3, step: 3, max: 3, until: SequentialQuestion.allCases)
        let plan = sequentialLooks(start: 3, step: 3, max: 3, alpha: 0.05, replicates: 1000)
        let outcome = runSequentialRule(looks: plan) { _, _ in ["trend": .resolved] }
        let record = SequentialRecord(settings: settings, nominalConfidence: 0.95, plan: plan, outcome: outcome, comparisons: ["trend"],
                                      undetermined: [[]], replicates: [1000])
        #expect(!sequentialSentence(record, replicates: 1000).contains("Only the comparisons"))
    }
}

/// Where an adaptive study stopped, in its opening (issue 21, section 5: "state where it stops"):
/// the look and seeds, why, what is left unresolved and the adjusted level, each from the record.
struct SequentialStopClauseTests {
    /// A study of one comparison named `name`, looks at 24, 27, ..., 39 and 40 seeds (start 3, step 3,
    /// max 40 at 5%), whose look `index` answers `answer(index)`.
    func record(_ name: String, _ answer: @escaping (Int) -> SequentialAnswer) -> SequentialRecord {
        let settings = SequentialSeeds(values: [42, 123, 7], start: 3, step: 3, max: 40, until: [.thresholdPairs])
        let plan = sequentialLooks(start: 3, step: 3, max: 40, alpha: 0.05, replicates: 1000)
        let outcome = runSequentialRule(looks: plan) { index, _ in [name: answer(index)] }
        return SequentialRecord(settings: settings, nominalConfidence: 0.95, plan: plan, outcome: outcome, comparisons: [name],
                                undetermined: Array(repeating: [], count: outcome.stoppedAt + 1),
                                replicates: Array(repeating: 1000, count: outcome.stoppedAt + 1))
    }

    @Test func eachStopNamesWhyItsLookAndWhatIsLeft() {
        let resolved = record("MLP 64 - MLP 32") { $0 == 1 ? .resolved : .open }
        #expect(resolved.plannedLooks == [24, 27, 30, 33, 36, 39, 40] && resolved.stop == .allResolved)
        #expect(resolved.looks[1].confidence > 0.95 && confidenceText(resolved.looks[1].confidence) != "95%")
        #expect(sequentialStopClause(resolved) == "(adaptive: all resolved at look 2 of 7)")
        let spent = record("MLP 128 - MLP 64") { _ in .open }
        #expect(sequentialStopClause(spent) == "(adaptive: budget spent, 1 comparison unresolved)")
        let beyond = record("MLP 128 - MLP 64") { _ in .beyondSweep }
        #expect(sequentialStopClause(beyond) == "(adaptive: stopped at look 1 of 7, 1 comparison unresolved beyond the swept fractions)")
    }

    /// The opening says it after what was run; a study of fixed seeds says nothing of looks.
    @Test func theOpeningOfAnAdaptiveStudySaysWhereItStopped() throws {
        let spent = record("MLP 64 - MLP 16") { _ in .open }
        let fixed = fixedResults()
        let results = StudyResults(study: try Study(fixed.config), runs: fixed.runs, toolVersion: "9.9.9", confidence: spent.confidence)
            .recording(spent)
        let opening = openingSummary(results)
        #expect(opening.contains("seeds each " + sequentialStopClause(spent) + ". "), "\(opening)")
        // The adjusted level named once, in the thresholds' brackets; the claims counted without it.
        #expect(opening.contains("Critical thresholds [adjusted \(confidenceText(spent.confidence)) confidence interval (CI)]"), "\(opening)")
        #expect(opening.contains(" published claims these runs support ") && !opening.contains("confidence, of"), "\(opening)")
        #expect(!openingSummary(fixed).contains("adaptive") && !openingSummary(fixed).contains("adjusted"))
    }

    /// The adaptive reference study's opening read 146 words (issue 21 caps it at 120): its stop
    /// clause now sits in the first sentence, and its level in the thresholds' brackets.
    @Test func theAdaptiveReferenceStudysOpeningHasAtMost120Words() throws {
        let path = #filePath.replacingOccurrences(of: "Tests/PoisoningReportTests/SequentialSentenceTests.swift",
                                                  with: "examples/adaptive-reference/output/results.json")
        let stored = try StudyResults.read(try Data(contentsOf: URL(fileURLWithPath: path)))
        let record = try #require(stored.sequential)
        let results = StudyResults(study: try Study(stored.config), runs: stored.runs, toolVersion: "9.9.9", sequential: record)
        let summary = openingSummary(results)
        #expect(summary.contains("40 seeds each (adaptive: budget spent, 1 comparison unresolved)."), "\(summary)")
        #expect(summary.split(whereSeparator: \.isWhitespace).count <= 120,
                "\(summary.split(whereSeparator: \.isWhitespace).count) words: \(summary)")
    }

    /// Review r21z M4: an adaptive study's thresholds, differences and trends are exempt from the pilot rule that withholds
    /// imprecise ends, and the report said nothing of it. The adaptive reference study's notes say so, with the measured
    /// bound; a fixed study's do not.
    @Test func theAdaptiveExemptionFromWithheldEndsIsSaid() throws {
        let path = #filePath.replacingOccurrences(of: "Tests/PoisoningReportTests/SequentialSentenceTests.swift",
                                                  with: "examples/adaptive-reference/output/results.json")
        let stored = try StudyResults.read(try Data(contentsOf: URL(fileURLWithPath: path)))
        let results = StudyResults(study: try Study(stored.config), runs: stored.runs, toolVersion: "9.9.9", sequential: try #require(stored.sequential))
        let note = openEndNote(results) ?? ""
        #expect(note.hasSuffix("This adaptive study's thresholds, threshold differences and trends are shown without the check that withholds "
            + "an end too imprecise to place (at the looks' refits the pilot bootstrap would place none, and no question could be answered), "
            + "so their ends carry no per-end bound on their Monte Carlo error: on examples/adaptive-reference they moved by at most 0.24 pp "
            + "over 5 bootstrap streams, and a study's own can be checked by rerunning it with another --bootstrap-seed."), "\(note)")
        #expect(adaptiveExemptionNote(fixedResults()) == nil)
    }
}
