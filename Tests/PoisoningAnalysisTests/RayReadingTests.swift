import Foundation
import Testing
import PoisoningEngine
@testable import PoisoningAnalysis

/// The ray interval as `rayInterval` reads it, against the reading it replaced, written plainly: every
/// ray's CDF evaluated piece by piece at every point (no precomputed masses, no skipped rays). The
/// fast reading must give the same bits, for values with ties, infinities and undefined replicates.
struct RayReadingTests {
    /// Layouts of 2, 3 and 5 seeds at the default 1,000 replicates, and of 3 seeds at 20 (the
    /// provisional template check's).
    static let layouts: [RayLayout] = [(2, 1000), (3, 1000), (5, 1000), (3, 20)].map { seeds, replicates in
        guard case .rays(let layout) = SeedBootstrap(seedCount: seeds, replicates: replicates).design else { fatalError("rays") }
        return layout
    }

    /// Replicates of the kinds the analysis reads: smooth in the radius, with ties, with ±∞ (censored
    /// thresholds) and NaN (failed refits) on some rays, and all on one value.
    static func replicates(_ kind: Int, layout: RayLayout) -> [Double] {
        var random = Xoshiro256StarStar(seed: UInt64(kind), purpose: "ray reading test")
        return (0..<layout.count).map { r -> Double in
            let radius = layout.nodeRadius(r % layout.radii), direction = sin(Double(r / layout.radii) * 0.7)
            let smooth = 0.3 + 0.05 * radius * direction + 0.001 * random.nextStandardNormal()
            switch kind {
            case 0: return smooth
            case 1: return (smooth * 50).rounded() / 50
            case 2: return smooth > 0.42 ? .infinity : smooth < 0.2 ? -.infinity : smooth
            case 3: return random.nextStandardNormal() > 1.6 ? .nan : smooth
            case 4: return 0.25
            case 6: return random.nextStandardNormal() > -2.3 ? .infinity : smooth
            default: return random.nextStandardNormal() > 2.2 ? .infinity : (random.nextStandardNormal() > 2.2 ? .nan : smooth)
            }
        }
    }

    @Test(arguments: 0..<6)
    func theFastReadingGivesTheSameBits(kind: Int) {
        for layout in Self.layouts {
            let values = Self.replicates(kind, layout: layout)
            for (confidence, precision) in [(0.95, 1e-5), (0.95, 1e-3), (0.5, 1e-5), (0.99, 1e-5)] {
                let fast = rayInterval(values, layout: layout, confidence: confidence, precision: precision)
                let plain = plainRayInterval(values, layout: layout, confidence: confidence, precision: precision)
                #expect(bits(fast) == bits(plain), "kind \(kind), \(layout.blocks * layout.raysPerBlock) rays, \(confidence), \(precision)")
            }
            let rays = layout.blocks * layout.raysPerBlock
            let fast = RayLayout.Distribution(layout: layout, values: values, rays: 0..<rays,
                                              summaries: RayLayout.RaySummaries(layout: layout, values: values))
            let plain = PlainDistribution(layout: layout, values: values, rays: 0..<rays)
            for c in stride(from: 0.0, through: 0.6, by: 0.0137) + [0.25, 0.3] {
                #expect(fast.cdf(c).bitPattern == plain.cdf(c).bitPattern, "kind \(kind), c = \(c)")
            }
        }
    }

    /// The search of a radius between two nodes, started from the table entries around them, ends
    /// where the search of the whole table does: at every node and table entry, beside them, between
    /// them, outside the segment searched (below 0, past the last node), at ±∞ and NaN.
    @Test func theSearchFromTheNodesFindsTheWholeTablesPosition() {
        for layout in Self.layouts {
            #expect(layout.searchesFromNodes)
            let nodes = (0..<layout.radii).map(layout.nodeRadius)
            var radii = nodes + layout.radiusTable.dropLast() + [-1, -0.0, .infinity, -.infinity, .nan, 1e300]
            radii += radii.flatMap { [$0.nextUp, $0.nextDown] }
            radii += zip(nodes, nodes.dropFirst()).flatMap { t0, t1 in (1..<40).map { t0 + Double($0) / 40 * (t1 - t0) } }
            for k in 0..<(layout.radii - 1) {
                for t in radii {
                    let fast = layout.position(ofRadius: t, segment: k), whole = layout.position(ofRadius: t)
                    #expect(fast.bitPattern == whole.bitPattern && whole.bitPattern == plainPosition(layout, ofRadius: t).bitPattern,
                            "segment \(k), T = \(t)")
                }
            }
        }
    }

    /// A partial reading (`IntervalReading`) gives the whole reading's bits for what it reads: both
    /// ends without their errors, or one end with its error and its undetermined verdict; the end not
    /// read is nil and not undetermined. For the rays and for Monte Carlo blocks alike, with blocks
    /// that divide the replicates, one block, and blocks that do not divide them (no errors then);
    /// kind 6 lies beyond every value at the upper end in 98.9% of the replicates.
    @Test(arguments: 0..<7)
    func aPartialReadingGivesTheWholeReadingsBitsForWhatItReads(kind: Int) {
        for layout in Self.layouts {
            let all = Self.replicates(kind, layout: layout)
            let designs: [(ReplicateDesign, [Double])] = [(.rays(layout), all), (.monteCarlo(blocks: layout.blocks), all),
                                                          (.monteCarlo(blocks: 1), all), (.monteCarlo(blocks: layout.blocks), all.dropLast(1))]
            for (design, values) in designs {
                for confidence in [0.95, 0.5, 0.99] {
                    let whole = design.interval(values, confidence: confidence)
                    let endsAlone = design.interval(values, confidence: confidence, reading: .endsAlone)
                    let lower = design.interval(values, confidence: confidence, reading: .only(.lower))
                    let upper = design.interval(values, confidence: confidence, reading: .only(.upper))
                    let label = "kind \(kind), \(design), \(values.count) replicates, \(confidence)"
                    #expect(bits(endsAlone) == bits(whole.map { Interval(lower: $0.lower, upper: $0.upper, undetermined: $0.undetermined) }), "\(label)")
                    let lowerOnly = whole.map {
                        Interval(lower: $0.lower, upper: nil, monteCarloError: $0.monteCarloError?.lower.map { EndErrors(lower: $0, upper: nil) },
                                 undetermined: $0.isUndetermined(.lower) ? [.lower] : [])
                    }
                    let upperOnly = whole.map {
                        Interval(lower: nil, upper: $0.upper, monteCarloError: $0.monteCarloError?.upper.map { EndErrors(lower: nil, upper: $0) },
                                 undetermined: $0.isUndetermined(.upper) ? [.upper] : [])
                    }
                    #expect(bits(lower) == bits(lowerOnly), "\(label), lower")
                    #expect(bits(upper) == bits(upperOnly), "\(label), upper")
                }
            }
        }
    }

    /// An interval as the bit patterns of its ends and errors, with its undetermined ends.
    func bits(_ interval: Interval?) -> [UInt64?]? {
        interval.map { [$0.lower?.bitPattern, $0.upper?.bitPattern, $0.monteCarloError?.lower?.bitPattern,
                        $0.monteCarloError?.upper?.bitPattern, $0.isUndetermined(.lower) ? 1 : 0, $0.isUndetermined(.upper) ? 1 : 0] }
    }
}

/// T at position u, interpolated in the layout's table.
private func plainRadius(_ layout: RayLayout, at u: Double) -> Double {
    let table = layout.radiusTable
    let scaled = u * Double(table.count - 1), j = min(Int(scaled), table.count - 2)
    let (a, b) = (table[j], table[j + 1])
    return b.isInfinite ? a : a + (scaled - Double(j)) * (b - a)
}

/// The position u of radius T, by bisection in the layout's table.
private func plainPosition(_ layout: RayLayout, ofRadius t: Double) -> Double {
    let table = layout.radiusTable
    var low = 0, high = table.count - 1
    while high - low > 1 {
        let middle = (low + high) / 2
        if table[middle] <= t { low = middle } else { high = middle }
    }
    let (a, b) = (table[low], table[high])
    let within = b.isInfinite ? 0 : (t - a) / (b - a)
    return (Double(low) + min(max(within, 0), 1)) / Double(table.count - 1)
}

/// Masses of one ray's distribution at or below `c`, piece by piece.
private func plainRayMass(_ layout: RayLayout, _ values: ArraySlice<Double>, below c: Double) -> Double {
    let start = values.startIndex, p = RayLayout.probability
    var mass = 0.0
    func constant(_ value: Double, from u0: Double, to u1: Double) {
        if value <= c { mass += p(u1) - p(u0) }
    }
    constant(values[start], from: 0, to: layout.position(0))
    for k in 0..<(layout.radii - 1) {
        let a = values[start + k], b = values[start + k + 1], u0 = layout.position(k), u1 = layout.position(k + 1)
        if a.isFinite && b.isFinite {
            if a <= c && b <= c {
                mass += p(u1) - p(u0)
            } else if a <= c || b <= c {
                let t0 = plainRadius(layout, at: u0), t1 = plainRadius(layout, at: u1)
                let crossing = plainPosition(layout, ofRadius: t0 + (c - a) / (b - a) * (t1 - t0))
                mass += a <= c ? p(crossing) - p(u0) : p(u1) - p(crossing)
            }
        } else {
            let middle = (u0 + u1) / 2
            constant(a, from: u0, to: middle)
            constant(b, from: middle, to: u1)
        }
    }
    constant(values[start + layout.radii - 1], from: layout.position(layout.radii - 1), to: 1)
    return mass
}

/// Mass of one ray's distribution where the value satisfies `test`, piece by piece.
private func plainRayShare(_ layout: RayLayout, _ values: ArraySlice<Double>, where test: (Double) -> Bool) -> Double {
    let start = values.startIndex, radii = layout.radii
    var mass = 0.0
    for k in 0..<radii where test(values[start + k]) {
        let low = k == 0 ? 0 : (layout.position(k - 1) + layout.position(k)) / 2
        let high = k == radii - 1 ? 1 : (layout.position(k) + layout.position(k + 1)) / 2
        mass += RayLayout.probability(high) - RayLayout.probability(low)
    }
    return mass
}

/// A distribution over rays, every CDF evaluated ray by ray; its quantiles are the library's
/// (`ReadableDistribution.quantile`), read off this plain CDF.
private struct PlainDistribution: ReadableDistribution {
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
        let share = { (test: (Double) -> Bool) in slices.reduce(0) { $0 + plainRayShare(layout, $1, where: test) } / Double(rays.count) }
        undefined = share(\.isNaN)
        belowAll = share { $0 == -.infinity }
        aboveAll = share { $0 == .infinity }
        let finite = slices.joined().filter(\.isFinite)
        finiteRange = finite.min().map { $0...finite.max()! }
    }

    func cdf(_ c: Double) -> Double {
        rays.reduce(0) { $0 + plainRayMass(layout, values[($1 * layout.radii)..<(($1 + 1) * layout.radii)], below: c) } / Double(rays.count)
    }
}

/// `rayInterval`, read with `PlainDistribution`.
private func plainRayInterval(_ values: [Double], layout: RayLayout, confidence: Double, precision: Double) -> Interval? {
    let halfAlpha = (1 - confidence) / 2
    let rays = layout.blocks * layout.raysPerBlock
    let pooled = PlainDistribution(layout: layout, values: values, rays: 0..<rays)
    guard pooled.undefined <= halfAlpha, pooled.finiteRange != nil || pooled.aboveAll + pooled.belowAll > 0 else { return nil }
    let blocks = (0..<layout.blocks).map {
        PlainDistribution(layout: layout, values: values, rays: ($0 * layout.raysPerBlock)..<(($0 + 1) * layout.raysPerBlock))
    }
    func end(level: Double, censoredShare: (PlainDistribution) -> Double, extreme: Double?) -> (Double?, Double?, Bool) {
        let shares = blocks.map(censoredShare)
        let share = shares.reduce(0, +) / Double(shares.count), shareError = monteCarloError(shares)
        let value = pooled.quantile(level, precision: precision)
        if value.isNaN { return (nil, nil, true) }
        if value.isInfinite {
            let open = (level < 0.5) == (value < 0)
            if open { return share - halfAlpha > 2 * shareError ? (nil, nil, false) : (nil, nil, true) }
            return (value < 0 ? -.greatestFiniteMagnitude : .greatestFiniteMagnitude, nil, false)
        }
        if share > 0 && halfAlpha - share <= 2 * shareError { return (nil, nil, true) }
        let range = pooled.finiteRange.map { $0.upperBound - $0.lowerBound } ?? 0
        let ends = blocks.map { block -> Double in
            let end = block.quantile(level, precision: precision)
            return end.isFinite ? end : extreme ?? value
        }
        let endsError = max(monteCarloError(ends), precision * max(range, 1e-12) / 2)
        let step = max(1e-3 * range, 1e-12)
        let slope = (pooled.cdf(value + step) - pooled.cdf(value - step)) / (2 * step)
        if slope > 0 {
            return (value, max(monteCarloError(blocks.map { $0.cdf(value) / (1 - $0.undefined) }) / slope * (1 - pooled.undefined), endsError), false)
        }
        return (value, endsError, false)
    }
    let lower = end(level: halfAlpha, censoredShare: { $0.belowAll }, extreme: pooled.finiteRange?.lowerBound)
    let upper = end(level: 1 - halfAlpha, censoredShare: { $0.aboveAll }, extreme: pooled.finiteRange?.upperBound)
    let errors = lower.1 == nil && upper.1 == nil ? nil : EndErrors(lower: lower.1, upper: upper.1)
    return Interval(lower: lower.0, upper: upper.0, monteCarloError: errors,
                    undetermined: [lower.2 ? IntervalEnd.lower : nil, upper.2 ? .upper : nil].compactMap { $0 })
}
