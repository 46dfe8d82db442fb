import PoisoningEngine

/// How this run's estimate and interval answer a published claim.
public enum ClaimVerdict: String, Sendable, Codable, Equatable {
    /// The published value lies inside this run's interval widened for its own noise
    /// (`replicationWidening`), or the run resolves the claimed direction.
    case supported
    /// The interval cannot decide: there is none, it is open at both ends, or it is open on the side
    /// where the published value lies; or the run does not resolve the direction the claim is about.
    case notResolved = "not-resolved"
    /// The published value lies outside this run's widened interval, or the run resolves the opposite direction.
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

/// The published claim on model size beside one threshold trend (one per `StudyStatistics.trends`,
/// in their order).
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
    /// claimed or no attack and defense has models of one kind in two sizes.
    public let largerModelsMoreSensitive: [SensitivityClaimVerdict]
}

/// How far a published threshold may lie from this run's estimate before it contradicts it: the
/// interval's half-width on that side times sqrt(2). A published threshold is itself an estimate
/// from a few seeds; assuming the replication its publication reports has the same standard error as
/// this run, the difference of the two has sqrt(2) times this run's, so a true replication lands
/// outside the widened interval only as often as outside an interval at the study's confidence.
public let replicationWidening = 2.0.squareRoot()

/// `published` against `estimate`'s interval, an estimate of a threshold. Not resolved without an
/// interval, when the interval is open at both ends, or when `published` lies on a side where the
/// interval is open (an interval "a or more" holds every larger value, so it cannot confirm or
/// refute one). Otherwise contradicted when `published` lies outside the interval widened about the
/// estimate by `replicationWidening` on its side (the published value's own noise), supported when
/// inside.
public func thresholdVerdict(published: Double, estimate: Estimate) -> ClaimVerdict {
    guard let interval = estimate.interval, interval.lower != nil || interval.upper != nil else { return .notResolved }
    let centre: Double
    if let value = estimate.value { centre = value }
    else if let lower = interval.lower, let upper = interval.upper { centre = (lower + upper) / 2 }
    else { return .notResolved }
    let end = published >= centre ? interval.upper : interval.lower
    guard let end else { return .notResolved }
    let reach = centre + replicationWidening * (end - centre)
    return abs(published - centre) > abs(reach - centre) + 1e-12 ? .contradicted : .supported
}

/// A claimed direction against the one the runs resolve (nil: not resolved).
public func directionVerdict(claimed: Bool, found: Bool?) -> DirectionClaimVerdict {
    DirectionClaimVerdict(claimed: claimed, found: found,
                          verdict: found.map { $0 == claimed ? .supported : .contradicted } ?? .notResolved)
}

/// The series a claimed label names: the series of exactly that label; else, when the label is a
/// model's ("MLP 32" in a study whose series read "MLP 32, random label flip, no defense"), the one
/// series of that model under the study's first attack without a defense, the setting a publication
/// that names only a model reports. Nil when neither exists.
public func claimedSeries(_ label: String, in series: [SeriesDescription]) -> Int? {
    if let exact = series.firstIndex(where: { $0.label == label }) { return exact }
    let candidates = series.indices.filter { series[$0].modelLabel == label && series[$0].attack == 0 && series[$0].isUndefended }
    return candidates.count == 1 ? candidates[0] : nil
}

/// The verdicts on `claims`: each published threshold against the interval of the series its label
/// names (`claimedSeries`, `statistics`), the claimed shape against `sharpTransition`, the claim on
/// model size against each group of `sensitivity`.
func claimVerdicts(_ claims: PublishedClaims, series: [SeriesDescription], statistics: StudyStatistics,
                   sharpTransition: Bool?, sensitivity: [SensitivityComparison]) -> ClaimVerdicts {
    let thresholds = claims.thresholds.map { claim -> ThresholdClaimVerdict in
        guard let index = claimedSeries(claim.series, in: series) else {
            return ThresholdClaimVerdict(label: claim.series, series: nil, published: claim.fraction, estimate: nil, verdict: .notResolved)
        }
        let estimate = statistics.series[index].threshold
        return ThresholdClaimVerdict(label: claim.series, series: index, published: claim.fraction, estimate: estimate,
                                     verdict: thresholdVerdict(published: claim.fraction, estimate: estimate))
    }
    let sizes = claims.largerModelsMoreSensitive.map { claimed in
        sensitivity.map { SensitivityClaimVerdict(attack: $0.attack, defense: $0.defense,
                                                  answer: directionVerdict(claimed: claimed, found: $0.largerModelsMoreSensitive)) }
    } ?? []
    return ClaimVerdicts(source: claims.source, thresholds: thresholds,
                         sharpTransition: claims.sharpTransition.map { directionVerdict(claimed: $0, found: sharpTransition) },
                         largerModelsMoreSensitive: sizes)
}
