import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// The report's opening: what was run, what the runs answer and what they leave unresolved, in at
/// most about 120 words whatever the study's size, built from the structured findings (never from
/// the sentences of other sections, so the Findings section does not repeat it). Per-series
/// thresholds are listed for up to three series, else their range; models and attacks are named up
/// to three, defenses up to two, else counted; the answers are counted per kind once the study has
/// more than one attack and defense. Its first "CI" is written out (`expandingFirstCI`), and the level
/// is named once. Granziol's curvature claims are answered in it (`curvatureClaimAnswers`); the
/// attack rates of a study without a fit (`unfittedStudyAnswers`) give way, last first, where they
/// would take it past 120 words; then, still past it, the opening grows terser (`OpeningBrevity`).
public func openingSummary(_ results: StudyResults) -> String {
    let words = { (text: String) in text.split(whereSeparator: \.isWhitespace).count }
    var rates = unfittedRateAnswers(results)
    var text = openingSummary(results, rates: rates, brevity: .full)
    while !rates.isEmpty && words(text) > openingWordLimit {
        rates.removeLast()
        text = openingSummary(results, rates: rates, brevity: .full)
    }
    for brevity in OpeningBrevity.allCases.dropFirst() where words(text) > openingWordLimit {
        text = openingSummary(results, rates: rates, brevity: brevity)
    }
    return text
}

/// The most words the opening takes (issue 21 §7).
let openingWordLimit = 120

/// How much the opening says beyond its answers, from the fullest, tried in order until it fits in
/// `openingWordLimit` words (review r21o M1: a 4-seed variant of the reference study opened in 153).
enum OpeningBrevity: Int, CaseIterable, Comparable {
    /// Everything.
    case full
    /// An undetermined threshold difference without what might answer it (the Findings give it).
    case withoutRemedy
    /// Besides, the thresholds of up to three series pointed to in the sigmoid fits table rather than
    /// listed with their intervals (and the gloss of an open end with them).
    case thresholdsInTheTable

    static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The opening with the attack rates `rates` among the answers of a study without a fit, as terse as `brevity`.
private func openingSummary(_ results: StudyResults, rates: [String], brevity: OpeningBrevity) -> String {
    let findings = results.findings, fractions = results.config.fractions.sorted()
    let seeds = results.config.seeds.count
    /// Up to three names, or how many there are.
    func named(_ labels: [String], _ noun: String, upTo most: Int = 3) -> String {
        let items = distinct(labels)
        return items.count <= most ? listing(items) : "\(items.count) \(noun)"
    }
    let defenses = distinct(results.series.map(\.defenseLabel))
    let models = modelsAndTraining(results, named: { named($0, $1) })
    let trained = results.runs.filter { $0.metrics != nil }.count
    let count = trained == results.runs.count ? "\(trained) models" : trained == 0 ? "none of \(results.runs.count) models"
        : "\(trained) of \(results.runs.count) models"
    var text = "We trained \(count) \(models) on \(results.data.name) under "
        + "\(named(results.series.map(\.attackLabel), "attacks"))"
        + (defenses == [NoDefense().label] ? "" : " with \(named(results.series.map(\.defenseLabel), "defenses", upTo: 2))")
        + " at \(fractions.count) poison fractions from \(percent(fractions.first ?? 0)) to \(percent(fractions.last ?? 0)), "
        + "\(seeds) seed\(seeds == 1 ? "" : "s") each" + (results.sequential.map { " " + sequentialStopClause($0) } ?? "") + "."
        + unfinishedRunsSentence(results)
    // Without a single sigmoid fit there are no thresholds, shapes or threshold shifts: the opening
    // leads with what the runs do answer, then says once why nothing was fitted.
    let noFit = !results.fits.isEmpty && results.fits.allSatisfy { $0.threshold.status == .noFit }
    let curvature = curvatureClaimAnswers(results).map { [$0] } ?? []
    if noFit {
        let answers = unfittedStudyAnswers(results) + curvature + rates
        text += (answers.isEmpty ? "" : " " + answers.joined(separator: " ")) + " " + noFitSummary(results)
    } else {
        // A study of the optimal SVM attack against its like-for-like baseline leads with that comparison, its result.
        let likeForLike = results.findings.comparisonBudget.flatMap { likeForLikeSentence(results, at: $0) }.map { $0 + " " } ?? ""
        text += " " + likeForLike + thresholdSummary(results, listed: brevity < .thresholdsInTheTable) + curvature.map { " " + $0 }.joined()
    }
    var resolved = [String](), open = [String]()
    switch findings.sharpTransition {
    case _ where noFit: break
    case true?:
        let sharp = findings.series.filter { $0.shape == .sharp }.map { results.series[$0.series].label }
        resolved.append("the transition is sharp for " + (sharp.count <= 3 ? listing(sharp)
            : sharp.count == findings.series.count ? "all \(sharp.count) series" : "\(sharp.count) of \(findings.series.count) series"))
    case false?: resolved.append("the decline is gradual")
    case nil: open.append("whether the transition is sharp")
    }
    let more = findings.sensitivity.filter { $0.largerModelsMoreSensitive == true }.count
    let less = findings.sensitivity.filter { $0.largerModelsMoreSensitive == false }.count
    let undecided = findings.sensitivity.count - more - less
    // Without thresholds model size is not compared, so it leaves nothing unresolved.
    if !noFit, findings.sensitivity.count == 1, let trend = results.statistics.trends.first {
        let slope = slopeClause(trend, level: levelText(results))
        let pairs = unresolvedThresholdPairs(results, among: trend.series, remedy: brevity < .withoutRemedy)
        if more + less == 1 {
            // A trend resolved over several widths is an average: a pair of them may still be unresolved.
            resolved.append("larger models are \(more == 1 ? "more" : "less") sensitive\(pairs.isEmpty ? "" : " on average")\(slope)")
            if !pairs.isEmpty { open.append("the threshold difference of " + listing(pairs)) }
        } else { open.append("whether model size changes the threshold\(slope)") }
    } else if !noFit, !findings.sensitivity.isEmpty {
        let total = findings.sensitivity.count
        if more > 0 { resolved.append("larger models are more sensitive in \(more) of \(total) attack and defense pairs") }
        if less > 0 { resolved.append("larger models are less sensitive in \(less) of \(total) attack and defense pairs") }
        if undecided > 0 { open.append("the effect of model size in \(undecided) of \(total) attack and defense pairs") }
    }
    // A threshold shift is defined only when both series have a fit.
    let shifts = findings.defenses.filter { [$0.series, $0.baseline].allSatisfy { results.fits[$0].threshold.status != .noFit } }
    if !shifts.isEmpty {
        let shifting = shifts.filter(\.shiftResolved).count, total = shifts.count
        if shifting > 0 { resolved.append("\(shifting) of \(total) defended series shift the threshold") }
        if shifting < total { open.append("the threshold shift of \(total - shifting) of \(total) defended series") }
    }
    if !resolved.isEmpty { text += " Resolved: " + listing(resolved) + "." }
    if !open.isEmpty { text += " Not resolved: " + listing(open) + "." }
    if let differences = findings.claims?.designDifferences {
        text += " The published claims get no verdicts: this run differs from the paper's design in "
            + listing(differences.map(\.setting)) + "."
    } else if let counts = claimCountSentence(results, namingLevel: results.sequential == nil && !text.contains("\(levelText(results)) CI")) {
        // The level is named once: the thresholds' brackets or the slope's interval may have named it already.
        text += " " + counts
    }
    return expandingFirstCI(text)
}

/// The opening's word on runs that trained no model (an attack that failed, a loss that diverged):
/// empty when every run finished; " Every run failed, so nothing was measured (...)." when none did;
/// else how many did not, and, for at most three that did, which (series, fraction and seed), so that
/// no sentence after it reads as a study's worth of models.
func unfinishedRunsSentence(_ results: StudyResults) -> String {
    let finished = results.runs.filter { $0.metrics != nil }, unfinished = results.runs.count - finished.count
    guard unfinished > 0 else { return "" }
    let why = "runs.csv's divergence column gives each reason"
    guard !finished.isEmpty else {
        return " Every run \(results.runs.allSatisfy(\.hasFailed) ? "failed" : "failed or diverged"), so nothing was measured (\(why))."
    }
    let stopped = results.runs.filter { $0.metrics == nil }
    let verb = stopped.allSatisfy(\.hasFailed) ? "failed" : stopped.contains(where: \.hasFailed) ? "failed or diverged" : "diverged"
    let which = finished.count > 3 ? "" : "; only " + listing(finished.map { run in
        "\(results.series[run.series].label) at \(percent(run.fraction)), seed \(run.seed)"
    }) + " trained"
    return " \(unfinished) of the \(results.runs.count) runs \(verb) (\(why))\(which)."
}

/// `text` with its first "CI" written out, "confidence interval (CI)": the opening is where a reader
/// meets the abbreviation first ("Critical thresholds [95% confidence interval (CI)]").
func expandingFirstCI(_ text: String) -> String {
    guard let range = text.range(of: #"\bCI\b"#, options: .regularExpression) else { return text }
    return text.replacingCharacters(in: range, with: "confidence interval (CI)")
}

/// The threshold's slope per doubling of parameters in parentheses, with its `level` interval and
/// "pp" defined (the opening is where a report first uses it): " (-0.1 pp (percentage points) per
/// doubling of parameters, 95% CI -0.5 pp to +0.3 pp)"; a point estimate without an interval says
/// it is not estimable and why (never "CI none"); a censored slope (a threshold outside the swept
/// fractions) decided by its interval alone gives that interval; empty otherwise.
func slopeClause(_ trend: ThresholdTrend, level: String) -> String {
    if let value = trend.slope.value {
        let interval = trend.slope.interval.map { intervalText($0, percentagePointsEnd) } ?? "not estimable" + noSlopeIntervalClause
        return " (\(percentagePoints(value)) (percentage points) per doubling of parameters, \(level) CI \(interval))"
    }
    return trend.decision == .resolved
        ? " (slope per doubling of parameters \(intervalText(trend.slope.interval, percentagePointsEnd)), \(level) CI; pp: percentage points)" : ""
}

/// Granziol's (2026) curvature claims as the opening states them: the spike's growth (one verdict with
/// its exponent, or the count of series per verdict; the poisoned model less curved where it is), and
/// the near-clone claim per sweep with a verdict (`CurvatureClaims`; "(no clustered reference)" after
/// a sweep without one, "contradicted on success and AUROC alone" when it is contradicted without one); "not tested" for a spike fit the study cannot make (fewer than two positive
/// fractions), a near-clone sweep it cannot answer (`untestedCurvatureClaimSentences`), or a model
/// whose near-clone attacks make no sweep (such as d 2 and d 4 alone). Nil when the study raises neither claim.
func curvatureClaimAnswers(_ results: StudyResults) -> String? {
    var parts = [String]()
    let claims = results.curvatureClaims
    let allFits = claims?.spikeGrowth ?? []
    let fits = allFits.filter(\.paperSetting), outside = allFits.filter { !$0.paperSetting }
    if fits.count == 1, let fit = fits.first {
        parts.append("the spike growing like the efficacy squared is \(fit.verdict.words)\(spikeGrowthWhy(fit))")
    } else if !fits.isEmpty {
        let order: [ClaimVerdict] = [.supported, .contradicted, .notResolved, .consistentUntested, .notTestable]
        let counts = order.compactMap { verdict -> String? in
            let count = fits.filter { $0.verdict == verdict }.count
            return count == 0 ? nil : "\(verdict.words) in \(count) of \(fits.count) series"
        }
        let lessCurved = fits.filter { !$0.lessCurvedFractions.isEmpty }.count
        parts.append("the spike growing like the efficacy squared is " + listing(counts)
            + (lessCurved == 0 ? "" : " (the poisoned model less curved in \(lessCurved))"))
    }
    if !outside.isEmpty { parts.append(spikeGrowthOutsideSetting(outside, of: allFits.count, results)) }
    let untested = untestedCurvatureClaimSentences(results)
    if allFits.isEmpty, untested.contains(where: { $0.contains("grows like the square") }) {
        parts.append("the spike's growth is not tested (one poisoned fraction)")
    }
    let inapplicable = spikeClaimInapplicableAttacks(results)
    if allFits.isEmpty, !inapplicable.isEmpty {
        parts.append("the spike's growth does not apply (\(listing(inapplicable)): not a dirty-label backdoor)")
    }
    let sweeps = (claims?.nearClone ?? []).filter { $0.verdict != nil }
    let models = Set(sweeps.map(\.model)).count
    for sweep in sweeps {
        let model = models > 1 ? " (\(results.series.first { $0.model == sweep.model }?.modelLabel ?? "model \(sweep.model)"))" : ""
        let toward = CurvatureClaims.nearCloneOptionsText(of: results.config.attacks[sweep.points[0].attack])
        // Without a reference a contradiction rests on the success and the AUROC, the spike having no margin.
        let alone = sweep.reference == nil && sweep.verdict == .contradicted ? " on success and AUROC alone" : ""
        let words = (sweep.verdict?.words ?? "") + alone + (sweep.reference == nil ? " (no clustered reference)" : "")
        let verdict = sweep.paperSetting ? words
            : "outside the paper's setting (\(lossText(results, model: sweep.model)); the runs' test: \(words))"
        parts.append("near clones effective yet invisible\(model)\(toward.isEmpty ? "" : " (\(toward))") is \(verdict)")
    }
    let unswept = (claims?.nearClone ?? []).contains { entry in !sweeps.contains { $0.model == entry.model } }
    if unswept || sweeps.isEmpty && untested.contains(where: { $0.contains("near-clone claim is not tested") || $0.contains("curvature claims are not tested") }) {
        parts.append("the near-clone claim is not tested" + (unswept ? " (no near-clone sweep" + (sweeps.isEmpty ? ")" : " for some models)") : ""))
    }
    return parts.isEmpty ? nil : "Granziol's (2026) curvature claims: " + parts.joined(separator: "; ") + "."
}

/// Why a spike fit's verdict is what the opening says: the poisoned model less curved; under a flag
/// the direct test D (`CurvatureClaims.DirectGrowth`); else the exponent with its interval.
func spikeGrowthWhy(_ fit: CurvatureClaims.SpikeGrowth) -> String {
    if !fit.lessCurvedFractions.isEmpty { return " (the poisoned model less curved)" }
    let two = { (value: Double) in signedFixed(value, decimals: 3) }
    if fit.isFlagged, fit.exponent.mean != nil, !fit.isSelective, let direct = fit.direct, let mean = direct.values.mean,
       let interval = direct.values.interval {
        return " (p's fit flagged; D = log(s₂/s₁) − 2 log(e₂/e₁) from \(percent(direct.from)) to \(percent(direct.to)) = \(two(mean)) "
            + "[\(intervalText(interval, two, separator: bracketSeparator))])"
    }
    return fit.exponent.interval.map { " (p = \(fixed(fit.exponent.mean ?? 0, decimals: 2)) [\(intervalText($0, { fixed($0, decimals: 2) }, separator: bracketSeparator))])" } ?? ""
}

/// The opening's clause for the spike fits of networks (`paperSetting` false): outside the paper's
/// setting, in how many of the `total` series, the models' loss (the Findings say why it is outside),
/// and what the runs' test found, as the near-clone claim's clause has it.
func spikeGrowthOutsideSetting(_ fits: [CurvatureClaims.SpikeGrowth], of total: Int, _ results: StudyResults) -> String {
    let models = listing(Array(Set(fits.map { results.series[$0.series].modelLabel })).sorted())
    let order: [ClaimVerdict] = [.supported, .contradicted, .notResolved, .consistentUntested, .notTestable]
    let found = order.compactMap { verdict -> String? in
        let count = fits.filter { $0.verdict == verdict }.count
        return count == 0 ? nil : "\(verdict.words) in \(count)"
    }
    let lessCurved = fits.filter { !$0.lessCurvedFractions.isEmpty }.count
    let which = fits.count == total ? (fits.count == 1 ? "" : " in all \(total) series") : " in \(fits.count) of \(total) series"
    let why = fits.count == 1 ? spikeGrowthWhy(fits[0]) : (lessCurved == 0 ? "" : ", the poisoned model less curved in \(lessCurved)")
    return "the spike growing like the efficacy squared is outside the paper's setting\(which) (\(models): softmax cross-entropy; "
        + "the runs' test: " + (fits.count == 1 ? fits[0].verdict.words : listing(found)) + why + ")"
}

/// What a study without a single sigmoid fit still answers, for the opening: the input-gradient
/// penalty's trade-off claim per attack (`PenaltyTradeOff.Changes.claim`), each with its λ range, or
/// that range once when every attack's is the same.
func unfittedStudyAnswers(_ results: StudyResults) -> [String] {
    var answers = [String]()
    if let tradeOff = results.penaltyTradeOff {
        let models = Set(tradeOff.curves.map(\.model)).count
        let answered = tradeOff.curves.compactMap { curve -> (verdict: String, lambdas: String)? in
            guard let changes = curve.changes else { return nil }
            let first = results.series[curve.points[0].series]
            return (verdict: "\(changes.claim.words) under \(first.attackLabel)" + (models > 1 ? " (\(first.modelLabel))" : ""),
                    lambdas: "λ \(PenaltyTradeOff.lambdaText(changes.from)) to \(PenaltyTradeOff.lambdaText(changes.to))")
        }
        let shared = Set(answered.map(\.lambdas)).count == 1 ? answered.first?.lambdas : nil
        let verdicts = answered.map { $0.verdict + (shared == nil ? " (\($0.lambdas))" : "") }
        if !verdicts.isEmpty {
            answers.append("Granziol's (2026) claim that the input-gradient penalty suppresses poisoning at a cost in capacity, "
                + "at \(percent(tradeOff.fraction)) poisoned\(shared.map { ", \($0)" } ?? ""): " + listing(verdicts) + ".")
        }
    }
    return answers
}

/// For the opening of a study without a single sigmoid fit, up to two attack rates corrected for the
/// clean model: their excess at the largest fraction (means over seeds, from the lowest series to the
/// highest, each with its Student t interval over seeds, as the Findings give them).
func unfittedRateAnswers(_ results: StudyResults) -> [String] {
    guard !results.fits.isEmpty, results.fits.allSatisfy({ $0.threshold.status == .noFit }) else { return [] }
    var answers = [String]()
    for rate in results.attackMetrics.filter(\.hasBaseline).prefix(2) {
        guard let finding = results.findings.attackMetrics.first(where: { $0.metric.key == rate.excess.key }),
              let low = finding.values.min(by: { $0.value.mean < $1.value.mean }),
              let high = finding.values.max(by: { $0.value.mean < $1.value.mean }) else { continue }
        let name = inRunningText(rate.name)
        let value = { (v: SeriesValue) in
            let interval = seedMeanInterval(results, series: v.series, fraction: results.findings.largestFraction, key: rate.excess.key)
            // A retrained victim's agreement counts only where it converged (`RunResult.countedMetric`): the runs left out are counted.
            let leftOut = leftOutNote(unconvergedVictims(results, series: v.series, fraction: results.findings.largestFraction, key: rate.excess.key))
            return "\(signedMeanText(v.value.mean, interval, inBrackets: true))\(leftOut) (\(results.series[v.series].label))"
        }
        // A rate of the attacker's own model (svm-gradient's SVM) is compared with that model without poisons.
        let ownModel = finding.values.allSatisfy { results.successModel(of: $0.series) != nil }
        let budget = reachedBudget(results, series: finding.values.map(\.series), fraction: results.findings.largestFraction)
        let brackets = results.statistics.seeds >= 2 ? " (\(levelText(results)) Student t interval over seeds in brackets)" : ""
        answers.append("\(budget) the \(name) minus \(ownModel ? "its rate without poisons" : "the clean model's")\(brackets) is "
            + (finding.values.count == 1 || value(low) == value(high) ? value(low) : "\(value(low)) to \(value(high))") + ".")
    }
    return answers
}

/// The budget at which the opening quotes a rate of `series`: "At 10.0% poisoned" when their finished
/// runs at `fraction` poisoned rows and none was saturated; "At 10.0% asked, no row was poisoned:"
/// when none of them poisoned a row; "At 10.0% asked (saturated at 63 poisoned rows, 5.0% of the
/// training rows)" when the attack could not reach the budget (the range of the runs' counts when
/// they differ).
func reachedBudget(_ results: StudyResults, series: [Int], fraction: Double) -> String {
    let runs = results.runs.filter { $0.metrics != nil && $0.fraction == fraction && series.contains($0.series) }
    let counts = runs.map(\.poisonedCount), shares = runs.map(\.realisedFraction)
    guard let fewest = counts.min(), let most = counts.max() else { return "At \(percent(fraction)) poisoned" }
    if most == 0 { return "At \(percent(fraction)) asked, no row was poisoned:" }
    guard runs.contains(where: \.isSaturated) else { return "At \(percent(fraction)) poisoned" }
    let rows = fewest == most ? "\(most) poisoned rows" : "\(fewest) to \(most) poisoned rows"
    let share = shares.min()! == shares.max()! ? percent(shares[0]) : "\(percent(shares.min()!)) to \(percent(shares.max()!))"
    return "At \(percent(fraction)) asked (saturated at \(rows), \(share) of the training rows)"
}

/// The threshold differences between the series `among` (one trend's models) that the runs do not
/// resolve, each as "MLP 128 vs MLP 64" (the larger model first), in the order of the differences;
/// one undetermined (an end within its Monte Carlo band of zero, `SignDecision`) says so and, with `remedy`, names
/// the design that might answer it (`monteCarloRemedy`).
private func unresolvedThresholdPairs(_ results: StudyResults, among members: [Int], remedy: Bool) -> [String] {
    results.statistics.differences.filter {
        $0.quantity == .threshold && $0.decision != .resolved && members.contains($0.base) && members.contains($0.other)
    }.map { d in
        let (base, other) = (results.series[d.base], results.series[d.other])
        let (larger, smaller) = other.parameterCount >= base.parameterCount ? (other, base) : (base, other)
        return "\(larger.modelLabel) vs \(smaller.modelLabel)"
            + (d.decision == .undetermined ? " (undetermined by Monte Carlo error" + (remedy ? ": \(monteCarloRemedy(results)))" : ")") : "")
    }
}

/// What would answer a comparison the bootstrap's own noise leaves undetermined: for an adaptive
/// study, a fixed study of its seeds read once at its nominal level ("a fixed study of 40 seeds
/// read once at 95% would decide it"); otherwise more replicates (`analysis: {replicates}`), which
/// only might: doubling them shrinks the two-error band by only √2 (review r21z m5).
func monteCarloRemedy(_ results: StudyResults) -> String {
    guard let record = results.sequential else {
        return "more bootstrap replicates (analysis: {replicates: \(2 * results.config.analysis.replicates)}) might answer it"
    }
    return "a fixed study of \(record.seeds) seeds read once at \(confidenceText(record.nominalConfidence)) would decide it"
}

/// The thresholds in one sentence: each with its interval for up to three series; else the lowest
/// and highest of those within the swept fractions, and how many lie outside them or have no fit;
/// the one series with its interval when only one has a threshold within them (that no threshold is
/// placed, when its fit is poorly identified). A point from a
/// poorly identified fit is not quoted (`headlineThresholdText`): its interval stands alone, marked,
/// and such fits are left out of the range and counted beside it. Up to three series not `listed`: a
/// pointer to the sigmoid fits table, where each threshold stands with its interval.
private func thresholdSummary(_ results: StudyResults, listed: Bool) -> String {
    let statistics = results.statistics.series
    if results.fits.count <= 3 && !listed {
        return "The critical thresholds (accuracy halfway from clean to chance) and their \(levelText(results)) intervals are in the "
            + "sigmoid fits table."
    }
    if results.fits.count <= 3 {
        let open = shownThresholdIntervals(results).first { $0.upper == nil && $0.lower != nil }
        let gloss = open.map { " “\(intervalText($0, percent))”: the interval reaches past the largest swept fraction "
            + "(\(percent(results.findings.largestFraction)))." } ?? ""
        // The brackets' level named once ("[95% CI]"): an adaptive study's is its adjusted one, and says so.
        let level = (results.sequential == nil ? "" : "adjusted ") + levelText(results)
        // When no point is quoted, the mark is said once for all.
        let allPoorly = !results.fits.isEmpty && results.fits.allSatisfy { pointIsNotQuoted($0.threshold, statistics: statistics[$0.series]) }
        return "Critical thresholds [\(level) CI] (accuracy halfway from clean to chance)\(allPoorly ? ", all poorly identified" : ""): "
            + listing(results.fits.map { fit in
            headlineThresholdText(fit.threshold, statistics: statistics[fit.series], brackets: true, marked: !allPoorly)
                + " (\(results.series[fit.series].label))"
        }) + "." + gloss
    }
    let within = results.fits.filter { $0.threshold.status == .withinRange }
        .sorted { $0.threshold.fraction! < $1.threshold.fraction! }
    let outside = results.fits.count - within.count
    let rest = outside == 0 ? "" : "; \(outside) of \(results.fits.count) series have none within the swept fractions"
    guard let only = within.first else {
        return "No series' fitted curve falls to its critical threshold within the swept fractions."
    }
    if within.count == 1, pointIsNotQuoted(only.threshold, statistics: statistics[only.series]) {
        // Its fit alone reaches the threshold, poorly identified: the runs do not place it (the Findings name the series).
        let interval = statistics[only.series].threshold.interval.map { intervalText($0, percent) } ?? "none"
        return "No critical threshold (accuracy halfway from clean to chance) is placed within the swept fractions: one poorly identified "
            + "fit reaches it (\(levelText(results)) interval \(interval))."
    }
    if within.count == 1 {
        // One series has a threshold: name it once, with its interval, rather than as a range from it to itself.
        return "Only \(results.series[only.series].label) reaches its critical threshold (accuracy halfway from clean to chance) "
            + "within the swept fractions (\(levelText(results)) interval in brackets): "
            + "\(headlineThresholdText(only.threshold, statistics: statistics[only.series], brackets: true)); the other \(outside) series do not."
    }
    let identified = within.filter { !isPoorlyIdentified(statistics[$0.series]) }, poorly = within.count - identified.count
    let poorlyWords = poorly == 0 ? "" : "; \(poorly) more reach\(poorly == 1 ? "es" : "") it in a poorly identified fit, whose point is not "
        + "quoted (the sigmoid fits give \(poorly == 1 ? "its interval" : "their intervals"))"
    guard let lowest = identified.first, let highest = identified.last else {
        // "53 of 56" says at once how many have none within the swept fractions.
        return "The fitted curves of \(outside == 0 ? "all \(poorly)" : "\(poorly) of \(results.fits.count)") series reach their critical "
            + "threshold (accuracy halfway from clean to chance) within the swept fractions, all in poorly identified fits, whose points "
            + "are not quoted (the sigmoid fits give their intervals)."
    }
    guard identified.count > 1 else {
        return "The one critical threshold (accuracy halfway from clean to chance) within the swept fractions from a fit not poorly identified "
            + "is \(thresholdText(lowest.threshold, estimate: statistics[lowest.series].threshold, brackets: true)) "
            + "(\(results.series[lowest.series].label); \(levelText(results)) interval in brackets)\(poorlyWords)\(rest)."
    }
    return "Critical thresholds (accuracy halfway from clean to chance) range from \(percent(lowest.threshold.fraction!)) "
        + "(\(results.series[lowest.series].label)) to \(percent(highest.threshold.fraction!)) "
        + "(\(results.series[highest.series].label))\(poorlyWords)\(rest)."
}

/// One verdict per published claim (none when this run's design differs from the published one). The
/// model-size claim, answered once per attack and defense pair, counts once: with the verdict every
/// pair gives, else (the pairs differ) as not resolved.
func claimVerdictList(_ claims: ClaimVerdicts) -> [ClaimVerdict] {
    let sizes = Set(claims.largerModelsMoreSensitive.compactMap(\.answer.verdict))
    let size: ClaimVerdict? = sizes.isEmpty ? nil : sizes.count == 1 ? sizes.first! : .notResolved
    return claims.thresholds.compactMap(\.verdict) + [claims.sharpTransition?.verdict, size].compactMap { $0 }
}

/// The first interval of a published threshold's estimate that is open on one side and determined on
/// the other (e.g. "33.6% or more"); nil when there is none.
func openClaimInterval(_ claims: ClaimVerdicts?) -> Interval? {
    claims?.thresholds.compactMap { $0.estimate?.interval }
        .first { $0.undetermined == nil && ($0.lower == nil) != ($0.upper == nil) }
}

/// Why the published-claims section gives no verdicts: the settings in which this run's design
/// differs from the published one, e.g. "epochs 30 (paper 200)".
func noVerdictRule(_ differences: [DesignDifference]) -> String {
    "This run differs from the paper's design in: " + differences.map(\.text).joined(separator: "; ") + ". Its estimates "
        + "answer a different question from the published numbers, so the claims stand beside them without verdicts: a verdict "
        + "needs the published data, models, attacks, defenses, fractions and training (any seeds)."
}

/// The rule behind every verdict of the published-claims section, in at most about 90 words (the
/// section's preamble, with the template's two sentences at most 120): what supported, contradicted
/// and not resolved mean, at which level the intervals are read, and that a value on an open side is
/// untested; `claimNote` gives the arithmetic and the direction rules under the table. `open`, an
/// interval of one of the claims open on one side, shows what such an interval holds. `level` is the
/// intervals' confidence (an adaptive study's adjusted one), at which the verdicts are read too, and
/// `widening` the factor of `ClaimVerdicts.widening` (nil with one seed). `withheld`: some claim's
/// interval has an end withheld as imprecise, on whose side a value is not resolved (`thresholdVerdict`).
func claimRule(level: String, widening: Double?, open: Interval?, withheld: Bool = false) -> String {
    let direction = "A claimed direction is supported when this run resolves it, contradicted when it resolves the "
        + "opposite, else not resolved (rules below the table)."
    guard let widening else {
        return "With one seed there is no interval, so no published threshold is resolved. " + direction
    }
    let example = open.map { "a value on an open side is not tested, neither supported nor contradicted "
        + "(“\(intervalText($0, percent))” holds every \($0.upper == nil ? "larger" : "smaller") value)" }
        ?? "a value on an interval's open side is not tested, neither supported nor contradicted (the side holds every value)"
    return "A published threshold is supported (consistent with this run, not proven) inside this run's \(level) interval "
        + "widened \(fixed(widening, decimals: 2))-fold about the estimate for the published value's noise, contradicted "
        + "outside it, and not resolved with no interval or one open at both ends"
        + (withheld ? ", or on the side of an end withheld; " : "; ") + example + ". " + direction
}

/// The published-claims section's note under its table: why a threshold's interval is widened by
/// `widening` for a publication of `published` seeds beside this run's `seeds` (nil with one seed),
/// what the sharpness threshold `sharpSteepness` means on the poison-fraction scale beside the
/// `swept` fractions, and how model size is read.
func claimNote(seeds: Int, published: Int, widening: Double?, sharpSteepness: Double, swept: ClosedRange<Double>) -> String {
    let k = fixed(sharpSteepness, decimals: 0), spread = 2 * log(9) / sharpSteepness, width = fixed(spread, decimals: 2)
    let sweep = "\(spread > swept.upperBound - swept.lowerBound ? "wider than" : "within") the sweep from "
        + "\(percent(swept.lowerBound)) to \(percent(swept.upperBound))"
    let widened = widening.map { factor in
        "A published threshold from \(published) seed\(published == 1 ? "" : "s") has a standard error of this run's per-seed "
            + "spread over sqrt(\(published)), so a faithful replication lies within sqrt(1 + \(seeds)/\(published)) = "
            + "\(fixed(factor, decimals: 2)) times this run's half-width of the estimate. "
    } ?? ""
    return widened + "A sharp transition needs k's interval above \(k) in a fit not poorly identified (k is per unit of poison "
        + "fraction, 1 = 100%; \(k) is the paper's rule; k = \(k) spreads the drop from 90% to 10% of its height over 2 ln 9 / \(k) = \(width) of poison "
        + "fraction, \(sweep)). Model size is read from the sign of the threshold's slope per doubling of parameters (when a "
        + "threshold outside the swept fractions leaves the slope unmeasured, from its interval where that lies on one side "
        + "of zero, otherwise from every pair of models resolved in one direction)."
}

/// One row per published claim: the claim, what was published, this run's estimate and interval, and
/// the verdict.
func claimRows(_ results: StudyResults, _ claims: ClaimVerdicts) -> [(claim: String, published: String, estimate: String,
                                                                         interval: String, verdict: String)] {
    let statistics = results.statistics
    var rows = claims.thresholds.map { claim in
        guard let series = claim.series, let estimate = claim.estimate else {
            return (claim: "Critical threshold of \(claim.label)", published: percent(claim.published),
                    estimate: "no series labelled \(claim.label)", interval: "—", verdict: verdictWords(claim.verdict))
        }
        let status = results.fits[series].threshold.status
        let value = status == .notReached ? "not reached" : status == .noFit ? "no fit" : estimateText(estimate, percent)
        return (claim: "Critical threshold of \(claim.label)", published: percent(claim.published), estimate: value,
                interval: intervalText(estimate.interval, percent), verdict: verdictWords(claim.verdict))
    }
    if let sharp = claims.sharpTransition {
        let fitted = statistics.series.filter { $0.steepness.value != nil }
        rows.append((claim: "The transition is sharp", published: sharp.claimed ? "sharp" : "gradual",
                     estimate: shapeWords(sharp.found) + "; k = " + fitted.map { fixed($0.steepness.value!, decimals: 1) }
                         .joined(separator: ", "),
                     interval: steepnessIntervalsText(fitted, results.series),
                     verdict: verdictWords(sharp.verdict)))
    }
    let groups = Set(results.series.map { [$0.attack, $0.defense] }).count
    // One verdict per threshold trend, in their order (`claimVerdicts`, `Findings.sensitivity`).
    for (size, trend) in zip(claims.largerModelsMoreSensitive, statistics.trends) {
        let first = results.series[trend.series[0]]
        let group = groups > 1 ? " (\(first.attackLabel), \(first.defenseLabel))" : ""
        let direction = size.answer.found.map { $0 ? "more sensitive" : "less sensitive" } ?? "not resolved"
        rows.append((claim: "Larger models are more sensitive" + group, published: size.answer.claimed ? "yes" : "no",
                     estimate: direction + "; " + (trend.slope.value.map { percentagePoints($0) + " per doubling" } ?? "slope not measured"),
                     interval: intervalText(trend.slope.interval, percentagePointsEnd), verdict: verdictWords(size.answer.verdict)))
    }
    return rows
}

/// A verdict as the claims table writes it; "—" for none (the designs differ).
private func verdictWords(_ verdict: ClaimVerdict?) -> String { verdict?.words ?? "—" }

/// "sharp", "gradual" or "not decided" for a resolved or unresolved shape.
private func shapeWords(_ sharp: Bool?) -> String { sharp.map { $0 ? "sharp" : "gradual" } ?? "not decided" }

extension ClaimVerdict {
    /// The verdict as the report writes it: "supported", "not tested: no interval end on its side", "not resolved",
    /// "contradicted", "not testable".
    var words: String {
        switch self {
        case .supported: "supported"
        case .consistentUntested: "not tested: no interval end on its side"
        case .notResolved: "not resolved"
        case .contradicted: "contradicted"
        case .notTestable: "not testable"
        }
    }
}

/// The distinct model labels of the series of `results`, in order.
private func modelLabels(_ results: StudyResults) -> [String] { distinct(results.series.map(\.modelLabel)) }

/// Why a threshold slope has no interval, as a short clause (`ThresholdTrend.reason` in full): its
/// interval needs all but a (1 - confidence) / 2 share of the resampled studies to give a slope or a
/// bound on it.
let noSlopeIntervalClause = ", as too many resampled thresholds are unfitted or leave the slope no sign"

/// The models of the opening, and how they were trained: "(MLP 32, MLP 64 and MLP 128) with SGD" when
/// one method trains them all; else the models alone ("(linear SVM (C = 1.0), kernel ridge rbf (ℓ =
/// 8.0, λ = 1.0) and logistic)": the Configuration table's Training row gives each one's method, which
/// would take the opening past 120 words), or, past three models, their count and the methods.
private func modelsAndTraining(_ results: StudyResults, named: ([String], String) -> String) -> String {
    let methodOfModel = results.config.modelTrainingMethods
    let methods = distinct(results.series.map { methodOfModel[$0.model] })
    // Gradient canceling's softmax-regression victims (no hidden layer) are trained on to convergence
    // after SGD (`PreparedRun.victim`); said when every series is such a one.
    let converged = results.series.allSatisfy { series in
        results.config.attacks[series.attack].value(at: "kind") == .string(GradientCanceling.kind)
            && results.config.modelKinds[series.model] == "logistic"
    }
    if converged && methods.count == 1 {
        return "(\(named(modelLabels(results), "model types"))) with \(methods[0]) and then, as gradient canceling's victims, "
            + "full-batch Nesterov descent to a gradient norm of 1e-5"
    }
    let models = modelLabels(results)
    if methods.count == 1 { return "(\(named(models, "model types"))) with \(methods[0])" }
    if models.count > 3 { return "(\(models.count) model types) trained by \(listing(methods))" }
    return "(" + listing(models) + ")"
}

/// The k intervals of `fitted` series for the claims table, joined with "; " ("10.0 to 10.3; 7.1 to
/// 17.7"); each named after its series ("MLP 32: from 2.4; its upper end withheld; MLP 64: ...") when
/// one holds a "; " itself, so that it cannot be read as the separator between series (review r21x m2).
func steepnessIntervalsText(_ fitted: [SeriesStatistics], _ series: [SeriesDescription]) -> String {
    let texts = fitted.map { intervalText($0.steepness.interval) { fixed($0, decimals: 1) } }
    guard texts.contains(where: { $0.contains(";") }) else { return texts.joined(separator: "; ") }
    return zip(fitted, texts).map { "\(series[$0.series].label): \($1)" }.joined(separator: "; ")
}
