import Foundation

/// How a ray bootstrap's replicates are laid out (`SeedBootstrap`): `blocks` independent
/// randomizations, each of `raysPerBlock` directions, each direction evaluated at `radii` radii.
/// Replicate r = (ray · radii + k), ray = block · raysPerBlock + j. Radius k sits at u_k = (k + ½) / radii
/// on a scale u whose probability is p(u) = 1 - (1 - u)² (nodes denser in the radius' tail, where the
/// ends of a 95% interval are decided).
///
/// A quantity's distribution along a ray is read off its values at the radii: linear in the radius T
/// between two finite values, constant beyond the first and last radius, and switching halfway (in u)
/// between two radii where one value is infinite or undefined. Between the first and the last radius
/// the linear reading is exact for a quantity linear in the seed weights, such as a replicate mean;
/// beyond them it is not (the tail beyond the last radius sits at the last radius' value), and fitted
/// quantities are not linear in T. The probability below a radius between nodes comes from a table of
/// T on a fine grid of u. Its distribution overall is the average over the rays, so an interval end has
/// no Monte Carlo noise from the radius, where the Student t's heavy tail lies.
public struct RayLayout: Sendable, Equatable {
    /// Independent randomizations.
    public let blocks: Int
    /// Directions per block.
    public let raysPerBlock: Int
    /// Radii per direction.
    public let radii: Int
    /// T at u = j / (count - 1), j < count - 1 (the last entry, u = 1, is +∞): the table that turns a
    /// radius into its position u.
    let radiusTable: [Double]
    /// The pieces of a ray's distribution, computed once: the reading of an interval evaluates its
    /// CDF some thousands of times.
    private let pieces: RayPieces

    /// The layout, with `radius(p)` the p-quantile of the radius T.
    init(blocks: Int, raysPerBlock: Int, radii: Int, radius: (Double) -> Double) {
        self.blocks = blocks
        self.raysPerBlock = raysPerBlock
        self.radii = radii
        let size = 512
        radiusTable = (0..<size).map { j in
            j == 0 ? 0 : j == size - 1 ? .infinity : radius(Self.probability(Double(j) / Double(size - 1)))
        }
        pieces = RayPieces(radii: radii, radiusTable: radiusTable)
    }

    /// The radius T of node k.
    func nodeRadius(_ k: Int) -> Double { pieces.nodeRadii[k] }

    /// T at position u, interpolated in `table` (`radiusTable`).
    static func radius(at u: Double, in table: [Double]) -> Double {
        let scaled = u * Double(table.count - 1), j = min(Int(scaled), table.count - 2)
        let (a, b) = (table[j], table[j + 1])
        return b.isInfinite ? a : a + (scaled - Double(j)) * (b - a)
    }

    /// The position u of radius T (the inverse of `radius(at:in:)`), by bisection in the table: the
    /// reference of `position(ofRadius:segment:)`.
    func position(ofRadius t: Double) -> Double {
        position(ofRadius: t, low: 0, high: radiusTable.count - 1)
    }

    /// `position(ofRadius:)` of a radius T on the segment between nodes `k` and k + 1 (for another T
    /// as well), with the same bits: the bisection starts from the table entries around those nodes
    /// instead of the whole table. In a non-decreasing table the bisection ends, wherever it starts,
    /// at the last entry at or below T (else the first, where none is, or for a NaN), with the next
    /// entry above it or the table's last (+∞); so a start that already brackets T that way, the last
    /// entry at or below each node (`RayPieces.nodeTableIndices`), ends where the whole table's does.
    /// A table that is not non-decreasing is searched whole.
    func position(ofRadius t: Double, segment k: Int) -> Double {
        var low = 0, high = radiusTable.count - 1
        if let indices = pieces.nodeTableIndices {
            let below = indices[k], above = indices[k + 1] + 1
            if radiusTable[below] <= t { low = below }
            if above < high && t < radiusTable[above] { high = above }
        }
        return position(ofRadius: t, low: low, high: high)
    }

    /// Whether `position(ofRadius:segment:)` starts its search from the nodes (the radius table is
    /// non-decreasing), rather than searching the whole table.
    var searchesFromNodes: Bool { pieces.nodeTableIndices != nil }

    /// The bisection of `position(ofRadius:)` between table entries `low` and `high`.
    private func position(ofRadius t: Double, low start: Int, high end: Int) -> Double {
        var low = start, high = end
        while high - low > 1 {
            let middle = (low + high) / 2
            if radiusTable[middle] <= t { low = middle } else { high = middle }
        }
        let (a, b) = (radiusTable[low], radiusTable[high])
        let within = b.isInfinite ? 0 : (t - a) / (b - a)
        return (Double(low) + min(max(within, 0), 1)) / Double(radiusTable.count - 1)
    }

    /// Replicates.
    public var count: Int { blocks * raysPerBlock * radii }

    /// The probability p(u) = 1 - (1 - u)² below position u of a ray.
    static func probability(_ u: Double) -> Double { 1 - (1 - u) * (1 - u) }

    /// The position u of radius k.
    func position(_ k: Int) -> Double { (Double(k) + 0.5) / Double(radii) }

    /// Mass of one ray's distribution at or below `c`, the ray's values being
    /// `values[start ..< start + radii]`: linear in T between two finite values, else constant up to
    /// halfway between them, constant before the first and beyond the last radius.
    private func rayMass(_ values: UnsafeBufferPointer<Double>, start: Int, below c: Double) -> Double {
        var mass = 0.0
        if values[start] <= c { mass += pieces.firstMass }
        for k in 0..<(radii - 1) {
            let a = values[start + k], b = values[start + k + 1]
            if a.isFinite && b.isFinite {
                if a <= c && b <= c {
                    mass += pieces.segmentMasses[k]
                } else if a <= c || b <= c {
                    let t0 = pieces.nodeRadii[k], t1 = pieces.nodeRadii[k + 1]
                    let crossing = Self.probability(position(ofRadius: t0 + (c - a) / (b - a) * (t1 - t0), segment: k))
                    mass += a <= c ? crossing - pieces.nodeProbabilities[k] : pieces.nodeProbabilities[k + 1] - crossing
                }
            } else {
                if a <= c { mass += pieces.lowerHalfMasses[k] }
                if b <= c { mass += pieces.upperHalfMasses[k] }
            }
        }
        if values[start + radii - 1] <= c { mass += pieces.lastMass }
        return mass
    }

    /// Mass of one ray's distribution where the value satisfies `test` (evaluated on the constant
    /// pieces: a switch halfway between radii), for the shares of undefined and infinite values.
    private func rayShare(_ values: [Double], start: Int, where test: (Double) -> Bool) -> Double {
        var mass = 0.0
        for k in 0..<radii where test(values[start + k]) { mass += pieces.nodeMasses[k] }
        return mass
    }

    /// What the reading of a quantity's distribution needs of each of its rays, computed once per
    /// quantity and shared by the pooled distribution and the blocks'.
    struct RaySummaries {
        /// Whether every value of the ray is finite (its shares below are then 0).
        let finite: [Bool]
        /// The ray's smallest and largest finite value (the first of equal ones); +∞ and -∞ without one.
        let lowest: [Double], highest: [Double]
        /// The ray's shares undefined (NaN), at -∞ and at +∞.
        let undefined: [Double], belowAll: [Double], aboveAll: [Double]

        /// The summaries of the rays of `values`, laid out by `layout`.
        init(layout: RayLayout, values: [Double]) {
            let rays = layout.blocks * layout.raysPerBlock, radii = layout.radii
            var finite = [Bool](repeating: true, count: rays)
            var lowest = [Double](repeating: .infinity, count: rays), highest = [Double](repeating: -.infinity, count: rays)
            var undefined = [Double](repeating: 0, count: rays), belowAll = undefined, aboveAll = undefined
            for ray in 0..<rays {
                var hasFinite = false
                for value in values[(ray * radii)..<((ray + 1) * radii)] {
                    guard value.isFinite else {
                        finite[ray] = false
                        continue
                    }
                    if !hasFinite || value < lowest[ray] { lowest[ray] = value }
                    if !hasFinite || highest[ray] < value { highest[ray] = value }
                    hasFinite = true
                }
                if !finite[ray] {
                    undefined[ray] = layout.rayShare(values, start: ray * radii, where: \.isNaN)
                    belowAll[ray] = layout.rayShare(values, start: ray * radii) { $0 == -.infinity }
                    aboveAll[ray] = layout.rayShare(values, start: ray * radii) { $0 == .infinity }
                }
            }
            (self.finite, self.lowest, self.highest) = (finite, lowest, highest)
            (self.undefined, self.belowAll, self.aboveAll) = (undefined, belowAll, aboveAll)
        }
    }

    /// The distribution of `values` over the rays `rays`: the CDF at c, and the shares undefined, at -∞ and at +∞.
    struct Distribution: ReadableDistribution {
        let layout: RayLayout
        let values: [Double]
        let rays: Range<Int>
        let summaries: RaySummaries
        let undefined: Double, belowAll: Double, aboveAll: Double
        let finiteRange: ClosedRange<Double>?

        init(layout: RayLayout, values: [Double], rays: Range<Int>, summaries: RaySummaries) {
            self.layout = layout
            self.values = values
            self.rays = rays
            self.summaries = summaries
            let share = { (shares: [Double]) in rays.reduce(0) { $0 + shares[$1] } / Double(rays.count) }
            undefined = share(summaries.undefined)
            belowAll = share(summaries.belowAll)
            aboveAll = share(summaries.aboveAll)
            // The smallest and largest finite value over the rays (the first of equal ones, as `min()`
            // and `max()` of the values in order).
            var range: (Double, Double)?
            for ray in rays where summaries.lowest[ray] <= summaries.highest[ray] {
                let (low, high) = (summaries.lowest[ray], summaries.highest[ray])
                range = range.map { (low < $0.0 ? low : $0.0, $0.1 < high ? high : $0.1) } ?? (low, high)
            }
            finiteRange = range.map { $0.0...$0.1 }
        }

        /// P(value <= c), undefined values counting nowhere: the rays' masses summed in ray order (a
        /// finite ray wholly at or below c has the whole ray's mass, one wholly above it none).
        func cdf(_ c: Double) -> Double {
            values.withUnsafeBufferPointer { buffer in
                var total = 0.0
                for ray in rays {
                    if summaries.finite[ray] {
                        if summaries.highest[ray] <= c {
                            total += layout.pieces.wholeRayMass
                            continue
                        }
                        if c < summaries.lowest[ray] { continue }
                    }
                    total += layout.rayMass(buffer, start: ray * layout.radii, below: c)
                }
                return total / Double(rays.count)
            }
        }
    }
}

/// A bootstrap distribution of one quantity, from which an interval is read (`readInterval`): its
/// CDF and the shares undefined and beyond every value.
protocol ReadableDistribution {
    /// The shares undefined (NaN), at -∞ and at +∞.
    var undefined: Double { get }
    var belowAll: Double { get }
    var aboveAll: Double { get }
    /// The smallest and largest finite value; nil without one.
    var finiteRange: ClosedRange<Double>? { get }
    /// P(value <= c), undefined values counting nowhere.
    func cdf(_ c: Double) -> Double
}

extension ReadableDistribution {
    /// The level-`level` quantile of the defined values (±∞ where that mass lies beyond every number).
    func quantile(_ level: Double, precision: Double) -> Double {
        let target = level * (1 - undefined)
        if belowAll >= target && belowAll > 0 { return -.infinity }
        guard let finiteRange else { return aboveAll > 0 ? .infinity : .nan }
        if cdf(finiteRange.upperBound) < target { return .infinity }
        var low = finiteRange.lowerBound, high = finiteRange.upperBound
        if cdf(low) >= target { return low }
        let tolerance = precision * max(high - low, 1e-12)
        // Bisection; it also stops when the two ends are neighbouring doubles (a range narrower
        // than the tolerance can resolve), where the midpoint would repeat one of them forever.
        while high - low > tolerance {
            let middle = (low + high) / 2
            if middle <= low || middle >= high { break }
            if cdf(middle) >= target { high = middle } else { low = middle }
        }
        return (low + high) / 2
    }
}

/// The probability masses of the pieces of a ray's distribution (`RayLayout`), each the difference of
/// p(u) at its ends, and the radii of the nodes.
private struct RayPieces: Sendable, Equatable {
    /// T and p(u) at each node.
    let nodeRadii: [Double], nodeProbabilities: [Double]
    /// Below the first node; beyond the last.
    let firstMass: Double, lastMass: Double
    /// Between node k and k + 1; between node k and the midpoint (in u) of k and k + 1; between that
    /// midpoint and node k + 1.
    let segmentMasses: [Double], lowerHalfMasses: [Double], upperHalfMasses: [Double]
    /// Node k's constant piece, from the midpoint before it to the midpoint after it (0 and 1 at the ends).
    let nodeMasses: [Double]
    /// The whole ray, summed piece by piece as for a ray whose values all lie at or below c.
    let wholeRayMass: Double
    /// For each node, the last entry of the radius table at or below its radius, where the search of
    /// a radius between two nodes starts (`RayLayout.position(ofRadius:segment:)`); nil when the
    /// table is not non-decreasing, where that start would not be exact.
    let nodeTableIndices: [Int]?

    init(radii: Int, radiusTable: [Double]) {
        let p = RayLayout.probability
        let positions = (0..<radii).map { (Double($0) + 0.5) / Double(radii) }
        let middles = (0..<(radii - 1)).map { (positions[$0] + positions[$0 + 1]) / 2 }
        nodeRadii = positions.map { RayLayout.radius(at: $0, in: radiusTable) }
        nodeProbabilities = positions.map(p)
        firstMass = p(positions[0]) - p(0)
        lastMass = p(1) - p(positions[radii - 1])
        segmentMasses = (0..<(radii - 1)).map { p(positions[$0 + 1]) - p(positions[$0]) }
        lowerHalfMasses = (0..<(radii - 1)).map { p(middles[$0]) - p(positions[$0]) }
        upperHalfMasses = (0..<(radii - 1)).map { p(positions[$0 + 1]) - p(middles[$0]) }
        nodeMasses = (0..<radii).map { k -> Double in
            let low: Double = k == 0 ? 0 : (positions[k - 1] + positions[k]) / 2
            let high: Double = k == radii - 1 ? 1 : (positions[k] + positions[k + 1]) / 2
            return p(high) - p(low)
        }
        var whole = 0.0
        whole += firstMass
        for mass in segmentMasses { whole += mass }
        whole += lastMass
        wholeRayMass = whole
        let nonDecreasing = zip(radiusTable, radiusTable.dropFirst()).allSatisfy { $0 <= $1 }
        nodeTableIndices = nonDecreasing ? nodeRadii.map { t in radiusTable.lastIndex { $0 <= t } ?? 0 } : nil
    }
}

/// The interval at `confidence` of a quantity's ray-bootstrap replicates `values` (laid out by
/// `layout`): the α/2 and 1 - α/2 quantiles of its distribution averaged over all rays (to `precision`
/// of the range of its values), with the
/// conventions of `percentileInterval` (an end at ±∞ open; more than α/2 undefined: nil). Each end's
/// Monte Carlo error is the larger of two: the error of the blocks' CDFs at the end over the CDF's
/// slope there (a central difference over 10⁻³ of the values' range), and the error of the blocks'
/// own ends (a block whose end is open counting at the most extreme finite value), which alone is
/// right where the CDF is flat or steps at the end (a lumpy quantity: there the slope of the pooled
/// CDF said an end 395 errors from its high-replicate value had a tiny error); never below half the
/// bisection's tolerance. Both are `monteCarloError`s of the blocks: calibrated to the coverage of
/// the two-error rule where the blocks are independent (more than 3 seeds); with 3 seeds, whose
/// blocks interleave one rotated grid (`SeedBootstrap`), an upper bound
/// (`MonteCarloErrorCalibrationTests`). An end is undetermined when the share of the distribution
/// beyond every value at that end (c) is within two Monte Carlo errors (e, from the blocks' shares)
/// of α/2: open when c > α/2 + 2e, bounded when c < α/2 - 2e or c = 0. `reading` may leave out an end
/// or the errors (`IntervalReading`).
public func rayInterval(_ values: [Double], layout: RayLayout, confidence: Double, precision: Double = 1e-5,
                        reading: IntervalReading = .whole) -> Interval? {
    precondition(values.count == layout.count)
    let rays = layout.blocks * layout.raysPerBlock
    let summaries = RayLayout.RaySummaries(layout: layout, values: values)
    let pooled = RayLayout.Distribution(layout: layout, values: values, rays: 0..<rays, summaries: summaries)
    return readInterval(pooled: pooled, confidence: confidence, precision: precision, reading: reading) {
        (0..<layout.blocks).map {
            RayLayout.Distribution(layout: layout, values: values, rays: ($0 * layout.raysPerBlock)..<(($0 + 1) * layout.raysPerBlock),
                                   summaries: summaries)
        }
    }
}

/// The interval at `confidence` read off a bootstrap distribution `pooled` whose independent blocks
/// (`blocks`, called once the interval exists) give the Monte Carlo errors, by the rules of
/// `rayInterval`: nil when more than α/2 is undefined or nothing is defined. Only the ends, and the
/// errors, that `reading` asks for are read.
func readInterval<D: ReadableDistribution>(pooled: D, confidence: Double, precision: Double, reading: IntervalReading = .whole,
                                           blocks makeBlocks: () -> [D]) -> Interval? {
    let halfAlpha = (1 - confidence) / 2
    guard pooled.undefined <= halfAlpha, pooled.finiteRange != nil || pooled.aboveAll + pooled.belowAll > 0 else { return nil }
    let blocks = makeBlocks()
    /// One end: value (nil open or undetermined), Monte Carlo error, undetermined.
    func end(level: Double, censoredShare: (D) -> Double, extreme: Double?) -> (Double?, Double?, Bool) {
        let shares = blocks.map(censoredShare)
        let share = shares.reduce(0, +) / Double(shares.count), shareError = monteCarloError(shares)
        let value = pooled.quantile(level, precision: precision)
        if value.isNaN { return (nil, nil, true) }
        if value.isInfinite {
            let open = (level < 0.5) == (value < 0)
            if open { return share - halfAlpha > 2 * shareError ? (nil, nil, false) : (nil, nil, true) }
            // The whole interval beyond every value at the other end.
            return (value < 0 ? -.greatestFiniteMagnitude : .greatestFiniteMagnitude, nil, false)
        }
        if share > 0 && halfAlpha - share <= 2 * shareError { return (nil, nil, true) }
        guard reading.monteCarloErrors else { return (value, nil, false) }
        // The blocks' own ends: their spread is the error where the CDF is flat or has a step at the
        // end (a lumpy quantity), where the CDF's slope says nothing of how far the end would move.
        let ends = blocks.map { block -> Double in
            let end = block.quantile(level, precision: precision)
            return end.isFinite ? end : extreme ?? value
        }
        // The bisection reads the end to half its tolerance (`quantile`): no error is smaller.
        let range = pooled.finiteRange.map { $0.upperBound - $0.lowerBound } ?? 0
        let endsError = max(monteCarloError(ends), precision * max(range, 1e-12) / 2)
        // The error of the CDF at the end, over the CDF's slope there (a central difference).
        let step = max(1e-3 * range, 1e-12)
        let slope = (pooled.cdf(value + step) - pooled.cdf(value - step)) / (2 * step)
        guard slope > 0 else { return (value, endsError, false) }
        let cdfError = monteCarloError(blocks.map { $0.cdf(value) / (1 - $0.undefined) }) / slope * (1 - pooled.undefined)
        return (value, max(cdfError, endsError), false)
    }
    let unread: (Double?, Double?, Bool) = (nil, nil, false)
    let lower = reading.ends.contains(.lower) ? end(level: halfAlpha, censoredShare: { $0.belowAll }, extreme: pooled.finiteRange?.lowerBound) : unread
    let upper = reading.ends.contains(.upper) ? end(level: 1 - halfAlpha, censoredShare: { $0.aboveAll }, extreme: pooled.finiteRange?.upperBound) : unread
    let errors = lower.1 == nil && upper.1 == nil ? nil : EndErrors(lower: lower.1, upper: upper.1)
    return Interval(lower: lower.0, upper: upper.0, monteCarloError: errors,
                    undetermined: [lower.2 ? IntervalEnd.lower : nil, upper.2 ? .upper : nil].compactMap { $0 })
}

/// The standard error of the mean of independent estimates: their sample standard deviation over √count.
func standardError(_ estimates: [Double]) -> Double {
    let count = Double(estimates.count), mean = estimates.reduce(0, +) / count
    return (estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1) / count).squareRoot()
}

/// The share of a normal estimate within two standard errors of its mean, Φ(2) - Φ(-2) = 95.45%: the
/// coverage every "within two Monte Carlo errors" rule (undetermined ends, `SignDecision`) assumes.
let twoErrorCoverage = 2 * normalCDF(2) - 1

/// The Monte Carlo error of the mean of `estimates`, one per independent block: their standard error
/// (`standardError`) times t_{B-1, (1 + 0.9545)/2} / 2 for B blocks (1.23 with 8), so that the
/// estimate lies within two of these errors of its limit with probability 95.45% (`twoErrorCoverage`),
/// as a normal estimate within two known standard errors. From B blocks the standard error is itself
/// estimated on B - 1 degrees of freedom, so its ratio to the estimate's error is Student's t_{B-1}:
/// read as if normal, two errors covered 91.4% with 8 blocks (a simulation of 5-seed ray bootstraps
/// found 89% to 94%, `MonteCarloErrorCalibrationTests`), not the 95.45% the rule takes for granted.
func monteCarloError(_ estimates: [Double]) -> Double {
    standardError(estimates) * twoErrorQuantile(df: estimates.count - 1) / 2
}

/// t_{df, (1 + 0.9545)/2}, the quantile `monteCarloError` scales by: `blockTwoErrorQuantile` for the
/// B - 1 degrees of freedom of a bootstrap's `SeedBootstrap.blockCount` blocks (the same bits, computed
/// once: every end of every interval asks for it several times, and each bisection of Student's CDF
/// costs tens of microseconds), else computed.
func twoErrorQuantile(df: Int) -> Double {
    df == SeedBootstrap.blockCount - 1 ? blockTwoErrorQuantile : studentTQuantile((1 + twoErrorCoverage) / 2, df: Double(df))
}

/// t_{B-1, (1 + 0.9545)/2} for B = `SeedBootstrap.blockCount` blocks (`twoErrorQuantile`).
private let blockTwoErrorQuantile = studentTQuantile((1 + twoErrorCoverage) / 2, df: Double(SeedBootstrap.blockCount - 1))
