import Foundation

/// How a ray bootstrap's replicates are laid out (`SeedBootstrap`): `blocks` independent
/// randomizations, each of `raysPerBlock` directions, each direction evaluated at `radii` radii.
/// Replicate r = (ray · radii + k), ray = block · raysPerBlock + j. Radius k sits at u_k = (k + ½) / radii
/// on a scale u whose probability is p(u) = 1 - (1 - u)² (nodes denser in the radius' tail, where the
/// ends of a 95% interval are decided).
///
/// A quantity's distribution along a ray is read off its values at the radii: linear in the radius T
/// between two finite values (exact for a mean, which moves linearly with T), constant beyond the first
/// and last radius, and switching halfway (in u) between two radii where one value is infinite or
/// undefined. The probability below a radius between nodes comes from a table of T on a fine grid of u. Its distribution overall is the average over the rays,
/// so an interval end has no Monte Carlo noise from the radius, where the Student t's heavy tail lies.
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

    /// The layout, with `radius(p)` the p-quantile of the radius T.
    init(blocks: Int, raysPerBlock: Int, radii: Int, radius: (Double) -> Double) {
        self.blocks = blocks
        self.raysPerBlock = raysPerBlock
        self.radii = radii
        let size = 512
        radiusTable = (0..<size).map { j in
            j == 0 ? 0 : j == size - 1 ? .infinity : radius(Self.probability(Double(j) / Double(size - 1)))
        }
    }

    /// The radius T of node k.
    func nodeRadius(_ k: Int) -> Double { radius(at: position(k)) }

    /// T at position u, interpolated in the table.
    private func radius(at u: Double) -> Double {
        let scaled = u * Double(radiusTable.count - 1), j = min(Int(scaled), radiusTable.count - 2)
        let (a, b) = (radiusTable[j], radiusTable[j + 1])
        return b.isInfinite ? a : a + (scaled - Double(j)) * (b - a)
    }

    /// The position u of radius T (the inverse of `radius(at:)`), by bisection in the table.
    private func position(ofRadius t: Double) -> Double {
        var low = 0, high = radiusTable.count - 1
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


    /// Masses of one ray's distribution: at or below `c`, undefined (NaN), and at -∞ / +∞.
    private func rayMasses(_ values: ArraySlice<Double>, below c: Double) -> Double {
        let start = values.startIndex
        var mass = 0.0
        func constant(_ value: Double, from u0: Double, to u1: Double) {
            if value <= c { mass += Self.probability(u1) - Self.probability(u0) }
        }
        constant(values[start], from: 0, to: position(0))
        for k in 0..<(radii - 1) {
            let a = values[start + k], b = values[start + k + 1], u0 = position(k), u1 = position(k + 1)
            if a.isFinite && b.isFinite {
                if a <= c && b <= c {
                    mass += Self.probability(u1) - Self.probability(u0)
                } else if a <= c || b <= c {
                    let t0 = radius(at: u0), t1 = radius(at: u1)
                    let crossing = position(ofRadius: t0 + (c - a) / (b - a) * (t1 - t0))
                    mass += a <= c ? Self.probability(crossing) - Self.probability(u0) : Self.probability(u1) - Self.probability(crossing)
                }
            } else {
                let middle = (u0 + u1) / 2
                constant(a, from: u0, to: middle)
                constant(b, from: middle, to: u1)
            }
        }
        constant(values[start + radii - 1], from: position(radii - 1), to: 1)
        return mass
    }

    /// Mass of one ray's distribution where the value satisfies `test` (evaluated on the constant
    /// pieces: a switch halfway between radii), for the shares of undefined and infinite values.
    private func rayShare(_ values: ArraySlice<Double>, where test: (Double) -> Bool) -> Double {
        let start = values.startIndex
        var mass = 0.0
        for k in 0..<radii where test(values[start + k]) {
            let low = k == 0 ? 0 : (position(k - 1) + position(k)) / 2
            let high = k == radii - 1 ? 1 : (position(k) + position(k + 1)) / 2
            mass += Self.probability(high) - Self.probability(low)
        }
        return mass
    }

    /// The distribution of `values` over the rays `rays`: the CDF at c, and the shares undefined, at -∞ and at +∞.
    struct Distribution {
        let layout: RayLayout
        let values: [Double]
        let rays: Range<Int>
        let undefined: Double, belowAll: Double, aboveAll: Double
        let finiteRange: ClosedRange<Double>?

        init(layout: RayLayout, values: [Double], rays: Range<Int>) {
            self.layout = layout
            self.values = values
            self.rays = rays
            let slices = rays.map { values[($0 * layout.radii)..<(($0 + 1) * layout.radii)] }
            let share = { (test: (Double) -> Bool) in slices.reduce(0) { $0 + layout.rayShare($1, where: test) } / Double(rays.count) }
            undefined = share(\.isNaN)
            belowAll = share { $0 == -.infinity }
            aboveAll = share { $0 == .infinity }
            let finite = slices.joined().filter(\.isFinite)
            finiteRange = finite.min().map { $0...finite.max()! }
        }

        /// P(value <= c), undefined values counting nowhere.
        func cdf(_ c: Double) -> Double {
            rays.reduce(0) { $0 + layout.rayMasses(values[($1 * layout.radii)..<(($1 + 1) * layout.radii)], below: c) } / Double(rays.count)
        }

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
}

/// The interval at `confidence` of a quantity's ray-bootstrap replicates `values` (laid out by
/// `layout`): the α/2 and 1 - α/2 quantiles of its distribution averaged over all rays (to `precision`
/// of the range of its values), with the
/// conventions of `percentileInterval` (an end at ±∞ open; more than α/2 undefined: nil). Each end's
/// Monte Carlo error is that of the blocks' CDFs at the end (their standard deviation over √blocks)
/// over the CDF's slope there (a central difference over 10⁻³ of the values' range); where the CDF is
/// flat, the standard deviation of the blocks' own ends over √blocks (a block whose end is open
/// counting at the most extreme finite value). An end is undetermined when the share of the
/// distribution beyond every value at that end (c) is within two Monte Carlo errors (e, from the
/// blocks' shares) of α/2: open when c > α/2 + 2e, bounded when c < α/2 - 2e or c = 0.
public func rayInterval(_ values: [Double], layout: RayLayout, confidence: Double, precision: Double = 1e-5) -> Interval? {
    precondition(values.count == layout.count)
    let halfAlpha = (1 - confidence) / 2
    let rays = layout.blocks * layout.raysPerBlock
    let pooled = RayLayout.Distribution(layout: layout, values: values, rays: 0..<rays)
    guard pooled.undefined <= halfAlpha, pooled.finiteRange != nil || pooled.aboveAll + pooled.belowAll > 0 else { return nil }
    let blocks = (0..<layout.blocks).map {
        RayLayout.Distribution(layout: layout, values: values, rays: ($0 * layout.raysPerBlock)..<(($0 + 1) * layout.raysPerBlock))
    }
    /// One end: value (nil open or undetermined), Monte Carlo error, undetermined.
    func end(level: Double, censoredShare: (RayLayout.Distribution) -> Double, extreme: Double?) -> (Double?, Double?, Bool) {
        let shares = blocks.map(censoredShare)
        let share = shares.reduce(0, +) / Double(shares.count), shareError = standardError(shares)
        let value = pooled.quantile(level, precision: precision)
        if value.isNaN { return (nil, nil, true) }
        if value.isInfinite {
            let open = (level < 0.5) == (value < 0)
            if open { return share - halfAlpha > 2 * shareError ? (nil, nil, false) : (nil, nil, true) }
            // The whole interval beyond every value at the other end.
            return (value < 0 ? -.greatestFiniteMagnitude : .greatestFiniteMagnitude, nil, false)
        }
        if share > 0 && halfAlpha - share <= 2 * shareError { return (nil, nil, true) }
        // The error of the CDF at the end, over the CDF's slope there (a central difference).
        let range = pooled.finiteRange.map { $0.upperBound - $0.lowerBound } ?? 0
        let step = max(1e-3 * range, 1e-12)
        let slope = (pooled.cdf(value + step) - pooled.cdf(value - step)) / (2 * step)
        if slope > 0 {
            return (value, standardError(blocks.map { $0.cdf(value) / (1 - $0.undefined) }) / slope * (1 - pooled.undefined), false)
        }
        let ends = blocks.map { block -> Double in
            let end = block.quantile(level, precision: precision)
            return end.isFinite ? end : extreme ?? value
        }
        return (value, standardError(ends), false)
    }
    let lower = end(level: halfAlpha, censoredShare: { $0.belowAll }, extreme: pooled.finiteRange?.lowerBound)
    let upper = end(level: 1 - halfAlpha, censoredShare: { $0.aboveAll }, extreme: pooled.finiteRange?.upperBound)
    let errors = lower.1 == nil && upper.1 == nil ? nil : EndErrors(lower: lower.1, upper: upper.1)
    return Interval(lower: lower.0, upper: upper.0, monteCarloError: errors,
                    undetermined: [lower.2 ? IntervalEnd.lower : nil, upper.2 ? .upper : nil].compactMap { $0 })
}

/// The standard error of the mean of independent estimates: their sample standard deviation over √count.
func standardError(_ estimates: [Double]) -> Double {
    let count = Double(estimates.count), mean = estimates.reduce(0, +) / count
    return (estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1) / count).squareRoot()
}
