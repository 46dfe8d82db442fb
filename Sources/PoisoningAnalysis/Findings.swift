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

/// How the critical threshold changes with model size among the series of one attack and defense.
public enum SensitivityTrend: String, Sendable, Codable, Equatable {
    /// The threshold decreases strictly with model size: larger models are more sensitive.
    case decreasing
    /// The threshold never increases with model size (some are equal).
    case nonIncreasing
    /// The threshold increases with model size (never decreases): larger models are less sensitive.
    case increasing
    /// The threshold rises and falls.
    case nonMonotone
    /// A series has no threshold (see `SensitivityComparison.unfittedSeries`).
    case missingThreshold
    /// No fitted curve crosses its threshold inside or outside the range.
    case noCrossing
}

/// How thresholds change with model size among the series of one attack and defense.
public struct SensitivityComparison: Sendable, Codable, Equatable {
    /// Index of the attack.
    public let attack: Int
    /// Index of the defense.
    public let defense: Int
    /// The series compared, from the fewest to the most parameters.
    public let series: [Int]
    /// The trend of their thresholds.
    public let trend: SensitivityTrend
    /// The first series without a threshold, when `trend` is `.missingThreshold`.
    public let unfittedSeries: Int?

    /// True when the threshold does not increase with model size; false when it does or changes
    /// direction; nil when it cannot be decided.
    public var largerModelsMoreSensitive: Bool? {
        switch trend {
        case .decreasing, .nonIncreasing: true
        case .increasing, .nonMonotone: false
        case .missingThreshold, .noCrossing: nil
        }
    }
}

/// A metric's mean and spread over seeds for one series at the largest fraction.
public struct SeriesValue: Sendable, Codable, Equatable {
    /// Index of the series.
    public let series: Int
    /// The metric over seeds.
    public let value: MeanStd
}

/// An attack's own metric at the largest fraction, for every series that records it.
public struct AttackMetricFinding: Sendable, Codable, Equatable {
    /// The metric.
    public let metric: MetricInfo
    /// Its value per series.
    public let values: [SeriesValue]
}

/// The study's conclusions as structured facts, computed from the fits and aggregates; the report
/// library says them in words.
public struct Findings: Sendable, Codable, Equatable {
    /// The largest swept poison fraction.
    public let largestFraction: Double
    /// Chance accuracy, 1/classes.
    public let chanceAccuracy: Double
    /// Per-series numbers, in series order.
    public let series: [SeriesFinding]
    /// Steepness above which a transition counts as sharp.
    public let sharpSteepness: Double
    /// True when any fitted k exceeds `sharpSteepness`; nil when no series could be fitted.
    public let sharpTransition: Bool?
    /// One comparison per (attack, defense) with at least two models.
    public let sensitivity: [SensitivityComparison]
    /// The attacks' own metrics at the largest fraction.
    public let attackMetrics: [AttackMetricFinding]
    /// The defenses' detection AUROC at the largest fraction, for every series that records it.
    public let detectionAUROC: [SeriesValue]
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
    let sharpSteepness = 5.0
    let steepnesses = perSeries.compactMap(\.steepness)
    /// The metric `key` at the largest fraction, for every series that records it.
    func valuesAtLargest(_ key: String) -> [SeriesValue] {
        series.indices.compactMap { index in atLargest(index)?.metric(key).map { SeriesValue(series: index, value: $0) } }
    }
    return Findings(
        largestFraction: largest, chanceAccuracy: fits.first?.chanceAccuracy ?? 0, series: perSeries,
        sharpSteepness: sharpSteepness, sharpTransition: steepnesses.isEmpty ? nil : steepnesses.contains { $0 > sharpSteepness },
        sensitivity: compareSensitivity(fits, series: series),
        attackMetrics: attackMetrics.map { AttackMetricFinding(metric: $0, values: valuesAtLargest($0.key)) }.filter { !$0.values.isEmpty },
        detectionAUROC: valuesAtLargest(MetricKey.detectionAUROC))
}

/// For each (attack, defense) with at least two models: how thresholds change with the model's
/// parameter count.
private func compareSensitivity(_ fits: [SeriesFit], series: [SeriesDescription]) -> [SensitivityComparison] {
    let groups = Dictionary(grouping: series.indices) { [series[$0].attack, series[$0].defense] }
    return groups.keys.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.compactMap { key in
        let members = groups[key]!.sorted { series[$0].parameterCount < series[$1].parameterCount }
        guard members.count >= 2 else { return nil }
        if let unfitted = members.first(where: { fits[$0].sensitivityKey == nil }) {
            return SensitivityComparison(attack: key[0], defense: key[1], series: members, trend: .missingThreshold,
                                         unfittedSeries: unfitted)
        }
        return SensitivityComparison(attack: key[0], defense: key[1], series: members,
                                     trend: trend(members.map { fits[$0].sensitivityKey! }), unfittedSeries: nil)
    }
}

/// The trend of thresholds (sensitivity keys) ordered by model size.
private func trend(_ keys: [Double]) -> SensitivityTrend {
    if keys.allSatisfy({ $0 == keys[0] && !$0.isFinite }) { return .noCrossing }
    let steps = zip(keys, keys.dropFirst())
    if steps.allSatisfy({ $1 <= $0 }) { return steps.allSatisfy { $1 < $0 } ? .decreasing : .nonIncreasing }
    if steps.allSatisfy({ $1 >= $0 }) { return .increasing }
    return .nonMonotone
}
