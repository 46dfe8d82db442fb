import Foundation

/// Where a critical threshold lies relative to the swept fractions.
public enum ThresholdStatus: String, Sendable, Codable, Equatable {
    /// Solved, and inside [smallest, largest] swept fraction.
    case withinRange = "within-range"
    /// Solved, but outside the swept fractions: the curve is trusted beyond the data.
    case extrapolated
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
    /// The fraction, or nil when not reached or not fitted.
    public let fraction: Double?
    /// Whether and how the fraction was found.
    public let status: ThresholdStatus
    /// Why `fraction` is nil, in a sentence; nil otherwise.
    public let reason: String?
}

/// Solves L / (1 + exp(k (x - x0))) + b = t in closed form: x = x0 + ln(L / (t - b) - 1) / k.
/// The curve falls from L + b (x → -∞) to b (x → +∞), so t is reached only when b < t < L + b.
public func criticalThreshold(of curve: SigmoidParameters, target: Double,
                              swept: ClosedRange<Double>) -> CriticalThreshold {
    let ceiling = curve.amplitude + curve.floor
    if target <= curve.floor {
        return CriticalThreshold(target: target, fraction: nil, status: .notReached,
                                 reason: "the fitted curve levels off at \(fixed(curve.floor, decimals: 3)), "
                                     + "never falling to the target \(fixed(target, decimals: 3))")
    }
    if target >= ceiling {
        return CriticalThreshold(target: target, fraction: nil, status: .notReached,
                                 reason: "the fitted curve starts at \(fixed(ceiling, decimals: 3)), "
                                     + "already at or below the target \(fixed(target, decimals: 3))")
    }
    let fraction = curve.midpoint + log(curve.amplitude / (target - curve.floor) - 1) / curve.steepness
    return CriticalThreshold(target: target, fraction: fraction,
                             status: swept.contains(fraction) ? .withinRange : .extrapolated, reason: nil)
}
