import Foundation

/// A confidence interval. A nil end is unbounded: for a critical threshold, nil `upper` means that
/// at the interval's upper end the curve no longer falls to its threshold within the swept fractions,
/// nil `lower` that it has fallen below it before the smallest. An end listed in `undetermined` is nil
/// too, but for another reason: the bootstrap cannot tell, within its Monte Carlo error, whether it is
/// bounded. An end listed in `imprecise` keeps its value but is withheld: its Monte Carlo error is too
/// large for it to be shown (`placingParameterEnds`).
public struct Interval: Sendable, Codable, Equatable {
    /// Lower end; nil when unbounded below (or undetermined). Withheld when listed in `imprecise`.
    public let lower: Double?
    /// Upper end; nil when unbounded above (or undetermined). Withheld when listed in `imprecise`.
    public let upper: Double?
    /// The Monte Carlo standard error of each end of a bootstrap interval; absent for an exact
    /// interval and for ends that are open.
    public let monteCarloError: EndErrors?
    /// Ends whose bound the bootstrap cannot decide: the share of replicates beyond every value is
    /// within two Monte Carlo errors of α/2. Absent when none.
    public let undetermined: [IntervalEnd]?
    /// Ends moved to the estimate (`Estimate.fitted`): the bootstrap's percentile end lay on the wrong
    /// side of the central fit's value, so the end is that value. Absent when none.
    public let movedToEstimate: [IntervalEnd]?
    /// Ends withheld as too imprecise to show (`placingParameterEnds`: their Monte Carlo error may
    /// exceed the limit), their values kept in `lower` and `upper`. Absent when none.
    public let imprecise: [IntervalEnd]?

    /// An interval between two ends (nil for unbounded), with the Monte Carlo errors of a bootstrap's
    /// ends, the ends it cannot decide, the ends moved to the estimate and the ends withheld as imprecise.
    public init(lower: Double?, upper: Double?, monteCarloError: EndErrors? = nil, undetermined: [IntervalEnd]? = nil,
                movedToEstimate: [IntervalEnd]? = nil, imprecise: [IntervalEnd]? = nil) {
        self.lower = lower
        self.upper = upper
        self.monteCarloError = monteCarloError
        self.undetermined = undetermined?.isEmpty == true ? nil : undetermined
        self.movedToEstimate = movedToEstimate?.isEmpty == true ? nil : movedToEstimate
        self.imprecise = imprecise?.isEmpty == true ? nil : imprecise
    }

    /// The lower end as shown: nil when withheld as imprecise (or unbounded, or undetermined).
    public var shownLower: Double? { isImprecise(.lower) ? nil : lower }

    /// The upper end as shown: nil when withheld as imprecise (or unbounded, or undetermined).
    public var shownUpper: Double? { isImprecise(.upper) ? nil : upper }

    /// Whether `end` is withheld as imprecise.
    public func isImprecise(_ end: IntervalEnd) -> Bool { imprecise?.contains(end) == true }

    /// Whether `end` is not given as a number: undetermined or withheld as imprecise.
    public func isUnplaced(_ end: IntervalEnd) -> Bool { isUndetermined(end) || isImprecise(end) }

    /// Whether the interval lies wholly above or wholly below `value` (a difference is resolved
    /// when its interval excludes 0). An undetermined end, being nil, never decides it.
    public func excludes(_ value: Double) -> Bool {
        if let lower, lower > value { return true }
        if let upper, upper < value { return true }
        return false
    }

    /// Whether both ends are finite numbers.
    public var isBounded: Bool { lower != nil && upper != nil }

    /// Whether `end` is undetermined.
    public func isUndetermined(_ end: IntervalEnd) -> Bool { undetermined?.contains(end) == true }

    /// The interval with both ends mapped by `transform` (increasing), keeping errors and undetermined ends.
    func mapEnds(_ transform: (Double) -> Double) -> Interval {
        Interval(lower: lower.map(transform), upper: upper.map(transform), monteCarloError: monteCarloError, undetermined: undetermined,
                 movedToEstimate: movedToEstimate, imprecise: imprecise)
    }
}

/// One end of an interval.
public enum IntervalEnd: String, Sendable, Codable, Equatable {
    case lower, upper

    /// The other end: an end of the negated interval.
    public var opposite: IntervalEnd { self == .lower ? .upper : .lower }
}

/// What a bootstrap interval is read for (`ReplicateDesign.interval`): which of its ends, and whether
/// with their Monte Carlo errors. An end not read is nil, and never undetermined; an end read without
/// its error has the value and the undetermined verdict it has with it (that verdict comes from the
/// blocks' censored shares, not from the error of the end's value).
public struct IntervalReading: Sendable, Equatable {
    /// The ends read.
    public let ends: Set<IntervalEnd>
    /// Whether their Monte Carlo errors are computed.
    public let monteCarloErrors: Bool

    /// Both ends with their errors.
    public static let whole = IntervalReading(ends: [.lower, .upper], monteCarloErrors: true)
    /// Both ends without their errors: for the curve's band, drawn and never given an error.
    public static let endsAlone = IntervalReading(ends: [.lower, .upper], monteCarloErrors: false)
    /// One end with its error: for a difference read as the lower end of its lows and the upper end of its highs.
    public static func only(_ end: IntervalEnd) -> IntervalReading { IntervalReading(ends: [end], monteCarloErrors: true) }
}

/// The Monte Carlo standard errors of an interval's two ends (nil where not applicable).
public struct EndErrors: Sendable, Codable, Equatable {
    /// Error of the lower end.
    public let lower: Double?
    /// Error of the upper end.
    public let upper: Double?

    /// Errors of the two ends.
    public init(lower: Double?, upper: Double?) {
        self.lower = lower
        self.upper = upper
    }
}

/// Which side of an estimate's value the quantity lies on, when the data bound it without measuring it.
public enum EstimateBound: String, Sendable, Codable, Equatable {
    /// The quantity exceeds the value (e.g. a threshold beyond the largest swept fraction).
    case lower
    /// The quantity lies below the value (e.g. a threshold before the smallest swept fraction).
    case upper
}

/// A quantity's estimate from the data and its confidence interval (nil when it cannot be computed,
/// e.g. with a single seed).
public struct Estimate: Sendable, Codable, Equatable {
    /// The estimate, or the bound the data set to it (see `bound`); nil when the data give neither
    /// (e.g. a difference of two thresholds that both lie beyond the swept fractions).
    public let value: Double?
    /// Its interval at the study's confidence.
    public let interval: Interval?
    /// Nil when `value` is the estimate; otherwise `value` is only a bound: a lower bound (the
    /// quantity lies above it) or an upper bound. Absent from JSON when nil.
    public let bound: EstimateBound?

    /// An estimate (or a bound, with `bound`) and its interval.
    public init(value: Double?, interval: Interval?, bound: EstimateBound? = nil) {
        self.value = value
        self.interval = interval
        self.bound = bound
    }

    /// Minus the estimate: the value and the interval negated, a lower bound turned into an upper one.
    public var negated: Estimate {
        Estimate(value: value.map { -$0 }, interval: interval.map { interval in
                     Interval(lower: interval.upper.map { -$0 }, upper: interval.lower.map { -$0 },
                              monteCarloError: interval.monteCarloError.map { EndErrors(lower: $0.upper, upper: $0.lower) },
                              undetermined: interval.undetermined?.map(\.opposite).sorted { $0.rawValue < $1.rawValue },
                              movedToEstimate: interval.movedToEstimate?.map(\.opposite).sorted { $0.rawValue < $1.rawValue },
                              imprecise: interval.imprecise?.map(\.opposite).sorted { $0.rawValue < $1.rawValue })
                 },
                 bound: bound.map { $0 == .lower ? .upper : .lower })
    }

    /// A fitted quantity's estimate `value` with its bootstrap `interval` widened, where needed, to
    /// contain it (with a `bound`, `value` is no estimate and the interval is kept). A percentile
    /// interval of a quantity that is not linear in the seed weights need not contain the central
    /// fit's value: with 2 seeds the bootstrap moves along one seed contrast only, and a threshold
    /// difference whose two series respond alike to it changes only to second order, one way, on both
    /// sides (`--seeds 1,2` on the reference study: a threshold difference of -6.4042 pp had its lower
    /// end at -6.3952 pp), and a refit that stops at a bound of the fit (L, k) shifts its replicates off
    /// the central value. The end that excludes the value moves to it and keeps its Monte Carlo error,
    /// so a decision reads that end no more surely than before (r21 #6); `movedToEstimate` names it.
    public static func fitted(value: Double?, interval: Interval?, bound: EstimateBound? = nil) -> Estimate {
        guard bound == nil, let value, let interval else { return Estimate(value: value, interval: interval, bound: bound) }
        let lowerMoved = interval.lower.map { $0 > value } == true || interval.movedToEstimate?.contains(.lower) == true
        let upperMoved = interval.upper.map { $0 < value } == true || interval.movedToEstimate?.contains(.upper) == true
        return Estimate(value: value, interval: Interval(lower: interval.lower.map { min($0, value) }, upper: interval.upper.map { max($0, value) },
                                                         monteCarloError: interval.monteCarloError, undetermined: interval.undetermined,
                                                         movedToEstimate: (lowerMoved ? [.lower] : []) + (upperMoved ? [.upper] : []),
                                                         imprecise: interval.imprecise))
    }

    /// Whether the runs resolve the sign of the quantity (a difference): `SignDecision` says
    /// `resolved` (its interval excludes zero on the side its bound allows, a bootstrap end by more
    /// than two of its Monte Carlo errors).
    public var signResolved: Bool { SignDecision(self) == .resolved }
}

/// The percentile interval of `values` at `confidence`: the empirical α/2 and 1 - α/2 quantiles
/// (type-7 interpolation, as NumPy's default), α = 1 - confidence. Infinite values order as
/// beyond every finite one and make that end nil. NaN values (replicates where the quantity does
/// not exist) are ignored, but when they are more than α/2 of all values the interval is nil:
/// the quantity is too often undefined to bound.
public func percentileInterval(_ values: [Double], confidence: Double) -> Interval? {
    let alpha = 1 - confidence
    let defined = values.filter { !$0.isNaN }.sorted()
    guard defined.count >= 2, Double(values.count - defined.count) <= alpha / 2 * Double(values.count) else { return nil }
    func quantile(_ q: Double) -> Double {
        let position = q * Double(defined.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, defined.count - 1)
        let weight = position - Double(below)
        if defined[below].isInfinite || defined[above].isInfinite { return weight == 0 ? defined[below] : defined[above] }
        return defined[below] + weight * (defined[above] - defined[below])
    }
    let lower = quantile(alpha / 2), upper = quantile(1 - alpha / 2)
    // -∞ at the lower end and +∞ at the upper end are open ends (nil). An end infinite on the other
    // side (the whole interval at -∞ or at +∞) becomes the most extreme finite number, so that the
    // interval still excludes zero and encodes in JSON.
    return Interval(lower: lower == -.infinity ? nil : lower == .infinity ? .greatestFiniteMagnitude : lower,
                    upper: upper == .infinity ? nil : upper == -.infinity ? -.greatestFiniteMagnitude : upper)
}

/// The percentile interval of bootstrap replicates drawn in `blocks` equal consecutive blocks of
/// independent randomizations (`SeedBootstrap`), with each end's Monte Carlo error and the ends it
/// cannot decide. The ends are those of `percentileInterval` over all replicates; an end's error is
/// the `monteCarloError` of the blocks' own ends (their standard error, calibrated so that two errors
/// cover 95.45%; a block whose end is open counts at the most extreme finite replicate). The share c of replicates beyond every value at an end (-∞ at
/// the lower, +∞ at the upper; e.g. thresholds the curve does not reach within the swept fractions)
/// decides whether it is open, with its Monte Carlo error e (the `monteCarloError` of the blocks'
/// shares): open when c > α/2 + 2e, bounded when c < α/2 - 2e (or c = 0), undetermined between.
/// `reading` may leave out an end or the errors (`IntervalReading`).
public func bootstrapInterval(_ values: [Double], blocks: Int, confidence: Double, reading: IntervalReading = .whole) -> Interval? {
    guard let whole = percentileInterval(values, confidence: confidence) else { return nil }
    let pooled = Interval(lower: reading.ends.contains(.lower) ? whole.lower : nil, upper: reading.ends.contains(.upper) ? whole.upper : nil)
    guard blocks >= 2, values.count % blocks == 0, values.count >= 2 * blocks else { return pooled }
    let size = values.count / blocks
    let blockValues = (0..<blocks).map { Array(values[($0 * size)..<(($0 + 1) * size)]) }
    let halfAlpha = (1 - confidence) / 2
    let finite = values.filter(\.isFinite)
    /// One end: its value, its Monte Carlo error and whether it is undetermined.
    func end(_ which: IntervalEnd, _ pooledEnd: Double?, censored: Double, extreme: Double?,
             blockEnd: (Interval) -> Double?) -> (value: Double?, error: Double?, undetermined: Bool) {
        guard reading.ends.contains(which) else { return (nil, nil, false) }
        let shares = blockValues.map { block -> Double in
            let defined = block.filter { !$0.isNaN }
            return defined.isEmpty ? 0 : Double(defined.filter { $0 == censored }.count) / Double(defined.count)
        }
        let share = shares.reduce(0, +) / Double(blocks), shareError = monteCarloError(shares)
        guard let pooledEnd, pooledEnd.magnitude != .greatestFiniteMagnitude else {
            // Open (or the whole interval beyond every value): decided when the share clears α/2.
            return pooledEnd == nil && share - halfAlpha <= 2 * shareError ? (nil, nil, true) : (pooledEnd, nil, false)
        }
        if share > 0 && halfAlpha - share <= 2 * shareError { return (nil, nil, true) }
        guard reading.monteCarloErrors else { return (pooledEnd, nil, false) }
        let ends = blockValues.map { block in percentileInterval(block, confidence: confidence).flatMap(blockEnd) ?? extreme ?? pooledEnd }
        return (pooledEnd, monteCarloError(ends), false)
    }
    let lower = end(.lower, pooled.lower, censored: -.infinity, extreme: finite.min(), blockEnd: \.lower)
    let upper = end(.upper, pooled.upper, censored: .infinity, extreme: finite.max(), blockEnd: \.upper)
    let errors = lower.error == nil && upper.error == nil ? nil : EndErrors(lower: lower.error, upper: upper.error)
    return Interval(lower: lower.value, upper: upper.value, monteCarloError: errors,
                    undetermined: [lower.undetermined ? .lower : nil, upper.undetermined ? .upper : nil].compactMap { $0 })
}

/// The exact Student-t interval of the mean of `values` (nil entries left out), ȳ ± t_{m-1, 1-α/2} s / √m
/// over the m values present, with the spread s raised to `resolution` when below it (seeds that agree
/// exactly do not prove a zero spread); nil with fewer than two values. For paired differences pass
/// the per-seed differences.
public func studentTInterval(_ values: [Double?], resolution: Double, confidence: Double) -> Interval? {
    let present = values.compactMap { $0 }
    guard present.count >= 2 else { return nil }
    let count = Double(present.count), mean = present.reduce(0, +) / count
    let spread = max((present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1)).squareRoot(), resolution)
    let halfWidth = studentTQuantile(1 - (1 - confidence) / 2, df: count - 1) * spread / count.squareRoot()
    return Interval(lower: mean - halfWidth, upper: mean + halfWidth)
}

/// The Wilson score interval of a proportion p̂ observed on n trials (Wilson 1927; Agresti & Coull
/// 1998): with z = Φ⁻¹(1 - α/2), centre (p̂ + z²/2n) / (1 + z²/n) and half-width
/// z / (1 + z²/n) · √(p̂(1 - p̂)/n + z²/4n²).
public func wilsonInterval(proportion: Double, trials: Int, confidence: Double) -> Interval {
    let n = Double(trials), z = normalQuantile(1 - (1 - confidence) / 2)
    let denominator = 1 + z * z / n
    let centre = (proportion + z * z / (2 * n)) / denominator
    let halfWidth = z / denominator * (proportion * (1 - proportion) / n + z * z / (4 * n * n)).squareRoot()
    return Interval(lower: max(0, centre - halfWidth), upper: min(1, centre + halfWidth))
}

/// Seeds needed to resolve an effect δ in a paired comparison with per-seed standard deviation σ:
/// the smallest n >= 2 with (t_{1-α/2, n-1} + t_{power, n-1}) · σ / √n <= δ, the t-based sample size
/// (Cohen 1988, ch. 2), α = 1 - confidence. For large n it tends to the normal formula
/// ((z_{1-α/2} + z_power) σ / δ)². It approximates the exact power of the two-sided paired t test
/// (noncentral t) and can fall one seed short of it: at δ = 1.27σ it gives n = 7, whose exact power
/// is 0.7985 (SciPy `stats.nct`), where the exact answer is 8. Nil when the answer exceeds `limit`.
public func seedsNeeded(effect: Double, sigma: Double, confidence: Double, power: Double, limit: Int) -> Int? {
    precondition(effect > 0 && sigma >= 0)
    let normal = normalQuantile(1 - (1 - confidence) / 2) + normalQuantile(power)
    let guess = (normal * sigma / effect) * (normal * sigma / effect)
    guard guess.isFinite, guess <= Double(limit) else { return nil }
    // The t quantiles only raise n above the normal guess, so search upward from it.
    var n = max(2, Int(guess.rounded(.down)))
    while n <= limit {
        let df = Double(n - 1)
        let t = studentTQuantile(1 - (1 - confidence) / 2, df: df) + studentTQuantile(power, df: df)
        if t * sigma / Double(n).squareRoot() <= effect { return n }
        n += 1
    }
    return nil
}

/// How many seeds a new study would need to resolve a difference of at least `effect` with `power`,
/// given what this study measured of the per-seed spread σ: a range over σ's confidence interval,
/// since σ from a few seeds is itself uncertain.
public struct SeedPlan: Sendable, Codable, Equatable {
    /// The smallest effect of interest δ (in the quantity's units: a fraction for thresholds and
    /// trends, accuracy for accuracies and gaps).
    public let effect: Double
    /// The chance that a study with the planned seeds resolves a true difference of `effect`.
    public let power: Double
    /// σ: the estimated per-seed standard deviation of the difference.
    public let sigma: Double
    /// σ's interval at the study's confidence, √(ν s² / χ²_{1-α/2, ν}) to √(ν s² / χ²_{α/2, ν}).
    public let sigmaInterval: Interval
    /// ν: the degrees of freedom of σ (seeds - 1).
    public let degreesOfFreedom: Int
    /// Seeds needed at σ's estimate, as if σ were known (with σ from 3 seeds this count often falls
    /// short of the stated power, so it is no promise); nil when more than `limit`.
    public let seeds: Int?
    /// Seeds needed at σ's lower end; nil when more than `limit`.
    public let fewestSeeds: Int?
    /// Seeds needed at σ's upper end; nil when more than `limit`.
    public let mostSeeds: Int?
    /// Seeds needed at σ's one-sided upper 80% bound √(ν s² / χ²_{0.2, ν}), the count to lead with:
    /// σ lies below that bound with 80% chance, so this count reaches the stated power in about 80%
    /// of studies (the count at σ's estimate in about 40% with 3 seeds); nil when more than `limit`.
    public let conservativeSeeds: Int?
    /// The largest seed count computed: nil counts mean "more than this".
    public let limit: Int

    /// The plan for a per-seed spread `sigma` estimated on `degreesOfFreedom` degrees of freedom.
    public init(effect: Double, power: Double, sigma: Double, degreesOfFreedom: Int, confidence: Double, limit: Int = 200) {
        precondition(degreesOfFreedom >= 1)
        let nu = Double(degreesOfFreedom), alpha = 1 - confidence
        let lower = sigma * (nu / chiSquareQuantile(1 - alpha / 2, df: nu)).squareRoot()
        let upper = sigma * (nu / chiSquareQuantile(alpha / 2, df: nu)).squareRoot()
        let needed = { (spread: Double) in seedsNeeded(effect: effect, sigma: spread, confidence: confidence, power: power, limit: limit) }
        self.effect = effect
        self.power = power
        self.sigma = sigma
        self.sigmaInterval = Interval(lower: lower, upper: upper)
        self.degreesOfFreedom = degreesOfFreedom
        self.seeds = needed(sigma)
        self.fewestSeeds = needed(lower)
        self.mostSeeds = needed(upper)
        self.conservativeSeeds = needed(sigma * (nu / chiSquareQuantile(0.2, df: nu)).squareRoot())
        self.limit = limit
    }
}
