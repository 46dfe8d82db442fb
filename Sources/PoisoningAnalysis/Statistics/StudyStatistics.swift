import Foundation
import PoisoningEngine

/// A quantity compared between two series.
public enum ComparedQuantity: String, Sendable, Codable, CaseIterable {
    /// The critical threshold.
    case threshold
    /// Mean test accuracy at the smallest fraction.
    case cleanAccuracy
    /// Generalization gap at the largest fraction.
    case gapAtLargestFraction
}

/// The axis in which two compared series differ (they agree in the other two).
public enum SeriesAxis: String, Sendable, Codable {
    case model, attack, defense
}

/// The difference of a quantity between two series that differ in one axis: `other` minus `base`.
public struct SeriesDifference: Sendable, Codable, Equatable {
    /// The series subtracted (index; the earlier in study order).
    public let base: Int
    /// The other series.
    public let other: Int
    /// The axis they differ in.
    public let axis: SeriesAxis
    /// What is compared.
    public let quantity: ComparedQuantity
    /// Value of `other` minus value of `base`, with its paired-seed interval (see `censoredDifference`):
    /// a lower bound when `other`'s threshold lies beyond the largest swept fraction or `base`'s before
    /// the smallest, an upper bound the other way round; nil value when both lie beyond the same end
    /// or either is missing.
    public let difference: Estimate
    /// Whether the runs resolve the sign of the difference, each interval end read with its Monte
    /// Carlo error (`SignDecision`: an end must clear zero by two errors; within them, undetermined).
    public let decision: SignDecision
    /// For an unresolved difference: the seeds a study would need to resolve one of the study's
    /// smallest effect of interest (`PlanningSettings`); nil when resolved, a bound, or when the
    /// per-seed spread cannot be estimated.
    public let seedPlan: SeedPlan?

    /// The difference `other` minus `base` of `quantity` and its decision (by default read off `difference`).
    init(base: Int, other: Int, axis: SeriesAxis, quantity: ComparedQuantity, difference: Estimate, decision: SignDecision? = nil,
         seedPlan: SeedPlan?) {
        self.base = base
        self.other = other
        self.axis = axis
        self.quantity = quantity
        self.difference = difference
        self.decision = decision ?? SignDecision(difference)
        self.seedPlan = seedPlan
    }
}

/// The trend of the threshold with model size among the series of one attack and defense whose models
/// are of one kind (`thresholdTrendGroups`): the least-squares slope of the threshold against log2(parameter count), i.e. the change of the
/// threshold per doubling of the model.
public struct ThresholdTrend: Sendable, Codable, Equatable {
    /// Index of the attack.
    public let attack: Int
    /// Index of the defense.
    public let defense: Int
    /// The series, from the fewest to the most parameters.
    public let series: [Int]
    /// Slope (threshold fraction per doubling of parameters) and its interval; nil value when some
    /// threshold lies outside the swept fractions. The interval holds the replicates' slopes where a
    /// threshold lies outside them too, as a threshold difference's does (`trendReplicateRanges`): an
    /// end is unbounded where too many replicates have a threshold beyond the fractions on that side.
    public let slope: Estimate
    /// Why the slope has no value or no interval; absent when it has both.
    public let reason: String?
    /// Whether the runs resolve the slope's sign, each interval end read with its Monte Carlo error
    /// (`SignDecision`, as for a difference).
    public let decision: SignDecision
    /// For an unresolved trend: the seeds a study would need to resolve a slope of the smallest
    /// effect of interest per doubling of parameters; nil when resolved or not estimable.
    public let seedPlan: SeedPlan?

    /// The trend of `series` and its decision (by default read off `slope`; `studyStatistics` gives the one
    /// made on the pilot bootstrap, `SignDecision.init(_:pilot:)`).
    init(attack: Int, defense: Int, series: [Int], slope: Estimate, decision: SignDecision? = nil, reason: String?, seedPlan: SeedPlan?) {
        self.attack = attack
        self.defense = defense
        self.series = series
        self.slope = slope
        self.reason = reason
        self.decision = decision ?? SignDecision(slope)
        self.seedPlan = seedPlan
    }
}

/// The statistics of a study: how sure its quantities are, which differences its runs resolve, and
/// how many seeds would settle the rest.
public struct StudyStatistics: Sendable, Codable, Equatable {
    /// Confidence level of every interval.
    public let confidence: Double
    /// Bootstrap replicates drawn (the study's number, times 2 with at most 3 seeds and more with
    /// more seeds, rounded up to whole rays: `SeedBootstrap.drawnReplicates`).
    public let replicates: Int
    /// Seeds per setting.
    public let seeds: Int
    /// Test rows shared by every run (the Wilson intervals' n).
    public let testRows: Int
    /// The interval method, in a sentence (the analysis README documents it with its coverage).
    public let method: String
    /// Per series, in series order.
    public let series: [SeriesStatistics]
    /// Differences between series that differ in one axis.
    public let differences: [SeriesDifference]
    /// Threshold trends with model size, per (attack, defense, model kind) with models of at least two sizes.
    public let trends: [ThresholdTrend]

    /// The difference of `quantity` between the series `first` and `second` (in either order; it holds
    /// the later series minus the earlier one), or nil when the study does not compare them.
    public func difference(of quantity: ComparedQuantity, between first: Int, and second: Int) -> SeriesDifference? {
        differences.first { $0.quantity == quantity && Set([$0.base, $0.other]) == Set([first, second]) }
    }
}

/// The method sentence of `StudyStatistics` for a study of `seeds` seeds (`adaptiveLook`: a look of an
/// adaptive study, `studyStatistics`): with more than 3 seeds it says which ends a pilot bootstrap places
/// (`placingParameterEnds`, `placingFittedEnds`) and, outside an adaptive study, that the decisions are
/// read off it (`SignDecision.init(_:pilot:)`); with 3 or fewer, where no pilot is drawn, as before.
func intervalMethod(seeds: Int, adaptiveLook: Bool) -> String {
    guard seeds > 3 else { return intervalMethodBase + ", and an end of L, k, x0 or b it cannot place \"withheld\"." }
    return intervalMethodBase + (adaptiveLook
        ? ", and an end of L, k, x0 or b that a pilot bootstrap on the default stream cannot place \"withheld\" (an adaptive study's "
            + "thresholds, their differences and trends are not placed on it: at the looks' refits it would place none)."
        : ". A pilot bootstrap on the default stream places every end of a threshold, a threshold difference, a trend and L, k, "
            + "x0 and b: an end it cannot place (the upper 95% bound on its Monte Carlo error above 0.125 pp, for k 0.75% of the end) "
            + "is written \"withheld\", and whether a difference or trend is resolved is read off that pilot: each of its ends, "
            + "withheld or shown, against twice that bound (an end on the far side of zero from the estimate never counts). So the "
            + "ends withheld and the decisions are the same whatever the bootstrap stream, with two exceptions: a stream whose own "
            + "interval is not estimable shows none (and so no end withheld) and keeps the pilot's decision unless that is resolved, "
            + "and an interval shown (or none, beside a resolved pilot) that disagrees with the pilot on zero makes the decision "
            + "undetermined.")
}

/// The method sentence's common part (`intervalMethod`), up to what an end the error cannot decide is called.
private let intervalMethodBase = "Means (clean accuracy, gap) and their differences between series have exact Student-t intervals "
    + "(paired by seed). Fitted quantities come from a seed-level multiplier bootstrap with a Student-t scale (n - 1 degrees "
    + "of freedom): every replicate moves each mean by the same weight per seed, so series stay paired, and is refitted; the "
    + "bootstrap integrates along rays of seed weights (each replicate draws a direction of seed weights and averages "
    + "exactly along it, rather than drawing single weights), so that each interval end's Monte Carlo error (how far it "
    + "would move with another random stream of replicates) is small (it is recorded in results.json); an end whose "
    + "bound (bounded or open) that error cannot decide is written \"undetermined\""

/// Computes the study's statistics from its runs and central fits, one series after another, each
/// series' refits and intervals shared out among `threads` workers (a study of a few series keeps
/// them all busy; the same bytes for any `threads`). `adaptiveLook`: the study is a look of an
/// adaptive study (or provisional results), whose bootstrap draws `SeedBootstrap.adaptiveDrawsPerReplicate`
/// refits per replicate whatever the seeds; its thresholds, their differences and trends are not placed on
/// the pilot (`placingFittedEnds`): at 2 refits per replicate and the adjusted level the pilot places
/// none of them, so every look would be undetermined and the study would always spend its budget,
/// though their ends moved by at most 0.24 pp over 5 streams (`IntervalStabilityTests`). `pilotReplicates`: the replicates the pilot bootstrap asks
/// (`SeedBootstrap.pilot`; by default the analysis' own), the study's own where a look was analysed
/// again with more (`escalatingReplicates`), so that which parameter ends are shown does not depend
/// on how far the user's stream escalated.
public func studyStatistics(runs: [RunResult], fits: [SeriesFit], series: [SeriesDescription], config: StudyConfig,
                            testRows: Int, threads: Int, adaptiveLook: Bool = false, pilotReplicates: Int? = nil) -> StudyStatistics {
    let settings = config.analysis, planning = config.planning
    let bootstrap = config.seeds.count >= 2
        ? SeedBootstrap(seedCount: config.seeds.count, replicates: settings.replicates, seed: settings.bootstrapSeed,
                        perReplicate: adaptiveLook ? SeedBootstrap.adaptiveDrawsPerReplicate : nil, pilotReplicates: pilotReplicates) : nil
    let computed = fits.map { fit in
        seriesStatistics(fit: fit, runs: runs, fractions: config.fractions, seeds: config.seeds, testCount: testRows,
                         bootstrap: bootstrap, confidence: settings.confidence, threads: threads, placingThresholds: !adaptiveLook)
    }
    let perSeries = computed.map(\.0), replicates = computed.map(\.1)
    let seeds = config.seeds.count
    var differences = [SeriesDifference]()
    for (first, second, axis) in comparedSeriesPairs(series) {
        for quantity in ComparedQuantity.allCases {
            differences.append(difference(quantity, first, second, axis: axis, statistics: perSeries, replicates: replicates,
                                          seeds: seeds, resolution: 1 / Double(testRows), confidence: settings.confidence,
                                          planning: planning))
        }
    }
    let trends = thresholdTrends(series: series, modelKinds: config.modelKinds, statistics: perSeries, replicates: replicates,
                                 seeds: seeds, confidence: settings.confidence, planning: planning)
    return StudyStatistics(confidence: settings.confidence, replicates: bootstrap?.replicateCount ?? 0, seeds: seeds,
                           testRows: testRows, method: intervalMethod(seeds: seeds, adaptiveLook: adaptiveLook), series: perSeries,
                           differences: differences, trends: trends)
}

/// The pairs of series the statistics compare, in order: every pair (first < second) that differs
/// in one axis, with that axis. `studyStatistics` makes its differences of them, and an adaptive
/// study counts its comparisons by them before any run (`sequentialComparisonCount`).
public func comparedSeriesPairs(_ series: [SeriesDescription]) -> [(first: Int, second: Int, axis: SeriesAxis)] {
    series.indices.flatMap { first in
        series.indices.filter { $0 > first }.compactMap { second in
            singleDifferingAxis(series[first], series[second]).map { (first, second, $0) }
        }
    }
}

/// The one axis two series differ in; nil when they differ in more.
func singleDifferingAxis(_ a: SeriesDescription, _ b: SeriesDescription) -> SeriesAxis? {
    let differing = [(a.model != b.model, SeriesAxis.model), (a.attack != b.attack, .attack), (a.defense != b.defense, .defense)]
        .filter(\.0)
    return differing.count == 1 ? differing[0].1 : nil
}

/// The estimate of a quantity for one series.
private func observed(_ quantity: ComparedQuantity, _ statistics: SeriesStatistics) -> Estimate {
    switch quantity {
    case .threshold: statistics.threshold
    case .cleanAccuracy: statistics.cleanAccuracy
    case .gapAtLargestFraction: statistics.gapAtLargestFraction
    }
}

/// The per-seed values of a mean (clean accuracy or gap) for one series.
private func replicated(_ quantity: ComparedQuantity, _ replicates: SeriesReplicates) -> [Double?] {
    switch quantity {
    case .threshold: replicates.threshold.map { $0 }
    case .cleanAccuracy: replicates.cleanAccuracy
    case .gapAtLargestFraction: replicates.gap
    }
}

/// The standard error of a quantity from its bootstrap replicates, read off their quartiles so that a
/// few replicates beyond the range (a threshold outside the swept fractions) do not matter: for a scaled Student t
/// with n - 1 degrees of freedom the interquartile range is 2 t_{0.75, n-1} SE. Nil when a quartile is
/// infinite or undetermined, or when more than α/2 of the distribution is undefined, weighed as the
/// intervals weigh it (`ReplicateDesign.undefinedShare`: a plain count of NaN replicates over-weighs
/// a ray's tail radii, where thresholds leave the swept fractions, and refused the plan of a difference
/// whose interval the rays bound).
func quartileStandardError(_ replicates: [Double], design: ReplicateDesign, seeds: Int, confidence: Double) -> Double? {
    guard seeds >= 2, design.undefinedShare(replicates) <= (1 - confidence) / 2,
          let quartiles = design.interval(replicates, confidence: 0.5, reading: .endsAlone),
          let lower = quartiles.lower, let upper = quartiles.upper else { return nil }
    return (upper - lower) / (2 * studentTQuantile(0.75, df: Double(seeds - 1)))
}

/// Replicates of a quantity, with the range of the swept fractions at whose ends a threshold's are
/// censored (see `SeriesReplicates.threshold`).
typealias CensoredReplicates = (values: [Double], swept: ClosedRange<Double>)

/// The values a quantity may take, as (smallest, largest): (x, x) for a number x; from the upper end
/// of `swept` up for +infinity (a threshold beyond it), from the lower end down for -infinity; NaN
/// stays NaN.
private func possibleValues(_ x: Double, swept: ClosedRange<Double>) -> (low: Double, high: Double) {
    x == .infinity ? (swept.upperBound, .infinity) : x == -.infinity ? (-.infinity, swept.lowerBound) : (x, x)
}

/// The values an estimate allows, as (smallest, largest): the bound to infinity for a bound, NaN
/// without a value.
private func possibleValues(_ estimate: Estimate) -> (low: Double, high: Double) {
    guard let value = estimate.value else { return (.nan, .nan) }
    switch estimate.bound {
    case .lower?: return (value, .infinity)
    case .upper?: return (-.infinity, value)
    case nil: return (value, value)
    }
}

/// The values b - a may take for b and a in the given ranges; NaN when that is unbounded on both
/// sides (two thresholds beyond the same end of the swept fractions: no sign) or either is NaN.
private func possibleDifference(_ b: (low: Double, high: Double), _ a: (low: Double, high: Double)) -> (low: Double, high: Double) {
    let low = b.low - a.high, high = b.high - a.low
    return low == -.infinity && high == .infinity ? (.nan, .nan) : (low, high)
}

/// `other` minus `base`, paired by bootstrap replicate, for quantities known only as bounds where a
/// threshold lies outside the swept fractions (an estimate bounded at the end it lies beyond, a
/// replicate at ±infinity, replaced by that end of the range). The estimate is the difference when
/// both are numbers; a bound when one is censored, the end of the swept range standing in for it
/// (`other` beyond the largest fraction: a lower bound, as is `base` before the smallest; the
/// reverse an upper bound); none when both lie beyond the same end or either is missing. The
/// interval runs from the α/2 quantile of the replicates' smallest possible differences to the
/// 1 - α/2 quantile of their largest, so it holds the percentile interval of the differences
/// whatever the censored values are (it is that interval when nothing is censored); a replicate in
/// which both lie beyond the same end has no sign and, like any undefined replicate, is left out
/// (more than α/2 of them: no interval). Also returns the replicates' differences, ±infinity where
/// only a lower (upper) bound is known and NaN where nothing is, for the seed planning.
func censoredDifference(_ other: Estimate, _ base: Estimate, replicates: (other: CensoredReplicates, base: CensoredReplicates)?,
                        design: ReplicateDesign, confidence: Double) -> (Estimate, [Double]) {
    let point = possibleDifference(possibleValues(other), possibleValues(base))
    var interval: Interval?, differences = [Double]()
    if let replicates {
        (interval, differences) = censoredInterval(differenceRanges(replicates), design: design, confidence: confidence)
    }
    let estimate = switch (point.low.isFinite, point.high.isFinite) {
    case (true, true): Estimate.fitted(value: point.low, interval: interval)
    case (true, false): Estimate(value: point.low, interval: interval, bound: .lower)
    case (false, true): Estimate(value: point.high, interval: interval, bound: .upper)
    case (false, false): Estimate(value: nil, interval: interval)
    }
    return (estimate, differences)
}

/// Per replicate, the values `other` minus `base` may take (`possibleDifference`).
private func differenceRanges(_ replicates: (other: CensoredReplicates, base: CensoredReplicates)) -> [(low: Double, high: Double)] {
    zip(replicates.other.values, replicates.base.values).map {
        possibleDifference(possibleValues($0, swept: replicates.other.swept), possibleValues($1, swept: replicates.base.swept))
    }
}

/// The difference of `quantity` between two series: for a mean (clean accuracy, gap) the exact paired
/// t interval over the seeds both finished (`pairedMeanDifference`); for the threshold paired by
/// replicate (see `censoredDifference`), with seeds planned only for a difference that is measured,
/// not bounded, from the replicates' quartiles (`quartileStandardError`). With more than 3 seeds a
/// threshold difference's ends are placed on the pilot's replicates (`placingFittedEnds`).
private func difference(_ quantity: ComparedQuantity, _ base: Int, _ other: Int, axis: SeriesAxis, statistics: [SeriesStatistics],
                        replicates: [SeriesReplicates?], seeds: Int, resolution: Double, confidence: Double,
                        planning: PlanningSettings) -> SeriesDifference {
    if quantity != .threshold {
        return pairedMeanDifference(quantity, base, other, axis: axis, statistics: statistics, replicates: replicates,
                                    resolution: resolution, confidence: confidence, planning: planning)
    }
    let paired = replicates[other].flatMap { b in replicates[base].map { a in ((b.threshold, b.swept), (a.threshold, a.swept)) } }
    let (measured, differences) = censoredDifference(observed(quantity, statistics[other]), observed(quantity, statistics[base]),
                                                     replicates: paired, design: replicates[other]?.design ?? .monteCarlo(blocks: 1),
                                                     confidence: confidence)
    let pilot = replicates[other]?.pilot.flatMap { b in replicates[base]?.pilot.map { a in
        censoredDifference(observed(quantity, statistics[other]), observed(quantity, statistics[base]),
                           replicates: ((b.threshold, b.swept), (a.threshold, a.swept)), design: b.design, confidence: confidence).0
    } }
    let estimate = pilot.map { placingFittedEnds(measured, pilot: $0.interval) } ?? measured
    let decision = SignDecision(estimate, pilot: pilot)
    let plan = decision == .resolved || estimate.bound != nil || estimate.value == nil ? nil
        : quartileStandardError(differences, design: paired.map { _ in replicates[other]!.design } ?? .monteCarlo(blocks: 1),
                                seeds: seeds, confidence: confidence).map {
            SeedPlan(effect: planning.effect, power: planning.power, sigma: $0 * Double(seeds).squareRoot(),
                     degreesOfFreedom: seeds - 1, confidence: confidence)
        }
    return SeriesDifference(base: base, other: other, axis: axis, quantity: quantity, difference: estimate, decision: decision,
                            seedPlan: plan)
}

/// The difference of a mean (clean accuracy or gap) between two series, `other` minus `base`, with
/// the exact paired t interval of the per-seed differences over the seeds both finished (spread raised
/// to one test row, `studentTInterval`) and seeds planned from the spread of those differences.
private func pairedMeanDifference(_ quantity: ComparedQuantity, _ base: Int, _ other: Int, axis: SeriesAxis,
                                  statistics: [SeriesStatistics], replicates: [SeriesReplicates?], resolution: Double,
                                  confidence: Double, planning: PlanningSettings) -> SeriesDifference {
    let values = { (statistics: SeriesStatistics) in observed(quantity, statistics).value }
    let value = values(statistics[other]).flatMap { b in values(statistics[base]).map { b - $0 } }
    var interval: Interval?, plan: SeedPlan?
    if let b = replicates[other].map({ replicated(quantity, $0) }), let a = replicates[base].map({ replicated(quantity, $0) }) {
        let differences = zip(b, a).map { pair -> Double? in pair.0.flatMap { b in pair.1.map { b - $0 } } }
        interval = studentTInterval(differences, resolution: resolution, confidence: confidence)
        if let interval, value != nil, !interval.excludes(0), let spread = pairedSpread(b, a, resolution: resolution) {
            plan = SeedPlan(effect: planning.effect, power: planning.power, sigma: spread.sigma, degreesOfFreedom: spread.degrees,
                            confidence: confidence)
        }
    }
    return SeriesDifference(base: base, other: other, axis: axis, quantity: quantity, difference: Estimate(value: value, interval: interval),
                            seedPlan: plan)
}

/// σ of a paired difference of means and its degrees of freedom: the sample standard deviation of the
/// per-seed differences (seeds where both runs finished), at least `resolution` (one test row: seeds
/// that agree exactly do not prove a zero spread); nil with fewer than two pairs.
func pairedSpread(_ other: [Double?], _ base: [Double?], resolution: Double) -> (sigma: Double, degrees: Int)? {
    let differences = zip(other, base).compactMap { pair in pair.0.flatMap { value in pair.1.map { value - $0 } } }
    guard differences.count >= 2 else { return nil }
    return (max(MeanStd(of: differences).std, resolution), differences.count - 1)
}

/// The interval of a quantity known per replicate as a range (low, high) of possible values: from the
/// α/2 quantile of the lows to the 1 - α/2 quantile of the highs, with each end's Monte Carlo error and
/// undetermined ends; and per replicate the value, ±infinity where only a lower (upper) bound is
/// known, NaN where nothing is (for the seed planning). Shared by threshold differences and trends.
func censoredInterval(_ ranges: [(low: Double, high: Double)], design: ReplicateDesign,
                      confidence: Double) -> (Interval?, [Double]) {
    var interval: Interval?
    if let lower = design.interval(ranges.map(\.low), confidence: confidence, reading: .only(.lower)),
       let upper = design.interval(ranges.map(\.high), confidence: confidence, reading: .only(.upper)) {
        let errors = EndErrors(lower: lower.monteCarloError?.lower, upper: upper.monteCarloError?.upper)
        interval = Interval(lower: lower.lower, upper: upper.upper,
                            monteCarloError: errors.lower == nil && errors.upper == nil ? nil : errors,
                            undetermined: (lower.isUndetermined(.lower) ? [.lower] : []) + (upper.isUndetermined(.upper) ? [.upper] : []))
    }
    let values = ranges.map { $0.low == $0.high ? $0.low : $0.high == .infinity ? .infinity : $0.low == -.infinity ? -.infinity : .nan }
    return (interval, values)
}

/// The least-squares slope of y on x.
private func slope(_ x: [Double], _ y: [Double]) -> Double {
    let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
    let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
    let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    return sxy / sxx
}

/// The groups that have a threshold trend: the series of one attack, one defense and one model kind
/// (`modelKinds[model]`) with models of at least two sizes, by model size, the groups ordered by
/// attack, defense and first model. Sizes are compared within a kind only: a logistic regression and
/// an MLP differ in more than their parameter count.
func thresholdTrendGroups(_ series: [SeriesDescription], modelKinds: [String]) -> [[Int]] {
    let groups = Dictionary(grouping: series.indices) { TrendGroupKey(attack: series[$0].attack, defense: series[$0].defense,
                                                                      kind: modelKinds[series[$0].model]) }
    return groups.values.map { $0.sorted { (series[$0].parameterCount, $0) < (series[$1].parameterCount, $1) } }
        .filter { members in Set(members.map { series[$0].parameterCount }).count >= 2 }
        .sorted { first, second in
            let (a, b) = (series[first[0]], series[second[0]])
            return (a.attack, a.defense, first.map { series[$0].model }.min()!) < (b.attack, b.defense, second.map { series[$0].model }.min()!)
        }
}

/// What the series of one threshold trend share.
private struct TrendGroupKey: Hashable {
    let attack: Int
    let defense: Int
    let kind: String
}

/// The values the slope Σ c_i y_i (c_i = (x_i - x̄) / Σ (x_j - x̄)², the least-squares weights) may take
/// in one replicate whose thresholds `y` lie in `swept`, as (smallest, largest): a threshold beyond an
/// end of the swept fractions (±infinity) bounds its term by that end on one side only; NaN when a
/// threshold is undefined or the slope is unbounded on both sides (no sign).
func possibleSlope(_ y: [Double], weights: [Double], swept: [ClosedRange<Double>]) -> (low: Double, high: Double) {
    guard !y.contains(where: \.isNaN) else { return (.nan, .nan) }
    let (low, high) = contrastRange(weights: weights) { possibleValues(y[$0], swept: swept[$0]) }
    return low == -.infinity && high == .infinity ? (.nan, .nan) : (low, high)
}

/// The least-squares weights c_i = (x_i - x̄) / Σ (x_j - x̄)² of a slope on `x`: the slope is Σ c_i y_i.
func leastSquaresWeights(_ x: [Double]) -> [Double] {
    let mean = x.reduce(0, +) / Double(x.count)
    let spread = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return x.map { ($0 - mean) / spread }
}

/// Whether `thresholds` leave the contrast Σ c_i y_i (`weights`; -1 and 1 for a difference of two
/// series, `leastSquaresWeights` for a trend) no sign because of where they lie: it is unbounded on
/// both sides, as with two thresholds beyond the same end of the swept fractions. A threshold counts
/// as beyond the sweep only when its whole interval lies beyond it (`possibleValuesBeyondSweep`), not when only
/// its central estimate does: an interval reaching inside the sweep says more seeds may still place
/// it there. Such a contrast waits for a wider sweep, not for more seeds. False when a threshold is
/// missing (an unfitted series: more seeds may fit it).
public func thresholdsLeaveNoSign(_ thresholds: [Estimate], weights: [Double]) -> Bool {
    // A missing threshold (NaN) makes the range NaN, which is not unbounded both ways.
    let range = contrastRange(weights: Array(weights.prefix(thresholds.count))) { possibleValuesBeyondSweep(thresholds[$0]) }
    return range.low == -.infinity && range.high == .infinity
}

/// The values a threshold allows for the beyond-the-sweep stop, as (smallest, largest): the bound to
/// infinity for a bound whose interval lies wholly on its side of it (the lower end at or above a
/// lower bound, the upper end at or below an upper bound), else the value alone (an interval that
/// reaches inside the sweep, or has no end there, counts the threshold as inside); NaN without a value.
private func possibleValuesBeyondSweep(_ estimate: Estimate) -> (low: Double, high: Double) {
    guard let value = estimate.value else { return (.nan, .nan) }
    switch estimate.bound {
    case .lower?:
        guard let lower = estimate.interval?.lower, lower >= value else { return (value, value) }
        return (value, .infinity)
    case .upper?:
        guard let upper = estimate.interval?.upper, upper <= value else { return (value, value) }
        return (-.infinity, value)
    case nil: return (value, value)
    }
}

/// The smallest and largest values of the contrast Σ c_i y_i (`weights`) when each y_i may lie
/// anywhere in `range(i)`: each term takes the end of its range its weight's sign makes smallest,
/// then largest (terms of weight 0 left out, their range not asked for).
func contrastRange(weights: [Double], range: (Int) -> (low: Double, high: Double)) -> (low: Double, high: Double) {
    var low = 0.0, high = 0.0
    for (i, c) in weights.enumerated() where c != 0 {
        let values = range(i)
        low += c > 0 ? c * values.low : c * values.high
        high += c > 0 ? c * values.high : c * values.low
    }
    return (low, high)
}

/// Per replicate, the smallest and largest slope its thresholds allow (`possibleSlope`); the slope
/// itself, as `slope` computes it, where every threshold lies within the swept fractions.
func trendReplicateRanges(sizes: [Double], replicates: [SeriesReplicates]) -> [(low: Double, high: Double)] {
    let weights = leastSquaresWeights(sizes), swept = replicates.map(\.swept)
    let count = replicates.first?.threshold.count ?? 0
    return (0..<count).map { r in
        let y = replicates.map { $0.threshold[r] }
        if y.allSatisfy(\.isFinite) {
            let value = slope(sizes, y)
            return (value, value)
        }
        return possibleSlope(y, weights: weights, swept: swept)
    }
}

/// The threshold trend of every group of `thresholdTrendGroups` (one attack, defense and model kind
/// with at least two sizes). Its interval runs from the α/2 quantile of the replicates' smallest possible slopes to the 1 - α/2
/// quantile of their largest (`trendReplicateRanges`; the percentile interval of the slopes when no
/// threshold is censored), as a threshold difference's does; the seed plan reads the quartiles of the
/// slopes, ±infinity where only one side is bounded. With more than 3 seeds the slope's ends are
/// placed on the pilot's replicates (`placingFittedEnds`).
private func thresholdTrends(series: [SeriesDescription], modelKinds: [String], statistics: [SeriesStatistics],
                             replicates: [SeriesReplicates?], seeds: Int, confidence: Double, planning: PlanningSettings) -> [ThresholdTrend] {
    thresholdTrendGroups(series, modelKinds: modelKinds).map { members in
        let sizes = members.map { log2(Double(series[$0].parameterCount)) }
        // A threshold known only as a bound (outside the swept fractions) leaves the slope unmeasured.
        let thresholds = members.map { statistics[$0].threshold }
        let value = thresholds.allSatisfy { $0.value != nil && $0.bound == nil } ? slope(sizes, thresholds.map { $0.value! }) : nil
        var interval: Interval?, slopes = [Double]()
        let memberReplicates = members.compactMap { replicates[$0] }
        if memberReplicates.count == members.count, let design = memberReplicates.first?.design {
            let ranges = trendReplicateRanges(sizes: sizes, replicates: memberReplicates)
            (interval, slopes) = censoredInterval(ranges, design: design, confidence: confidence)
        }
        let pilots = memberReplicates.compactMap(\.pilot)
        let pilot = pilots.count == members.count && !pilots.isEmpty
            ? Estimate.fitted(value: value, interval: censoredInterval(trendReplicateRanges(sizes: sizes, replicates: pilots),
                                                                       design: pilots[0].design, confidence: confidence).0)
            : nil
        let measured = Estimate.fitted(value: value, interval: interval)
        let estimate = pilot.map { placingFittedEnds(measured, pilot: $0.interval) } ?? measured
        let decision = SignDecision(estimate, pilot: pilot)
        let plan = decision == .resolved || value == nil ? nil
            : quartileStandardError(slopes, design: memberReplicates.first?.design ?? .monteCarlo(blocks: 1), seeds: seeds,
                                    confidence: confidence).map {
                SeedPlan(effect: planning.effect, power: planning.power, sigma: $0 * Double(seeds).squareRoot(),
                         degreesOfFreedom: seeds - 1, confidence: confidence)
            }
        let share = confidenceText((1 - confidence) / 2)
        let reasons = [value == nil ? "a threshold lies outside the swept fractions, so the slope is not measured" : nil,
                       interval != nil ? nil : seeds < 2 ? "one seed: no interval"
                        : "in more than \(share) of the bootstrap replicates a threshold is unfitted, or thresholds beyond both "
                            + "ends of the swept fractions leave the slope no sign"].compactMap { $0 }
        return ThresholdTrend(attack: series[members[0]].attack, defense: series[members[0]].defense, series: members,
                              slope: estimate, decision: decision, reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "), seedPlan: plan)
    }
}
