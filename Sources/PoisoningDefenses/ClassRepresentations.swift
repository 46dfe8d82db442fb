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

    /// The eigenvalues of the symmetric matrix `a` [n x n], descending, each with its unit
    /// eigenvector (`SymmetricEigen.decomposition`).
    static func symmetricEigen(_ a: [Double], n: Int) -> [(value: Double, vector: [Double])] {
        SymmetricEigen.decomposition(a, n: n)
    }

    /// The projections of centred rows on `directions`: [rows x directions].
    static func project(_ centred: [Double], width: Int, on directions: [[Double]]) -> [[Double]] {
        (0..<(centred.count / max(width, 1))).map { r in
            directions.map { v in (0..<width).reduce(0) { $0 + centred[r * width + $1] * v[$1] } }
        }
    }
}
