import Foundation
import PoisoningEngine

/// The random draws of a seed-level multiplier bootstrap with a Student-t scale, shared by every
/// series of a study so that differences between series stay paired by seed, drawn by randomized
/// quasi-Monte Carlo so that interval ends hardly move with the random stream.
///
/// Method (documented with its coverage and stability in README.md): a run's metric at poison fraction
/// i and seed s is y_si. With ȳ_i the mean and R_si = y_si - ȳ_i the residuals over the n_i seeds that
/// finished, replicate r perturbs every mean by the same seed vector v_r:
///
///     μ*_i = ȳ_i + Σ_s v_rs R_si / √(n_i (n_i - 1)),   v_r = √(ν / g_r) w_r,  w_r ~ N(0, I_n),  g_r ~ χ²_ν,
///
/// with ν = n - 1 for n seeds: v_r is multivariate Student t, and for the mean at one fraction the
/// percentile interval is the t interval ȳ ± t_{n-1} s / √n. Because one vector per replicate moves
/// all fractions and series together, the correlation of runs that share a seed is kept.
///
/// The draws: the residuals of a fraction where every seed finished sum to zero, so they see w only
/// through its projection P w on the contrasts (the complement of the all-ones vector). In polar form
/// that is a radius T = √(ν / g) |P w|, with T² / (T² + ν) ~ Beta((n - 1)/2, ν/2), times a uniform
/// direction in the contrasts' n - 1 dimensions. The radius comes from the first coordinate of a Sobol'
/// point and the direction from the next n - 1 (normals by the inverse normal CDF, normalised): the heavy
/// t tail lies along one coordinate, which the Sobol' points stratify. The remaining component along
/// the all-ones vector (it matters only where a seed did not finish) is drawn pseudo-randomly with the
/// joint law: √(ν / g) z with z ~ N(0, 1) and g = S (1 - T² / (T² + ν)), S ~ χ²_{n-1+ν}. The replicates
/// form `blockCount` independent randomizations (a random digital shift of the same Sobol' points
/// each), so that the spread of an interval end between blocks measures its Monte Carlo error.
public struct SeedBootstrap: Sendable {
    /// Number of seeds n.
    public let seedCount: Int
    /// Independent randomizations of the Sobol' points; replicates are block-major.
    public let blockCount: Int
    /// v_rs, replicate-major: perturbations[r * seedCount + s].
    let perturbations: [Double]

    /// Replicates: `blockCount` blocks of equal size.
    public var replicateCount: Int { perturbations.count / seedCount }

    /// Independent randomizations in every bootstrap.
    public static let defaultBlockCount = 8

    /// At least `replicates` draws (rounded up to whole blocks) for `seedCount` seeds (>= 2), from the
    /// stream (seed, "statistics").
    public init(seedCount: Int, replicates: Int, seed: UInt64 = 0, blockCount: Int = SeedBootstrap.defaultBlockCount) {
        precondition(seedCount >= 2 && replicates >= 1 && blockCount >= 2)
        var random = Xoshiro256StarStar(seed: seed, purpose: "statistics")
        let contrasts = seedCount - 1, degrees = Double(seedCount - 1)
        let perBlock = (replicates + blockCount - 1) / blockCount
        let dimensions = 1 + contrasts
        let sobol = SobolSequence(dimensions: min(dimensions, SobolSequence.maximumDimensions)).points(perBlock)
        let helmert = helmertBasis(seedCount)
        var perturbations = [Double]()
        perturbations.reserveCapacity(blockCount * perBlock * seedCount)
        for _ in 0..<blockCount {
            let shifts = (0..<sobol[0].count).map { _ in UInt32(truncatingIfNeeded: random.next()) }
            for point in sobol {
                // Coordinates beyond the table's dimensions are pseudo-random (padding).
                let uniform = { (j: Int) -> Double in
                    let bits = j < shifts.count ? point[j] ^ shifts[j] : UInt32(truncatingIfNeeded: random.next())
                    return (Double(bits) + 0.5) / 4_294_967_296
                }
                let share = betaQuantile(uniform(0), a: degrees / 2, b: degrees / 2)
                let radius = (degrees * share / (1 - share)).squareRoot()
                let normals = (1...contrasts).map { normalQuantile(uniform($0)) }
                let length = normals.reduce(0) { $0 + $1 * $1 }.squareRoot()
                var chiSquare = 0.0
                for _ in 0..<(2 * contrasts) { let z = random.nextStandardNormal(); chiSquare += z * z }
                let along = random.nextStandardNormal() * (degrees / (chiSquare * (1 - share))).squareRoot()
                for s in 0..<seedCount {
                    var value = along / Double(seedCount).squareRoot()
                    for k in 0..<contrasts { value += radius * normals[k] / length * helmert[k][s] }
                    perturbations.append(value)
                }
            }
        }
        self.seedCount = seedCount
        self.blockCount = blockCount
        self.perturbations = perturbations
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
        if spread == 0 {
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

/// An orthonormal basis of the contrasts in n dimensions (vectors summing to zero): Helmert's,
/// e_k = (1, ..., 1, -k, 0, ..., 0) / √(k (k + 1)) with k ones, k = 1 ... n - 1.
private func helmertBasis(_ n: Int) -> [[Double]] {
    (1..<n).map { k in
        let scale = 1 / (Double(k) * Double(k + 1)).squareRoot()
        return (0..<n).map { s in s < k ? scale : s == k ? -Double(k) * scale : 0 }
    }
}

/// The p-quantile of Beta(a, b): Newton steps on I_x(a, b), kept within a shrinking bracket (bisection
/// when a step would leave it); exact for a = b = 1 (the uniform).
func betaQuantile(_ p: Double, a: Double, b: Double) -> Double {
    if a == 1 && b == 1 { return p }
    var low = 0.0, high = 1.0, x = a / (a + b)
    let logNorm = lgamma(a + b) - lgamma(a) - lgamma(b)
    for _ in 0..<100 {
        let error = regularizedIncompleteBeta(x, a: a, b: b) - p
        if error > 0 { high = x } else { low = x }
        let density = exp(logNorm + (a - 1) * log(x) + (b - 1) * log1p(-x))
        var next = x - error / density
        if !(next > low && next < high) { next = (low + high) / 2 }
        if abs(next - x) <= 1e-14 * max(x, 1e-300) || high - low <= 1e-15 { return next }
        x = next
    }
    return x
}
