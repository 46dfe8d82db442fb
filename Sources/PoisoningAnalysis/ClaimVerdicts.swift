import PoisoningEngine

/// How this run's estimate and interval answer a published claim.
public enum ClaimVerdict: String, Sendable, Codable, Equatable {
    /// The published value lies inside this run's interval widened for its own noise
    /// (`ClaimVerdicts.widening`) on a bounded side, or the run resolves the claimed direction.
    case supported
    /// The published threshold lies on a side where this run's interval is open (beyond the estimate,
    /// toward an unbounded end): the runs hold it, but no value there could ever contradict it, so it
    /// is not counted as support.
    case consistentUntested = "consistent-untested"
    /// The interval cannot decide: there is none, or it is open at both ends; or the run does not
    /// resolve the direction the claim is about.
    case notResolved = "not-resolved"
    /// The published value lies outside this run's widened interval, or the run resolves the opposite direction.
    case contradicted
    /// The runs cannot put the claim to the test: what it is about is absent from them (an attack
    /// whose effect is not resolved above the study's planning effect gives a defense nothing to suppress).
    case notTestable = "not-testable"
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
    /// Whether the published threshold lies inside this run's interval; nil (absent from JSON) when
    /// the run's design differs from the published one (`ClaimVerdicts.designDifferences`).
    public let verdict: ClaimVerdict?
}

/// A published direction (sharp or gradual; larger models more or less sensitive) beside this run's.
public struct DirectionClaimVerdict: Sendable, Codable, Equatable {
    /// The direction the publication claims: true for "sharp" or "larger models are more sensitive".
    public let claimed: Bool
    /// The direction this run resolves; nil when it does not resolve one (absent from JSON).
    public let found: Bool?
    /// `found` against `claimed`; nil (absent from JSON) when the run's design differs from the
    /// published one (`ClaimVerdicts.designDifferences`).
    public let verdict: ClaimVerdict?
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
    /// Seeds behind each published estimate (`PublishedClaims.seeds`).
    public let publishedSeeds: Int
    /// The factor by which this run's threshold intervals are widened about the estimate for the
    /// published value's own noise (`replicationWidening`, at the intervals' confidence); nil
    /// with one seed.
    public let widening: Double?
    /// The published thresholds, in the claims' order.
    public let thresholds: [ThresholdClaimVerdict]
    /// The claim on the transition's shape against `Findings.sharpTransition`; nil when none is claimed.
    public let sharpTransition: DirectionClaimVerdict?
    /// The claim on model size against each group's sensitivity comparison; empty when none is
    /// claimed or no attack and defense has models of one kind in two sizes.
    public let largerModelsMoreSensitive: [SensitivityClaimVerdict]
    /// Every setting in which this run's design differs from the one the claims were published for
    /// (`PublishedClaims.design`); when there is one, no claim has a verdict: the claims stand beside
    /// this run's estimates, which answer another question. Nil (absent from JSON) when the designs match.
    public let designDifferences: [DesignDifference]?
}

/// How far a published threshold may lie from this run's estimate, in units of this run's interval
/// half-width on that side. With σ the per-seed spread, this run's estimate from `seeds` seeds has
/// standard error σ/√seeds and its interval at `intervalConfidence` a half-width of
/// t_{seeds-1, (1+intervalConfidence)/2} σ/√seeds (exact for a mean; the bootstrap's Student-t scale
/// approximates it for fitted quantities); the published estimate from `publishedSeeds` seeds has its
/// own standard error σ/√publishedSeeds, with σ read off this run. Their difference, over its standard
/// error σ √(1/seeds + 1/publishedSeeds) with σ estimated on seeds - 1 degrees of freedom, is a Student
/// t, so a faithful replication lies within t_{seeds-1, (1+confidence)/2} σ √(1/seeds + 1/publishedSeeds)
/// of this run's estimate with probability `confidence`. In half-widths that is
/// √(1 + seeds/publishedSeeds) times the ratio of the two t quantiles: √2 when both studies ran the
/// same seeds at the interval's own confidence; 3.8 × (2.02/2.78) = 2.8 for an adaptive study's 40 seeds
/// (intervals at 99.13%) against a paper's 3. One seed: no half-width, so nil.
public func replicationWidening(seeds: Int, publishedSeeds: Int, confidence: Double, intervalConfidence: Double) -> Double? {
    guard seeds >= 2, publishedSeeds >= 1 else { return nil }
    let df = Double(seeds - 1)
    let quantiles = studentTQuantile((1 + confidence) / 2, df: df) / studentTQuantile((1 + intervalConfidence) / 2, df: df)
    return quantiles * (1 + Double(seeds) / Double(publishedSeeds)).squareRoot()
}

/// The published thresholds a threshold estimate supports: its interval widened about the estimate
/// by `widening` on each side (`replicationWidening`: the published value's own noise), as
/// `thresholdVerdict` reads it. `centre` is the estimate (or, without one, the interval's middle);
/// `lower` and `upper` are the widened ends, nil where the interval is open (there every published
/// value beyond `centre` lies inside the interval, consistent but untested,
/// `ClaimVerdict.consistentUntested`) or where the end is withheld as imprecise (`placingFittedEnds`),
/// named in `withheld`: no verdict reads it, so a value on that side is not resolved, while the placed
/// end still decides on its own side (review r21z m3). Nil when the estimate supports nothing: no
/// interval, or no end placed (open or withheld at both).
public func supportedThresholds(_ estimate: Estimate, widening: Double)
    -> (centre: Double, lower: Double?, upper: Double?, withheld: IntervalEnd?)? {
    guard let interval = estimate.interval, interval.shownLower != nil || interval.shownUpper != nil else { return nil }
    let centre: Double
    if let value = estimate.value { centre = value }
    else if let lower = interval.lower, let upper = interval.upper { centre = (lower + upper) / 2 }
    else { return nil }
    return (centre, interval.shownLower.map { centre + widening * ($0 - centre) }, interval.shownUpper.map { centre + widening * ($0 - centre) },
            interval.isImprecise(.lower) ? .lower : interval.isImprecise(.upper) ? .upper : nil)
}

/// `published` against `estimate`'s interval, an estimate of a threshold. Not resolved without an
/// interval or when no end is placed (open or withheld at both). Otherwise contradicted when `published`
/// lies outside the interval widened about the estimate by `widening` on its side (`supportedThresholds`:
/// the published value's own noise), supported when inside on a bounded side. On an open side an
/// interval "a or more" holds every larger value, so a published value above the estimate is
/// consistent with the runs but untested (`consistentUntested`): nothing there could contradict it. On
/// a withheld side it is not resolved.
public func thresholdVerdict(published: Double, estimate: Estimate, widening: Double) -> ClaimVerdict {
    guard let range = supportedThresholds(estimate, widening: widening) else { return .notResolved }
    let side: IntervalEnd = published >= range.centre ? .upper : .lower
    guard let reach = side == .upper ? range.upper : range.lower else {
        return range.withheld == side ? .notResolved : .consistentUntested
    }
    return abs(published - range.centre) > abs(reach - range.centre) + 1e-12 ? .contradicted : .supported
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
/// names (`claimedSeries`, `statistics`), widened for the published value's noise at `confidence`
/// (the findings pass the intervals' own: one level for the whole claims table), the claimed shape against `sharpTransition`, the claim on
/// model size against each group of `sensitivity`. With `designDifferences` (this run's design against
/// the published one) no claim gets a verdict.
func claimVerdicts(_ claims: PublishedClaims, series: [SeriesDescription], statistics: StudyStatistics, confidence: Double,
                   sharpTransition: Bool?, sensitivity: [SensitivityComparison], designDifferences: [DesignDifference]) -> ClaimVerdicts {
    let widening = replicationWidening(seeds: statistics.seeds, publishedSeeds: claims.seeds, confidence: confidence,
                                       intervalConfidence: statistics.confidence)
    let thresholds = claims.thresholds.map { claim -> ThresholdClaimVerdict in
        guard let index = claimedSeries(claim.series, in: series) else {
            return ThresholdClaimVerdict(label: claim.series, series: nil, published: claim.fraction, estimate: nil,
                                         verdict: designDifferences.isEmpty ? .notResolved : nil)
        }
        let estimate = statistics.series[index].threshold
        let verdict = widening.map { thresholdVerdict(published: claim.fraction, estimate: estimate, widening: $0) } ?? .notResolved
        return ThresholdClaimVerdict(label: claim.series, series: index, published: claim.fraction, estimate: estimate,
                                     verdict: designDifferences.isEmpty ? verdict : nil)
    }
    /// A claimed direction against the one found, without its verdict when the designs differ.
    func direction(_ claimed: Bool, _ found: Bool?) -> DirectionClaimVerdict {
        let answer = directionVerdict(claimed: claimed, found: found)
        return designDifferences.isEmpty ? answer : DirectionClaimVerdict(claimed: claimed, found: found, verdict: nil)
    }
    let sizes = claims.largerModelsMoreSensitive.map { claimed in
        sensitivity.map { SensitivityClaimVerdict(attack: $0.attack, defense: $0.defense,
                                                  answer: direction(claimed, $0.largerModelsMoreSensitive)) }
    } ?? []
    return ClaimVerdicts(source: claims.source, publishedSeeds: claims.seeds, widening: widening, thresholds: thresholds,
                         sharpTransition: claims.sharpTransition.map { direction($0, sharpTransition) },
                         largerModelsMoreSensitive: sizes,
                         designDifferences: designDifferences.isEmpty ? nil : designDifferences)
}
