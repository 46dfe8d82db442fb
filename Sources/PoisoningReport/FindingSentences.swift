import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// The findings of `results` in words, one entry per finding (an entry may hold a few sentences),
/// in this order: clean accuracy, shape of the decline, thresholds, sensitivity across models (with
/// the resolved and unresolved pairs and the seeds that would settle them), the curve comparison,
/// the generalization gap at the largest fraction; then caveats on poorly identified fits, the
/// attacks' own metrics, the defenses' detection and the input-gradient penalty's trade-off over λ, when the study has them. Every claim follows
/// an interval or a test: what the runs do not resolve is said to be unresolved. Detection is only
/// ever quoted at a named fraction, never averaged over fractions (it can change sign between them).
public func findingSentences(_ results: StudyResults) -> [String] {
    let findings = results.findings, statistics = results.statistics
    let words = FindingWords(results: results)
    let perSeries = findings.series
    let largest = percent(findings.largestFraction)

    var sentences = ["Clean test accuracy, with its 95% interval over seeds and its Wilson interval as a share of the "
        .replacingOccurrences(of: "95%", with: words.level)
        + "\(statistics.testRows) test rows that every run shares: "
        + words.list(statistics.series, value: \.cleanAccuracy.value, table: "the sigmoid fits table") { s in
            let value = s.cleanAccuracy.value.map { fixed($0, decimals: 3) } ?? "n/a"
            let wilson = s.cleanAccuracyWilson.map { "; Wilson " + intervalText($0, words.accuracy) } ?? ""
            return "\(value) (\(words.seedInterval(s.cleanAccuracy.interval, words.accuracy))\(wilson))"
        } + "; chance is \(fixed(findings.chanceAccuracy, decimals: 3))."]
    if results.fits.allSatisfy({ $0.threshold.status == .noFit }) {
        // Nothing to say per series about shapes or thresholds: say once why there is no fit.
        sentences.append(noFitFinding(results))
    } else {
        sentences.append(shapeSentences(results, words: words))
        sentences.append("Critical thresholds (accuracy halfway between clean and chance), with \(words.level) intervals: "
            + words.list(perSeries, value: { statistics.series[$0.series].threshold.value }, table: "the sigmoid fits table") { f in
                findingThresholdText(results.fits[f.series].threshold, statistics: statistics.series[f.series])
            } + ".")
    }
    let groups = Set(results.series.map { [$0.attack, $0.defense] }).count
    let notCompared = groups == results.series.count ? "the study has one model per attack and defense"
        : "sizes are compared within one model kind, and no attack and defense has models of one kind in two sizes"
    let noFit = results.fits.allSatisfy { $0.threshold.status == .noFit }
    sentences.append(findings.sensitivity.isEmpty || noFit
        ? "Sensitivity across model sizes is not compared: \(noFit && !findings.sensitivity.isEmpty ? "no series has a threshold" : notCompared)."
        : isLargeStudy(results) ? sensitivitySummary(findings.sensitivity)
        : findings.sensitivity.map { sensitivitySentence($0, results: results, words: words, showGroup: groups > 1) }
            .joined(separator: " "))
    sentences.append(curveSentence(results, words: words))
    sentences.append("At the largest fraction (\(largest)) the generalization gap is "
        + words.list(statistics.series, value: \.gapAtLargestFraction.value, table: "points.csv's generalizationGap_mean and _std at that fraction") { s in
            (s.gapAtLargestFraction.value.map { fixed($0, decimals: 3) } ?? "n/a")
                + " (\(words.seedInterval(s.gapAtLargestFraction.interval, words.accuracy)))"
        } + ".")
    let caveats = statistics.series.compactMap { s in caveat(s, level: words.level, largestFraction: findings.largestFraction).map { "\(words.name(s.series)) (\($0))" } }
    if isLargeStudy(results), let example = caveats.first {
        sentences.append("Poorly identified fits: \(caveats.count) of the \(results.series.count) series, e.g. \(example); the sigmoid "
            + "fits table gives the L, k, x0 and b of each. Read these curves as descriptions of the swept range, not as estimates "
            + "of where accuracy would level off.")
    } else if !caveats.isEmpty {
        sentences.append("Poorly identified fits: " + listing(caveats) + ". Read these curves as descriptions of the swept "
            + "range, not as estimates of where accuracy would level off.")
    }
    sentences += attackMetricSentences(results, words: words)
    if let unconverged = noConvergedVictimSentence(results) { sentences.append(unconverged) }
    if let likeForLike = likeForLikeSentence(results) { sentences.append(likeForLike) }
    if let saturation = saturationSentence(results, words: words) { sentences.append(saturation) }
    if !findings.detectionAUROC.isEmpty {
        sentences.append("At the largest fraction (\(largest)) the defenses' suspicion scores separate poisoned from "
            + "clean rows with AUROC \(words.list(findings.detectionAUROC, table: "points.csv's detectionAUROC_mean and _std")).")
    }
    if !findings.detectionBelowChance.isEmpty { sentences.append(belowChanceSentence(findings.detectionBelowChance, words: words)) }
    if let splits = findings.detectionSplits, !splits.isEmpty { sentences.append(splitSentence(splits, words: words)) }
    if !findings.defenses.isEmpty { sentences.append(defenseSentence(results, words: words)) }
    sentences += penaltyTradeOffSentences(results)
    sentences += curvatureClaimSentences(results)
    return sentences
}

/// A metric's name inside a sentence: lowercased ("Attack success" → "attack success"), except the
/// words written in capitals, such as acronyms ("SVM validation error" → "SVM validation error").
func inRunningText(_ name: String) -> String {
    name.split(separator: " ", omittingEmptySubsequences: false).map { word in
        word.count > 1 && word.allSatisfy { !$0.isLetter || $0.isUppercase } ? String(word) : word.lowercased()
    }.joined(separator: " ")
}

/// The attacks' own metrics at the largest fraction (those of gradient canceling's clean model and
/// target, `GradientCanceling.fractionIndependentKeys`, at every fraction). A rate with a clean-model baseline is given as
/// its excess over that baseline, the baseline beside it; the rate itself is not repeated. A rate of the
/// attacker's own model (`StudyResults.successModel`) is compared with "its rate without poisons".
private func attackMetricSentences(_ results: StudyResults, words: FindingWords) -> [String] {
    let findings = results.findings, largest = percent(findings.largestFraction)
    let corrected = results.attackMetrics.filter(\.hasBaseline)
    let skipped = Set(corrected.flatMap { [$0.key, $0.baseline.key] })
    let byKey = Dictionary(findings.attackMetrics.map { ($0.metric.key, $0) }) { first, _ in first }
    return findings.attackMetrics.compactMap { finding in
        guard !skipped.contains(finding.metric.key) else { return nil }
        if let sentence = convergedVictimSentence(results, finding: finding, largest: largest, words: words) { return sentence }
        guard let rate = corrected.first(where: { $0.excess.key == finding.metric.key }) else {
            // A quantity of the clean model and the target is the same at every fraction: no "at the largest fraction".
            let at = GradientCanceling.fractionIndependentKeys.contains(finding.metric.key)
                ? "At every fraction" : "At the largest fraction (\(largest))"
            return "\(at) the \(inRunningText(finding.metric.name)) (\(metricMeaning(finding.metric, results))) is \(words.list(finding.values, table: "points.csv's \(finding.metric.key)_mean and _std"))."
        }
        // Each corrected rate with its Student t interval over seeds ("+0.314 (+0.291 to +0.337)"), or "(one seed)".
        let signed = words.list(finding.values, series: \.series, value: { $0.value.mean }, table: "points.csv's \(rate.excess.key)_mean and _std") {
            guard results.statistics.seeds >= 2 else { return words.spread($0.value, signed: true) }
            // A retrained victim's agreement counts only where it converged: the runs left out are counted.
            let leftOut = unconvergedVictims(results, series: $0.series, fraction: findings.largestFraction, key: rate.excess.key).leftOut
            return signedMeanText($0.value.mean, seedMeanInterval(results, series: $0.series, fraction: findings.largestFraction, key: rate.excess.key),
                                  inBrackets: false) + (leftOut == 0 ? "" : " (\(leftOut) run\(leftOut == 1 ? "" : "s") left out: victim not converged)")
        }
        // A rate of the attacker's own model (svm-gradient's SVM) is compared with that model without
        // poisons, not with the clean victim.
        let ownModel = !finding.values.isEmpty && finding.values.allSatisfy { results.successModel(of: $0.series) != nil }
        let baseline = ownModel ? "its rate without poisons" : "the clean model's rate"
        // The clean model's agreement with the target is a mean over seeds as its excess is, with its Student t interval.
        let table = "points.csv's \(rate.baseline.key)_mean and _std"
        let clean = byKey[rate.baseline.key].map { cleanFinding in
            guard MetricKey.convergedVictimKeys.contains(rate.key), results.statistics.seeds >= 2 else { return "; \(baseline) is \(words.list(cleanFinding.values, table: table))" }
            return "; \(baseline) is " + words.list(cleanFinding.values, series: \.series, value: { $0.value.mean }, table: table) {
                // A seed whose clean model's victim did not converge has no clean agreement (`Study.withCleanBaselines`): counted.
                let leftOut = unconvergedVictims(results, series: $0.series, fraction: findings.largestFraction, key: rate.baseline.key).leftOut
                return magnitudeMeanText($0.value.mean, seedMeanInterval(results, series: $0.series, fraction: findings.largestFraction, key: rate.baseline.key),
                                         key: rate.baseline.key, inBrackets: false)
                    + (leftOut == 0 ? "" : " (\(leftOut) seed\(leftOut == 1 ? "" : "s") left out: clean model's victim not converged)")
            }
        } ?? ""
        let saturated = finding.values.filter { value in results.fits[value.series].saturatedFrom != nil }.map { words.name($0.series) }
        let note = saturated.isEmpty ? "" : " At that fraction the budget of \(listing(saturated)) is saturated (see below)."
        let minus = ownModel ? "minus its rate without poisons (the same seed at fraction 0)" : "minus the clean model's of the same series and seed"
        let interval = results.statistics.seeds >= 2 ? " (mean over seeds, its \(levelText(results)) Student t interval in parentheses)" : ""
        return "At the largest fraction (\(largest)) the \(inRunningText(rate.name)) (\(rate.meaning)) \(minus)\(interval) is \(signed)\(clean).\(note)"
    }
}

/// For a metric of the retrained victim that means something only for a converged one
/// (`MetricKey.convergedVictimKeys`: its distance from the target and agreement with it) of `finding`
/// at the largest fraction: per series with a run there recording it, the mean over the runs whose
/// victim converged with its Student t interval over seeds (as the success rates are given), and how
/// many runs were left out (an unconverged victim measures where its training stopped as much as the
/// poisons; the points' means leave it out too). Nil for another metric.
private func convergedVictimSentence(_ results: StudyResults, finding: AttackMetricFinding, largest: String, words: FindingWords) -> String? {
    let key = finding.metric.key, fraction = results.findings.largestFraction
    guard MetricKey.convergedVictimKeys.contains(key), !key.hasSuffix(MetricKey.excessSuffix) else { return nil }
    let series = Set(results.runs.filter { $0.fraction == fraction && $0.metrics?[key] != nil }.map(\.series)).sorted()
    let means = Dictionary(uniqueKeysWithValues: finding.values.map { ($0.series, $0.value.mean) })
    let resolution = key == MetricKey.targetDistance ? 0 : nil as Double?
    let anyLeftOut = series.contains { unconvergedVictims(results, series: $0, fraction: fraction, key: key).leftOut > 0 }
    let parts = words.list(series, series: { $0 }, value: { means[$0] }, table: "points.csv's \(key)_mean and _std") { index in
        let count = unconvergedVictims(results, series: index, fraction: fraction, key: key)
        guard let mean = means[index] else { return "not given (none of its \(count.of) victims converged)" }
        let interval = seedMeanInterval(results, series: index, fraction: fraction, key: key, resolution: resolution)
        let number = magnitudeMeanText(mean, interval, key: key, inBrackets: false) + (results.statistics.seeds < 2 ? " (one seed)" : "")
        return number + (count.leftOut == 0 ? "" : " (\(count.leftOut) of \(count.of) runs left out)")
    }
    let over = anyLeftOut
        ? ", over the runs whose retrained victim converged (gradient norm at most 1e\(Int(log10(MetricKey.victimGradientTolerance).rounded())) "
            + "on its training rows; an unconverged one measures where its training stopped as much as the poisons, and is left out),"
        : ""
    let interval = results.statistics.seeds >= 2
        ? " (mean over seeds, its \(levelText(results)) Student t interval, clipped to the metric's range, in parentheses)" : ""
    return "At the largest fraction (\(largest)) the \(inRunningText(finding.metric.name)) (\(metricMeaning(finding.metric, results)))\(interval)\(over) "
        + "is \(parts)."
}

/// The retrained victim's metrics (`MetricKey.convergedVictimKeys`, those the study's attacks record)
/// that runs at the largest fraction record but no finding gives, since no victim there converged:
/// which, and over how many runs; nil when there is none.
private func noConvergedVictimSentence(_ results: StudyResults) -> String? {
    let fraction = results.findings.largestFraction
    let given = Set(results.findings.attackMetrics.map(\.metric.key))
    let missing = results.attackMetrics.filter { metric in
        MetricKey.convergedVictimKeys.contains(metric.key) && !given.contains(metric.key)
            && results.runs.contains { $0.fraction == fraction && $0.metrics?[MetricKey.rate(of: metric.key)] != nil }
    }
    guard !missing.isEmpty else { return nil }
    // An excess by its rate: a run whose clean model's victim did not converge records none (`Study.withCleanBaselines`).
    let runs = results.runs.filter { run in run.fraction == fraction && missing.contains { run.metrics?[MetricKey.rate(of: $0.key)] != nil } }
    // "agreement with target, excess over clean" would read as two items of the list: its qualifier goes in parentheses.
    let names = missing.map { metric in
        let parts = inRunningText(metric.name).components(separatedBy: ", ")
        return parts.count == 2 ? "\(parts[0]) (\(parts[1]))" : parts.joined(separator: ", ")
    }
    return "At the largest fraction (\(percent(fraction))) the \(listing(names)) \(missing.count == 1 ? "is" : "are") "
        + "not given: none of the \(runs.count) runs' retrained victims converged (gradient norm at most "
        + "1e\(Int(log10(MetricKey.victimGradientTolerance).rounded())) on its training rows), and an unconverged one measures where its "
        + "training stopped as much as the poisons."
}

/// Which series' attacks are saturated, and from which fraction: the budget asked for more rows
/// than the attack may touch, so the fits and thresholds use the fractions below. Nil when none is.
private func saturationSentence(_ results: StudyResults, words: FindingWords) -> String? {
    let saturated = results.fits.filter { $0.saturatedFrom != nil }
    guard !saturated.isEmpty else { return nil }
    return "Saturated budgets (the attack asked for more rows than it may touch, e.g. its target or base class, and "
        + "poisoned all of those): " + listing(saturated.map { "\(words.name($0.series)) from \(percent($0.saturatedFrom!))" })
        + ". Fits and thresholds of these series use only the fractions below."
}

/// Mean detection AUROC from which a defense counts as finding the poisoned rows.
let findsPoisonAUROC = 0.8

/// The series whose scores rank the poisoned rows below the clean ones at some fraction (the interval
/// of the mean AUROC over seeds below 0.5), each with those fractions, its AUROC there and the
/// reversed score's, 1 - AUROC; in a large study (`isLargeStudy`), their count and the lowest AUROC.
private func belowChanceSentence(_ cells: [SeriesFractionValue], words: FindingWords) -> String {
    let bySeries = Dictionary(grouping: cells, by: \.series)
    if isLargeStudy(words.results), let lowest = cells.min(by: { $0.value.mean < $1.value.mean }) {
        return "\(bySeries.count) series rank the poisons as clean at some fraction (the \(words.level) interval over seeds of "
            + "the AUROC lies below 0.5 at \(cells.count) series and fractions; points.csv's detectionAUROC_mean and _std give each), the lowest "
            + "\(words.name(lowest.series)) at \(percent(lowest.fraction)) (AUROC \(plusMinus(lowest.value)); the reversed score "
            + "would give \(fixed(1 - lowest.value.mean, decimals: 3)))."
    }
    return bySeries.keys.sorted().map { series in
        let cells = bySeries[series]!
        return "\(words.name(series)) ranks the poisons as clean at "
            + listing(cells.map { "\(percent($0.fraction)) (AUROC \(plusMinus($0.value)))" })
            + "; the reversed score would find them (AUROC "
            + listing(cells.map { fixed(1 - $0.value.mean, decimals: 3) }) + "; the \(words.level) interval over seeds of each "
            + "AUROC lies below 0.5)."
    }.joined(separator: " ")
}

/// The series whose detection AUROC's seeds split in orientation at some fraction (`OrientationSplit`),
/// each with its split; no mean, since one over both orientations would read as chance.
private func splitSentence(_ cells: [SeriesFractionSplit], words: FindingWords) -> String {
    let bySeries = Dictionary(grouping: cells, by: \.series)
    return "The AUROC's seeds do not share one orientation (seeds at most \(fixed(0.5 - OrientationSplit.margin, decimals: 2)) and seeds "
        + "at least \(fixed(0.5 + OrientationSplit.margin, decimals: 2))), so no mean is quoted for "
        + listing(bySeries.keys.sorted().map { series in
            "\(words.name(series)) at " + listing(bySeries[series]!.map { "\(percent($0.fraction)) (\($0.split.text))" })
        })
        + ": on those seeds the scores separate poisoned from clean rows, on some in reverse, and a mean would read as a random score."
}

/// The defenses against their undefended twins: which raise the threshold beyond seed noise, which
/// cost clean accuracy, which find the poisoned rows without raising the threshold, which do neither.
private func defenseSentence(_ results: StudyResults, words: FindingWords) -> String {
    let findings = results.findings.defenses
    func name(_ f: DefenseFinding) -> String {
        let s = results.series[f.series]
        return "\(s.defenseLabel) (\(s.modelLabel), \(s.attackLabel)"
    }
    func shift(_ f: DefenseFinding) -> String {
        "\(name(f)): \(estimateText(f.thresholdShift, percentagePoints)), \(words.seedInterval(f.thresholdShift.interval, percentagePointsEnd)))"
    }
    func cost(_ f: DefenseFinding) -> String {
        let signed = { (value: Double) in signedFixed(value, decimals: 3) }
        return "\(name(f)): \(f.cleanAccuracyChange.value.map(signed) ?? "n/a"), "
            + "\(words.seedInterval(f.cleanAccuracyChange.interval, signed)))"
    }
    let raising = findings.filter { $0.shiftResolved && ($0.thresholdShift.interval?.lower ?? 0) > 0 }
    let lowering = findings.filter { $0.shiftResolved && ($0.thresholdShift.interval?.upper ?? 0) < 0 }
    let costly = findings.filter { $0.changeResolved && ($0.cleanAccuracyChange.interval?.upper ?? 0) < 0 }
    let finding = findings.filter { ($0.aurocAtBudget ?? 0) >= findsPoisonAUROC && !$0.shiftResolved }
    let neither = findings.filter { !$0.shiftResolved && !$0.changeResolved }
    var parts = [String]()
    parts.append(raising.isEmpty ? "No defense raises the critical threshold beyond seed noise."
        : "Raise the critical threshold beyond seed noise: " + listing(raising.map(shift)) + ".")
    if !lowering.isEmpty { parts.append("Lower it beyond seed noise: " + listing(lowering.map(shift)) + ".") }
    if !costly.isEmpty { parts.append("Cost clean accuracy beyond seed noise: " + listing(costly.map(cost)) + ".") }
    if !finding.isEmpty, let budget = results.findings.comparisonBudget {
        parts.append("Find the poisoned rows at \(percent(budget)) (AUROC at least \(fixed(findsPoisonAUROC, decimals: 1))) but do "
            + "not move the threshold beyond seed noise: "
            + listing(finding.map { "\(name($0)): AUROC \(fixed($0.aurocAtBudget!, decimals: 2)))" }) + ".")
    }
    if !neither.isEmpty {
        parts.append("Change neither threshold nor clean accuracy beyond seed noise: " + listing(neither.map { name($0) + ")" }) + ".")
    }
    // The privacy budget of DP-SGD runs (the same for every fraction and seed of a series), the Rényi
    // order that gave it, and the sampling assumption behind it.
    let budgets = findings.compactMap { f -> String? in
        guard let point = results.points.first(where: { $0.series == f.series }),
              let epsilon = point.metric(MetricKey.privacyEpsilon) else { return nil }
        let order = point.metric(MetricKey.privacyOrder).map { " at order α = \(renyiOrderText($0.mean))" } ?? ""
        return "\(name(f))): ε = \(fixed(epsilon.mean, decimals: 2))\(order)"
    }
    if !budgets.isEmpty {
        parts.append("Privacy budget of the differentially private training (Rényi accountant, at its δ): " + listing(budgets) + ". "
            + privacySamplingAssumption)
    }
    return "Defenses against the same model and attack undefended. " + parts.joined(separator: " ")
}

/// What every ε in a report assumes: the Rényi accountant bounds Poisson-sampled batches, and the runs
/// shuffle fixed-size ones.
let privacySamplingAssumption = "These ε assume Poisson sampling (each step takes every training row independently with "
    + "probability batch size / training rows); the runs instead train on shuffled fixed-size batches, for which ε is the "
    + "usual approximation, not a proven guarantee."

/// A Rényi order as the accountant lists it: "1.5", "12", "1024".
func renyiOrderText(_ order: Double) -> String {
    order == order.rounded() ? fixed(order, decimals: 0) : fixed(order, decimals: 1)
}

/// Shared wording: series names, lists and number formats.
struct FindingWords {
    let results: StudyResults

    /// "95%".
    var level: String { confidenceText(results.statistics.confidence) }

    /// A series' label.
    func name(_ series: Int) -> String { results.series[series].label }

    /// Per-series values in a sentence, `text` of each item followed by its series' name: every one, "a (MLP 32), b (MLP 64)
    /// and c (MLP 128)"; in a large study (`isLargeStudy`) only the items of the smallest and largest `value` (the
    /// first in order on a tie), "from a (MLP 32) to c (MLP 128) over the 3 series (TABLE gives every one)", where
    /// `table` names where the reader finds the rest.
    func list<Item>(_ items: [Item], series: (Item) -> Int, value: (Item) -> Double?, table: String, _ text: (Item) -> String) -> String {
        func named(_ item: Item) -> String { "\(text(item)) (\(name(series(item))))" }
        guard isLargeStudy(results) else { return listing(items.map(named)) }
        let valued = items.compactMap { item in value(item).map { (item, $0) } }
        guard let low = valued.min(by: { $0.1 < $1.1 }), let high = valued.max(by: { $0.1 < $1.1 }) else {
            return "not estimable for any of the \(items.count) series (\(table))"
        }
        return "from \(named(low.0)) to \(named(high.0)) over the \(items.count) series (\(table) gives every one)"
    }

    /// `list` for per-series statistics.
    func list(_ statistics: [SeriesStatistics], value: (SeriesStatistics) -> Double?, table: String,
              _ text: (SeriesStatistics) -> String) -> String {
        list(statistics, series: \.series, value: value, table: table, text)
    }

    /// `list` for findings.
    func list(_ findings: [SeriesFinding], value: (SeriesFinding) -> Double?, table: String, _ text: (SeriesFinding) -> String) -> String {
        list(findings, series: \.series, value: value, table: table, text)
    }

    /// `list` for mean ± std values, ordered by their means (exponents for a mean at 1e-5,
    /// `magnitudePlusMinus`; "0.492 (one seed)" with one seed: `spread`).
    func list(_ values: [SeriesValue], table: String) -> String {
        list(values, series: \.series, value: { $0.value.mean }, table: table) { spread($0.value, signed: false) }
    }

    /// A mean with its spread over seeds, "0.314 ± 0.032" (with its sign when `signed`, "+0.314 ±
    /// 0.032"); with one seed there is no spread to show, and "± 0.000" would read as a measured one:
    /// "0.314 (one seed)".
    func spread(_ value: MeanStd, signed: Bool) -> String {
        guard results.statistics.seeds < 2 else { return signed ? signedPlusMinus(value) : magnitudePlusMinus(value) }
        return (signed ? signedFixed(value.mean, decimals: 3) : fixed(value.mean, decimals: 3)) + " (one seed)"
    }

    /// An accuracy with three decimals.
    func accuracy(_ value: Double) -> String { fixed(value, decimals: 3) }

    /// "95% CI a to b", or why there is none: one seed, or "95% CI not estimable" (never "CI none").
    func seedInterval(_ interval: Interval?, _ format: (Double) -> String) -> String {
        results.statistics.seeds < 2 ? "one seed: no interval" : "\(level) CI " + (interval.map { intervalText($0, format) } ?? "not estimable")
    }
}

/// The shape of every series' decline: sharp, undecided, gradual or not fitted, grouped, one sentence
/// per series with the numbers that decide it, following `transitionShape`: the runs must first tell
/// the sigmoid from the simpler curves (an evidence ratio of `decisiveEvidenceRatio`); then k's
/// interval must lie on one side of the sharpness threshold. An undecided series' sentence names the
/// condition that failed, where k's interval lies, and the design that would tell the curves apart.
private func shapeSentences(_ results: StudyResults, words: FindingWords) -> String {
    let threshold = fixed(results.findings.sharpSteepness, decimals: 0)
    let decisive = fixed(decisiveEvidenceRatio, decimals: 0)
    let statistics = results.statistics.series
    func k(_ s: SeriesStatistics) -> String {
        "k = \(fixed(s.steepness.value!, decimals: 2)) (\(words.seedInterval(s.steepness.interval) { fixed($0, decimals: 1) }))"
    }
    func ratio(_ evidence: CurveEvidence) -> String { "evidence ratio \(evidenceRatioText(evidence.sigmoidEvidenceRatio))" }
    /// The fitted fractions of a series (saturated budgets are left out of its fit).
    func fractionCount(_ s: SeriesStatistics) -> Int { results.fits[s.series].fittedFractions(results.config.fractions).count }
    /// The rule's second condition for a series whose curves are not told apart: where k's interval
    /// lies, and that it decides nothing until the first condition holds.
    func sharpnessCondition(_ s: SeriesStatistics) -> String {
        let rule = "the rule decides the shape only once the curves are told apart"
        guard let interval = s.steepness.interval else { return "k has no interval either" }
        if let lower = interval.shownLower, lower > results.findings.sharpSteepness {
            return "k's interval lies above \(threshold), but \(rule) (then sharp)"
        }
        if let upper = interval.shownUpper, upper <= results.findings.sharpSteepness {
            return "k's interval lies at or below \(threshold), but \(rule) (then gradual)"
        }
        return "k's interval \(sidesOfThreshold(interval))"
    }
    /// Where k's interval lies against the sharpness threshold when it lies on neither side: across it,
    /// or, with an end undetermined or withheld (its Monte Carlo error too large to place it), on a side
    /// the runs cannot tell.
    func sidesOfThreshold(_ interval: Interval?) -> String {
        interval?.undetermined != nil ? "has an end undetermined, so the runs cannot tell on which side of \(threshold) it lies"
            : interval?.imprecise != nil ? "has an end withheld as too imprecise, so the runs cannot tell on which side of \(threshold) it lies"
            : "reaches both sides of \(threshold)"
    }
    /// Why the runs do not decide for one series: one sentence.
    func undecided(_ s: SeriesStatistics) -> String {
        let name = words.name(s.series)
        // The fit itself gives no shape (`transitionShape`): its drop is not placed, or never reaches the threshold.
        let atBounds = shapeParametersAtBounds(s, largestFraction: results.findings.largestFraction)
        if !atBounds.isEmpty {
            let many = atBounds.count > 1
            return "\(name): \(k(s)); no shape is read from this fit, as the estimate\(many ? "s" : "") of \(listing(atBounds)) "
                + "lie\(many ? "" : "s") at the fit's bound\(many ? "s" : ""), so the runs do not place the drop."
        }
        if results.fits[s.series].threshold.status == .notReached {
            return "\(name): \(k(s)); no shape is read from this fit, as its curve never falls to its threshold: there is no "
                + "transition to call sharp or gradual."
        }
        if let evidence = s.curveEvidence, evidence.distinguishesCurves, evidence.sigmoidEvidenceRatio >= 1,
           let lower = s.steepness.interval?.shownLower, lower > results.findings.sharpSteepness, isPoorlyIdentified(s) {
            return "\(name): the sigmoid wins with \(ratio(evidence)) and \(k(s)) lies above \(threshold), but the fit is poorly "
                + "identified (below), so the transition is not called sharp."
        }
        guard let evidence = s.curveEvidence else {
            return "\(name): \(k(s)); with \(fractionCount(s)) fractions the sigmoid cannot be compared with simpler curves, "
                + "since AICc needs at least 7."
        }
        if evidence.distinguishesCurves {
            if s.steepness.interval == nil { return "\(name): the sigmoid wins with \(ratio(evidence)), but \(k(s)) has no interval." }
            return "\(name): the sigmoid wins with \(ratio(evidence)), but \(k(s)) \(sidesOfThreshold(s.steepness.interval))."
        }
        let why = evidence.sigmoidEvidenceRatio <= 1 / decisiveEvidenceRatio
            ? "a simpler curve wins with \(ratio(evidence)) on its fewer parameters alone (were the fitted sigmoid true, these "
                + "fractions and seeds would be expected to give \(evidenceRatioText(evidence.expectedAtThisDesign ?? 0)))"
            : "\(ratio(evidence)) is short of \(decisive) either way"
        return "\(name): \(k(s)); these \(fractionCount(s)) fractions cannot tell the sigmoid from a line or quadratic, as "
            + "\(why); \(decisiveDesignText(evidence)); \(sharpnessCondition(s))."
    }
    /// Why the decline of one series is gradual: one sentence.
    func gradual(_ s: SeriesStatistics) -> String {
        let evidence = s.curveEvidence!
        if evidence.sigmoidEvidenceRatio < 1 {
            return "\(words.name(s.series)): the simpler curves beat the sigmoid with \(ratio(evidence)), where these fractions "
                + "and seeds would be expected to give the fitted sigmoid \(evidenceRatioText(evidence.expectedAtThisDesign ?? 0)) "
                + "had it been the truth."
        }
        return "\(words.name(s.series)): the sigmoid wins with \(ratio(evidence)) and the whole interval of k lies at or below "
            + "\(threshold), \(k(s))."
    }
    var sentences = [String]()
    let byShape = Dictionary(grouping: results.findings.series, by: \.shape)
    if isLargeStudy(results) {
        let counts = [(TransitionShape.sharp, "sharp"), (.gradual, "gradual"), (.undecided, "not decided by the runs"), (.noFit, "not fitted")]
            .compactMap { shape, word in byShape[shape].map { "\(word) for \($0.count)" } }
        return "Of the \(results.series.count) series, the transition is \(listing(counts)) (sharp: the sigmoid beats the simpler "
            + "curves by an evidence ratio of at least \(decisive) and the whole interval of k lies above \(threshold); the curve "
            + "table's Decided column gives each series, the sigmoid fits table its k)."
    }
    if let sharp = byShape[.sharp] {
        sentences.append("The transition is sharp for " + listing(sharp.map { words.name($0.series) })
            + ": the sigmoid beats the simpler curves by an evidence ratio of at least \(decisive) and the whole interval of k "
            + "lies above \(threshold); " + listing(sharp.map { let s = statistics[$0.series]; return "\(k(s)), \(ratio(s.curveEvidence!))" })
            + ".")
    }
    if let open = byShape[.undecided] {
        sentences.append("The runs do not decide whether the transition is sharp (that needs the curves told apart, then k's "
            + "interval on one side of \(threshold)).")
        sentences += open.map { undecided(statistics[$0.series]) }
    }
    if let gentle = byShape[.gradual] {
        sentences.append("The decline is gradual.")
        sentences += gentle.map { gradual(statistics[$0.series]) }
    }
    if let unfitted = byShape[.noFit] {
        sentences.append("No sigmoid could be fitted for " + listing(unfitted.map { words.name($0.series) }) + ".")
    }
    return sentences.joined(separator: " ")
}

/// One group's sensitivity across model sizes (an attack, a defense, models of one kind): the trend statistic, then the
/// resolved and unresolved pairs with the seeds that would resolve them.
private func sensitivitySentence(_ comparison: SensitivityComparison, results: StudyResults, words: FindingWords,
                                 showGroup: Bool) -> String {
    let first = results.series[comparison.series[0]]
    let group = showGroup ? " (\(first.attackLabel), \(first.defenseLabel))" : ""
    if comparison.trend == .missingThreshold {
        let unfitted = comparison.unfittedSeries!
        return "Sensitivity across model sizes\(group) cannot be compared: \(results.series[unfitted].modelLabel) has no threshold "
            + "(\(results.fits[unfitted].threshold.reason ?? "no fit"))."
    }
    if comparison.trend == .noCrossing {
        return "Sensitivity across model sizes\(group) cannot be compared: no fitted curve crosses its threshold within the swept "
            + "fractions."
    }
    let trend = results.statistics.trends.first { $0.series == comparison.series }
    let slope = trend.map { t -> String in
        guard let value = t.slope.value else {
            return "an amount that cannot be measured: some model's threshold lies outside the swept fractions"
        }
        let interval = t.slope.interval == nil && results.statistics.seeds >= 2
            ? "no interval: \(t.reason ?? "")"
            : words.seedInterval(t.slope.interval, percentagePointsEnd)
        return "\(percentagePoints(value)) per doubling of parameters (\(interval))"
    } ?? "an amount that cannot be measured"
    var sentence: String
    // With the slope unmeasured (a threshold outside the swept fractions), the verdict comes from the slope's censored
    // interval when it is resolved, otherwise from every pair of models resolved in one direction (`compareSensitivity`).
    var pairwise: String?
    if let trend, trend.slope.value == nil {
        pairwise = trend.decision == .resolved
            ? ": the threshold's slope per doubling of parameters is \(intervalText(trend.slope.interval, percentagePointsEnd)) "
                + "(\(words.level) CI; the slope itself cannot be measured: some model's threshold lies outside the swept "
                + "fractions)."
            : ": every pair of models differs in that direction beyond seed noise (the slope cannot be measured: some "
                + "model's threshold lies outside the swept fractions)."
    }
    switch comparison.largerModelsMoreSensitive {
    case true?: sentence = "Larger models are more sensitive\(group)" + (pairwise ?? ": the threshold changes by \(slope).")
    case false?: sentence = "Larger models are less sensitive\(group)" + (pairwise ?? ": the threshold changes by \(slope).")
    case nil:
        sentence = "The runs do not resolve whether the threshold changes with model size\(group): it changes by \(slope)"
        if trend?.decision == .undetermined { sentence += ", undetermined: " + undeterminedClause(pilot: decidedOnPilot(results)) }
        if let plan = trend?.seedPlan {
            sentence += "; " + seedPlanSentence(plan, effect: String(format: "%.1f pp per doubling", plan.effect * 100), what: "a slope",
                                                level: words.level)
        }
        sentence += "."
    }
    let pairs = results.statistics.differences.filter {
        $0.quantity == .threshold && $0.axis == .model && comparison.series.contains($0.base) && comparison.series.contains($0.other)
    }
    func pairText(_ d: SeriesDifference) -> String {
        let (a, b) = (results.series[d.base].modelLabel, results.series[d.other].modelLabel)
        let value = estimateText(d.difference, percentagePoints, missing: "(both thresholds lie outside the swept fractions)")
        var text = "\(b) vs \(a) \(value) ("
            + words.seedInterval(d.difference.interval, percentagePointsEnd)
        if d.decision != .resolved, let plan = d.seedPlan { text += "; " + seedPlanSentence(plan, effect: plannedEffectText(plan.effect, d.quantity), level: words.level) }
        return text + ")"
    }
    let resolved = pairs.filter { $0.decision == .resolved }, unresolved = pairs.filter { $0.decision == .notResolved }
    let undetermined = pairs.filter { $0.decision == .undetermined }
    if !resolved.isEmpty { sentence += " Threshold differences resolved: " + listing(resolved.map(pairText)) + "." }
    if !unresolved.isEmpty { sentence += " Not resolved: " + listing(unresolved.map(pairText)) + "." }
    if !undetermined.isEmpty {
        // What might answer them: the opening leaves it out when it runs short of words (`OpeningBrevity`).
        let remedy = monteCarloRemedy(results)
        sentence += " Undetermined (" + undeterminedClause(pilot: decidedOnPilot(results)) + "): " + listing(undetermined.map(pairText)) + "; "
            + remedy + "."
    }
    return sentence
}

/// The sensitivity across model sizes of a large study (`isLargeStudy`) in one sentence: how many groups
/// (an attack, a defense, models of one kind) have larger models resolved as more or less sensitive, how
/// many are not resolved and how many cannot be compared, pointing to the trend table for each slope.
private func sensitivitySummary(_ comparisons: [SensitivityComparison]) -> String {
    let uncomparable = comparisons.filter { $0.trend == .missingThreshold || $0.trend == .noCrossing }.count
    let comparable = comparisons.filter { $0.trend != .missingThreshold && $0.trend != .noCrossing }
    let parts = [("larger models are more sensitive", comparable.filter { $0.largerModelsMoreSensitive == true }.count),
                 ("larger models are less sensitive", comparable.filter { $0.largerModelsMoreSensitive == false }.count),
                 ("the runs do not resolve whether the threshold changes with model size", comparable.filter { $0.largerModelsMoreSensitive == nil }.count),
                 ("sizes cannot be compared (a threshold is missing or no curve crosses it)", uncomparable)]
        .filter { $0.1 > 0 }.map { "\($0.1) where \($0.0)" }
    return "Sensitivity across model sizes, over \(comparisons.count) groups of one attack and defense: " + listing(parts)
        + " (the trend table gives each group's slope per doubling of parameters with its interval, the confidence table the "
        + "resolved threshold differences, differences.csv every one)."
}

/// Why a difference or trend is undetermined (`SignDecision`), in a clause; `pilot`: the decision was made
/// on the pilot bootstrap (`SignDecision.init(_:pilot:)`, more than 3 seeds outside an adaptive study's
/// looks, `decidedOnPilot`).
func undeterminedClause(pilot: Bool) -> String {
    pilot
        ? "on the pilot bootstrap an end of the interval that could exclude zero, shown or withheld, lies within twice the "
            + "upper bound on its Monte Carlo error of zero, or its bound is undetermined, or the interval shown disagrees with "
            + "the pilot on zero, so the bootstrap cannot tell whether it excludes zero"
        : "an end of the interval lies within two of its Monte Carlo errors of zero, or its bound is undetermined, so the "
            + "bootstrap cannot tell whether it excludes zero"
}

/// Whether a study's threshold differences and trends were decided on the pilot bootstrap: more than 3
/// seeds, and not an adaptive study (whose looks draw no pilot for them).
func decidedOnPilot(_ results: StudyResults) -> Bool {
    results.statistics.seeds > 3 && results.sequential == nil
}


/// The curve comparison: Akaike weights per series and the rule a claim about the curve must pass.
private func curveSentence(_ results: StudyResults, words: FindingWords) -> String {
    let statistics = results.statistics.series
    let weighed = statistics.filter { $0.curves.contains { $0.weight != nil } }
    guard !weighed.isEmpty else {
        return "The curves are not compared: the study has too few fractions for AICc (at least 7 are needed for the sigmoid)."
    }
    var sentence = "Curve comparison by AICc (Akaike's information criterion corrected for few points: misfit plus a penalty "
        + "per parameter, lower is better), Akaike weights of the sigmoid, quadratic and line: "
    if isLargeStudy(results) {
        let heaviest = weighed.compactMap { s in s.curves.filter { $0.weight != nil }.max { $0.weight! < $1.weight! }?.model }
        let counts = [(CurveModel.sigmoid, "the sigmoid"), (.quadratic, "the quadratic"), (.line, "the line")].compactMap { model, word in
            let count = heaviest.filter { $0 == model }.count
            return count == 0 ? nil : "\(word) for \(count)"
        }
        return sentence + "the curve table gives them for each of the \(weighed.count) series; the largest weight goes to "
            + listing(counts) + ". A shape is claimed only when the evidence ratio of the sigmoid against the best simpler curve is "
            + "at least \(fixed(decisiveEvidenceRatio, decimals: 0)) or at most 1/\(fixed(decisiveEvidenceRatio, decimals: 0)), and a "
            + "simpler curve's win counts only where the design would have shown the fitted sigmoid; R² (the sigmoid fits table) says "
            + "how close the sigmoid comes to the means, not whether it is the right curve."
    }
    sentence += listing(weighed.map { s in
        [CurveModel.sigmoid, .quadratic, .line].map { model in
            s.curves.first { $0.model == model }?.weight.map { fixed($0, decimals: 2) } ?? "n/a"
        }.joined(separator: " / ") + " (\(words.name(s.series)))"
    }) + "."
    sentence += " A shape is claimed only when the evidence ratio of the sigmoid against the best simpler curve is at least "
        + "\(fixed(decisiveEvidenceRatio, decimals: 0)) or at most 1/\(fixed(decisiveEvidenceRatio, decimals: 0)), and a simpler "
        + "curve's win counts only where the design would have shown the fitted sigmoid."
    let rSquared = results.fits.compactMap(\.rSquared)
    if !rSquared.isEmpty {
        sentence += " R² (" + rSquared.map { fixed($0, decimals: 3) }.joined(separator: ", ")
            + ") says how close the sigmoid comes to the means, not whether it is the right curve."
    }
    return sentence
}

/// What makes a series' fitted curve poorly identified, in a clause (`level` names its intervals);
/// nil when nothing does; the fit's bounds are those of a sweep up to `largestFraction`.
private func caveat(_ s: SeriesStatistics, level: String, largestFraction: Double) -> String? {
    var problems = [String]()
    if let ceiling = s.fittedCeiling, ceiling > 1 {
        problems.append("the curve starts at L + b = \(fixed(ceiling, decimals: 2)), above any accuracy")
    }
    if let remaining = s.dropRemainingAtLargestFraction, remaining > extrapolatedFloorShare, let floor = s.floor.value {
        problems.append("\(percent(remaining)) of its drop lies beyond the largest fraction, so b = \(fixed(floor, decimals: 2)) "
            + "is extrapolated")
    }
    if !s.parametersAtBounds.isEmpty {
        let bounds = SigmoidFitBounds.study(largestFraction: largestFraction)
        // The estimate itself, or only its interval: "L, x0 and b reach the fit's bounds" alone reads as the estimates.
        let atBound = Set(estimatesAtBounds(s, bounds: bounds))
        let estimates = s.parametersAtBounds.filter(atBound.contains), intervals = s.parametersAtBounds.filter { !atBound.contains($0) }
        if !estimates.isEmpty {
            problems.append("the estimate\(estimates.count == 1 ? "" : "s") of \(listing(estimates)) "
                + "reach\(estimates.count == 1 ? "es" : "") the fit's bound\(estimates.count == 1 ? "" : "s") of \(boundsText(estimates, bounds: bounds))")
        }
        if !intervals.isEmpty {
            problems.append("the \(level) interval\(intervals.count == 1 ? "" : "s") of \(listing(intervals)), not "
                + "\(intervals.count == 1 ? "its estimate" : "their estimates"), reach\(intervals.count == 1 ? "es" : "") the fit's "
                + "bound\(intervals.count == 1 ? "" : "s") of \(boundsText(intervals, bounds: bounds))")
        }
    }
    return problems.isEmpty ? nil : problems.joined(separator: "; ")
}

/// The sigmoid parameters ("L", "k", "x0", "b") whose estimate itself lies at a bound of the fit
/// (`SigmoidFitBounds.reaches`, as `SeriesStatistics.parametersAtBounds` decides).
private func estimatesAtBounds(_ s: SeriesStatistics, bounds: SigmoidFitBounds) -> [String] {
    let values = [s.amplitude.value, s.steepness.value, s.midpoint.value, s.floor.value]
    return ["L", "k", "x0", "b"].indices.compactMap { j in
        guard let value = values[j] else { return nil }
        return bounds.reaches(value, parameter: j) ? ["L", "k", "x0", "b"][j] : nil
    }
}

/// The fit's bounds of the named sigmoid parameters, in their order: "[0, 1.5] and [0, 1]" for L and x0.
func boundsText(_ names: [String], bounds: SigmoidFitBounds) -> String {
    let ranges = ["L": (bounds.lower.amplitude, bounds.upper.amplitude), "k": (bounds.lower.steepness, bounds.upper.steepness),
                  "x0": (bounds.lower.midpoint, bounds.upper.midpoint), "b": (bounds.lower.floor, bounds.upper.floor)]
    return listing(names.compactMap { name in ranges[name].map { "[\(compact($0.0)), \(compact($0.1))]" } })
}

/// A bound as written in the fit's box: "0", "1.5", "0.1".
private func compact(_ value: Double) -> String { value == value.rounded() ? fixed(value, decimals: 0) : "\(value)" }

/// A threshold (`estimate`, its statistics) with its interval: "40.0% [33.6%, 46.1%]", "37.0% [25.8%
/// or more]" (the interval reaches beyond the largest swept fraction), "> 50.0% [41.2% or more]" (the
/// fitted curve falls to the target only beyond the largest swept fraction), "not reached [45.0% or
/// more]", or without the interval when it says no more than the threshold ("> 50.0%", "not reached",
/// "no fit"); parentheses instead of brackets for running text.
func thresholdText(_ threshold: CriticalThreshold, estimate: Estimate, brackets: Bool) -> String {
    let (open, close) = brackets ? ("[", "]") : ("(", ")")
    let text = switch threshold.status {
    case .withinRange, .aboveRange, .belowRange: estimateText(estimate, percent)
    case .notReached: "not reached"
    case .noFit: "no fit"
    }
    guard threshold.status != .noFit, let range = informativeIntervalText(estimate, percent, separator: brackets ? bracketSeparator : " to ") else {
        return text
    }
    return "\(text) \(open)\(range)\(close)"
}

/// A threshold as the opening and the "Attacks compared" table headline it: `thresholdText`, except
/// for a point within the swept fractions from a fit the data barely determine (`isPoorlyIdentified`,
/// listed as such in the sigmoid fits), which is not to be quoted: its interval alone, marked,
/// "[12.7% or more] (poorly identified)" ("(12.7% or more; poorly identified)" without brackets;
/// "poorly identified" when the interval says nothing); `marked` false leaves the mark to the
/// sentence ("[12.7% or more]").
func headlineThresholdText(_ threshold: CriticalThreshold, statistics: SeriesStatistics, brackets: Bool, marked: Bool = true) -> String {
    guard pointIsNotQuoted(threshold, statistics: statistics) else {
        return thresholdText(threshold, estimate: statistics.threshold, brackets: brackets)
    }
    guard let range = informativeIntervalText(statistics.threshold, percent, separator: brackets ? bracketSeparator : " to ") else {
        return "poorly identified"
    }
    guard marked else { return brackets ? "[\(range)]" : "(\(range))" }
    return brackets ? "[\(range)] (poorly identified)" : "(\(range); poorly identified)"
}

/// A threshold in the Findings' running text: `thresholdText` ("17.7% (12.6% to 19.0%)"), except for a
/// point the headline does not quote (`pointIsNotQuoted`, a poorly identified fit listed as such in the
/// sigmoid fits): its interval alone, marked, "12.6% or more (poorly identified)".
func findingThresholdText(_ threshold: CriticalThreshold, statistics: SeriesStatistics) -> String {
    guard pointIsNotQuoted(threshold, statistics: statistics) else {
        return thresholdText(threshold, estimate: statistics.threshold, brackets: false)
    }
    return (informativeIntervalText(statistics.threshold, percent, separator: " to ").map { "\($0) " } ?? "") + "(poorly identified)"
}

/// Whether a headline gives `threshold`'s interval alone (`headlineThresholdText`): a point within
/// the swept fractions from a poorly identified fit.
func pointIsNotQuoted(_ threshold: CriticalThreshold, statistics: SeriesStatistics) -> Bool {
    threshold.status == .withinRange && isPoorlyIdentified(statistics)
}

/// A p-value with two significant digits, or "< 0.001".
func pValue(_ p: Double) -> String { p < 0.001 ? "< 0.001" : fixed(p, decimals: p < 0.01 ? 3 : 2) }

/// A sign decision in a table's "Resolved" column, in the report and in `compare` alike: "yes", "no"
/// or "undetermined" (an interval end within its Monte Carlo band of zero: two errors, or with a pilot
/// twice the upper bound on the pilot's error, `SignDecision`).
func decisionText(_ decision: SignDecision) -> String {
    switch decision {
    case .resolved: "yes"
    case .notResolved: "no"
    case .undetermined: "undetermined"
    }
}

/// Why the series without a sigmoid fit have none, one sentence per reason: "No series has a sigmoid
/// fit: 3 fractions are too few (a 4-parameter sigmoid needs at least 4)." when every series lacks one
/// for too few fractions; else each reason once, with the series it applies to (all of them named
/// "every series"); empty when every series has a fit.
func fitFailureSentences(_ results: StudyResults) -> [String] {
    let unfitted = results.fits.filter { $0.threshold.status == .noFit }
    guard !unfitted.isEmpty else { return [] }
    if unfitted.count == results.fits.count { return [noFitSummary(results)] }
    let reasons = distinct(unfitted.map { $0.failure ?? "no fit" })
    return reasons.map { reason in
        let names = unfitted.filter { ($0.failure ?? "no fit") == reason }.map { results.series[$0.series].label }
        return "\(listing(names)) \(names.count == 1 ? "has" : "have") no fit: \(reason)."
    }
}

/// One sentence for a study in which no series has a sigmoid fit: too few fractions ("3 fractions:
/// too few for a sigmoid fit (needs 4).") when that is why, else the reasons, each once.
func noFitSummary(_ results: StudyResults) -> String {
    if let most = mostFittedFractions(results), most < sigmoidMinimumPoints {
        return "\(most) fraction\(most == 1 ? "" : "s"): too few for a sigmoid fit (needs \(sigmoidMinimumPoints))."
    }
    return "No series has a sigmoid fit: " + noFitReasons(results) + "."
}

/// The Findings' sentence for a study in which no series has a sigmoid fit: what that leaves
/// undefined, and why, worded apart from the opening's `noFitSummary` (the Findings do not repeat
/// the opening word for word, issue 21 §7).
func noFitFinding(_ results: StudyResults) -> String {
    let undefined = "No series has a critical threshold or a transition shape"
    if let most = mostFittedFractions(results), most < sigmoidMinimumPoints {
        return undefined + ": a sigmoid fit needs \(sigmoidMinimumPoints) fractions, and no series has more than \(most)."
    }
    return undefined + ", as none has a sigmoid fit: " + noFitReasons(results) + "."
}

/// The most fractions any series' fit could use; nil without series.
private func mostFittedFractions(_ results: StudyResults) -> Int? {
    results.fits.map { $0.fittedFractions(results.config.fractions).count }.max()
}

/// Why the series have no sigmoid fit, each reason once.
private func noFitReasons(_ results: StudyResults) -> String { listing(distinct(results.fits.map { $0.failure ?? "no fit" })) }
