import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// The representations of a model trained on the poisoned set, grouped by given class, with the
/// linear algebra the representation-based sanitisers share: centring, the covariance and its leading
/// eigenvectors (power iteration with deflation, from a fixed start, in Double).
struct ClassRepresentations {
    /// Width of a representation.
    let width: Int
    /// For each class: the rows labelled with it, ascending, and their centred representations
    /// [rows x width].
    let classes: [(rows: [Int], centred: [Double])]

    /// Trains the run's model on the poisoned set and groups its representations by given label; nil
    /// when that model diverged.
    init?(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) {
        let outcome = trainer.train(poisoned.data)
        guard outcome.divergedEpoch == nil else { return nil }
        let model = outcome.model.capable((any RepresentationClassifier).self), data = poisoned.data
        self.init(representations: model.representations(of: data).map(Double.init), width: model.representationWidth,
                  labels: data.labels, classCount: data.classCount)
    }

    /// The most memory a representation sanitiser holds at once while it inspects, with `components`
    /// leading directions: training a model, or its parameters, the representations of every row
    /// twice (in Float and in Double, or in Double and centred by class), the rows of each class, the
    /// covariance, the projections of a class's rows (an array each: 48 bytes and 8 a component; a
    /// class may hold every row), the clusters' assignments and the set of removed rows.
    static func bytes(_ sizes: RunSizes, components: Int) -> Double {
        let n = sizes.n, width = sizes.representationWidth
        let grouping = sizes.parameterBytes + 2 * 8 * n * width + 8 * n + 8 * width * width
            + (48 + 8 * Double(components)) * n + 3 * 8 * n + 24 * n
        return max(sizes.trainingBytes, grouping)
    }

    /// Representations [rows x width] grouped by `labels`.
    init(representations phi: [Double], width: Int, labels: [Int], classCount: Int) {
        self.width = width
        classes = (0..<classCount).map { label in
            let rows = labels.indices.filter { labels[$0] == label }
            var mean = [Double](repeating: 0, count: width)
            for row in rows { for j in 0..<width { mean[j] += phi[row * width + j] } }
            for j in 0..<width { mean[j] /= Double(max(rows.count, 1)) }
            let centred = rows.flatMap { row in (0..<width).map { phi[row * width + $0] - mean[$0] } }
            return (rows, centred)
        }
    }

    /// The scatter matrix Xᵀ X [width x width] of centred rows X [n x width].
    static func scatter(_ centred: [Double], width: Int) -> [Double] {
        let n = centred.count / max(width, 1)
        var covariance = [Double](repeating: 0, count: width * width)
        for r in 0..<n {
            for i in 0..<width {
                let xi = centred[r * width + i]
                for j in 0..<width { covariance[i * width + j] += xi * centred[r * width + j] }
            }
        }
        return covariance
    }

    /// The `count` leading eigenvectors of the covariance Xᵀ X of centred rows X [n x width], by the
    /// full symmetric eigen-decomposition (`symmetricEigen`: no starting vector that a direction could
    /// be orthogonal to, and right when the leading eigenvalues are close); fewer when the remaining
    /// variance is zero.
    static func leadingDirections(_ centred: [Double], width: Int, count: Int) -> [[Double]] {
        symmetricEigen(scatter(centred, width: width), n: width).prefix(count).filter { $0.value > 0 }.map(\.vector)
    }

    /// The eigenvalues of the symmetric matrix `a` [n x n], descending (ties: the earlier one first),
    /// each with its unit eigenvector: Householder reduction to a tridiagonal matrix, then implicit
    /// symmetric QR steps with Wilkinson shifts (Golub and Van Loan, "Matrix computations", 8.3),
    /// every transformation accumulated into the eigenvectors, all in Double. An off-diagonal entry
    /// counts as zero once it is within machine epsilon of its two diagonal neighbours.
    static func symmetricEigen(_ a: [Double], n: Int) -> [(value: Double, vector: [Double])] {
        var t = a                                                   // becomes tridiagonal, then diagonal
        var q = [Double](repeating: 0, count: n * n)                // its eigenvectors, by column
        for i in 0..<n { q[i * n + i] = 1 }
        // Householder: for each column k, reflect rows and columns k+1... so that column k has zeros below k+1.
        for k in 0..<max(n - 2, 0) {
            let x = ((k + 1)..<n).map { t[$0 * n + k] }
            let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { continue }
            let alpha = x[0] > 0 ? -norm : norm
            var v = x
            v[0] -= alpha
            let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard vNorm > 0 else { continue }
            v = v.map { $0 / vNorm }
            let m = n - k - 1
            // H A H = A - 2 v wᵀ - 2 w vᵀ on the trailing block, w = p - (vᵀ p) v, p = A v.
            var p = [Double](repeating: 0, count: m)
            for i in 0..<m { for j in 0..<m { p[i] += t[(k + 1 + i) * n + k + 1 + j] * v[j] } }
            let vp = zip(v, p).reduce(0) { $0 + $1.0 * $1.1 }
            let w = (0..<m).map { p[$0] - vp * v[$0] }
            for i in 0..<m {
                for j in 0..<m { t[(k + 1 + i) * n + k + 1 + j] -= 2 * (v[i] * w[j] + w[i] * v[j]) }
            }
            t[(k + 1) * n + k] = alpha
            t[k * n + k + 1] = alpha
            for i in 1..<m {
                t[(k + 1 + i) * n + k] = 0
                t[k * n + k + 1 + i] = 0
            }
            // Q ← Q H.
            for r in 0..<n {
                var dot = 0.0
                for j in 0..<m { dot += q[r * n + k + 1 + j] * v[j] }
                for j in 0..<m { q[r * n + k + 1 + j] -= 2 * dot * v[j] }
            }
        }
        /// Rotates rows and columns `i` and `i + 1` of t (entries `lo...hi` of them) and columns `i`
        /// and `i + 1` of q by the rotation (c, s): t ← Gᵀ t G, q ← q G.
        func rotate(_ i: Int, _ c: Double, _ s: Double, lo: Int, hi: Int) {
            for j in max(lo, i - 1)...min(hi, i + 2) {
                let (x, y) = (t[i * n + j], t[(i + 1) * n + j])
                (t[i * n + j], t[(i + 1) * n + j]) = (c * x - s * y, s * x + c * y)
            }
            for j in max(lo, i - 1)...min(hi, i + 2) {
                let (x, y) = (t[j * n + i], t[j * n + i + 1])
                (t[j * n + i], t[j * n + i + 1]) = (c * x - s * y, s * x + c * y)
            }
            for r in 0..<n {
                let (x, y) = (q[r * n + i], q[r * n + i + 1])
                (q[r * n + i], q[r * n + i + 1]) = (c * x - s * y, s * x + c * y)
            }
        }
        var hi = n - 1, steps = 0
        while hi > 0 && steps < 30 * n {
            for i in 0..<hi where abs(t[(i + 1) * n + i]) <= Double.ulpOfOne * (abs(t[i * n + i]) + abs(t[(i + 1) * n + i + 1])) {
                t[(i + 1) * n + i] = 0
                t[i * n + i + 1] = 0
            }
            if t[hi * n + hi - 1] == 0 {
                hi -= 1
                continue
            }
            var lo = hi - 1
            while lo > 0 && t[lo * n + lo - 1] != 0 { lo -= 1 }
            // One implicit QR step on the unreduced block lo...hi, shifted by the eigenvalue of its
            // trailing 2 x 2 block nearer its last diagonal entry.
            let e = t[hi * n + hi - 1], d = (t[(hi - 1) * n + hi - 1] - t[hi * n + hi]) / 2
            let shift = t[hi * n + hi] - e * e / (d + (d >= 0 ? 1 : -1) * (d * d + e * e).squareRoot())
            var (x, z) = (t[lo * n + lo] - shift, t[(lo + 1) * n + lo])
            for i in lo..<hi {
                if i > lo { (x, z) = (t[i * n + i - 1], t[(i + 1) * n + i - 1]) }
                let r = (x * x + z * z).squareRoot()
                guard r > 0 else { continue }
                rotate(i, x / r, -z / r, lo: lo, hi: hi)
                if i > lo {
                    // The rotation chased the bulge down: t[i + 1][i - 1] is now zero but for rounding.
                    (t[(i + 1) * n + i - 1], t[(i - 1) * n + i + 1]) = (0, 0)
                    (t[i * n + i - 1], t[(i - 1) * n + i]) = (r, r)
                }
            }
            steps += 1
        }
        let order = (0..<n).sorted { t[$0 * n + $0] != t[$1 * n + $1] ? t[$0 * n + $0] > t[$1 * n + $1] : $0 < $1 }
        return order.map { column in (t[column * n + column], (0..<n).map { q[$0 * n + column] }) }
    }

    /// The projections of centred rows on `directions`: [rows x directions].
    static func project(_ centred: [Double], width: Int, on directions: [[Double]]) -> [[Double]] {
        (0..<(centred.count / max(width, 1))).map { r in
            directions.map { v in (0..<width).reduce(0) { $0 + centred[r * width + $1] * v[$1] } }
        }
    }
}
