import Foundation
import PoisoningEngine

/// The random draws of a seed-level multiplier bootstrap with a Student-t scale, shared by every
/// series of a study so that differences between series stay paired by seed.
///
/// Method (documented with its coverage in README.md): a run's metric at poison fraction i and seed
/// s is y_si. With ȳ_i the mean and R_si = y_si - ȳ_i the residuals over the n_i seeds that
/// finished, replicate r perturbs every mean by the same seed weights:
///
///     μ*_i = ȳ_i + √(ν / g_r) · Σ_s w_rs R_si / √(n_i (n_i - 1)),   w_rs ~ N(0, 1),  g_r ~ χ²_ν,
///
/// with ν = n - 1 for n seeds. Given the residuals, Σ_s w_s R_si / √(n_i (n_i - 1)) is normal with
/// the squared standard error s_i² / n_i, and the common χ² scale turns it into a Student t with
/// n - 1 degrees of freedom: for the mean at one fraction the percentile interval is exactly the
/// t interval ȳ ± t_{n-1} s / √n, the small-sample correction for a variance estimated from a few
/// seeds. Because one weight per seed moves all fractions and series together, the correlation of
/// runs that share a seed (same initialisation, shuffling and poisoned rows) is kept. A fitted
/// quantity (threshold, k, x0) is refitted on every replicate's means; its interval is the
/// percentile interval of the replicates. With many seeds this is close to resampling whole
/// seeds (a wild bootstrap of seeds, Wu 1986; Mammen 1993); with few it stays valid where
/// resampling three seeds could give only ten distinct replicates.
public struct SeedBootstrap: Sendable {
    /// Number of seeds n.
    public let seedCount: Int
    /// w_rs, replicate-major: weights[r * seedCount + s].
    let weights: [Double]
    /// √(ν / g_r) per replicate.
    let scales: [Double]

    /// Replicates.
    public var replicateCount: Int { scales.count }

    /// `replicates` draws for `seedCount` seeds (>= 2) from the stream (seed, "statistics").
    public init(seedCount: Int, replicates: Int, seed: UInt64 = 0) {
        precondition(seedCount >= 2 && replicates >= 1)
        var random = Xoshiro256StarStar(seed: seed, purpose: "statistics")
        var weights = [Double](), scales = [Double]()
        weights.reserveCapacity(seedCount * replicates)
        let degrees = seedCount - 1
        for _ in 0..<replicates {
            for _ in 0..<seedCount { weights.append(random.nextStandardNormal()) }
            // g ~ χ²_ν as a sum of ν squared standard normals.
            var chiSquare = 0.0
            for _ in 0..<degrees {
                let z = random.nextStandardNormal()
                chiSquare += z * z
            }
            scales.append((Double(degrees) / chiSquare).squareRoot())
        }
        self.seedCount = seedCount
        self.weights = weights
        self.scales = scales
    }

    /// The replicates of the mean of `values` (one per seed in study order, nil where the run
    /// diverged): μ*_r = ȳ + √(ν/g_r) Σ_s w_rs R_s / √(m (m - 1)) over the m seeds present.
    ///
    /// A spread s below `resolution` (the smallest difference the metric can show, e.g. one test
    /// row) is raised to it: seeds that agree exactly say the spread is small, not zero. The missing
    /// variance enters as √(ν/g_r) z_r √((resolution² - s²) / m), with z_r standard normals from
    /// `floorStream`, independent of every other quantity. Without two finished seeds every
    /// replicate is the mean itself (or NaN without any).
    public func replicateMeans(_ values: [Double?], resolution: Double,
                               floorStream: inout Xoshiro256StarStar) -> [Double] {
        precondition(values.count == seedCount)
        let present = values.compactMap { $0 }
        guard !present.isEmpty else { return Array(repeating: .nan, count: replicateCount) }
        let count = Double(present.count)
        let mean = present.reduce(0, +) / count
        guard present.count >= 2 else { return Array(repeating: mean, count: replicateCount) }
        let norm = (count * (count - 1)).squareRoot()
        let variance = present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1)
        let missing = (max(resolution * resolution - variance, 0) / count).squareRoot()
        return (0..<replicateCount).map { r in
            var sum = 0.0
            for s in 0..<seedCount {
                if let value = values[s] { sum += weights[r * seedCount + s] * (value - mean) }
            }
            let floor = missing > 0 ? missing * floorStream.nextStandardNormal() : 0
            return mean + scales[r] * (sum / norm + floor)
        }
    }
}
