/// The reference study's synthetic data: one Gaussian cluster per class, drawn exactly as the
/// published NumPy code drew them (see `shared/reference/STUDY.md`, "Data").
///
/// With `RandomState(seed)`: centers = centerScale * randn(classes, features); then for each class c
/// in order a block randn(n_c, features) * clusterStd + center_c (n_c = samples / classes, the
/// remainder going to the first classes); the stacked rows are reordered by permutation(samples)
/// from the same generator. A fresh `RandomState(seed)` then draws permutation(samples), whose first
/// round(trainFraction * samples) indices form the training set. Values are computed in Double and
/// converted to Float.
public struct GaussianClusters: DatasetSource, Codable, Equatable {
    /// Total number of samples (train + test).
    public var samples: Int
    /// Features per sample.
    public var features: Int
    /// Number of classes (clusters).
    public var classes: Int
    /// Standard deviation of each cluster around its center.
    public var clusterStd: Double
    /// Scale of the standard-normal class centers.
    public var centerScale: Double
    /// Fraction of the samples that form the training set.
    public var trainFraction: Double
    /// Seed of the NumPy-compatible generator for the data and the split.
    public var seed: UInt32

    /// A Gaussian-cluster source; the defaults are the reference study's.
    public init(samples: Int = 500, features: Int = 10, classes: Int = 5, clusterStd: Double = 2.0,
                centerScale: Double = 2.0, trainFraction: Double = 0.7, seed: UInt32 = 42) {
        self.samples = samples
        self.features = features
        self.classes = classes
        self.clusterStd = clusterStd
        self.centerScale = centerScale
        self.trainFraction = trainFraction
        self.seed = seed
    }

    /// "gaussian-clusters".
    public var name: String { "gaussian-clusters" }

    /// Size of the training set: round(trainFraction * samples).
    public var trainCount: Int { Int((trainFraction * Double(samples)).rounded()) }

    /// All samples in the generator's order, before the train/test split.
    public func makeDataset() -> Dataset {
        var random = NumPyRandomState(seed: seed)
        let centers = (0..<(classes * features)).map { _ in random.standardNormal() * centerScale }
        var rows = [Double]()
        rows.reserveCapacity(samples * features)
        var labels = [Int]()
        labels.reserveCapacity(samples)
        for label in 0..<classes {
            let blockSize = samples / classes + (label < samples % classes ? 1 : 0)
            for _ in 0..<blockSize {
                for column in 0..<features {
                    rows.append(random.standardNormal() * clusterStd + centers[label * features + column])
                }
                labels.append(label)
            }
        }
        let order = random.permutation(samples)
        let shuffled = Dataset(features: rows.map { Float($0) }, labels: labels,
                               featureCount: features, classCount: classes)
        return shuffled.rows(order)
    }

    /// The study's split: the first `trainCount` indices of a fresh permutation(samples) train.
    public func makeSplit() -> TrainTestSplit {
        let all = makeDataset()
        var random = NumPyRandomState(seed: seed)
        let order = random.permutation(samples)
        return TrainTestSplit(train: all.rows(Array(order[..<trainCount])),
                              test: all.rows(Array(order[trainCount...])))
    }
}
