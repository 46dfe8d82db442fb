import Foundation

/// The study's answers for one width.
public struct WidthFinding: Sendable, Codable, Equatable {
    /// Hidden width.
    public let width: Int
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

/// The study's conclusions, computed from the fits and aggregates; `statements` says them in words.
public struct Findings: Sendable, Codable, Equatable {
    /// The largest swept poison fraction.
    public let largestFraction: Double
    /// Per-width numbers, in configuration order.
    public let widths: [WidthFinding]
    /// Steepness above which a transition counts as sharp.
    public let sharpSteepness: Double
    /// True when any fitted k exceeds `sharpSteepness`; nil when no width could be fitted.
    public let sharpTransition: Bool?
    /// True when the threshold does not increase with width; nil when it cannot be decided.
    public let largerModelsMoreSensitive: Bool?
    /// One sentence per finding, each following the numbers above, always in this order: clean
    /// accuracy, sharpness of the transition, thresholds, sensitivity across widths, fit quality,
    /// generalization gap at the largest fraction.
    public let statements: [String]
}

/// Derives the findings from the fits and the aggregated points.
public func findings(fits: [WidthFit], points: [AggregatePoint], fractions: [Double]) -> Findings {
    let largest = fractions.max() ?? 0
    let perWidth = fits.map { fit in
        WidthFinding(width: fit.width, cleanAccuracy: fit.cleanAccuracy, threshold: fit.threshold.fraction,
                     thresholdStatus: fit.threshold.status, steepness: fit.parameters?.steepness,
                     rSquared: fit.rSquared,
                     gapAtLargestFraction: points.first { $0.width == fit.width && $0.fraction == largest }?
                         .generalizationGap)
    }
    let sharpSteepness = 5.0
    let steepnesses = perWidth.compactMap(\.steepness)
    let sharp: Bool? = steepnesses.isEmpty ? nil : steepnesses.contains { $0 > sharpSteepness }
    let (moreSensitive, sensitivityStatement) = compareSensitivity(fits)

    var statements = [String]()
    let chance = fits.first?.chanceAccuracy ?? 0
    statements.append("Clean test accuracy is " + list(perWidth) { optional($0.cleanAccuracy, decimals: 3) }
        + "; chance is \(fixed(chance, decimals: 3)).")
    switch sharp {
    case true?:
        let sharpOnes = perWidth.filter { ($0.steepness ?? 0) > sharpSteepness }
        let named = sharpOnes.map { String(format: "width %d (k = %.2f)", $0.width, $0.steepness!) }
        statements.append("The transition is sharp: the fitted steepness k exceeds \(Int(sharpSteepness)) at "
            + listing(named) + ".")
    case false?:
        statements.append("The decline is gradual: no fitted steepness k exceeds \(Int(sharpSteepness)) ("
            + list(perWidth.filter { $0.steepness != nil }) { String(format: "k = %.2f", $0.steepness!) } + ").")
    case nil:
        statements.append("Whether the transition is sharp cannot be said: no width could be fitted.")
    }
    statements.append("Critical thresholds (accuracy halfway between clean and chance): "
        + list(perWidth) { describeThreshold($0.threshold, status: $0.thresholdStatus) } + ".")
    statements.append(sensitivityStatement)
    statements.append("Fit quality: " + list(perWidth) { "R² = " + optional($0.rSquared, decimals: 3) } + ".")
    statements.append("At the largest fraction (\(percent(largest))) the generalization gap is "
        + list(perWidth) { finding in
            finding.gapAtLargestFraction.map { String(format: "%.3f ± %.3f", $0.mean, $0.std) } ?? "n/a"
        } + ".")
    return Findings(largestFraction: largest, widths: perWidth, sharpSteepness: sharpSteepness,
                    sharpTransition: sharp, largerModelsMoreSensitive: moreSensitive, statements: statements)
}

/// Whether thresholds do not increase with width (larger models more sensitive), with a sentence.
private func compareSensitivity(_ fits: [WidthFit]) -> (Bool?, String) {
    let ordered = fits.sorted { $0.width < $1.width }
    guard ordered.count >= 2 else {
        return (nil, "Sensitivity across widths needs at least two widths.")
    }
    if let unfitted = ordered.first(where: { $0.sensitivityKey == nil }) {
        return (nil, "Sensitivity across widths cannot be compared: width \(unfitted.width) has no threshold "
            + "(\(unfitted.threshold.reason ?? "no fit")).")
    }
    let keys = ordered.map { $0.sensitivityKey! }
    if keys.allSatisfy({ $0 == keys[0] && !$0.isFinite }) {
        return (nil, "Sensitivity across widths cannot be compared: no width's fitted curve crosses its threshold.")
    }
    let path = ordered.map { "\(thresholdKeyText($0.sensitivityKey!)) at width \($0.width)" }.joined(separator: ", ")
    let steps = zip(keys, keys.dropFirst())
    if steps.allSatisfy({ $1 <= $0 }) {
        let strictly = steps.allSatisfy { $1 < $0 }
        return (true, "Larger models are more sensitive: the threshold "
            + (strictly ? "decreases" : "does not increase") + " with width (\(path)).")
    }
    if steps.allSatisfy({ $1 >= $0 }) {
        return (false, "Larger models are less sensitive: the threshold increases with width (\(path)).")
    }
    return (false, "Sensitivity does not change monotonically with width: the threshold rises and falls (\(path)).")
}

private func thresholdKeyText(_ key: Double) -> String {
    key == .infinity ? "not reached" : key == -.infinity ? "below the start" : percent(key)
}

/// "a (width 32), b (width 64) and c (width 128)".
private func list(_ findings: [WidthFinding], _ text: (WidthFinding) -> String) -> String {
    listing(findings.map { "\(text($0)) (width \($0.width))" })
}

/// A value with fixed decimals, or "n/a".
private func optional(_ value: Double?, decimals: Int) -> String {
    value.map { fixed($0, decimals: decimals) } ?? "n/a"
}
