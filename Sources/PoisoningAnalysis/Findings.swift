import Foundation
import PoisoningEngine

/// The study's answers for one series.
public struct SeriesFinding: Sendable, Codable, Equatable {
    /// Index of the series.
    public let series: Int
    /// Mean clean test accuracy at the smallest fraction.
    public let cleanAccuracy: Double?
    /// Critical threshold fraction (nil when not reached or not fitted).
    public let threshold: Double?
    /// How the threshold was found.
    public let thresholdStatus: ThresholdStatus
    /// Fitted steepness k.
    public let steepness: Double?
    /// R² of the fit.
    public let rSquared: Double?
    /// Generalization gap (train on poisoned labels minus clean test) at the largest fraction.
    public let gapAtLargestFraction: MeanStd?
}

/// Whether, among the series of one attack and defense, larger models have lower thresholds.
public struct SensitivityComparison: Sendable, Codable, Equatable {
    /// Index of the attack.
    public let attack: Int
    /// Index of the defense.
    public let defense: Int
    /// True when the threshold does not increase with the model's parameter count; false when it
    /// does or changes direction; nil when it cannot be decided.
    public let largerModelsMoreSensitive: Bool?
    /// The comparison in a sentence.
    public let statement: String
}

/// The study's conclusions, computed from the fits and aggregates; `statements` says them in words.
public struct Findings: Sendable, Codable, Equatable {
    /// The largest swept poison fraction.
    public let largestFraction: Double
    /// Per-series numbers, in series order.
    public let series: [SeriesFinding]
    /// Steepness above which a transition counts as sharp.
    public let sharpSteepness: Double
    /// True when any fitted k exceeds `sharpSteepness`; nil when no series could be fitted.
    public let sharpTransition: Bool?
    /// One comparison per (attack, defense) with at least two models.
    public let sensitivity: [SensitivityComparison]
    /// One sentence per finding, each following the numbers above, always starting in this order:
    /// clean accuracy, sharpness of the transition, thresholds, sensitivity across models, fit
    /// quality, generalization gap at the largest fraction; then the attacks' own metrics and the
    /// defenses' detection at the largest fraction, when the study has them.
    public let statements: [String]
}

/// Derives the findings from the fits and the aggregated points of `series`.
public func findings(fits: [SeriesFit], points: [AggregatePoint], fractions: [Double], series: [SeriesDescription],
                     attackMetrics: [MetricInfo]) -> Findings {
    let largest = fractions.max() ?? 0
    let atLargest = { (index: Int) in points.first { $0.series == index && $0.fraction == largest } }
    let perSeries = fits.map { fit in
        SeriesFinding(series: fit.series, cleanAccuracy: fit.cleanAccuracy, threshold: fit.threshold.fraction,
                      thresholdStatus: fit.threshold.status, steepness: fit.parameters?.steepness, rSquared: fit.rSquared,
                      gapAtLargestFraction: atLargest(fit.series)?.metric(MetricKey.generalizationGap))
    }
    let name = { (index: Int) in series[index].label }
    /// "a (MLP 32), b (MLP 64) and c (MLP 128)".
    func list(_ findings: [SeriesFinding], _ text: (SeriesFinding) -> String) -> String {
        listing(findings.map { "\(text($0)) (\(name($0.series)))" })
    }
    let sharpSteepness = 5.0
    let steepnesses = perSeries.compactMap(\.steepness)
    let sharp: Bool? = steepnesses.isEmpty ? nil : steepnesses.contains { $0 > sharpSteepness }
    let comparisons = compareSensitivity(fits, series: series)

    var statements = [String]()
    let chance = fits.first?.chanceAccuracy ?? 0
    statements.append("Clean test accuracy is " + list(perSeries) { optional($0.cleanAccuracy, decimals: 3) }
        + "; chance is \(fixed(chance, decimals: 3)).")
    switch sharp {
    case true?:
        let named = perSeries.filter { ($0.steepness ?? 0) > sharpSteepness }
            .map { "\(name($0.series)) (k = \(fixed($0.steepness!, decimals: 2)))" }
        statements.append("The transition is sharp: the fitted steepness k exceeds \(Int(sharpSteepness)) for " + listing(named) + ".")
    case false?:
        statements.append("The decline is gradual: no fitted steepness k exceeds \(Int(sharpSteepness)) ("
            + list(perSeries.filter { $0.steepness != nil }) { "k = " + fixed($0.steepness!, decimals: 2) } + ").")
    case nil:
        statements.append("Whether the transition is sharp cannot be said: no series could be fitted.")
    }
    statements.append("Critical thresholds (accuracy halfway between clean and chance): "
        + list(perSeries) { describeThreshold($0.threshold, status: $0.thresholdStatus) } + ".")
    statements.append(comparisons.isEmpty
        ? "Sensitivity across model sizes is not compared: the study has one model per attack and defense."
        : comparisons.map(\.statement).joined(separator: " "))
    statements.append("Fit quality: " + list(perSeries) { "R² = " + optional($0.rSquared, decimals: 3) } + ".")
    statements.append("At the largest fraction (\(percent(largest))) the generalization gap is "
        + list(perSeries) { $0.gapAtLargestFraction.map(plusMinus) ?? "n/a" } + ".")
    for metric in attackMetrics {
        let measured = series.indices.compactMap { index in atLargest(index)?.metric(metric.key).map { (index, $0) } }
        guard !measured.isEmpty else { continue }
        statements.append("At the largest fraction (\(percent(largest))) the \(metric.name.lowercased()) (\(metric.meaning)) is "
            + listing(measured.map { "\(plusMinus($0.1)) (\(name($0.0)))" }) + ".")
    }
    let detected = series.indices.compactMap { index in atLargest(index)?.metric(MetricKey.detectionAUROC).map { (index, $0) } }
    if !detected.isEmpty {
        statements.append("At the largest fraction (\(percent(largest))) the defenses' suspicion scores separate poisoned from "
            + "clean rows with AUROC " + listing(detected.map { "\(plusMinus($0.1)) (\(name($0.0)))" }) + ".")
    }
    return Findings(largestFraction: largest, series: perSeries, sharpSteepness: sharpSteepness, sharpTransition: sharp,
                    sensitivity: comparisons, statements: statements)
}

/// For each (attack, defense) with at least two models: whether thresholds do not increase with
/// the model's parameter count, with a sentence.
private func compareSensitivity(_ fits: [SeriesFit], series: [SeriesDescription]) -> [SensitivityComparison] {
    let groups = Dictionary(grouping: series.indices) { [series[$0].attack, series[$0].defense] }
    return groups.keys.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.compactMap { key in
        let members = groups[key]!.sorted { series[$0].parameterCount < series[$1].parameterCount }
        guard members.count >= 2 else { return nil }
        let context = groups.count > 1 ? " (\(series[members[0]].attackLabel), \(series[members[0]].defenseLabel))" : ""
        let (verdict, sentence) = compare(members.map { fits[$0] }, labels: members.map { series[$0].modelLabel })
        return SensitivityComparison(attack: key[0], defense: key[1], largerModelsMoreSensitive: verdict,
                                     statement: sentence.replacingOccurrences(of: "{context}", with: context))
    }
}

/// Compares thresholds of fits ordered by model size; the sentence has "{context}" where the
/// group's attack and defense go.
private func compare(_ ordered: [SeriesFit], labels: [String]) -> (Bool?, String) {
    if let unfitted = ordered.firstIndex(where: { $0.sensitivityKey == nil }) {
        return (nil, "Sensitivity across model sizes{context} cannot be compared: \(labels[unfitted]) has no threshold "
            + "(\(ordered[unfitted].threshold.reason ?? "no fit")).")
    }
    let keys = ordered.map { $0.sensitivityKey! }
    if keys.allSatisfy({ $0 == keys[0] && !$0.isFinite }) {
        return (nil, "Sensitivity across model sizes{context} cannot be compared: no fitted curve crosses its threshold.")
    }
    let path = zip(keys, labels).map { "\(thresholdKeyText($0)) for \($1)" }.joined(separator: ", ")
    let steps = zip(keys, keys.dropFirst())
    if steps.allSatisfy({ $1 <= $0 }) {
        let strictly = steps.allSatisfy { $1 < $0 }
        return (true, "Larger models are more sensitive{context}: the threshold "
            + (strictly ? "decreases" : "does not increase") + " with model size (\(path)).")
    }
    if steps.allSatisfy({ $1 >= $0 }) {
        return (false, "Larger models are less sensitive{context}: the threshold increases with model size (\(path)).")
    }
    return (false, "Sensitivity does not change monotonically with model size{context}: the threshold rises and falls (\(path)).")
}

private func thresholdKeyText(_ key: Double) -> String {
    key == .infinity ? "not reached" : key == -.infinity ? "below the start" : percent(key)
}

/// A value with fixed decimals, or "n/a".
private func optional(_ value: Double?, decimals: Int) -> String {
    value.map { fixed($0, decimals: decimals) } ?? "n/a"
}
