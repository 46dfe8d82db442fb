import PoisoningAnalysis

/// The findings of `results` in words, one sentence (or a few, for several comparisons) per
/// finding, in this order: clean accuracy, sharpness of the transition, thresholds, sensitivity
/// across models, fit quality, generalization gap at the largest fraction; then the attacks' own
/// metrics and the defenses' detection at the largest fraction, when the study has them.
public func findingSentences(_ results: StudyResults) -> [String] {
    let findings = results.findings
    let name = { (index: Int) in results.series[index].label }
    /// "a (MLP 32), b (MLP 64) and c (MLP 128)".
    func list(_ items: [SeriesFinding], _ text: (SeriesFinding) -> String) -> String {
        listing(items.map { "\(text($0)) (\(name($0.series)))" })
    }
    func list(_ values: [SeriesValue]) -> String { listing(values.map { "\(plusMinus($0.value)) (\(name($0.series)))" }) }
    let perSeries = findings.series
    let largest = percent(findings.largestFraction)
    let sharp = Int(findings.sharpSteepness)

    var sentences = ["Clean test accuracy is " + list(perSeries) { optional($0.cleanAccuracy, decimals: 3) }
        + "; chance is \(fixed(findings.chanceAccuracy, decimals: 3))."]
    switch findings.sharpTransition {
    case true?:
        let named = perSeries.filter { ($0.steepness ?? 0) > findings.sharpSteepness }
            .map { "\(name($0.series)) (k = \(fixed($0.steepness!, decimals: 2)))" }
        sentences.append("The transition is sharp: the fitted steepness k exceeds \(sharp) for " + listing(named) + ".")
    case false?:
        sentences.append("The decline is gradual: no fitted steepness k exceeds \(sharp) ("
            + list(perSeries.filter { $0.steepness != nil }) { "k = " + fixed($0.steepness!, decimals: 2) } + ").")
    case nil:
        sentences.append("Whether the transition is sharp cannot be said: no series could be fitted.")
    }
    sentences.append("Critical thresholds (accuracy halfway between clean and chance): "
        + list(perSeries) { describeThreshold($0.threshold, status: $0.thresholdStatus) } + ".")
    let groups = Set(results.series.map { [$0.attack, $0.defense] }).count
    sentences.append(findings.sensitivity.isEmpty
        ? "Sensitivity across model sizes is not compared: the study has one model per attack and defense."
        : findings.sensitivity.map { sensitivitySentence($0, results: results, showGroup: groups > 1) }.joined(separator: " "))
    sentences.append("Fit quality: " + list(perSeries) { "R² = " + optional($0.rSquared, decimals: 3) } + ".")
    sentences.append("At the largest fraction (\(largest)) the generalization gap is "
        + list(perSeries) { $0.gapAtLargestFraction.map(plusMinus) ?? "n/a" } + ".")
    for finding in findings.attackMetrics {
        sentences.append("At the largest fraction (\(largest)) the \(finding.metric.name.lowercased()) "
            + "(\(finding.metric.meaning)) is \(list(finding.values)).")
    }
    if !findings.detectionAUROC.isEmpty {
        sentences.append("At the largest fraction (\(largest)) the defenses' suspicion scores separate poisoned from "
            + "clean rows with AUROC \(list(findings.detectionAUROC)).")
    }
    return sentences
}

/// One comparison in words; `showGroup` names its attack and defense.
private func sensitivitySentence(_ comparison: SensitivityComparison, results: StudyResults, showGroup: Bool) -> String {
    let first = results.series[comparison.series[0]]
    let group = showGroup ? " (\(first.attackLabel), \(first.defenseLabel))" : ""
    let fits = comparison.series.map { results.fits[$0] }
    let path = zip(fits, comparison.series).map { fit, index in
        "\(thresholdKeyText(fit.sensitivityKey ?? .nan)) for \(results.series[index].modelLabel)"
    }.joined(separator: ", ")
    switch comparison.trend {
    case .missingThreshold:
        let unfitted = comparison.unfittedSeries!
        return "Sensitivity across model sizes\(group) cannot be compared: \(results.series[unfitted].modelLabel) has no threshold "
            + "(\(results.fits[unfitted].threshold.reason ?? "no fit"))."
    case .noCrossing:
        return "Sensitivity across model sizes\(group) cannot be compared: no fitted curve crosses its threshold."
    case .decreasing, .nonIncreasing:
        return "Larger models are more sensitive\(group): the threshold "
            + (comparison.trend == .decreasing ? "decreases" : "does not increase") + " with model size (\(path))."
    case .increasing:
        return "Larger models are less sensitive\(group): the threshold increases with model size (\(path))."
    case .nonMonotone:
        return "Sensitivity does not change monotonically with model size\(group): the threshold rises and falls (\(path))."
    }
}

/// A threshold sort key in words: a percentage, "not reached" or "below the start".
private func thresholdKeyText(_ key: Double) -> String {
    key == .infinity ? "not reached" : key == -.infinity ? "below the start" : percent(key)
}

/// A value with fixed decimals, or "n/a".
private func optional(_ value: Double?, decimals: Int) -> String {
    value.map { fixed($0, decimals: decimals) } ?? "n/a"
}
