import PoisoningUtilities

/// The reference study's synthetic data: one Gaussian cluster per class, drawn exactly as the
/// published NumPy code drew them (see docs/reference-study.md, "Design").
///
/// With `RandomState(seed)`: centers = centerScale * randn(classes, features); then for each class c
/// in order a block randn(n_c, features) * clusterStd + center_c (n_c = samples / classes, the
/// remainder going to the first classes); the stacked rows are reordered by permutation(samples)
/// from the same generator. A fresh `RandomState(seed)` then draws permutation(samples), whose first
/// round(trainFraction * samples) indices form the training set. Values are computed in Double and
/// converted to Float as they are drawn.
public struct GaussianClusters: DatasetSource, Equatable {
    /// "gaussian-clusters".
    public static let kind = "gaussian-clusters"
    /// One sentence for help and commented study files.
    public static let summary = "Synthetic data: one Gaussian cluster per class, drawn as the reference study's NumPy code drew them."

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

    /// Reads its keys from the study, each with its default and help.
    public init(parameters p: inout ParameterReader) throws {
        let reference = GaussianClusters()
        self.init(
            samples: try p.int("samples", default: reference.samples, in: 2...10_000_000, help: "Samples in all (train + test)."),
            features: try p.int("features", default: reference.features, in: 1...100_000, help: "Features per sample."),
            classes: try p.int("classes", default: reference.classes, in: 2...10_000,
                               help: "Classes, one cluster each; chance accuracy is 1/classes."),
            clusterStd: try p.double("cluster-std", default: reference.clusterStd, in: 0...1e6,
                                     help: "Standard deviation of each cluster around its center."),
            centerScale: try p.double("center-scale", default: reference.centerScale, in: 0...1e6,
                                      help: "Scale of the standard-normal class centers."),
            trainFraction: try p.double("train-fraction", default: reference.trainFraction, in: 0...1,
                                        help: "Fraction of the samples used for training; the rest is the clean test set."),
            seed: UInt32(try p.int("seed", default: Int(reference.seed), in: 0...Int(UInt32.max),
                                   help: "Seed of the NumPy-compatible generator that draws the data and the split.")))
        guard trainCount >= 1 && trainCount < samples else {
            throw p.error("train-fraction", "must leave at least one training and one test sample")
        }
        guard samples * features <= 100_000_000 else {
            throw p.error("samples", "samples x features must not exceed 100000000 (\(samples) x \(features))")
        }
    }

    /// "Gaussian clusters".
    public var label: String { "Gaussian clusters" }

    /// Size of the training set: round(trainFraction * samples).
    public var trainCount: Int { Int((trainFraction * Double(samples)).rounded()) }

    /// All samples in the generator's order, before the train/test split.
    public func makeDataset() -> Dataset {
        var random = NumPyRandomState(seed: seed)
        let (rows, labels) = drawClusters(&random)
        let order = random.permutation(samples)
        return Dataset(features: rows, labels: labels, featureCount: features, classCount: classes).rows(order)
    }

    /// The centers, then every class's block of rows in class order, each value computed in Double
    /// and stored as Float as soon as it is drawn; the centers are freed on return.
    private func drawClusters(_ random: inout NumPyRandomState) -> (rows: [Float], labels: [Int]) {
        let centers = (0..<(classes * features)).map { _ in random.standardNormal() * centerScale }
        var rows = [Float]()
        rows.reserveCapacity(samples * features)
        var labels = [Int]()
        labels.reserveCapacity(samples)
        for label in 0..<classes {
            let blockSize = samples / classes + (label < samples % classes ? 1 : 0)
            for _ in 0..<blockSize {
                for column in 0..<features {
                    rows.append(Float(random.standardNormal() * clusterStd + centers[label * features + column]))
                }
                labels.append(label)
            }
        }
        return (rows, labels)
    }

    /// The split's sizes: `trainCount` training rows and the rest test rows.
    public var plannedSizes: SplitSizes? {
        SplitSizes(trainRows: trainCount, testRows: samples - trainCount, features: features, classes: classes)
    }

    /// The most memory `makeSplit` holds at once: while drawing, the Double centers [classes x
    /// features] beside the Float rows and Int labels of every sample; then, while shuffling and
    /// splitting, two copies of the rows (the drawn and the reordered, or the reordered and the split)
    /// with two label arrays, two permutations and the split's row indices [samples Ints each].
    public var estimatedBytes: Double {
        let n = Double(samples), d = Double(features), centers = Double(classes * features)
        let drawing = 8 * centers + 4 * n * d + 8 * n
        let splitting = 2 * 4 * n * d + 4 * 8 * n
        return max(drawing, splitting)
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
