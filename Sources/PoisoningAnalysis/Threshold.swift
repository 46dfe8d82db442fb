import Foundation

/// Where a critical threshold lies relative to the swept fractions.
public enum ThresholdStatus: String, Sendable, Codable, Equatable {
    /// Solved, and inside [smallest, largest] swept fraction.
    case withinRange = "within-range"
    /// The fitted curve falls to the target only beyond the largest swept fraction: the threshold is
    /// known only to exceed it (fraction is null; the fitted crossing is `extrapolatedFraction`).
    case aboveRange = "above-range"
    /// The fitted curve falls to the target before the smallest swept fraction: the threshold is
    /// known only to lie below it (fraction is null; the fitted crossing is `extrapolatedFraction`).
    case belowRange = "below-range"
    /// The fitted curve never crosses the target (fraction is null; reason says why).
    case notReached = "not-reached"
    /// No fitted curve to solve (fraction is null; reason says why).
    case noFit = "no-fit"
}

/// The poison fraction at which the fitted accuracy curve falls to `target`, the midpoint of clean
/// and chance accuracy.
public struct CriticalThreshold: Sendable, Codable, Equatable {
    /// (clean accuracy + chance accuracy) / 2; nil when there is no clean accuracy.
    public let target: Double?
    /// The fraction, within the swept fractions; nil otherwise (see `status`).
    public let fraction: Double?
    /// Whether and how the fraction was found.
    public let status: ThresholdStatus
    /// Why `fraction` is nil, in a sentence; nil otherwise.
    public let reason: String?
    /// Where the fitted curve crosses the target outside the swept fractions: an extrapolation of the
    /// curve beyond the data, kept for reference and never reported as the threshold; nil otherwise.
    public let extrapolatedFraction: Double?

    /// The threshold as a number that orders series and stands in a bootstrap replicate: the fraction
    /// within the swept fractions; +infinity when the fitted `curve` falls to the target only beyond
    /// the largest swept fraction or never (it levels off above it); -infinity when it falls to it
    /// before the smallest or starts below it; nil without a fitted curve or a target.
    public func censored(curve: SigmoidParameters?) -> Double? {
        switch status {
        case .withinRange: fraction
        case .aboveRange: .infinity
        case .belowRange: -.infinity
        case .notReached: curve.flatMap { curve in target.map { $0 <= curve.floor ? .infinity : -.infinity } }
        case .noFit: nil
        }
    }
}

/// Solves L / (1 + exp(k (x - x0))) + b = t in closed form: x = x0 + ln(L / (t - b) - 1) / k.
/// The curve falls from L + b (x → -∞) to b (x → +∞), so t is reached only when b < t < L + b.
public func criticalThreshold(of curve: SigmoidParameters, target: Double,
                              swept: ClosedRange<Double>) -> CriticalThreshold {
    let ceiling = curve.amplitude + curve.floor
    if target <= curve.floor {
        return CriticalThreshold(target: target, fraction: nil, status: .notReached,
                                 reason: "the fitted curve levels off at \(fixed(curve.floor, decimals: 3)), "
                                     + "never falling to the target \(fixed(target, decimals: 3))", extrapolatedFraction: nil)
    }
    if target >= ceiling {
        return CriticalThreshold(target: target, fraction: nil, status: .notReached,
                                 reason: "the fitted curve starts at \(fixed(ceiling, decimals: 3)), "
                                     + "already at or below the target \(fixed(target, decimals: 3))", extrapolatedFraction: nil)
    }
    let fraction = crossing(of: curve, target: target)
    if fraction > swept.upperBound {
        return CriticalThreshold(target: target, fraction: nil, status: .aboveRange,
                                 reason: "the fitted curve falls to the target \(fixed(target, decimals: 3)) only beyond "
                                     + "the largest swept fraction, \(percent(swept.upperBound))", extrapolatedFraction: fraction)
    }
    if fraction < swept.lowerBound {
        return CriticalThreshold(target: target, fraction: nil, status: .belowRange,
                                 reason: "the fitted curve falls to the target \(fixed(target, decimals: 3)) before "
                                     + "the smallest swept fraction, \(percent(swept.lowerBound))", extrapolatedFraction: fraction)
    }
    return CriticalThreshold(target: target, fraction: fraction, status: .withinRange, reason: nil, extrapolatedFraction: nil)
}

/// The threshold of `curve` at `target` as `criticalThreshold(of:target:swept:).censored(curve:)` gives
/// it, without the record and its sentences: for the bootstrap's replicates, thousands per series.
func censoredThreshold(of curve: SigmoidParameters, target: Double, swept: ClosedRange<Double>) -> Double {
    if target <= curve.floor { return .infinity }
    if target >= curve.amplitude + curve.floor { return -.infinity }
    let fraction = crossing(of: curve, target: target)
    return fraction > swept.upperBound ? .infinity : fraction < swept.lowerBound ? -.infinity : fraction
}

/// Where the curve crosses `target`: x0 + ln(L / (t - b) - 1) / k.
private func crossing(of curve: SigmoidParameters, target: Double) -> Double {
    curve.midpoint + log(curve.amplitude / (target - curve.floor) - 1) / curve.steepness
}

/// A threshold as an estimate over the swept fractions `swept`, from its censored value (see
/// `CriticalThreshold.censored`): the fraction within them; beyond the largest, a lower bound at the
/// largest; before the smallest, an upper bound at the smallest; no value without a fit.
func thresholdEstimate(_ censored: Double?, swept: ClosedRange<Double>, interval: Interval?) -> Estimate {
    switch censored {
    case Double.infinity?: Estimate(value: swept.upperBound, interval: interval, bound: .lower)
    case (-Double.infinity)?: Estimate(value: swept.lowerBound, interval: interval, bound: .upper)
    default: Estimate.fitted(value: censored, interval: interval)
    }
}
