import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// What an adaptive study did, in two or three sentences: how it added seeds, how many ran over how
/// many looks, why it stopped (and which comparisons are unresolved), the level of its intervals, and
/// which rows fall outside its guarantee (`unnamedScopeSentence`). `replicates` are the study's
/// bootstrap replicates, which set how early a look can be read (`noEarlierLookClause`).
public func sequentialSentence(_ record: SequentialRecord, replicates: Int) -> String {
    let settings = record.settings
    let count = record.comparisonCount
    let planned = record.plannedLooks.map(String.init)
    let first = record.plannedLooks.first ?? settings.start
    let dropped = first > settings.start ? " (" + noEarlierLookClause(record, first: first, replicates: replicates) + ")" : ""
    let design = "Adaptive study: seeds were added \(settings.step) at a time, up to \(settings.max), until "
        + "\(listing(settings.until.map(\.rawValue))) \(settings.until.count == 1 ? "was" : "were") resolved, with looks at "
        + "\(listing(planned)) seeds\(dropped) and Lan-DeMets O'Brien-Fleming-type boundaries that spend a "
        + "\(confidenceText(1 - record.nominalConfidence)) chance of any false resolution over all looks, "
        + (count == 1 ? "on its one comparison." : "split equally among its \(count) comparisons (Bonferroni).")
    let looks = record.looks.count
    let lookText = "look \(looks) of \(record.plannedLooks.count) (\(record.seeds) seeds)"
    let when = record.looks.enumerated().filter { !$0.element.resolved.isEmpty }.map { index, look in
        "\(listing(look.resolved)) at look \(index + 1)"
    }
    var stop: String
    switch record.stop {
    case .allResolved:
        stop = "It stopped at \(lookText): every comparison was resolved (\(when.joined(separator: "; ")))."
    case .beyondSweep:
        stop = "It stopped at \(lookText) with \(listing(record.unresolved)) unresolved: "
            + "\(record.unresolved.count == 1 ? "its" : "their") thresholds lie beyond the swept fractions, their whole "
            + "intervals with them, which leaves \(record.unresolved.count == 1 ? "it" : "them") no sign, so more seeds are unlikely to "
            + "resolve \(record.unresolved.count == 1 ? "it" : "them"); a wider sweep of fractions would decide"
            + (when.isEmpty ? "." : " (resolved: \(when.joined(separator: "; "))).")
    case .budgetSpent:
        stop = "It ran its whole budget, to \(lookText), with \(listing(record.unresolved)) unresolved"
            + (when.isEmpty ? "." : " (resolved: \(when.joined(separator: "; "))).")
    }
    let last = record.looks[looks - 1]
    if !last.undetermined.isEmpty {
        stop += " At the last look \(listing(last.undetermined)) \(last.undetermined.count == 1 ? "was" : "were") undetermined "
            + "because of Monte Carlo error, even with \(last.replicates) bootstrap replicates: " + undeterminedClause(pilot: false)
            + "; an undetermined comparison does not count as resolved. A fixed study of \(record.seeds) seeds read once at "
            + "\(confidenceText(record.nominalConfidence)) would decide it."
    }
    let level = "Every interval here is at the last look's adjusted \(confidenceText(record.confidence)) level "
        + "(boundary z = \(String(format: "%.3f", record.looks[looks - 1].boundary))); a comparison resolved at an earlier look "
        + "stays resolved even where this level's interval reaches zero."
    return ([design, stop, level] + [unnamedScopeSentence(record)].compactMap { $0 }).joined(separator: " ")
}

/// Where an adaptive study stopped, for the opening's first sentence, from its record, in few words
/// (the opening's unresolved threshold questions and the adjusted level follow it): why it stopped
/// (its budget spent, every named comparison resolved, or the rest beyond the swept fractions), at
/// which look when it stopped early, and how many comparisons are left unresolved: "(adaptive: budget
/// spent, 1 comparison unresolved)".
func sequentialStopClause(_ record: SequentialRecord) -> String {
    let at = "look \(record.looks.count) of \(record.plannedLooks.count)"
    let left = record.unresolved.count
    let unresolved = "\(left) comparison\(left == 1 ? "" : "s") unresolved"
    let why = switch record.stop {
    case .allResolved: "all resolved at \(at)"
    case .budgetSpent: "budget spent, \(unresolved)"
    case .beyondSweep: "stopped at \(at), \(unresolved) beyond the swept fractions"
    }
    return "(adaptive: \(why))"
}

/// Why an adaptive study cannot stop before its first look at `first` seeds: O'Brien-Fleming
/// spending gives a look one step earlier so small a share of the error on each side that its
/// interval's level leaves fewer than two of the study's `replicates` bootstrap replicates beyond each
/// end (`sequentialLooks`), so no such look is taken: "the study cannot stop before 33 seeds: ... a look
/// at 30 would spend only a 0.16% chance of a false resolution on each side of a comparison (0.32% in
/// all), a level at which fewer than two of the bootstrap's 1000 replicates lie beyond each end of the interval".
func noEarlierLookClause(_ record: SequentialRecord, first: Int, replicates: Int) -> String {
    let settings = record.settings
    let earlier = first - settings.step
    let alpha = (1 - record.nominalConfidence) / Double(max(record.comparisonCount, 1))
    let spent = obrienFlemingSpending(Double(earlier) / Double(settings.max), alpha: alpha)
    return "the study cannot stop before \(first) seeds: O'Brien-Fleming spending keeps early looks strict, so a look at "
        + "\(earlier) would spend only a \(confidenceText(spent)) chance of a false resolution on each side of a comparison "
        + "(\(confidenceText(2 * spent)) in all), a level at which fewer than two of the bootstrap's "
        + "\(replicates) replicates lie beyond each end of the interval"
}

/// Which rows of the tables fall outside the adaptive study's guarantee: those of the questions its
/// `until` does not name, marked resolved at the adjusted level but not counted in the error it splits;
/// nil when it names every question.
func unnamedScopeSentence(_ record: SequentialRecord) -> String? {
    let rows: [SequentialQuestion: String] = [.thresholdTrend: "threshold trends", .thresholdPairs: "threshold differences",
                                              .cleanPairs: "clean-accuracy differences", .gapPairs: "gap differences"]
    let unnamed = SequentialQuestion.allCases.filter { !record.settings.until.contains($0) }
    if unnamed.isEmpty { return nil }
    return "Only the comparisons the study named (\(listing(record.settings.until.map(\.rawValue)))) share its "
        + "\(confidenceText(1 - record.nominalConfidence)) bound on a false resolution; the tables' "
        + "\(listing(unnamed.map { rows[$0]! })) are marked resolved at the same adjusted level but fall outside that bound."
}
