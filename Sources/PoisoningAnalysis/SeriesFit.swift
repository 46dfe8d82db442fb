import PoisoningEngine

/// The descending-sigmoid fit of one series' mean clean test accuracy, and its critical threshold.
public struct SeriesFit: Sendable, Codable, Equatable {
    /// Index of the series.
    public let series: Int
    /// Mean test accuracy at the smallest swept fraction (the clean model when that fraction is 0).
    public let cleanAccuracy: Double?
    /// The fraction `cleanAccuracy` was measured at.
    public let cleanFraction: Double
    /// 1 / number of classes.
    public let chanceAccuracy: Double
    /// The fitted parameters; nil when the fit failed.
    public let parameters: SigmoidParameters?
    /// R² of the fit.
    public let rSquared: Double?
    /// Residual sum of squares of the fit.
    public let residualSumOfSquares: Double?
    /// Why there is no fit; nil when there is one.
    public let failure: String?
    /// Where the fitted curve falls to (clean + chance) / 2.
    public let threshold: CriticalThreshold
    /// The smallest fraction at which the attack's budget is saturated (`AggregatePoint.saturated`);
    /// the fit and the threshold use only the fractions below it. Nil when no budget is saturated.
    public let saturatedFrom: Double?

    /// The swept fractions the fit uses: those of `fractions` below `saturatedFrom`.
    public func fittedFractions(_ fractions: [Double]) -> [Double] {
        fractions.filter { fraction in saturatedFrom.map { fraction < $0 } ?? true }
    }

    /// The threshold as an order of sensitivity between series (smaller is more sensitive): the
    /// fraction within the swept fractions; +infinity when the curve falls to the target only beyond
    /// the largest or never; -infinity when it falls to it before the smallest or starts below it;
    /// nil without a fit or a target. Thresholds outside the swept fractions tie: the runs do not
    /// order them.
    public var sensitivityKey: Double? { threshold.censored(curve: parameters) }
}

/// Fits every series' mean test accuracy against the poison fraction (fractions whose runs all
/// diverged, and those at which the attack's budget is saturated, are left out) and solves its
/// critical threshold within the fractions fitted.
public func fitSeries(_ points: [AggregatePoint], seriesCount: Int, classes: Int) -> [SeriesFit] {
    let chance = 1 / Double(classes)
    return (0..<seriesCount).map { series in
        let all = points.filter { $0.series == series }.sorted { $0.fraction < $1.fraction }
        let saturatedFrom = all.first(where: \.saturated)?.fraction
        let curve = all.filter { point in saturatedFrom.map { point.fraction < $0 } ?? true }
        let measured = curve.compactMap { point in point.metric(MetricKey.testAccuracy).map { (point.fraction, $0.mean) } }
        let cleanFraction = curve.first?.fraction ?? 0
        let clean = curve.first?.metric(MetricKey.testAccuracy)?.mean
        let swept = (curve.first?.fraction ?? 0)...(curve.last?.fraction ?? 0)
        let bounds = SigmoidFitBounds.study(largestFraction: all.last?.fraction ?? 1)
        switch fitDescendingSigmoid(x: measured.map(\.0), y: measured.map(\.1), bounds: bounds) {
        case .failure(let error):
            return SeriesFit(series: series, cleanAccuracy: clean, cleanFraction: cleanFraction, chanceAccuracy: chance,
                             parameters: nil, rSquared: nil, residualSumOfSquares: nil, failure: error.description,
                             threshold: CriticalThreshold(target: clean.map { ($0 + chance) / 2 }, fraction: nil,
                                                          status: .noFit, reason: "no fit: \(error.description)",
                                                          extrapolatedFraction: nil),
                             saturatedFrom: saturatedFrom)
        case .success(let fit):
            let threshold = clean.map { criticalThreshold(of: fit.parameters, target: ($0 + chance) / 2, swept: swept) }
                ?? CriticalThreshold(target: nil, fraction: nil, status: .noFit,
                                     reason: "every run at the smallest fraction diverged, so there is no clean accuracy",
                                     extrapolatedFraction: nil)
            return SeriesFit(series: series, cleanAccuracy: clean, cleanFraction: cleanFraction, chanceAccuracy: chance,
                             parameters: fit.parameters, rSquared: fit.rSquared,
                             residualSumOfSquares: fit.residualSumOfSquares, failure: nil, threshold: threshold,
                             saturatedFrom: saturatedFrom)
        }
    }
}
