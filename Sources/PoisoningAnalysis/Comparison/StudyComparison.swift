import Foundation
import PoisoningEngine

/// One metric at one (series, fraction) in both studies, and whether they differ beyond seed noise.
public struct PointComparison: Sendable, Codable, Equatable {
    /// The series label.
    public let series: String
    /// The poison fraction.
    public let fraction: Double
    /// The metric key, e.g. "testAccuracy".
    public let metric: String
    /// Mean and std over seeds in the first and the second study, and their seed counts.
    public let first: MeanStd
    public let firstCount: Int
    public let second: MeanStd
    public let secondCount: Int
    /// Second mean minus first mean, with its Welch interval (nil with fewer than two seeds on a side).
    public let difference: Estimate
    /// Welch's two-sided p-value for equal means; nil without an interval.
    public let p: Double?
    /// Whether the interval excludes zero.
    public let exceedsSeedNoise: Bool
}

/// A fitted quantity of one series in both studies.
public struct FitComparison: Sendable, Codable, Equatable {
    /// The series label.
    public let series: String
    /// "threshold", "steepness", "midpoint" or "cleanAccuracy".
    public let quantity: String
    /// The quantity in each study analysed alone, with its interval: the numbers of that study's own
    /// report at the same confidence (see `compareStudies`).
    public let first: Estimate
    public let second: Estimate
    /// Second minus first: for the clean accuracy (a mean) with Welch's interval over the two
    /// studies' seeds; for a fitted quantity with the interval of the difference of independent draws
    /// from the two studies' ray bootstraps (`independentDifference`; each end with its Monte Carlo
    /// error), and for thresholds outside the swept fractions a bound or no value, as between the
    /// series of one study (see `SeriesDifference.difference`).
    public let difference: Estimate
    /// Whether the runs resolve its sign, with the ends' Monte Carlo errors in mind (`SignDecision`).
    public let decision: SignDecision
    /// Whether `decision` is `resolved`.
    public let resolved: Bool
    /// The difference on the default bootstrap stream (the pilot) on which `decision` was made, where either
    /// study has more than 3 seeds (`SignDecision.init(_:pilot:)`); absent otherwise.
    public let pilot: Estimate?

    /// A fitted quantity in both studies and their difference, with its decision (`SignDecision.init(_:pilot:)`:
    /// made on the default stream's difference `pilot` where either study has more than 3 seeds).
    init(series: String, quantity: String, first: Estimate, second: Estimate, difference: Estimate, pilot: Estimate? = nil) {
        self.series = series
        self.quantity = quantity
        self.first = first
        self.second = second
        self.difference = difference
        self.pilot = pilot
        decision = SignDecision(difference, pilot: pilot)
        resolved = decision == .resolved
    }
}

/// Whether the runs resolve the sign of a difference, its interval's ends read with their Monte Carlo
/// errors e in mind: resolved when an end excludes zero by more than 2e, on the side its bound allows
/// (a lower bound only as positive, an upper bound only as negative, so that no verdict contradicts
/// the bound); undetermined when no end does but an end that could lies within 2e of zero, or is
/// itself undetermined (`Interval.undetermined`); not resolved otherwise. An end withheld as imprecise
/// (`Interval.imprecise`) is not placed in this stream, so without a pilot it never resolves a sign and
/// leaves the decision undetermined where it could. Exact intervals (no error) are resolved or not.
/// With more than 3 seeds a study's decisions, and `compare`'s, are made on the pilot bootstrap
/// (`init(_:pilot:)`), so that they do not change with `--bootstrap-seed`. The one decision of
/// `compare`'s fits and of a study's own differences and trends (`SeriesDifference.decision`,
/// `ThresholdTrend.decision`), hence of its findings, its claims on model size and an adaptive study's
/// stopping rule.
public enum SignDecision: String, Sendable, Codable, Equatable {
    case resolved
    case notResolved = "not-resolved"
    case undetermined

    /// The decision for `estimate`, each end read with two of its own Monte Carlo errors.
    public init(_ estimate: Estimate) {
        self = Self.reading(estimate, errors: 2, readingWithheld: false)
    }

    /// The decision for a quantity whose interval in the user's stream is `estimate`'s, made on `pilot`
    /// alone: the same quantity read off the pilot bootstrap (`SeedBootstrap.pilot`, the default stream),
    /// so that it is a function of the runs and the design, the same for every `--bootstrap-seed`
    /// (review r21z M2: with seeds 6 to 9 a decision read off each stream's own error flipped between
    /// undetermined and not resolved; review r21m M1: with seeds 3 to 6 a stream whose own interval was
    /// not estimable fell back to its own rule). Each end of the pilot's interval, shown or withheld in
    /// the user's stream, is read against twice its error's upper 95% bound (`parameterEndErrorBound`
    /// times the pilot's error, as for placing it), so a withheld end far from zero leaves the decision
    /// not resolved, not undetermined (review r21m M2); an end on the side of zero its own estimate lies
    /// beyond (a lower end of a negative estimate, an upper end of a positive one: the interval contains
    /// the estimate) never resolves, so it never makes the decision undetermined. A pilot with no interval
    /// decides not resolved. The user's stream gives the interval shown, which differs from the pilot's by
    /// its Monte Carlo error; where the two disagree on zero, the bootstrap cannot tell, and the decision
    /// is undetermined rather than contradict the interval the report shows next to it: a pilot's
    /// resolved against a shown end on the pilot's side that does not lie beyond zero (or no interval),
    /// a pilot's not resolved against a shown end beyond zero. Where the end on the pilot's side is
    /// withheld in the user's stream, nothing shown contradicts the pilot, and its decision stands (the
    /// report's note on withheld ends says a decision reads them on the pilot). That happens only where an end lies near
    /// the edge of the pilot's band (review r21m saw it in none of 456 decisions over 15 designs), so it
    /// leaves the decisions of nearly every design the same in every stream. Without a pilot (3 seeds
    /// or fewer, an adaptive study's looks) `init(_:)`.
    public init(_ estimate: Estimate, pilot: Estimate?) {
        guard let pilot else {
            self.init(estimate)
            return
        }
        switch Self.reading(pilot, errors: 2 * parameterEndErrorBound, readingWithheld: true) {
        case .resolved:
            // The shown end on the pilot's side (its lower end above zero, or its upper end below it), where shown.
            let pilotAbove = estimate.bound != .upper && (pilot.interval?.lower).map { $0 > 0 } == true
            let shownAcross = pilotAbove ? (estimate.interval?.shownLower).map { $0 <= 0 } : (estimate.interval?.shownUpper).map { $0 >= 0 }
            self = estimate.interval == nil || shownAcross == true ? .undetermined : .resolved
        case .notResolved:
            // A shown end beyond zero: the stream's own ends read with no margin.
            self = Self.reading(estimate, errors: 0, readingWithheld: false) == .resolved ? .undetermined : .notResolved
        case .undetermined:
            self = .undetermined
        }
    }

    /// The decision for `estimate` with each end's margin `errors` times its Monte Carlo error;
    /// `readingWithheld`: a withheld end is read by its value like a shown one (on the pilot), else it
    /// counts as unplaced. An end on the far side of zero from an estimate that lies between it and zero
    /// never counts on the pilot (it cannot resolve: the estimate lies inside the interval), nor does an
    /// undetermined end there (bounded, it would lie beyond the estimate too, `Estimate.fitted`).
    private static func reading(_ estimate: Estimate, errors: Double, readingWithheld: Bool) -> SignDecision {
        guard let interval = estimate.interval else { return .notResolved }
        let margins = (lower: errors * (interval.monteCarloError?.lower ?? 0), upper: errors * (interval.monteCarloError?.upper ?? 0))
        let (useLower, useUpper) = (estimate.bound != .upper, estimate.bound != .lower)
        let (lower, upper) = readingWithheld ? (interval.lower, interval.upper) : (interval.shownLower, interval.shownUpper)
        if useLower, let lower, lower - margins.lower > 0 { return .resolved }
        if useUpper, let upper, upper + margins.upper < 0 { return .resolved }
        /// Whether an end could move across zero within its margin, or cannot be placed: undetermined or withheld.
        func unsure(_ end: Double?, margin: Double, _ side: IntervalEnd) -> Bool {
            if readingWithheld {
                if let value = estimate.value, estimate.bound == nil,
                   side == .lower ? value <= 0 && (end ?? value) <= value : value >= 0 && (end ?? value) >= value { return false }
            } else if interval.isImprecise(side) {
                return true
            }
            return end.map { margin > 0 && abs($0) <= margin } ?? interval.isUndetermined(side)
        }
        let undetermined = (useLower && unsure(interval.lower, margin: margins.lower, .lower))
            || (useUpper && unsure(interval.upper, margin: margins.upper, .upper))
        return undetermined ? .undetermined : .notResolved
    }
}

/// The point-wise flags in multiplicity context: how many points exceed seed noise, how many would by
/// chance if the studies agreed, and how many survive Holm's correction.
public struct PointwiseMultiplicity: Sendable, Codable, Equatable {
    /// Points with a Welch p-value (every metric at every common point with two seeds on each side).
    public let tested: Int
    /// Points whose interval excludes 0.
    public let beyondNoise: Int
    /// tested · (1 - confidence): the expected count if the studies agreed everywhere. The points
    /// share seeds (and a run's metrics are measured together), so the count varies more than a
    /// binomial one would, though its mean is the same.
    public let expectedByChance: Double
    /// Points rejected by Holm's step-down procedure at 1 - confidence (Holm 1979), which holds
    /// the family-wise error rate under any dependence between the points.
    public let holmRejected: Int
}

/// The overall test that the two studies measured the same thing.
public struct AgreementTest: Sendable, Codable, Equatable {
    /// How the statistic is made, in a sentence.
    public let method: String
    /// Points combined.
    public let points: Int
    /// Fisher's X = -2 Σ ln p_i.
    public let statistic: Double
    /// 2 · points.
    public let degreesOfFreedom: Int
    /// P(χ²_df > X): small when some points differ beyond seed noise.
    public let p: Double
}

/// Two studies compared point by point and fit by fit.
public struct StudyComparison: Sendable, Codable, Equatable {
    /// Confidence level of every interval.
    public let confidence: Double
    /// The equivalence margin of the pooled shifts' tests.
    public let margin: Double
    /// The two files' formats.
    public let formats: [String]
    /// Series and fractions both studies have.
    public let commonSeries: [String]
    public let commonFractions: [Double]
    /// Series or fractions only one study has, e.g. "series MLP 256 (second)", "fraction 60.0% (first)".
    public let unmatched: [String]
    /// The pooled seed-level shift of test accuracy over all common series (first, when there are
    /// several) and over each, with its equivalence test.
    public let pooledShifts: [PooledShift]
    /// Test accuracy, train accuracy and gap at every common point.
    public let points: [PointComparison]
    /// The count of points beyond seed noise, beside the count expected by chance.
    public let multiplicity: PointwiseMultiplicity
    /// Threshold, k, x0 and clean accuracy of every common series.
    public let fits: [FitComparison]
    /// Fisher's combination of the test-accuracy points' Welch p-values; nil without any. It assumes
    /// independent points, which shared seeds break: the pooled shifts are the test that respects them.
    public let agreement: AgreementTest?
    /// Whether the two studies have the same series, fractions, seeds and runs: a study compared with
    /// itself, whose "two" samples are one, so no test between them means anything.
    public let identicalRuns: Bool
    /// Runs of the first file that are also runs of the second (`sharedRunCount`: the same series,
    /// fraction, seed, settings and results), and the runs of each file. The tests treat the two files
    /// as independent samples; shared runs are one sample counted twice.
    public let sharedRuns: Int
    public let runCounts: [Int]
}

/// The metrics compared point by point.
private let comparedMetrics = [MetricKey.testAccuracy, MetricKey.trainAccuracy, MetricKey.generalizationGap]

/// Compares two studies on their common series and fractions. Pooled shifts: see `pooledShifts`.
/// Points: Welch's t interval for the difference of means (Welch 1947; Satterthwaite degrees of
/// freedom), counted against the number expected by chance and Holm's correction. Fits: each study
/// is analysed alone exactly as its own report analyses it (sigmoid fit, and the ray bootstrap with
/// the study's own replicates and bootstrap seed, `ComparableStudy.analysis`), so that where the
/// studies share their fractions its intervals at the report's confidence are the report's; the clean
/// accuracy's difference has Welch's interval; a fitted quantity's difference is read off the
/// distribution of the difference of independent draws from the two studies' ray bootstraps of
/// `replicates` replicates each, drawn on streams 2 `bootstrapSeed` + 1 and + 2
/// (`independentDifference`), with more than 3 seeds in either study its ends placed on the default
/// stream's difference as the report places its own (`placingFittedEnds`; k's limit 0.75% of the
/// largest k the end stands on, not of the difference's end),
/// and its sign decided with its ends' Monte Carlo errors in mind (`SignDecision`; with more than 3
/// seeds in either study on the default stream's difference, `SignDecision.init(_:pilot:)`).
/// Agreement: Fisher's method over the test-accuracy points, X = -2 Σ ln p_i ~ χ²_{2m} when the
/// studies agree and the points are independent; they are not (the points of one seed share its
/// effect), so it is indicative only.
public func compareStudies(_ first: ComparableStudy, _ second: ComparableStudy, confidence: Double, margin: Double = 0.02,
                           replicates: Int = 1000, bootstrapSeed: UInt64 = 0) -> StudyComparison {
    let series = first.seriesLabels.filter(second.seriesLabels.contains)
    let fractions = first.fractions.filter(second.fractions.contains)
    var unmatched = [String]()
    for (study, name, other) in [(first, "first", second), (second, "second", first)] {
        unmatched += study.seriesLabels.filter { !other.seriesLabels.contains($0) }.map { "series \($0) (only in the \(name))" }
        unmatched += study.fractions.filter { !other.fractions.contains($0) }.map { "fraction \(percent($0)) (only in the \(name))" }
    }
    var points = [PointComparison]()
    for label in series {
        for fraction in fractions {
            for metric in comparedMetrics {
                let a = values(first, label, fraction, metric), b = values(second, label, fraction, metric)
                guard !a.isEmpty, !b.isEmpty else { continue }
                points.append(welch(a, b, series: label, fraction: fraction, metric: metric, confidence: confidence,
                                    resolutions: metric == MetricKey.testAccuracy ? (first.testResolution, second.testResolution) : (0, 0)))
            }
        }
    }
    let fits = series.flatMap { label in
        compareFits(label, first.restricted(to: label, fractions: fractions), second.restricted(to: label, fractions: fractions),
                    confidence: confidence, replicates: replicates, bootstrapSeed: bootstrapSeed)
    }
    let tested = points.filter { $0.metric == MetricKey.testAccuracy }.compactMap(\.p)
    let agreement = tested.isEmpty ? nil : fisherCombination(tested)
    return StudyComparison(confidence: confidence, margin: margin, formats: [first.format, second.format], commonSeries: series,
                           commonFractions: fractions, unmatched: unmatched,
                           pooledShifts: pooledShifts(first, second, series: series, fractions: fractions, confidence: confidence,
                                                      margin: margin),
                           points: points, multiplicity: multiplicity(points, alpha: 1 - confidence), fits: fits, agreement: agreement,
                           identicalRuns: first.seriesLabels == second.seriesLabels && first.fractions == second.fractions
                               && first.seeds == second.seeds && first.runs == second.runs,
                           sharedRuns: sharedRunCount(first, second), runCounts: [first.runs.count, second.runs.count])
}

/// The flags of `points` beside the count expected at `alpha` and Holm's count.
func multiplicity(_ points: [PointComparison], alpha: Double) -> PointwiseMultiplicity {
    let pValues = points.compactMap(\.p)
    return PointwiseMultiplicity(tested: pValues.count, beyondNoise: points.filter(\.exceedsSeedNoise).count,
                                 expectedByChance: Double(pValues.count) * alpha, holmRejected: holmRejections(pValues, alpha: alpha))
}

/// Holm's step-down count: with the p-values ascending, p_(i) is rejected while p_(i) <= alpha / (m - i + 1).
func holmRejections(_ pValues: [Double], alpha: Double) -> Int {
    let sorted = pValues.sorted()
    return sorted.enumerated().prefix { index, p in p <= alpha / Double(sorted.count - index) }.count
}

/// The values of `metric` at (series, fraction) over the seeds that have it.
private func values(_ study: ComparableStudy, _ series: String, _ fraction: Double, _ metric: String) -> [Double] {
    guard let index = study.seriesLabels.firstIndex(of: series) else { return [] }
    return study.runs.filter { $0.series == index && $0.fraction == fraction }.compactMap { $0.countedMetric(metric) }
}

/// The scale of k that the `end` of a difference of k (second minus first) stands on, for `compare`'s limit
/// on it (`parameterEndRelativePrecision` of this scale): the largest |k| among the two estimates and the
/// studies' own ends the end is made of (the second's lower and the first's upper end at the lower end;
/// the second's upper and the first's lower at the upper). Not the difference's own end, which lies near 0
/// where the two k agree and so withheld such an end whatever its precision (review r21z m4).
func differenceKScale(_ end: IntervalEnd, first: Estimate, second: Estimate) -> Double {
    let ends = end == .lower ? [second.interval?.lower, first.interval?.upper] : [second.interval?.upper, first.interval?.lower]
    return ([first.value, second.value] + ends).compactMap { $0.map(abs) }.max() ?? 0
}

/// Welch's interval and p-value for mean(b) - mean(a) (see `WelchDifference`, each side's spread
/// raised to its entry of `resolutions`); neither with fewer than two values on a side.
private func welch(_ a: [Double], _ b: [Double], series: String, fraction: Double, metric: String,
                   confidence: Double, resolutions: (Double, Double)) -> PointComparison {
    let sa = MeanStd(of: a), sb = MeanStd(of: b)
    let welch = WelchDifference(a, b, resolutions: resolutions)
    let interval = welch?.interval(confidence: confidence)
    return PointComparison(series: series, fraction: fraction, metric: metric, first: sa, firstCount: a.count, second: sb,
                           secondCount: b.count, difference: Estimate(value: sb.mean - sa.mean, interval: interval), p: welch?.twoSidedP,
                           exceedsSeedNoise: interval?.excludes(0) == true)
}

/// Fisher's method: X = -2 Σ ln p_i on 2m degrees of freedom.
private func fisherCombination(_ pValues: [Double]) -> AgreementTest {
    let statistic = pValues.reduce(0) { $0 - 2 * log(max($1, .leastNonzeroMagnitude)) }
    let df = 2 * pValues.count
    return AgreementTest(method: "Fisher's method over the Welch p-values of test accuracy at every common point "
                            + "(it assumes independent points; the points of one seed share its effect, so it is indicative only)",
                         points: pValues.count, statistic: statistic, degreesOfFreedom: df,
                         p: chiSquareUpperTail(statistic, df: Double(df)))
}

/// Threshold, k, x0 and clean accuracy of one series in both studies.
private func compareFits(_ label: String, _ a: ComparableStudy, _ b: ComparableStudy, confidence: Double,
                         replicates: Int, bootstrapSeed: UInt64) -> [FitComparison] {
    let (sa, seedsA) = a.analysedSeries(confidence: confidence, replicates: a.analysis.replicates, bootstrapSeed: a.analysis.bootstrapSeed)
    let (sb, seedsB) = b.analysedSeries(confidence: confidence, replicates: b.analysis.replicates, bootstrapSeed: b.analysis.bootstrapSeed)
    /// The two studies' replicates on the streams of `seed`.
    func drawn(_ seed: UInt64) -> (a: SeriesReplicates?, b: SeriesReplicates?) {
        (a.analysedSeries(confidence: confidence, replicates: replicates, bootstrapSeed: 2 * seed + 1).1,
         b.analysedSeries(confidence: confidence, replicates: replicates, bootstrapSeed: 2 * seed + 2).1)
    }
    let (ra, rb) = drawn(bootstrapSeed)
    // With more than 3 seeds in either study, each end is placed on the pilot's difference (the
    // default stream's; this one's when it is that stream), as the report places its own
    // (`placingFittedEnds`): which ends are shown does not depend on --bootstrap-seed.
    let placed = max(a.seeds.count, b.seeds.count) > 3
    let pilot = placed && bootstrapSeed != SeedBootstrap.pilotSeed ? drawn(SeedBootstrap.pilotSeed) : nil
    let fitted: [(String, (SeriesStatistics) -> Estimate, (SeriesReplicates) -> [Double], parameter: Int?)] = [
        ("threshold", \.threshold, \.threshold, nil), ("steepness", \.steepness, \.steepness, 1), ("midpoint", \.midpoint, \.midpoint, 2),
    ]
    let fits = fitted.map { name, estimate, replicated, parameter in
        /// The difference read off the replicates `ra` and `rb` (none without both).
        func difference(_ ra: SeriesReplicates?, _ rb: SeriesReplicates?) -> Estimate {
            var pair: (other: RayReplicates, base: RayReplicates)?
            if let rb, let ra, let other = rayReplicates(replicated(rb), rb), let base = rayReplicates(replicated(ra), ra) { pair = (other, base) }
            return independentDifference(estimate(sb), estimate(sa), replicates: pair, confidence: confidence)
        }
        var measured = difference(ra, rb)
        let pilotDifference = placed ? pilot.map { difference($0.a, $0.b) } ?? measured : nil
        if let pilotDifference, let interval = measured.interval {
            let pilotInterval = pilotDifference.interval
            let (ka, kb) = (estimate(sa), estimate(sb))
            measured = Estimate(value: measured.value,
                                interval: parameter == 1
                                    ? placingFittedEnds(interval, pilot: pilotInterval) { end, _ in
                                        parameterEndRelativePrecision * differenceKScale(end, first: ka, second: kb)
                                    }
                                    : placingFittedEnds(interval, pilot: pilotInterval), bound: measured.bound)
        }
        return FitComparison(series: label, quantity: name, first: estimate(sa), second: estimate(sb), difference: measured,
                             pilot: pilotDifference)
    }
    let cleanA = seedsA?.cleanAccuracy.compactMap { $0 } ?? [], cleanB = seedsB?.cleanAccuracy.compactMap { $0 } ?? []
    let welch = WelchDifference(cleanA, cleanB, resolutions: (a.testResolution, b.testResolution))
    let value = sb.cleanAccuracy.value.flatMap { b in sa.cleanAccuracy.value.map { b - $0 } }
    let clean = Estimate(value: value, interval: welch?.interval(confidence: confidence))
    return fits + [FitComparison(series: label, quantity: "cleanAccuracy", first: sa.cleanAccuracy, second: sb.cleanAccuracy,
                                 difference: clean)]
}

/// A series' replicates `values` of one quantity with their swept range and ray layout; nil for
/// replicates not laid out in rays.
private func rayReplicates(_ values: [Double], _ replicates: SeriesReplicates) -> RayReplicates? {
    guard case .rays(let layout) = replicates.design else { return nil }
    return RayReplicates(values: values, swept: replicates.swept, layout: layout)
}

extension ComparableStudy {
    /// The study cut down to one series (index 0) and the given fractions.
    fileprivate func restricted(to label: String, fractions kept: [Double]) -> ComparableStudy {
        let index = seriesLabels.firstIndex(of: label)!
        let kept = runs.filter { $0.series == index && kept.contains($0.fraction) }.map { run in
            RunResult(fraction: run.fraction, series: 0, seed: run.seed, poisonedCount: run.poisonedCount,
                      realisedFraction: run.realisedFraction, metrics: run.metrics, divergence: run.divergence, saturated: run.isSaturated)
        }
        return ComparableStudy(seriesLabels: [label], fractions: fractions.filter(kept.map(\.fraction).contains), seeds: seeds,
                               classCount: classCount, testCount: testCount, runs: kept, format: format, analysis: analysis,
                               runSettings: runSettings.isEmpty ? [] : [runSettings[index]], settings: settings)
    }

    /// The sigmoid fit and statistics of the study's single series, from the ray bootstrap, and its
    /// replicates (nil with fewer than two seeds).
    fileprivate func analysedSeries(confidence: Double, replicates: Int, bootstrapSeed: UInt64) -> (SeriesStatistics, SeriesReplicates?) {
        let points = aggregate(runs, fractions: fractions, seriesCount: 1)
        let fit = fitSeries(points, seriesCount: 1, classes: classCount)[0]
        let bootstrap = seeds.count >= 2
            ? SeedBootstrap(seedCount: seeds.count, replicates: replicates, seed: bootstrapSeed) : nil
        return seriesStatistics(fit: fit, runs: runs, fractions: fractions, seeds: seeds, testCount: testCount,
                                bootstrap: bootstrap, confidence: confidence, threads: 1)
    }
}
