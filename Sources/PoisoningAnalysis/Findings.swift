import Foundation
import PoisoningEngine

/// The study's answers for one series.
public struct SeriesFinding: Sendable, Codable, Equatable {
    /// Index of the series.
    public let series: Int
    /// Mean clean test accuracy at the smallest fraction.
    public let cleanAccuracy: Double?
    /// Critical threshold fraction; nil when it lies outside the swept fractions, is not reached or
    /// not fitted (`thresholdStatus` says which).
    public let threshold: Double?
    /// How the threshold was found.
    public let thresholdStatus: ThresholdStatus
    /// Fitted steepness k.
    public let steepness: Double?
    /// R² of the fit.
    public let rSquared: Double?
    /// Generalization gap (train on poisoned labels minus clean test) at the largest fraction.
    public let gapAtLargestFraction: MeanStd?
    /// What the runs say about the shape of the decline.
    public let shape: TransitionShape
}

/// The shape of a series' decline, as far as the runs resolve it (see `transitionShape`).
public enum TransitionShape: String, Sendable, Codable, Equatable {
    /// The sigmoid beats the simpler curves decisively and the lower end of k's interval exceeds the
    /// sharpness threshold.
    case sharp
    /// The runs do not decide: the curves' evidence ratio is short of `decisiveEvidenceRatio` either
    /// way, a simpler curve wins where the design could not have shown the sigmoid, k's interval
    /// reaches both sides of the sharpness threshold, the curves could not be compared (too few
    /// fractions for AICc) or k has no interval (one seed).
    case undecided
    /// A simpler curve beats the sigmoid decisively at a design that would have shown the fitted
    /// sigmoid, or the sigmoid wins decisively with the whole interval of k below the sharpness threshold.
    case gradual
    /// No sigmoid could be fitted.
    case noFit = "no-fit"
}

/// How the critical threshold changes with model size among the series of one attack, one defense and
/// one model kind.
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
    /// No fitted curve crosses its threshold within the swept fractions.
    case noCrossing
}

/// How thresholds change with model size among the series of one threshold trend (one attack, one
/// defense, models of one kind: `thresholdTrendGroups`).
public struct SensitivityComparison: Sendable, Codable, Equatable {
    /// Index of the attack.
    public let attack: Int
    /// Index of the defense.
    public let defense: Int
    /// The series compared, from the fewest to the most parameters.
    public let series: [Int]
    /// The order of their threshold estimates (point estimates only; thresholds outside the swept
    /// fractions order beyond every one within them, and tie with each other).
    public let trend: SensitivityTrend
    /// The first series without a threshold, when `trend` is `.missingThreshold`.
    public let unfittedSeries: Int?
    /// True when the threshold's slope against log2(model size) is resolved negative (larger
    /// models are more sensitive), false when resolved positive, nil when the runs do not resolve it.
    public let largerModelsMoreSensitive: Bool?
    /// Whether the runs resolve the direction: `largerModelsMoreSensitive` is set. `trend` orders the
    /// point estimates only, so a "decreasing" trend may be unresolved.
    public let resolved: Bool
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

/// What one defense did for one model and attack, against the same model and attack undefended.
public struct DefenseFinding: Sendable, Codable, Equatable {
    /// The defended series.
    public let series: Int
    /// The undefended series of the same model and attack.
    public let baseline: Int
    /// Threshold of the defended minus the undefended series, with its interval: a lower bound when
    /// the defended threshold lies beyond the largest swept fraction (or is not reached), the largest
    /// fraction standing in for it; an upper bound when the undefended one does; nil value when both
    /// do (see `SeriesDifference.difference`).
    public let thresholdShift: Estimate
    /// Whether the runs resolve the shift's sign (`SeriesDifference.decision`).
    public let shiftResolved: Bool
    /// Clean accuracy (smallest fraction) of the defended minus the undefended series: the cost.
    public let cleanAccuracyChange: Estimate
    /// Whether the runs resolve the cost's sign (`SeriesDifference.decision`).
    public let changeResolved: Bool
    /// The defense's detection AUROC (mean over seeds) at `Findings.comparisonBudget`; nil when it
    /// scores no rows, the study has no budget or its seeds are split in orientation there
    /// (`OrientationSplit`: no mean).
    public let aurocAtBudget: Double?
}

/// A metric's mean and spread over seeds for one series at one fraction.
public struct SeriesFractionValue: Sendable, Codable, Equatable {
    /// Index of the series.
    public let series: Int
    /// The poison fraction.
    public let fraction: Double
    /// The metric over seeds.
    public let value: MeanStd
}

/// An orientation-dependent detection metric whose seeds are split (`OrientationSplit`) for one
/// series at one fraction.
public struct SeriesFractionSplit: Sendable, Codable, Equatable {
    /// Index of the series.
    public let series: Int
    /// The poison fraction.
    public let fraction: Double
    /// The metric's `MetricKey`.
    public let metric: String
    /// How its seeds split.
    public let split: OrientationSplit
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
    /// Steepness above which a transition counts as sharp, per unit of the swept axis (1 = 100%).
    public let sharpSteepness: Double
    /// True when some series' transition is resolved as sharp; false when every series' decline is
    /// gradual; nil when the runs do not decide it for some series and none is sharp.
    public let sharpTransition: Bool?
    /// Whether the runs decide the transition's shape: `sharpTransition` is set.
    public let sharpTransitionResolved: Bool
    /// One comparison per (attack, defense) with at least two models.
    public let sensitivity: [SensitivityComparison]
    /// The attacks' own metrics at the largest fraction.
    public let attackMetrics: [AttackMetricFinding]
    /// The defenses' detection AUROC at the largest fraction, for every series that records it.
    public let detectionAUROC: [SeriesValue]
    /// Every (series, poisoned fraction) whose detection AUROC lies below 0.5 beyond seed noise (the t
    /// interval of its mean over seeds below 0.5): the scores rank the poisoned rows as clean, so the
    /// reversed score would find them; by series, then fraction.
    public let detectionBelowChance: [SeriesFractionValue]
    /// Every (series, positive fraction, orientation-dependent detection metric) whose seeds do not
    /// share one orientation (`OrientationSplit`): no mean is quoted for it anywhere; by series, then
    /// fraction. Nil when there is none.
    public let detectionSplits: [SeriesFractionSplit]?
    /// The budget at which attacks and defenses are compared: the positive swept fraction nearest
    /// 10% (the smaller on ties); nil when no fraction is positive.
    public let comparisonBudget: Double?
    /// Every defended series against its undefended twin (when the study has a `none` defense).
    public let defenses: [DefenseFinding]
    /// The study's published claims beside this run's estimates; nil when the study has none.
    public let claims: ClaimVerdicts?
}

/// Derives the findings from the fits, their statistics and the aggregated points of `series`, and
/// answers the study's published `claims` at the statistics' confidence (an adaptive study's last
/// look's adjusted one, so the claims table reads every column at one level), with verdicts
/// only when `designDifferences`, the study's design against the one the claims were published for, is empty.
public func findings(fits: [SeriesFit], statistics: StudyStatistics, points: [AggregatePoint], fractions: [Double],
                     series: [SeriesDescription], attackMetrics: [MetricInfo], claims: PublishedClaims? = nil,
                     designDifferences: [DesignDifference] = []) -> Findings {
    let sharpSteepness = 5.0
    let largest = fractions.max() ?? 0
    let atLargest = { (index: Int) in points.first { $0.series == index && $0.fraction == largest } }
    let perSeries = fits.map { fit in
        SeriesFinding(series: fit.series, cleanAccuracy: fit.cleanAccuracy, threshold: fit.threshold.fraction,
                      thresholdStatus: fit.threshold.status, steepness: fit.parameters?.steepness, rSquared: fit.rSquared,
                      gapAtLargestFraction: atLargest(fit.series)?.metric(MetricKey.generalizationGap),
                      shape: transitionShape(statistics.series[fit.series], sharpSteepness: sharpSteepness,
                                             thresholdStatus: fit.threshold.status, largestFraction: largest))
    }
    let shapes = perSeries.map(\.shape)
    let sharp: Bool? = shapes.contains(.sharp) ? true : shapes.allSatisfy { $0 == .gradual } ? false : nil
    /// The metric `key` at the largest fraction, for every series that records it.
    func valuesAtLargest(_ key: String) -> [SeriesValue] {
        series.indices.compactMap { index in atLargest(index)?.metric(key).map { SeriesValue(series: index, value: $0) } }
    }
    let budget = comparisonBudget(fractions)
    // A cell ranks the poisons as clean only when the t interval of its mean AUROC over seeds lies
    // below 0.5: a mean of 0.49 is a random score, not a reversed one.
    let belowChance = series.indices.flatMap { index in
        fractions.sorted().filter { $0 > 0 }.compactMap { fraction -> SeriesFractionValue? in
            guard let point = points.first(where: { $0.series == index && $0.fraction == fraction }),
                  let auroc = point.metric(MetricKey.detectionAUROC), point.runCount >= 2 else { return nil }
            let n = Double(point.runCount)
            let upper = auroc.mean + studentTQuantile((1 + statistics.confidence) / 2, df: n - 1) * auroc.std / n.squareRoot()
            return upper < 0.5 ? SeriesFractionValue(series: index, fraction: fraction, value: auroc) : nil
        }
    }
    let splits = series.indices.flatMap { index in
        fractions.sorted().filter { $0 > 0 }.flatMap { fraction -> [SeriesFractionSplit] in
            guard let point = points.first(where: { $0.series == index && $0.fraction == fraction }) else { return [] }
            return OrientationSplit.orientationDependentMetrics.compactMap { key in
                point.orientationSplit(key).map { SeriesFractionSplit(series: index, fraction: fraction, metric: key, split: $0) }
            }
        }
    }
    let sensitivity = compareSensitivity(fits, series: series, statistics: statistics)
    let verdicts = claims.map {
        claimVerdicts($0, series: series, statistics: statistics, confidence: statistics.confidence,
                      sharpTransition: sharp, sensitivity: sensitivity, designDifferences: designDifferences)
    }
    return Findings(
        largestFraction: largest, chanceAccuracy: fits.first?.chanceAccuracy ?? 0, series: perSeries,
        sharpSteepness: sharpSteepness, sharpTransition: sharp, sharpTransitionResolved: sharp != nil,
        sensitivity: sensitivity,
        attackMetrics: attackMetrics.map { AttackMetricFinding(metric: $0, values: valuesAtLargest($0.key)) }.filter { !$0.values.isEmpty },
        detectionAUROC: valuesAtLargest(MetricKey.detectionAUROC), detectionBelowChance: belowChance,
        detectionSplits: splits.isEmpty ? nil : splits, comparisonBudget: budget,
        defenses: defenseFindings(series: series, statistics: statistics, points: points, budget: budget), claims: verdicts)
}

/// The positive fraction nearest 10% (the smaller on ties), or nil when no fraction is positive.
func comparisonBudget(_ fractions: [Double]) -> Double? {
    fractions.filter { $0 > 0 }.min { abs($0 - 0.1) != abs($1 - 0.1) ? abs($0 - 0.1) < abs($1 - 0.1) : $0 < $1 }
}

/// Each defended series against the undefended series of the same model and attack, its detection
/// AUROC at `budget`.
private func defenseFindings(series: [SeriesDescription], statistics: StudyStatistics, points: [AggregatePoint],
                             budget: Double?) -> [DefenseFinding] {
    series.indices.compactMap { index in
        let defended = series[index]
        guard !defended.isUndefended, let baseline = series.indices.first(where: {
            series[$0].isUndefended && series[$0].model == defended.model && series[$0].attack == defended.attack
        }) else { return nil }
        /// The difference of `quantity`, defended minus undefended (the statistics store the later
        /// series minus the earlier one).
        func change(_ quantity: ComparedQuantity) -> (Estimate, Bool) {
            guard let d = statistics.difference(of: quantity, between: index, and: baseline) else {
                return (Estimate(value: nil, interval: nil), false)
            }
            return (d.other == index ? d.difference : d.difference.negated, d.decision == .resolved)
        }
        let (shift, shiftResolved) = change(.threshold), (cost, costResolved) = change(.cleanAccuracy)
        let auroc = points.first { $0.series == index && $0.fraction == budget }?.metric(MetricKey.detectionAUROC)?.mean
        return DefenseFinding(series: index, baseline: baseline, thresholdShift: shift, shiftResolved: shiftResolved,
                              cleanAccuracyChange: cost, changeResolved: costResolved, aurocAtBudget: auroc)
    }
}

/// The shape of a series' decline. k is per unit of the swept axis (1 = a poison fraction of 100%, or
/// one poison per clean row on a budget axis), on every axis alike. No shape is read from a fit whose
/// estimate of k or x0 lies at its bound (`shapeParametersAtBounds`: the data do not place the drop)
/// or whose curve never falls to its threshold (`thresholdStatus` not reached: there is no transition
/// to call sharp). Otherwise a claim needs the runs to tell the curves apart
/// (`CurveEvidence.distinguishesCurves`: the sigmoid's evidence ratio reaches `decisiveEvidenceRatio`,
/// or a simpler curve's does where the design could have shown the sigmoid): sharp when they favour
/// the sigmoid, the lower end of k's interval exceeds `sharpSteepness` and the fit is not poorly
/// identified (`isPoorlyIdentified`); gradual when k's whole interval lies at or below `sharpSteepness`,
/// or when a simpler curve wins. Undecided in every other case, including curves told apart with k's
/// interval on both sides of `sharpSteepness`. `largestFraction` sets the bound of x0.
func transitionShape(_ statistics: SeriesStatistics, sharpSteepness: Double, thresholdStatus: ThresholdStatus? = nil,
                     largestFraction: Double = 1) -> TransitionShape {
    guard statistics.steepness.value != nil else { return .noFit }
    if thresholdStatus == .notReached || !shapeParametersAtBounds(statistics, largestFraction: largestFraction).isEmpty {
        return .undecided
    }
    guard let evidence = statistics.curveEvidence, evidence.distinguishesCurves else { return .undecided }
    if evidence.sigmoidEvidenceRatio < 1 { return .gradual }
    if let lower = statistics.steepness.interval?.shownLower, lower > sharpSteepness {
        return isPoorlyIdentified(statistics) ? .undecided : .sharp
    }
    if let upper = statistics.steepness.interval?.shownUpper, upper <= sharpSteepness { return .gradual }
    return .undecided
}

/// The shape parameters ("k", "x0") whose estimate itself lies at a bound of the study's fit
/// (`SigmoidFitBounds.study(largestFraction:)`, `SigmoidFitBounds.reaches`): the data do not place the
/// drop, so the fit says nothing about its shape.
public func shapeParametersAtBounds(_ statistics: SeriesStatistics, largestFraction: Double) -> [String] {
    let bounds = SigmoidFitBounds.study(largestFraction: largestFraction)
    return [("k", statistics.steepness.value, 1), ("x0", statistics.midpoint.value, 2)].compactMap { name, value, index in
        guard let value, bounds.reaches(value, parameter: index) else { return nil }
        return name
    }
}

/// Whether the data barely determine a series' fit (the report's "poorly identified" caveat): a
/// parameter's estimate or interval reaches the fit's bounds, the curve starts above accuracy 1 (L + b
/// > 1), or more than `extrapolatedFloorShare` of its drop lies beyond the largest fraction.
public func isPoorlyIdentified(_ statistics: SeriesStatistics) -> Bool {
    !statistics.parametersAtBounds.isEmpty || (statistics.fittedCeiling ?? 0) > 1
        || (statistics.dropRemainingAtLargestFraction ?? 0) > extrapolatedFloorShare
}

/// For each threshold trend (an attack, a defense and models of one kind in at least two sizes:
/// `thresholdTrendGroups`): how thresholds change with the model's parameter count, and whether the
/// runs resolve it: the slope of the threshold against log2 of the size is resolved (`ThresholdTrend.decision`), or (when a
/// threshold outside the swept fractions leaves the slope unmeasured) every pair of models is
/// resolved in the same direction.
private func compareSensitivity(_ fits: [SeriesFit], series: [SeriesDescription],
                                statistics: StudyStatistics) -> [SensitivityComparison] {
    statistics.trends.map { statistic in
        let members = statistic.series
        // The sign of the resolved interval (the slope itself is unmeasured when a threshold lies outside the range).
        var verdict: Bool? = statistic.decision == .resolved ? (statistic.slope.interval?.upper ?? 0) < 0 : nil
        if verdict == nil, statistic.slope.value == nil {
            // The sign of every pair's threshold difference, larger model minus smaller, where resolved.
            let signs = statistics.differences.filter {
                $0.quantity == .threshold && members.contains($0.base) && members.contains($0.other)
            }.map { d -> Int? in
                guard d.decision == .resolved, let interval = d.difference.interval else { return nil }
                let positive = (interval.lower ?? -.infinity) > 0
                return (series[d.other].parameterCount > series[d.base].parameterCount) == positive ? 1 : -1
            }
            if !signs.isEmpty, !signs.contains(nil), Set(signs).count == 1 { verdict = signs[0] == -1 }
        }
        if let unfitted = members.first(where: { fits[$0].sensitivityKey == nil }) {
            return SensitivityComparison(attack: statistic.attack, defense: statistic.defense, series: members, trend: .missingThreshold,
                                         unfittedSeries: unfitted, largerModelsMoreSensitive: nil, resolved: false)
        }
        return SensitivityComparison(attack: statistic.attack, defense: statistic.defense, series: members,
                                     trend: trend(members.map { fits[$0].sensitivityKey! }), unfittedSeries: nil,
                                     largerModelsMoreSensitive: verdict, resolved: verdict != nil)
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
