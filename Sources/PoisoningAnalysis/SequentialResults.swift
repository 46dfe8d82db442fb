import Foundation
import PoisoningEngine

/// One look of an adaptive study as results.json records it.
public struct SequentialLookRecord: Sendable, Codable, Equatable {
    /// Seeds analysed at the look.
    public let seeds: Int
    /// The look's two-sided boundary on the z scale.
    public let boundary: Double
    /// The confidence of the look's intervals, 1 - 2 (1 - Φ(boundary)).
    public let confidence: Double
    /// The comparisons first resolved at this look (see `sequentialComparisons`).
    public let resolved: [String]
    /// The comparisons not resolved by this look whose decision here is undetermined: an end of the
    /// interval lies within two Monte Carlo errors of zero (`SignDecision`), so the study went on.
    public let undetermined: [String]
    /// The bootstrap replicates the look was analysed with: the study's, doubled while a comparison
    /// was undetermined, up to `sequentialReplicateCap` times the study's (`escalatingReplicates`).
    public let replicates: Int
}

/// How many times the study's bootstrap replicates a look of an adaptive study may use before an
/// undetermined comparison (an end within two Monte Carlo errors of zero) counts as unresolved:
/// 8 (three doublings), which shrinks each end's Monte Carlo error by √8 = 2.8.
public let sequentialReplicateCap = 8

/// Analyses a look with `replicates` bootstrap replicates (`analyse`), then, while `undetermined`
/// says the analysis leaves a comparison's sign to the bootstrap's own noise, again with twice as
/// many, up to `cap` times `replicates`. Which replicate counts are tried depends only on the
/// analyses, so the outcome is as deterministic as `analyse`. Returns the last analysis and its count.
public func escalatingReplicates<Analysis>(_ replicates: Int, cap: Int = sequentialReplicateCap,
                                           analyse: (Int) throws -> Analysis,
                                           undetermined: (Analysis) -> Bool) rethrows -> (analysis: Analysis, replicates: Int) {
    var count = replicates
    var analysis = try analyse(count)
    while undetermined(analysis), count * 2 <= replicates * cap {
        count *= 2
        analysis = try analyse(count)
    }
    return (analysis, count)
}

/// The sequential record of an adaptive study: the settings as given, the looks planned and
/// analysed, and why it stopped. Its last look's confidence is that of every interval of the results.
public struct SequentialRecord: Sendable, Codable, Equatable {
    /// The study's `seeds` block, defaults filled in.
    public let settings: SequentialSeeds
    /// The study's own confidence level: the boundaries spend its error 1 - level over the looks,
    /// split equally among the comparisons (`comparisonCount`).
    public let nominalConfidence: Double
    /// Seeds at each planned look (for threshold questions, looks whose level the bootstrap cannot
    /// measure are not planned: `sequentialLooks`).
    public let plannedLooks: [Int]
    /// The looks analysed, in order; the last is the one reported.
    public let looks: [SequentialLookRecord]
    /// Why the study stopped.
    public let stop: SequentialStop
    /// The comparisons not resolved at any look.
    public let unresolved: [String]

    /// The record of `outcome` over `plan` (spending (1 - `nominalConfidence`) / the comparisons' count on
    /// each), with the comparisons' names and, per look analysed, those whose decision there was
    /// undetermined and the replicates it was analysed with.
    public init(settings: SequentialSeeds, nominalConfidence: Double, plan: [SequentialLookPlan], outcome: SequentialOutcome,
                comparisons: [String], undetermined: [[String]], replicates: [Int]) {
        self.settings = settings
        self.nominalConfidence = nominalConfidence
        plannedLooks = plan.map(\.seeds)
        looks = plan.prefix(outcome.stoppedAt + 1).enumerated().map { index, look in
            SequentialLookRecord(seeds: look.seeds, boundary: look.boundary, confidence: look.confidence,
                                 resolved: comparisons.filter { outcome.resolvedAt[$0] == index },
                                 undetermined: undetermined[index].filter { (outcome.resolvedAt[$0] ?? .max) > index },
                                 replicates: replicates[index])
        }
        stop = outcome.stop
        unresolved = comparisons.filter { outcome.resolvedAt[$0] == nil }
    }

    /// The confidence of the reported (last) look.
    public var confidence: Double { looks[looks.count - 1].confidence }
    /// The seeds run.
    public var seeds: Int { looks[looks.count - 1].seeds }
    /// The comparisons the questions name, among which the error 1 - `nominalConfidence` is split
    /// (Bonferroni): those resolved at some look and those not.
    public var comparisonCount: Int { looks.reduce(unresolved.count) { $0 + $1.resolved.count } }
}

/// How many comparisons `questions` name in a study of `series` (whose models are of `modelKinds`),
/// known before any run: a trend per group of `thresholdTrendGroups`, a difference per pair of
/// `comparedSeriesPairs`, the enumerations `studyStatistics` makes its trends and differences of
/// (`sequentialComparisons` lists them), each distinct question once: a trend over two sizes is the
/// threshold difference of its two series (its slope is that difference over the sizes' log2 distance,
/// the same replicates and the same decision), so with `threshold-pairs` also named it is not asked
/// again (`askedTrendGroups`), and its error is not split twice.
public func sequentialComparisonCount(series: [SeriesDescription], modelKinds: [String], questions: [SequentialQuestion]) -> Int {
    let pairs = comparedSeriesPairs(series).count
    let trends = askedTrendGroups(thresholdTrendGroups(series, modelKinds: modelKinds), questions: questions).count
    return questions.reduce(0) { count, question in count + (question == .thresholdTrend ? trends : pairs) }
}

/// The trend groups an adaptive study asks about: all of `groups`, except, when `questions` also
/// name `threshold-pairs`, those of exactly two series, whose trend is that pair's difference.
func askedTrendGroups(_ groups: [[Int]], questions: [SequentialQuestion]) -> [[Int]] {
    questions.contains(.thresholdPairs) ? groups.filter { $0.count > 2 } : groups
}

/// For every comparison of `questions` in `statistics`, its decision (`SignDecision`: resolved only
/// when an interval end clears zero by two Monte Carlo errors) and its answer for the stopping rule
/// (`SequentialAnswer`: resolved; beyond the sweep when its thresholds, their whole intervals beyond
/// the swept fractions, leave it no sign, `thresholdsLeaveNoSign`; else open), by a name such as "threshold-pairs (MLP 64 - MLP 32)" or
/// "threshold-trend (random label flip, no defense)" (the trend's attack and defense labels). Ordered
/// as the questions, then the statistics list them; a trend over two sizes is left out when
/// `threshold-pairs` is named too (`askedTrendGroups`).
public func sequentialComparisons(_ statistics: StudyStatistics, series: [SeriesDescription],
                                  questions: [SequentialQuestion]) -> [(name: String, decision: SignDecision, answer: SequentialAnswer)] {
    /// The stopping rule's answer for a decision whose central thresholds are `thresholds` (none for a mean).
    func answer(_ decision: SignDecision, thresholds: [Estimate], weights: [Double]) -> SequentialAnswer {
        decision == .resolved ? .resolved : thresholdsLeaveNoSign(thresholds, weights: weights) ? .beyondSweep : .open
    }
    return questions.flatMap { question -> [(name: String, decision: SignDecision, answer: SequentialAnswer)] in
        let quantity: ComparedQuantity
        switch question {
        case .thresholdTrend:
            let asked = askedTrendGroups(statistics.trends.map(\.series), questions: questions)
            return statistics.trends.filter { asked.contains($0.series) }.map { trend in
                let first = series[trend.series[0]]
                let weights = leastSquaresWeights(trend.series.map { log2(Double(series[$0].parameterCount)) })
                return ("\(question.rawValue) (\(first.attackLabel), \(first.defenseLabel))", trend.decision,
                        answer(trend.decision, thresholds: trend.series.map { statistics.series[$0].threshold }, weights: weights))
            }
        case .thresholdPairs: quantity = .threshold
        case .cleanPairs: quantity = .cleanAccuracy
        case .gapPairs: quantity = .gapAtLargestFraction
        }
        return statistics.differences.filter { $0.quantity == quantity }.map { difference in
            let thresholds = quantity == .threshold ? [difference.base, difference.other].map { statistics.series[$0].threshold } : []
            return ("\(question.rawValue) (\(series[difference.other].label) - \(series[difference.base].label))", difference.decision,
                    answer(difference.decision, thresholds: thresholds, weights: [-1, 1]))
        }
    }
}
