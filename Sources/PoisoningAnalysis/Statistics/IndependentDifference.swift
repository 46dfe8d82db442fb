import Foundation

// The difference of a fitted quantity between two independent studies (`compare`), each with its own
// ray bootstrap: the interval is read off the distribution of B - A for A and B drawn independently
// from the two studies' ray distributions (their convolution), so that its ends inherit the ray
// layout's stability instead of the noise of Monte Carlo pairs. The analysis README documents it.

/// One study's replicates of a quantity, ray-laid-out, with the swept fractions at whose ends a
/// threshold's replicates are censored (±infinity).
struct RayReplicates {
    /// The replicates, in the layout's order.
    let values: [Double]
    /// The range of the swept fractions.
    let swept: ClosedRange<Double>
    /// How they are laid out.
    let layout: RayLayout
}

/// `other` minus `base` for a quantity of two independent studies, each read by its own ray bootstrap:
/// the estimate as `censoredDifference` makes it (a bound where a threshold lies outside the swept
/// fractions), and the interval of the difference of two independent draws, one from each study's ray
/// distribution. As in `censoredDifference`, a censored threshold stands for every value beyond its
/// end of the swept range: the lower end is the α/2 quantile of the smallest possible differences, the
/// upper end the 1 - α/2 quantile of the largest, and a pair with both beyond the same end is undefined.
/// Each end's Monte Carlo error pairs the two bootstraps' blocks (block i of one with block i of the
/// other: independent estimates of the same distribution, whose spread over √blocks bounds the pooled
/// reading's error from above), and an end is undetermined, as in `rayInterval`, when its share beyond
/// every value is within two errors of α/2.
func independentDifference(_ other: Estimate, _ base: Estimate, replicates: (other: RayReplicates, base: RayReplicates)?,
                           confidence: Double) -> Estimate {
    let (estimate, _) = censoredDifference(other, base, replicates: nil, design: .monteCarlo(blocks: 1), confidence: confidence)
    guard let replicates, replicates.other.layout.blocks == replicates.base.layout.blocks else { return estimate }
    let b = StudyPieces(replicates.other), a = StudyPieces(replicates.base)
    let blocks = replicates.other.layout.blocks
    let (bSwept, aSwept) = (replicates.other.swept, replicates.base.swept)
    /// The distribution of the smallest (`lowest`) or largest possible difference over the rays of block
    /// `block` of each study (all rays when nil).
    func distribution(lowest: Bool, block: Int?) -> DifferenceDistribution {
        let bPart = b.categories(block: block), aPart = a.categories(block: block)
        return DifferenceDistribution(other: bPart, base: aPart, lowest: lowest,
                                      otherEnds: (bSwept.lowerBound, bSwept.upperBound), baseEnds: (aSwept.lowerBound, aSwept.upperBound))
    }
    let read = { (lowest: Bool) in
        readInterval(pooled: distribution(lowest: lowest, block: nil), confidence: confidence, precision: 1e-5,
                     reading: .only(lowest ? .lower : .upper)) {
            (0..<blocks).map { distribution(lowest: lowest, block: $0) }
        }
    }
    guard let lower = read(true), let upper = read(false) else { return estimate }
    let errors = EndErrors(lower: lower.monteCarloError?.lower, upper: upper.monteCarloError?.upper)
    let interval = Interval(lower: lower.lower, upper: upper.upper, monteCarloError: errors.lower == nil && errors.upper == nil ? nil : errors,
                            undetermined: (lower.isUndetermined(.lower) ? [.lower] : []) + (upper.isUndetermined(.upper) ? [.upper] : []))
    return Estimate.fitted(value: estimate.value, interval: interval, bound: estimate.bound)
}

/// A study's ray distribution of one quantity in pieces: each ray's reading (`RayLayout`: linear in
/// the radius T between two finite values, switching halfway between two radii where one is infinite
/// or undefined, constant before the first radius and beyond the last) cut at the layout's radii and,
/// between two radii, into equal parts of the position u no wider than 1/128, each piece with its
/// probability and its values at its two ends and its middle. Read as uniform between its ends (the
/// other study of a difference) or as an atom at its middle (the base), the pieces' distribution
/// tends to the ray reading as they shrink; at this width its quantiles agree with `rayInterval`'s to
/// 10⁻⁴ of the values' range (`IndependentDifferenceTests`).
private struct StudyPieces {
    /// Per piece, ray-major (index ray * perRay + j): the values at its low and high ends of u and at
    /// its middle (all equal on a constant piece; finite, ±∞ or NaN).
    let low: [Double], high: [Double], middle: [Double]
    /// The probabilities of a ray's pieces (the same for every ray), summing to 1.
    let masses: [Double]
    /// Rays per block.
    let raysPerBlock: Int
    /// Blocks.
    let blocks: Int

    init(_ replicates: RayReplicates) {
        let layout = replicates.layout, radii = layout.radii
        let cuts = max(2, 128 / radii) / 2 * 2
        let p = RayLayout.probability
        let radius = { (u: Double) in RayLayout.radius(at: u, in: layout.radiusTable) }
        // Pieces of u: (from, to, node before, node after); nil nodes before the first and beyond the last radius.
        var pieces: [(low: Double, high: Double, before: Int?, after: Int?)] = [(0, layout.position(0), nil, 0)]
        for k in 0..<(radii - 1) {
            let (start, end) = (layout.position(k), layout.position(k + 1))
            for j in 0..<cuts {
                pieces.append((start + (end - start) * Double(j) / Double(cuts), start + (end - start) * Double(j + 1) / Double(cuts), k, k + 1))
            }
        }
        pieces.append((layout.position(radii - 1), 1, radii - 1, nil))
        masses = pieces.map { p($0.high) - p($0.low) }
        let count = layout.blocks * layout.raysPerBlock * pieces.count
        var low = [Double](), high = [Double](), middle = [Double]()
        low.reserveCapacity(count)
        high.reserveCapacity(count)
        middle.reserveCapacity(count)
        for ray in 0..<(layout.blocks * layout.raysPerBlock) {
            let node = { (k: Int) in replicates.values[ray * radii + k] }
            for piece in pieces {
                let values: (Double, Double, Double)
                if let before = piece.before, let after = piece.after {
                    let (a, b) = (node(before), node(after)), centre = (piece.low + piece.high) / 2
                    if a.isFinite && b.isFinite {
                        let (t0, t1) = (layout.nodeRadius(before), layout.nodeRadius(after))
                        let value = { (u: Double) in a + (radius(u) - t0) / (t1 - t0) * (b - a) }
                        values = (value(piece.low), value(piece.high), value(centre))
                    } else {
                        let constant = centre < (layout.position(before) + layout.position(after)) / 2 ? a : b
                        values = (constant, constant, constant)
                    }
                } else {
                    let constant = node(piece.before ?? piece.after!)
                    values = (constant, constant, constant)
                }
                low.append(values.0)
                high.append(values.1)
                middle.append(values.2)
            }
        }
        (self.low, self.high, self.middle) = (low, high, middle)
        raysPerBlock = layout.raysPerBlock
        blocks = layout.blocks
    }

    /// The pieces of block `block`'s rays (every ray when nil), the rays weighing equally: the finite
    /// ones (their smaller and larger end, their middle and mass), and the masses at -∞, at +∞ and
    /// undefined.
    func categories(block: Int?) -> PieceCategories {
        let rays = block.map { ($0 * raysPerBlock)..<(($0 + 1) * raysPerBlock) } ?? 0..<(blocks * raysPerBlock)
        let perRay = masses.count, weight = 1 / Double(rays.count)
        var finite = [Piece](), belowAll = 0.0, aboveAll = 0.0, undefined = 0.0
        for ray in rays {
            for j in 0..<perRay {
                let index = ray * perRay + j, value = middle[index], mass = masses[j] * weight
                if value.isNaN { undefined += mass } else if value == -.infinity { belowAll += mass } else if value == .infinity {
                    aboveAll += mass
                } else {
                    finite.append(Piece(low: min(low[index], high[index]), high: max(low[index], high[index]), middle: value, mass: mass))
                }
            }
        }
        return PieceCategories(finite: finite, belowAll: belowAll, aboveAll: aboveAll, undefined: undefined)
    }
}

/// A piece of a ray distribution: its values run from `low` to `high`, `middle` at its middle.
private struct Piece {
    let low: Double, high: Double, middle: Double, mass: Double

    /// A point mass at `value`.
    init(point value: Double, mass: Double) { self.init(low: value, high: value, middle: value, mass: mass) }

    init(low: Double, high: Double, middle: Double, mass: Double) {
        (self.low, self.high, self.middle, self.mass) = (low, high, middle, mass)
    }
}

/// A distribution as finite pieces and the masses at -∞, at +∞ and undefined.
private struct PieceCategories {
    let finite: [Piece]
    let belowAll: Double, aboveAll: Double, undefined: Double
    /// The mass of the finite pieces.
    var finiteMass: Double { 1 - belowAll - aboveAll - undefined }
}

/// The CDF of a mixture of uniform distributions, one per piece on [low, high] (a point mass where
/// they are equal, or nearly: narrower than 10⁻¹² of the pieces' whole range): piecewise linear
/// between its breakpoints, with jumps at the point masses.
private struct PiecewiseLinearCDF {
    /// Breakpoints ascending, the CDF at each (jumps there included) and its slope up to the next.
    let points: [Double], values: [Double], slopes: [Double]

    init(_ pieces: [Piece]) {
        let range = (pieces.map(\.high).max() ?? 0) - (pieces.map(\.low).min() ?? 0)
        var events = [(x: Double, jump: Double, slope: Double)]()
        for piece in pieces where piece.mass > 0 {
            if piece.high - piece.low > 1e-12 * range {
                let density = piece.mass / (piece.high - piece.low)
                events.append((piece.low, 0, density))
                events.append((piece.high, 0, -density))
            } else {
                events.append((piece.middle, piece.mass, 0))
            }
        }
        events.sort { $0.x < $1.x }
        var points = [Double](), values = [Double](), slopes = [Double](), value = 0.0, slope = 0.0
        for event in events {
            if let last = points.last, last == event.x {
                value += event.jump
                slope += event.slope
                values[values.count - 1] = value
                slopes[slopes.count - 1] = slope
            } else {
                if let last = points.last { value += slope * (event.x - last) }
                value += event.jump
                slope += event.slope
                points.append(event.x)
                values.append(value)
                slopes.append(slope)
            }
        }
        (self.points, self.values, self.slopes) = (points, values, slopes)
    }
}

/// Points ascending with their masses.
private struct SortedAtoms {
    let values: [Double], masses: [Double]

    /// The pieces as point masses at their middles (those of positive mass).
    init(_ pieces: [Piece]) {
        let sorted = pieces.filter { $0.mass > 0 }.sorted { $0.middle < $1.middle }
        values = sorted.map(\.middle)
        masses = sorted.map(\.mass)
    }
}

/// The distribution of the smallest (`lowest`) or largest possible difference `other - base` of two
/// independent draws, one from each distribution (`independentDifference`): other's pieces read as
/// uniform between their ends, base's as atoms at their middles. A threshold beyond the largest swept
/// fraction (+∞) can be any value from that end up, one before the smallest (-∞) any value from that
/// end down; a pair with both beyond the same end is undefined. For the smallest difference: other's
/// +∞ stands at its upper end and base's -∞ at its lower end (finite), other at -∞ or base at +∞
/// gives -∞; for the largest, the mirror image.
private struct DifferenceDistribution: ReadableDistribution {
    let undefined: Double, belowAll: Double, aboveAll: Double
    let finiteRange: ClosedRange<Double>?
    /// The finite differences' two factors.
    private let other: PiecewiseLinearCDF, base: SortedAtoms

    init(other b: PieceCategories, base a: PieceCategories, lowest: Bool, otherEnds: (Double, Double), baseEnds: (Double, Double)) {
        undefined = 1 - (1 - b.undefined) * (1 - a.undefined) + b.belowAll * a.belowAll + b.aboveAll * a.aboveAll
        let otherPieces: [Piece], basePieces: [Piece]
        if lowest {
            belowAll = b.belowAll * (a.finiteMass + a.aboveAll) + b.finiteMass * a.aboveAll
            aboveAll = 0
            otherPieces = b.finite + [Piece(point: otherEnds.1, mass: b.aboveAll)]
            basePieces = a.finite + [Piece(point: baseEnds.0, mass: a.belowAll)]
        } else {
            aboveAll = b.aboveAll * (a.finiteMass + a.belowAll) + b.finiteMass * a.belowAll
            belowAll = 0
            otherPieces = b.finite + [Piece(point: otherEnds.0, mass: b.belowAll)]
            basePieces = a.finite + [Piece(point: baseEnds.1, mass: a.aboveAll)]
        }
        other = PiecewiseLinearCDF(otherPieces)
        base = SortedAtoms(basePieces)
        finiteRange = other.points.isEmpty || base.values.isEmpty
            ? nil : (other.points.first! - base.values.last!)...(other.points.last! - base.values.first!)
    }

    /// P(difference <= c): the mass at -∞ plus Σ over base's atoms a of mass(a) · P(other <= c + a),
    /// other's CDF read by one pointer through its breakpoints moving up as a does.
    func cdf(_ c: Double) -> Double {
        let points = other.points
        var total = 0.0, pointer = -1
        for (index, a) in base.values.enumerated() {
            let x = c + a
            while pointer + 1 < points.count && points[pointer + 1] <= x { pointer += 1 }
            guard pointer >= 0 else { continue }
            let below = pointer == points.count - 1 ? other.values[pointer] : other.values[pointer] + other.slopes[pointer] * (x - points[pointer])
            total += base.masses[index] * below
        }
        return belowAll + total
    }
}
