import PoisoningEngine

/// How this run's estimate and interval answer a published claim.
public enum ClaimVerdict: String, Sendable, Codable, Equatable {
    /// The published value lies inside this run's interval, or the run resolves the claimed direction.
    case supported
    /// The interval cannot decide: there is none, or it is open on the side where the published value
    /// lies beyond the swept fractions; or the run does not resolve the direction the claim is about.
    case notResolved = "not-resolved"
    /// The published value lies outside this run's interval, or the run resolves the opposite direction.
    case contradicted
}

/// A published threshold beside this run's.
public struct ThresholdClaimVerdict: Sendable, Codable, Equatable {
    /// The series' label as the claim names it.
    public let label: String
    /// The study's series of that label; nil when the study does not run it (the verdict is then not resolved).
    public let series: Int?
    /// The published threshold, as a fraction.
    public let published: Double
    /// This run's threshold with its interval; nil when the study does not run the series.
    public let estimate: Estimate?
    /// Whether the published threshold lies inside this run's interval.
    public let verdict: ClaimVerdict
}

/// A published direction (sharp or gradual; larger models more or less sensitive) beside this run's.
public struct DirectionClaimVerdict: Sendable, Codable, Equatable {
    /// The direction the publication claims: true for "sharp" or "larger models are more sensitive".
    public let claimed: Bool
    /// The direction this run resolves; nil when it does not resolve one (absent from JSON).
    public let found: Bool?
    /// `found` against `claimed`.
    public let verdict: ClaimVerdict
}

/// The published claim on model size beside one (attack, defense) group's threshold trend.
public struct SensitivityClaimVerdict: Sendable, Codable, Equatable {
    /// Index of the attack.
    public let attack: Int
    /// Index of the defense.
    public let defense: Int
    /// The claim and this run's answer (`SensitivityComparison.largerModelsMoreSensitive`).
    public let answer: DirectionClaimVerdict
}

/// Every published claim of a study beside this run's estimates.
public struct ClaimVerdicts: Sendable, Codable, Equatable {
    /// Where the claims were published.
    public let source: String
    /// The published thresholds, in the claims' order.
    public let thresholds: [ThresholdClaimVerdict]
    /// The claim on the transition's shape against `Findings.sharpTransition`; nil when none is claimed.
    public let sharpTransition: DirectionClaimVerdict?
    /// The claim on model size against each group's sensitivity comparison; empty when none is
    /// claimed or no group has two models.
    public let largerModelsMoreSensitive: [SensitivityClaimVerdict]
}

/// Whether `published` lies inside `estimate`'s interval, an estimate of a threshold over the swept
/// fractions `swept`. Supported inside, contradicted outside; not resolved without an interval, or
/// when the interval is open on the side where `published` lies beyond `swept` (the runs cannot
/// place the threshold there). An open end reaches past the swept fractions, so a published value
/// within them on that side lies inside.
public func thresholdVerdict(published: Double, estimate: Estimate, swept: ClosedRange<Double>) -> ClaimVerdict {
    guard let interval = estimate.interval else { return .notResolved }
    if let lower = interval.lower, published < lower { return .contradicted }
    if let upper = interval.upper, published > upper { return .contradicted }
    let beyondOpenEnd = (interval.upper == nil && published > swept.upperBound)
        || (interval.lower == nil && published < swept.lowerBound)
    return beyondOpenEnd ? .notResolved : .supported
}

/// A claimed direction against the one the runs resolve (nil: not resolved).
public func directionVerdict(claimed: Bool, found: Bool?) -> DirectionClaimVerdict {
    DirectionClaimVerdict(claimed: claimed, found: found,
                          verdict: found.map { $0 == claimed ? .supported : .contradicted } ?? .notResolved)
}

/// The verdicts on `claims`: each published threshold against the interval of the series of its
/// label (`statistics`), the claimed shape against `sharpTransition`, the claim on model size against
/// each group of `sensitivity`.
func claimVerdicts(_ claims: PublishedClaims, series: [SeriesDescription], statistics: StudyStatistics, swept: ClosedRange<Double>,
                   sharpTransition: Bool?, sensitivity: [SensitivityComparison]) -> ClaimVerdicts {
    let thresholds = claims.thresholds.map { claim -> ThresholdClaimVerdict in
        guard let index = series.firstIndex(where: { $0.label == claim.series }) else {
            return ThresholdClaimVerdict(label: claim.series, series: nil, published: claim.fraction, estimate: nil, verdict: .notResolved)
        }
        let estimate = statistics.series[index].threshold
        return ThresholdClaimVerdict(label: claim.series, series: index, published: claim.fraction, estimate: estimate,
                                     verdict: thresholdVerdict(published: claim.fraction, estimate: estimate, swept: swept))
    }
    let sizes = claims.largerModelsMoreSensitive.map { claimed in
        sensitivity.map { SensitivityClaimVerdict(attack: $0.attack, defense: $0.defense,
                                                  answer: directionVerdict(claimed: claimed, found: $0.largerModelsMoreSensitive)) }
    } ?? []
    return ClaimVerdicts(source: claims.source, thresholds: thresholds,
                         sharpTransition: claims.sharpTransition.map { directionVerdict(claimed: $0, found: sharpTransition) },
                         largerModelsMoreSensitive: sizes)
}
