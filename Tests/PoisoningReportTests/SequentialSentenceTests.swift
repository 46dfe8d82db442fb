import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import PoisoningReport

/// The opening sentence of an adaptive study's record: its looks, why none come earlier, and what
/// the boundaries spend.
struct SequentialSentenceTests {
    func record(start: Int, step: Int, max: Int) -> SequentialRecord {
        let settings = SequentialSeeds(values: [42, 123, 7], start: start, step: step, max: max, until: [.thresholdTrend])
        let plan = sequentialLooks(start: start, step: step, max: max, alpha: 0.05, replicates: 1000)
        let outcome = runSequentialRule(looks: plan) { index, _ in ["trend": index == 0 ? .resolved : .open] }
        return SequentialRecord(settings: settings, nominalConfidence: 0.95, plan: plan, outcome: outcome, comparisons: ["trend"],
                                undetermined: Array(repeating: [], count: outcome.stoppedAt + 1))
    }

    @Test func looksTheBootstrapCannotReadAreNamedAsNotTaken() {
        #expect(sequentialSentence(record(start: 3, step: 3, max: 40)).hasPrefix(
            "Adaptive study: seeds were added 3 at a time, up to 40, until threshold-trend was resolved, with looks at 24, 27, "
                + "30, 33, 36, 39 and 40 seeds (none before 24 seeds: the bootstrap cannot read the levels earlier looks would need) "
                + "and Lan-DeMets O'Brien-Fleming-type boundaries that spend a 5% chance of any false resolution over all looks, "
                + "on its one comparison. It stopped at look 1 of 7 (24 seeds)"))
    }

    /// With several comparisons the sentence says how the error is split; the count is the record's
    /// comparisons, resolved or not.
    @Test func severalComparisonsSplitTheErrorByBonferroni() {
        let settings = SequentialSeeds(values: [42, 123, 7], start: 3, step: 3, max: 40, until: [.thresholdTrend, .thresholdPairs])
        let plan = sequentialLooks(start: 3, step: 3, max: 40, alpha: 0.05 / 4, replicates: 1000)
        let names = ["trend", "b - a", "c - a", "c - b"]
        let outcome = runSequentialRule(looks: plan) { index, _ in Dictionary(uniqueKeysWithValues: names.map { ($0, $0 != "c - b" || index == 1 ? SequentialAnswer.resolved : .open) }) }
        let record = SequentialRecord(settings: settings, nominalConfidence: 0.95, plan: plan, outcome: outcome, comparisons: names,
                                      undetermined: Array(repeating: [], count: outcome.stoppedAt + 1))
        #expect(record.comparisonCount == 4 && record.seeds == 36)
        #expect(sequentialSentence(record).contains("with looks at 33, 36, 39 and 40 seeds (none before 33 seeds: the bootstrap cannot "
            + "read the levels earlier looks would need) and Lan-DeMets O'Brien-Fleming-type boundaries that spend a 5% chance of any "
            + "false resolution over all looks, split equally among its 4 comparisons (Bonferroni). It stopped at look 2 of 4 (36 seeds)"))
    }

    @Test func aDesignWhoseLooksAreAllTakenSaysNothingOfEarlierOnes() {
        let sentence = sequentialSentence(record(start: 3, step: 3, max: 3))
        #expect(sentence.hasPrefix("Adaptive study: seeds were added 3 at a time, up to 3, until threshold-trend was resolved, "
                                   + "with looks at 3 seeds and Lan-DeMets"))
        #expect(!sentence.contains("none before"))
    }

    /// The rows of questions the study did not name are marked resolved at the adjusted level but lie
    /// outside the error it splits: the sentence says so, and says nothing when every question is named (r21c #4).
    @Test func rowsOfUnnamedQuestionsAreSaidToFallOutsideTheGuarantee() {
        #expect(sequentialSentence(record(start: 3, step: 3, max: 40)).hasSuffix(
            " Only the comparisons the study named (threshold-trend) share its 5% bound on a false resolution; the tables' "
                + "threshold differences, clean-accuracy differences and gap differences are marked resolved at the same "
                + "adjusted level but fall outside that bound."))
        let settings = SequentialSeeds(values: [42, 123, 7], start: 3, step: 3, max: 3, until: SequentialQuestion.allCases)
        let plan = sequentialLooks(start: 3, step: 3, max: 3, alpha: 0.05, replicates: 1000)
        let outcome = runSequentialRule(looks: plan) { _, _ in ["trend": .resolved] }
        let record = SequentialRecord(settings: settings, nominalConfidence: 0.95, plan: plan, outcome: outcome, comparisons: ["trend"],
                                      undetermined: [[]])
        #expect(!sequentialSentence(record).contains("Only the comparisons"))
    }
}
