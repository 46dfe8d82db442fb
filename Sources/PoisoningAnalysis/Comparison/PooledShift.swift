import Foundation
import PoisoningEngine

/// What a pooled shift's interval and its equivalence test (TOST) say together, for a margin m and
/// a level alpha = 1 - confidence. "Resolved" means the confidence interval of the shift excludes 0;
/// "equivalent" means its (1 - 2 alpha) interval lies inside (-m, +m), i.e. both one-sided tests
/// reject a shift of -m or less and of +m or more at alpha (Schuirmann 1987).
public enum EquivalenceVerdict: String, Sendable, Codable, Equatable {
    /// Equivalent, and no shift resolved.
    case equivalent
    /// Equivalent, though a shift is resolved: the studies differ, by less than the margin.
    case differentButEquivalent
    /// The (1 - 2 alpha) interval lies wholly beyond +m or below -m: the shift exceeds the margin.
    case differentBeyondMargin
    /// A shift is resolved, and the (1 - 2 alpha) interval reaches past a margin without lying beyond it.
    case differentNotShownEquivalent
    /// Neither a shift is resolved nor equivalence shown: the runs cannot decide.
    case undecided

    /// The verdict from the shift's confidence interval, its (1 - 2 alpha) interval and the margin.
    init(interval: Interval, equivalenceInterval: Interval, margin: Double) {
        let resolved = interval.excludes(0)
        let (lower, upper) = (equivalenceInterval.lower ?? -.infinity, equivalenceInterval.upper ?? .infinity)
        if lower > -margin && upper < margin {
            self = resolved ? .differentButEquivalent : .equivalent
        } else if lower > margin || upper < -margin {
            self = .differentBeyondMargin
        } else {
            self = resolved ? .differentNotShownEquivalent : .undecided
        }
    }
}

/// Schuirmann's two one-sided tests of a shift against an equivalence margin.
public struct EquivalenceTest: Sendable, Codable, Equatable {
    /// The margin m: shifts inside (-m, +m) count as equivalent.
    public let margin: Double
    /// The level of each one-sided test, 1 - confidence.
    public let alpha: Double
    /// The shift's (1 - 2 alpha) Welch interval (90% at a confidence of 95%).
    public let interval: Interval
    /// The p-value of the test of H0: shift <= -m.
    public let pBelowMargin: Double
    /// The p-value of the test of H0: shift >= +m.
    public let pAboveMargin: Double
    /// What the test and the shift's confidence interval say together.
    public let verdict: EquivalenceVerdict
}

/// The shift of test accuracy between two studies pooled over common points, with the seed as the
/// unit: each seed's test accuracy averaged over the points, and Welch's interval for the difference
/// of the two studies' means of these seed averages.
public struct PooledShift: Sendable, Codable, Equatable {
    /// The series label, or nil for all common series together.
    public let series: String?
    /// The (series, fraction) points each seed average is taken over.
    public let points: Int
    /// Mean and std of the seed averages in the first and the second study, and how many seeds each
    /// has at every point (seeds missing a point are left out).
    public let first: MeanStd
    public let firstSeeds: Int
    public let second: MeanStd
    public let secondSeeds: Int
    /// Seeds left out for missing a point, in the first and the second study.
    public let seedsLeftOut: [Int]
    /// The floor each study's seed-level spread is raised to, first and second: one test row over the
    /// points (`WelchDifference`). A spread below it is set by the floor, not by the seeds.
    public let spreadFloors: [Double]
    /// Points at which the first study's mean is higher than the second's, and the reverse, beyond a
    /// relative 1e-12 (`isHigher`); the other points of `points` are ties.
    public let firstHigherPoints: Int
    public let secondHigherPoints: Int
    /// Second minus first, with its Welch interval at the comparison's confidence (nil with fewer
    /// than two seeds on a side).
    public let shift: Estimate
    /// Welch-Satterthwaite degrees of freedom; nil without an interval or when neither study's seed
    /// averages spread (the interval is then the point).
    public let degreesOfFreedom: Double?
    /// Welch's two-sided p-value for a shift of 0; nil without an interval.
    public let p: Double?
    /// The equivalence test against the margin; nil without an interval.
    public let equivalence: EquivalenceTest?
    /// Seeds per study at which, with the observed seed-level spreads plugged in as if known, the test
    /// would show equivalence with 80% power if the true shift were 0; nil without an interval or when
    /// more than 1,000 would be needed.
    public let seedsForEquivalence: Int?
    /// The same count at the two ends of the spread's χ² interval (`equivalenceSpreadInterval`): the
    /// fewest and the most seeds the runs allow; nil for more than 1,000 (or without an interval).
    public let fewestSeedsForEquivalence: Int?
    public let mostSeedsForEquivalence: Int?
    /// The count to lead with: at the spread's one-sided upper 80% bound (the upper end of its 60% χ²
    /// interval), so that it reaches at least 80% power in about 80% of the pilot outcomes that could
    /// have given this spread; nil for more than 1,000 (or without an interval).
    public let conservativeSeedsForEquivalence: Int?
}

/// The interval at `confidence` of the combined seed-level spread sqrt(s1² + s2²) taken as a sample
/// standard deviation on `degreesOfFreedom` (n1 + n2 - 2, a pooled-variance approximation):
/// √(ν s² / χ²_{1-α/2, ν}) to √(ν s² / χ²_{α/2, ν}).
func equivalenceSpreadInterval(spread: Double, degreesOfFreedom: Int, confidence: Double) -> (lower: Double, upper: Double) {
    let nu = Double(degreesOfFreedom), alpha = 1 - confidence
    return (spread * (nu / chiSquareQuantile(1 - alpha / 2, df: nu)).squareRoot(),
            spread * (nu / chiSquareQuantile(alpha / 2, df: nu)).squareRoot())
}

/// The pooled shift of test accuracy between two studies over all common series and then over each,
/// on the common `fractions`, with the equivalence test at `margin`; a scope in which a study has no
/// seed with test accuracy at every point is left out.
public func pooledShifts(_ first: ComparableStudy, _ second: ComparableStudy, series: [String], fractions: [Double],
                         confidence: Double, margin: Double) -> [PooledShift] {
    guard !series.isEmpty, !fractions.isEmpty else { return [] }
    let scopes: [String?] = series.count > 1 ? [nil] + series : series
    return scopes.compactMap { scope in
        let labels = scope.map { [$0] } ?? series
        let a = seedAverages(first, labels, fractions), b = seedAverages(second, labels, fractions)
        // A seed's average over P points moves by at least one test row at one point: 1 / (test rows × P).
        let points = labels.count * fractions.count
        return pooledShift(a, b, series: scope, points: points, confidence: confidence, margin: margin,
                           resolutions: (first.testResolution / Double(points), second.testResolution / Double(points)))
    }
}

/// Each seed's test accuracy averaged over the points (series `labels` × `fractions`), for the seeds
/// that have test accuracy at every point; the mean at each point over those seeds; and how many
/// seeds were left out.
func seedAverages(_ study: ComparableStudy, _ labels: [String], _ fractions: [Double])
    -> (averages: [Double], pointMeans: [Double], leftOut: Int) {
    // Each point by its position: series position × fraction count + fraction position.
    let seriesPositions = Dictionary(uniqueKeysWithValues: labels.compactMap(study.seriesLabels.firstIndex(of:)).enumerated().map { ($1, $0) })
    let fractionPositions = Dictionary(uniqueKeysWithValues: fractions.enumerated().map { ($1, $0) })
    let pointCount = seriesPositions.count * fractions.count
    var bySeed = [UInt64: [Double?]]()
    for run in study.runs {
        guard let s = seriesPositions[run.series], let f = fractionPositions[run.fraction],
              let value = run.metrics?[MetricKey.testAccuracy] else { continue }
        bySeed[run.seed, default: Array(repeating: nil, count: pointCount)][s * fractions.count + f] = value
    }
    let complete = study.seeds.compactMap { seed in bySeed[seed].flatMap { values in values.allSatisfy { $0 != nil } ? values.map { $0! } : nil } }
    let averages = complete.map { $0.reduce(0, +) / Double(pointCount) }
    let pointMeans = complete.isEmpty ? [] : (0..<pointCount).map { point in complete.reduce(0) { $0 + $1[point] } / Double(complete.count) }
    return (averages, pointMeans, study.seeds.count - complete.count)
}

/// The pooled shift from the two studies' seed averages; nil when a study has no seed with a value
/// at every point.
private func pooledShift(_ a: (averages: [Double], pointMeans: [Double], leftOut: Int),
                         _ b: (averages: [Double], pointMeans: [Double], leftOut: Int),
                         series: String?, points: Int, confidence: Double, margin: Double,
                         resolutions: (Double, Double)) -> PooledShift? {
    guard !a.averages.isEmpty, !b.averages.isEmpty else { return nil }
    let first = MeanStd(of: a.averages), second = MeanStd(of: b.averages)
    let welch = WelchDifference(a.averages, b.averages, resolutions: resolutions)
    let alpha = 1 - confidence
    let interval = welch?.interval(confidence: confidence)
    let equivalence = welch.map { welch in
        let tost = welch.interval(confidence: 1 - 2 * alpha)
        return EquivalenceTest(margin: margin, alpha: alpha, interval: tost, pBelowMargin: welch.pAbove(-margin),
                               pAboveMargin: welch.pBelow(margin),
                               verdict: EquivalenceVerdict(interval: welch.interval(confidence: confidence), equivalenceInterval: tost,
                                                           margin: margin))
    }
    return PooledShift(series: series, points: points, first: first, firstSeeds: a.averages.count, second: second,
                       secondSeeds: b.averages.count, seedsLeftOut: [a.leftOut, b.leftOut],
                       spreadFloors: [resolutions.0, resolutions.1],
                       firstHigherPoints: zip(a.pointMeans, b.pointMeans).filter { isHigher($0, than: $1) }.count,
                       secondHigherPoints: zip(a.pointMeans, b.pointMeans).filter { isHigher($1, than: $0) }.count,
                       shift: Estimate(value: second.mean - first.mean, interval: interval),
                       degreesOfFreedom: welch.flatMap { $0.standardError > 0 ? $0.degreesOfFreedom : nil },
                       p: welch?.twoSidedP, equivalence: equivalence,
                       seedsForEquivalence: welch.flatMap { seedsForEquivalence(spread: $0.spread, alpha: alpha, margin: margin) },
                       fewestSeedsForEquivalence: welch.flatMap {
                           seedsForEquivalence(spread: equivalenceSpreadInterval(spread: $0.spread, degreesOfFreedom: $0.pooledDegreesOfFreedom,
                                                                                 confidence: confidence).lower, alpha: alpha, margin: margin)
                       },
                       mostSeedsForEquivalence: welch.flatMap {
                           seedsForEquivalence(spread: equivalenceSpreadInterval(spread: $0.spread, degreesOfFreedom: $0.pooledDegreesOfFreedom,
                                                                                 confidence: confidence).upper, alpha: alpha, margin: margin)
                       },
                       conservativeSeedsForEquivalence: welch.flatMap {
                           seedsForEquivalence(spread: equivalenceSpreadInterval(spread: $0.spread, degreesOfFreedom: $0.pooledDegreesOfFreedom,
                                                                                 confidence: 0.6).upper, alpha: alpha, margin: margin)
                       })
}

/// Whether the mean `value` is higher than `other` by more than floating-point noise: by more than
/// 1e-12 of the larger magnitude. Means of the same test rows summed in another order (0.8933333333333333
/// and 0.8933333333333332) are a tie, neither higher.
func isHigher(_ value: Double, than other: Double) -> Bool {
    value - other > 1e-12 * max(abs(value), abs(other))
}

/// The smallest number of seeds n per study (2 to 1,000) at which TOST at `alpha` has 80% power at a
/// true shift of 0, with the combined seed-level spread `spread` = sqrt(s1² + s2²) taken as known:
/// (t_{1-alpha} + t_{0.9}) · spread / sqrt(n) <= m on 2n - 2 degrees of freedom; nil when 1,000 do not suffice.
/// The left side falls as n grows (both quantiles, above the median, fall with the degrees of freedom,
/// and so does 1 / sqrt(n)), so the condition, once met, holds for every larger n: n is found by
/// doubling from 2 (2, 4, 8, ... 1,000) to the first count that is enough, then by bisection below it,
/// some 2 log2(n) evaluations, each two quantiles by bisection on the t distribution, where the scan
/// from 2 up (`seedsForEquivalenceByScan`, the reference) made n - 1, up to 999.
func seedsForEquivalence(spread: Double, alpha: Double, margin: Double) -> Int? {
    let enough = { (n: Int) in equivalenceHalfWidth(seeds: n, spread: spread, alpha: alpha) <= margin }
    // After the doubling, and at every bisection step: `enough(high)`, and `low` is 1 or a count that is not.
    var low = 1, high = 2
    while !enough(high) {
        if high == 1000 { return nil }
        (low, high) = (high, min(2 * high, 1000))
    }
    while high - low > 1 {
        let middle = (low + high) / 2
        if enough(middle) { high = middle } else { low = middle }
    }
    return high
}

/// The reference for `seedsForEquivalence`: every n from 2 up, the first that is enough.
func seedsForEquivalenceByScan(spread: Double, alpha: Double, margin: Double) -> Int? {
    (2...1000).first { equivalenceHalfWidth(seeds: $0, spread: spread, alpha: alpha) <= margin }
}

/// (t_{1-alpha} + t_{0.9}) · spread / sqrt(n) on 2n - 2 degrees of freedom, the side of
/// `seedsForEquivalence`'s condition that must be at most the margin.
private func equivalenceHalfWidth(seeds n: Int, spread: Double, alpha: Double) -> Double {
    let df = Double(2 * n - 2)
    return (studentTQuantile(1 - alpha, df: df) + studentTQuantile(0.9, df: df)) * spread / Double(n).squareRoot()
}

/// Welch's comparison of the means of two samples of at least two values each (Welch 1947;
/// Satterthwaite degrees of freedom): the difference mean(second) - mean(first) and its standard
/// error, each sample's standard deviation raised to at least its resolution (one test row for
/// accuracy: seeds that agree exactly say the spread is small, not zero, so two studies without
/// spread are never declared different or equivalent with p = 0).
struct WelchDifference {
    /// Each sample's standard deviation, after the floor.
    let firstStd: Double, secondStd: Double
    /// The sizes of the two samples.
    let counts: (Int, Int)
    /// mean(second) - mean(first).
    let difference: Double
    /// sqrt(s1²/n1 + s2²/n2).
    let standardError: Double
    /// Satterthwaite's degrees of freedom; infinite when both spreads are 0.
    let degreesOfFreedom: Double

    /// The comparison of `a` and `b`, their spreads floored at `resolutions`; nil when either has
    /// fewer than two values.
    init?(_ a: [Double], _ b: [Double], resolutions: (Double, Double)) {
        guard a.count >= 2, b.count >= 2 else { return nil }
        let first = MeanStd(of: a), second = MeanStd(of: b)
        firstStd = max(first.std, resolutions.0)
        secondStd = max(second.std, resolutions.1)
        counts = (a.count, b.count)
        difference = second.mean - first.mean
        let va = firstStd * firstStd / Double(a.count), vb = secondStd * secondStd / Double(b.count)
        standardError = (va + vb).squareRoot()
        degreesOfFreedom = standardError == 0 ? .infinity
            : (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
    }

    /// The combined seed-level spread sqrt(s1² + s2²), after the floor.
    var spread: Double { (firstStd * firstStd + secondStd * secondStd).squareRoot() }

    /// n1 + n2 - 2: the degrees of freedom of `spread` taken as a pooled sample standard deviation.
    var pooledDegreesOfFreedom: Int { counts.0 + counts.1 - 2 }

    /// The two-sided t interval at `confidence` (the point itself when the standard error is 0).
    func interval(confidence: Double) -> Interval {
        guard standardError > 0 else { return Interval(lower: difference, upper: difference) }
        let t = studentTQuantile(1 - (1 - confidence) / 2, df: degreesOfFreedom)
        return Interval(lower: difference - t * standardError, upper: difference + t * standardError)
    }

    /// P(T >= (difference - value) / se): the one-sided p-value of H0: true difference <= value.
    func pAbove(_ value: Double) -> Double {
        guard standardError > 0 else { return difference > value ? 0 : 1 }
        return studentTCDF(-(difference - value) / standardError, df: degreesOfFreedom)
    }

    /// P(T <= (difference - value) / se): the one-sided p-value of H0: true difference >= value.
    func pBelow(_ value: Double) -> Double {
        guard standardError > 0 else { return difference < value ? 0 : 1 }
        return studentTCDF((difference - value) / standardError, df: degreesOfFreedom)
    }

    /// The two-sided p-value for a difference of 0 (1 for equal means without spread, 0 for unequal ones).
    var twoSidedP: Double {
        guard standardError > 0 else { return difference == 0 ? 1 : 0 }
        return 2 * studentTCDF(-abs(difference) / standardError, df: degreesOfFreedom)
    }
}
