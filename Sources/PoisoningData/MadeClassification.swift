import PoisoningUtilities

/// Synthetic classification data made as scikit-learn's `make_classification` makes them (Guyon's
/// design for the NIPS 2003 feature-selection challenge), seeded with our own generator.
///
/// Per cluster (`clusters-per-class` per class, cluster k belongs to class k mod classes): its
/// centroid is a distinct vertex of the hypercube {−class-sep, +class-sep}^informative; its rows are
/// z A + centroid, z standard normal over the `informative` columns and A a random
/// [informative x informative] matrix with entries uniform in [−1, 1) (a random covariance). Then
/// the `redundant` columns are the informative ones times a random [informative x redundant] matrix
/// B, uniform in [−1, 1); the remaining columns are standard normal noise. Finally each row's label
/// is, with probability `flip-y`, replaced by a class drawn uniformly (possibly the same one). Rows
/// per cluster: samples / clusters, the remainder to the first clusters.
///
/// Every draw comes from streams of `seed`: (seed, "classification-features") for the vertices, A,
/// z, B and the noise, in that order; (seed, "classification-flips") for the flips, so that `flip-y`
/// changes labels only. The split is a permutation on (seed, "classification-split") whose first
/// round(train-fraction · samples) rows train.
///
/// Differences from scikit-learn: the generator is ours (xoshiro256**, not NumPy's), so the values
/// differ from sklearn's at the same seed; there are no `n_repeated` columns, no `weights`, `shift`
/// or `scale`; columns stay in the order informative, redundant, noise (sklearn shuffles them when
/// `shuffle=True`), so a reader knows which columns carry the signal; the hypercube vertices are
/// drawn bit by bit, rejecting repeats (sklearn samples vertex indices without replacement).
public struct MadeClassification: DatasetSource, Equatable {
    /// "make-classification".
    public static let kind = "make-classification"
    /// One sentence for help and commented study files.
    public static let summary = "Synthetic data as scikit-learn's make_classification makes them: Gaussian clusters on hypercube vertices, informative, redundant and noise columns, flipped labels."

    /// Rows in all, features per row, informative and redundant columns, classes, clusters per class.
    public var samples, features, informative, redundant, classes, clustersPerClass: Int
    /// Half the side of the hypercube whose vertices are the centroids; the share of labels redrawn.
    public var classSep, flipY: Double
    /// The share of rows that train.
    public var trainFraction: Double
    /// The seed of every stream.
    public var seed: UInt64

    /// A source; the defaults are scikit-learn's (but for `samples`, 1,000 here, and 10 features).
    public init(samples: Int = 1000, features: Int = 10, informative: Int = 2, redundant: Int = 2, classes: Int = 2,
                clustersPerClass: Int = 2, classSep: Double = 1, flipY: Double = 0.01, trainFraction: Double = 0.7, seed: UInt64 = 0) {
        precondition(informative >= 1 && informative + redundant <= features && classes >= 2 && clustersPerClass >= 1,
                     "informative and redundant columns must fit the features")
        precondition(classes * clustersPerClass <= 1 << min(informative, 30), "more clusters than hypercube vertices")
        self.samples = samples
        self.features = features
        self.informative = informative
        self.redundant = redundant
        self.classes = classes
        self.clustersPerClass = clustersPerClass
        self.classSep = classSep
        self.flipY = flipY
        self.trainFraction = trainFraction
        self.seed = seed
    }

    /// Reads its keys, each with its default and help; refuses settings that do not fit together.
    public init(parameters p: inout ParameterReader) throws {
        let d = MadeClassification()
        let samples = try p.int("samples", default: d.samples, in: 2...10_000_000, help: "Rows in all (train + test).")
        let features = try p.int("features", default: d.features, in: 1...100_000, help: "Columns: informative, then redundant, then noise.")
        let informative = try p.int("informative", default: d.informative, in: 1...100_000,
                                    help: "Informative columns (sklearn's n_informative): the clusters live in them.")
        let redundant = try p.int("redundant", default: d.redundant, in: 0...100_000,
                                  help: "Redundant columns (n_redundant): random linear combinations of the informative ones.")
        let classes = try p.int("classes", default: d.classes, in: 2...10_000, help: "Classes; chance accuracy is 1/classes.")
        let clusters = try p.int("clusters-per-class", default: d.clustersPerClass, in: 1...10_000, help: "Gaussian clusters per class.")
        let classSep = try p.double("class-sep", default: d.classSep, in: 0...1e6,
                                    help: "Half the side of the hypercube whose vertices are the cluster centroids: larger separates classes more.")
        let flipY = try p.double("flip-y", default: d.flipY, in: 0...1, help: "Share of labels redrawn uniformly at random (label noise).")
        let trainFraction = try p.double("train-fraction", default: d.trainFraction, in: 0...1,
                                         help: "Share of the rows used for training; the rest is the clean test set.")
        let seed = try p.int("seed", default: Int(d.seed), in: 0...Int.max, help: "Seed of every random draw (data, flips, split).")
        guard informative + redundant <= features else {
            throw p.error("redundant", "informative (\(informative)) and redundant (\(redundant)) columns exceed the \(features) features")
        }
        guard classes * clusters <= 1 << min(informative, 30) else {
            throw p.error("clusters-per-class", "\(classes) classes x \(clusters) clusters need more hypercube vertices than "
                + "\(informative) informative columns have (2^\(informative))")
        }
        guard samples * features <= 100_000_000 else {
            throw p.error("samples", "samples x features must not exceed 100000000 (\(samples) x \(features))")
        }
        self.init(samples: samples, features: features, informative: informative, redundant: redundant, classes: classes,
                  clustersPerClass: clusters, classSep: classSep, flipY: flipY, trainFraction: trainFraction, seed: UInt64(seed))
        guard trainCount >= 1 && trainCount < samples else {
            throw p.error("train-fraction", "must leave at least one training and one test row")
        }
    }

    /// "make_classification".
    public var label: String { "make_classification" }

    /// round(trainFraction · samples).
    public var trainCount: Int { Int((trainFraction * Double(samples)).rounded()) }

    /// Every row, in cluster order, labels flipped.
    public func makeDataset() -> Dataset {
        let (d, k) = (features, informative)
        let clusters = classes * clustersPerClass
        var random = Xoshiro256StarStar(seed: seed, purpose: "classification-features")
        // Distinct vertices of {−1, +1}^k, bit by bit.
        var vertices = [[Double]]()
        while vertices.count < clusters {
            let vertex = (0..<k).map { _ in random.nextUnitDouble() < 0.5 ? -1.0 : 1.0 }
            if !vertices.contains(vertex) { vertices.append(vertex) }
        }
        var rows = [Float](repeating: 0, count: samples * d)
        var labels = [Int](repeating: 0, count: samples)
        var z = [Double](repeating: 0, count: k), mixing = [Double](repeating: 0, count: k * k)
        var row = 0
        for cluster in 0..<clusters {
            for i in mixing.indices { mixing[i] = 2 * random.nextUnitDouble() - 1 }
            let size = samples / clusters + (cluster < samples % clusters ? 1 : 0)
            for _ in 0..<size {
                for i in 0..<k { z[i] = random.nextStandardNormal() }
                // x_j = Σ_i z_i A_ij + class-sep · vertex_j.
                for j in 0..<k {
                    var value = classSep * vertices[cluster][j]
                    for i in 0..<k { value += z[i] * mixing[i * k + j] }
                    rows[row * d + j] = Float(value)
                }
                labels[row] = cluster % classes
                row += 1
            }
        }
        // Redundant columns: x_(k+r) = Σ_i x_i B_ir, in Double from the stored Float informative values.
        let combination = (0..<(k * redundant)).map { _ in 2 * random.nextUnitDouble() - 1 }
        for row in 0..<samples {
            for r in 0..<redundant {
                var value = 0.0
                for i in 0..<k { value += Double(rows[row * d + i]) * combination[i * redundant + r] }
                rows[row * d + k + r] = Float(value)
            }
            for j in (k + redundant)..<d { rows[row * d + j] = Float(random.nextStandardNormal()) }
        }
        var flips = Xoshiro256StarStar(seed: seed, purpose: "classification-flips")
        for row in 0..<samples where flips.nextUnitDouble() < flipY { labels[row] = flips.nextInt(below: classes) }
        return Dataset(features: rows, labels: labels, featureCount: d, classCount: classes)
    }

    /// `trainCount` training rows and the rest test rows.
    public var plannedSizes: SplitSizes? {
        SplitSizes(trainRows: trainCount, testRows: samples - trainCount, features: features, classes: classes)
    }

    /// The rows twice (made and split) with their labels and the permutation.
    public var estimatedBytes: Double {
        let n = Double(samples), d = Double(features)
        return 2 * 4 * n * d + 3 * 8 * n + 8 * Double(informative * (informative + redundant))
    }

    /// The first `trainCount` rows of a permutation on (seed, "classification-split") train, the rest test.
    public func makeSplit() -> TrainTestSplit {
        let all = makeDataset()
        var order = Array(0..<samples)
        var random = Xoshiro256StarStar(seed: seed, purpose: "classification-split")
        random.choosePrefix(samples, of: &order)
        return TrainTestSplit(train: all.rows(Array(order[..<trainCount])), test: all.rows(Array(order[trainCount...])))
    }
}
