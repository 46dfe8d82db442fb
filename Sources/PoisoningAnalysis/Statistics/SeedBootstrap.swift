import Foundation
import PoisoningEngine

/// How a bootstrap's replicates are drawn, and so how an interval is read off them.
public enum ReplicateDesign: Sendable, Equatable {
    /// Rays (`RayLayout`): every quantity's distribution is integrated along each direction.
    case rays(RayLayout)
    /// Independent, equally weighted replicates in `blocks` consecutive blocks of equal size.
    case monteCarlo(blocks: Int)

    /// The interval at `confidence` of a quantity's replicates, with its ends' Monte Carlo errors
    /// (`rayInterval`, `bootstrapInterval`); a ray interval's ends to `precision` of the values' range;
    /// only the ends and errors `reading` asks for.
    public func interval(_ values: [Double], confidence: Double, precision: Double = 1e-5, reading: IntervalReading = .whole) -> Interval? {
        switch self {
        case .rays(let layout): rayInterval(values, layout: layout, confidence: confidence, precision: precision, reading: reading)
        case .monteCarlo(let blocks): bootstrapInterval(values, blocks: blocks, confidence: confidence, reading: reading)
        }
    }

    /// The share of a quantity's distribution that is undefined (NaN replicates), weighted as its
    /// intervals weigh the replicates: by the mass each radius carries along its ray (the tail's
    /// radii, denser than their probability, weigh less), or equally for Monte Carlo replicates.
    public func undefinedShare(_ values: [Double]) -> Double {
        switch self {
        case .rays(let layout):
            let summaries = RayLayout.RaySummaries(layout: layout, values: values)
            return summaries.undefined.reduce(0, +) / Double(summaries.undefined.count)
        case .monteCarlo:
            return values.isEmpty ? 0 : Double(values.filter(\.isNaN).count) / Double(values.count)
        }
    }
}

/// The random draws of a seed-level multiplier bootstrap with a Student-t scale, shared by every
/// series of a study so that differences between series stay paired by seed.
///
/// Method (documented with its coverage and stability in README.md): a run's metric at poison fraction
/// i and seed s is y_si. With ȳ_i the mean and R_si = y_si - ȳ_i the residuals over the n_i seeds that
/// finished, replicate r perturbs every mean by the same seed vector v_r:
///
///     μ*_i = ȳ_i + Σ_s v_rs R_si / √(n_i (n_i - 1)),   v_r = √(ν / g_r) w_r,  w_r ~ N(0, I_n),  g_r ~ χ²_ν,
///
/// with ν = n - 1 for n seeds: v_r is multivariate Student t, so a mean at one fraction has the law of
/// ȳ + t_{n-1} s / √n under the bootstrap (the rays read that law only out to their last radius; means
/// are given the exact t interval directly, without the bootstrap). Because one vector per replicate moves
/// all fractions and series together, the correlation of runs that share a seed is kept.
///
/// The draws (`ReplicateDesign.rays`, the default): the residuals of a fraction where every seed
/// finished sum to zero, so they see w only through its projection P w on the contrasts (the
/// complement of the all-ones vector). In polar form that is a radius T = √(ν / g) |P w|, with
/// q = T² / (T² + ν) ~ Beta(ν/2, ν/2), times a uniform direction in the contrasts' n - 1 dimensions.
/// Each ray fixes a direction and evaluates the radii of `RayLayout` (quantiles of T, 16 per ray with at
/// most 3 seeds and 4 with more: `radiiPerRay`), so that the heavy t tail is integrated rather than sampled. Directions: for 3 seeds equally spaced angles with one
/// random rotation, the blocks taking every 8th angle (so the blocks are not independent, and their
/// spread overstates the pooled ends' Monte Carlo error: `rayInterval`); for more, Sobol' points
/// (inverse normal CDF, normalised) with a random digital shift per block, each in an antithetic pair
/// with its negation; for 2, the two signs. The component along the all-ones vector (it matters
/// only where a seed did not finish) has the joint law √(ν / g) z with z ~ N(0, 1) and g = S (1 - q),
/// S ~ χ²_{n-1+ν}, drawn per ray. `compare` reads a difference between two studies off the
/// convolution of their ray distributions (`independentDifference`).
public struct SeedBootstrap: Sendable {
    /// Number of seeds n.
    public let seedCount: Int
    /// How the replicates are laid out.
    public let design: ReplicateDesign
    /// v_rs, replicate-major: perturbations[r * seedCount + s].
    let perturbations: [Double]
    /// The stream the draws come from.
    public let seed: UInt64
    /// The replicates asked and the refits per replicate asked (nil: `drawsPerReplicate`), which with
    /// the seeds fix the layout, and the replicates the pilot asks (`pilot`).
    private let replicatesAsked: Int, perReplicateAsked: Int?, pilotReplicatesAsked: Int

    /// The stream of the pilot bootstrap, the default `--bootstrap-seed` (`AnalysisSettings`): which
    /// ends of the sigmoid's parameters are shown is decided on it (`placingParameterEnds`), so that it
    /// does not depend on the user's stream.
    public static let pilotSeed = AnalysisSettings().bootstrapSeed

    /// The pilot bootstrap: the same seeds and refits per replicate, with the pilot's replicates (the
    /// study's before an adaptive look's escalation, `escalatingReplicates`, which depends on the
    /// stream; as many or fewer, so its errors are as large or larger), drawn from `pilotSeed`; nil when
    /// this one is that bootstrap (it is its own pilot).
    public var pilot: SeedBootstrap? {
        seed == Self.pilotSeed && pilotReplicatesAsked == replicatesAsked ? nil
            : SeedBootstrap(seedCount: seedCount, replicates: pilotReplicatesAsked, seed: Self.pilotSeed, perReplicate: perReplicateAsked)
    }

    /// Replicates.
    public var replicateCount: Int { perturbations.count / seedCount }

    /// Independent randomizations in every bootstrap.
    public static let blockCount = 8

    /// Radii per ray for `seedCount` seeds: 16 with at most 3 seeds, whose Student t (ν <= 2) has a
    /// tail too heavy for 4 radii (the last at T's 98.4% quantile, beyond which a quantity is held
    /// constant, pulled the reference study's interval ends inward by up to 2.5 pp against a 100,000
    /// replicate plain Monte Carlo of the same bootstrap); 4 with more.
    public static func radiiPerRay(seedCount: Int) -> Int { seedCount <= 3 ? 16 : 4 }

    /// Refits drawn per replicate asked in a study of `seedCount` seeds with a fixed list of seeds
    /// (`drawnReplicates`): 2 with at most 3 seeds, whose directions are a circle of angles; with more,
    /// (n - 1)² / 2 and at least 8 (8 with 4 or 5 seeds, 40 with 10), because the Sobol' directions
    /// integrate the sigmoid's own parameters more coarsely the more contrast dimensions there are:
    /// over 5 streams (docs/statistics.md) the widest move of an end of L, x0 or b was 1.3 pp at 2 per
    /// replicate and 0.46 pp at 8 with 5 seeds; 2.9 pp at 2, 0.79 pp at 16 and 0.36 pp at 64 with 10.
    public static func drawsPerReplicate(seedCount: Int) -> Int {
        seedCount <= 3 ? 2 : max(8, (seedCount - 1) * (seedCount - 1) / 2)
    }

    /// Refits drawn per replicate asked at a look of an adaptive study: 2, whatever the seeds. A look's
    /// decisions rest on thresholds, whose ends hold 0.5 pp at 2; with the 33 to 40 seeds of the
    /// adaptive reference study's looks the parameters' 0.5 pp would need about 450,000 refits per
    /// series, some 20 s of CPU per look against the 10 s the whole adaptive study may take. Provisional
    /// results (a template's check, whose numbers only stand in for the real ones' shape) draw as few.
    public static let adaptiveDrawsPerReplicate = 2

    /// Most refits per series drawn beyond twice the replicates asked: 64,000 (with 3 series about
    /// 3 s of CPU), so that many seeds times many replicates exhaust neither time nor memory.
    public static let largestDraw = 64_000

    /// Draws made for `replicates` asked with `seedCount` seeds: `perReplicate` (by default
    /// `drawsPerReplicate`) times as many, at most `largestDraw` unless twice the replicates asked is
    /// more (1,000 asked: 8 blocks x 16 rays x 16 radii = 2,048 refits per series with at most 3 seeds;
    /// 8 x 250 x 4 = 8,000 with 4 or 5 seeds; 8 x 1,250 x 4 = 40,000 with 10; with 1,024, 8 x 32 x 4, and
    /// Sobol' directions without antithetic pairs, 5 seeds' threshold ends moved by 0.55 pp between
    /// streams and L's, b's and x0's by up to 2.6 pp, `IntervalStabilityTests`).
    public static func drawnReplicates(_ replicates: Int, seedCount: Int, perReplicate: Int? = nil) -> Int {
        let wanted = (perReplicate ?? drawsPerReplicate(seedCount: seedCount)) * replicates
        return max(2 * replicates, min(wanted, largestDraw))
    }

    /// At least `replicates` draws (rounded up to whole blocks of whole rays, and at least
    /// `drawnReplicates`, with `perReplicate` draws per replicate when given) for `seedCount` seeds
    /// (>= 2), from the stream (seed, "statistics"); its `pilot` asks `pilotReplicates` (by default
    /// `replicates`).
    public init(seedCount: Int, replicates: Int, seed: UInt64 = 0, perReplicate: Int? = nil, pilotReplicates: Int? = nil) {
        precondition(seedCount >= 2 && replicates >= 1)
        var random = Xoshiro256StarStar(seed: seed, purpose: "statistics")
        let blocks = Self.blockCount
        self.seedCount = seedCount
        self.seed = seed
        replicatesAsked = replicates
        perReplicateAsked = perReplicate
        pilotReplicatesAsked = pilotReplicates ?? replicates
        let radii = Self.radiiPerRay(seedCount: seedCount)
        let drawn = Self.drawnReplicates(replicates, seedCount: seedCount, perReplicate: perReplicate)
        let raysPerBlock = max(2, ((drawn + blocks * radii - 1) / (blocks * radii) + 1) / 2 * 2)
        let degrees = Double(seedCount - 1)
        let layout = RayLayout(blocks: blocks, raysPerBlock: raysPerBlock, radii: radii) { p in
            let share = betaQuantile(p, a: degrees / 2, b: degrees / 2)
            return (degrees * share / (1 - share)).squareRoot()
        }
        design = .rays(layout)
        perturbations = rayPerturbations(seedCount: seedCount, layout: layout, random: &random)
    }

    /// The replicates of the mean of `values` (one per seed in study order, nil where the run
    /// diverged): μ*_r = ȳ + Σ_s v_rs R_s / √(m (m - 1)) over the m seeds present.
    ///
    /// A spread s below `resolution` (the smallest difference the metric can show, e.g. one test
    /// row) is raised to it: seeds that agree exactly say the spread is small, not zero. The residuals
    /// are scaled by resolution / s; where the seeds agree exactly they are replaced by the contrast of
    /// the first two seeds present with that spread. Without two finished seeds every replicate is the
    /// mean itself (or NaN without any).
    public func replicateMeans(_ values: [Double?], resolution: Double) -> [Double] {
        precondition(values.count == seedCount)
        let present = values.compactMap { $0 }
        guard !present.isEmpty else { return Array(repeating: .nan, count: replicateCount) }
        let count = Double(present.count)
        let mean = present.reduce(0, +) / count
        guard present.count >= 2 else { return Array(repeating: mean, count: replicateCount) }
        let spread = (present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1)).squareRoot()
        let norm = (count * (count - 1)).squareRoot()
        var coefficients = values.map { $0.map { ($0 - mean) / norm } ?? 0 }
        // A spread far below the resolution is rounding (0.8 three times has a mean of 0.8000000000000002).
        if spread < 1e-9 * resolution {
            // Residuals ±d on two seeds have spread d √(2 / (m - 1)).
            let indices = values.indices.filter { values[$0] != nil }
            let d = resolution * ((count - 1) / 2).squareRoot() / norm
            coefficients[indices[0]] = d
            coefficients[indices[1]] = -d
        } else if spread < resolution {
            coefficients = coefficients.map { $0 * resolution / spread }
        }
        return (0..<replicateCount).map { r in
            var sum = mean
            for s in 0..<seedCount { sum += coefficients[s] * perturbations[r * seedCount + s] }
            return sum
        }
    }
}

/// The rays' draws: per block and ray a direction in the contrasts (see `SeedBootstrap`), evaluated at
/// the layout's radii, plus the ray's component along the all-ones vector.
private func rayPerturbations(seedCount: Int, layout: RayLayout, random: inout Xoshiro256StarStar) -> [Double] {
    let contrasts = seedCount - 1, degrees = Double(seedCount - 1)
    let radii = (0..<layout.radii).map(layout.nodeRadius)
    let shares = radii.map { $0 * $0 / ($0 * $0 + degrees) }
    let helmert = helmertBasis(seedCount)
    let sobol = contrasts >= 3
        ? SobolSequence(dimensions: min(contrasts, SobolSequence.maximumDimensions)).points(layout.raysPerBlock / 2) : []
    var antithetic = [Double]()
    var perturbations = [Double]()
    perturbations.reserveCapacity(layout.count * seedCount)
    let rotation = Double(random.next() >> 11) / 9_007_199_254_740_992
    let rays = Double(layout.blocks * layout.raysPerBlock)
    for block in 0..<layout.blocks {
        let shifts = (0..<min(contrasts, SobolSequence.maximumDimensions)).map { _ in UInt32(truncatingIfNeeded: random.next()) }
        for j in 0..<layout.raysPerBlock {
            var direction: [Double]
            switch contrasts {
            case 1: direction = [j % 2 == 0 ? 1 : -1]
            case 2:
                let angle = 2 * Double.pi * (Double(j * layout.blocks + block) + rotation) / rays
                direction = [cos(angle), sin(angle)]
            default:
                // Antithetic pairs: ray 2i + 1 is ray 2i's direction negated, so that every direction's
                // two sides weigh alike (a quantity's low and high tails then come from the same
                // directions, not from however many of the Sobol' points fell on either side).
                if j % 2 == 1 {
                    direction = antithetic.map { -$0 }
                    break
                }
                direction = (0..<contrasts).map { k in
                    // Dimensions beyond the table's are pseudo-random (padding).
                    let bits = k < shifts.count ? sobol[j / 2][k] ^ shifts[k] : UInt32(truncatingIfNeeded: random.next())
                    return normalQuantile((Double(bits) + 0.5) / 4_294_967_296)
                }
                let length = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
                direction = direction.map { $0 / length }
                antithetic = direction
            }
            let contrast = (0..<seedCount).map { s in (0..<contrasts).reduce(0) { $0 + direction[$1] * helmert[$1][s] } }
            var chiSquare = 0.0
            for _ in 0..<(2 * contrasts) { let z = random.nextStandardNormal(); chiSquare += z * z }
            let z = random.nextStandardNormal()
            for k in 0..<layout.radii {
                let along = z * (degrees / (chiSquare * (1 - shares[k]))).squareRoot() / Double(seedCount).squareRoot()
                for s in 0..<seedCount { perturbations.append(radii[k] * contrast[s] + along) }
            }
        }
    }
    return perturbations
}

/// An orthonormal basis of the contrasts in n dimensions (vectors summing to zero): Helmert's,
/// e_k = (1, ..., 1, -k, 0, ..., 0) / √(k (k + 1)) with k ones, k = 1 ... n - 1.
private func helmertBasis(_ n: Int) -> [[Double]] {
    (1..<n).map { k in
        let scale = 1 / (Double(k) * Double(k + 1)).squareRoot()
        return (0..<n).map { s in s < k ? scale : s == k ? -Double(k) * scale : 0 }
    }
}
