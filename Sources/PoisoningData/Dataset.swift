import PoisoningUtilities

/// A labelled classification data set: `count` rows of `featureCount` Float features, row-major,
/// and one class label in 0..<classCount per row.
public struct Dataset: Sendable, Equatable {
    /// Row-major features: row i occupies `features[i*featureCount ..< (i+1)*featureCount]`.
    public var features: [Float]
    /// The label of each row.
    public var labels: [Int]
    /// Columns per row.
    public let featureCount: Int
    /// Number of classes; every label is in 0..<classCount.
    public let classCount: Int

    /// A data set from row-major features and labels (features.count == labels.count * featureCount).
    public init(features: [Float], labels: [Int], featureCount: Int, classCount: Int) {
        precondition(features.count == labels.count * featureCount, "features and labels disagree in count")
        self.features = features
        self.labels = labels
        self.featureCount = featureCount
        self.classCount = classCount
    }

    /// Number of rows.
    public var count: Int { labels.count }

    /// The rows at `indices`, in that order.
    public func rows(_ indices: [Int]) -> Dataset {
        var picked = [Float]()
        picked.reserveCapacity(indices.count * featureCount)
        for index in indices {
            picked.append(contentsOf: features[index * featureCount ..< (index + 1) * featureCount])
        }
        return Dataset(features: picked, labels: indices.map { labels[$0] },
                       featureCount: featureCount, classCount: classCount)
    }
}

/// A training set and a held-out test set drawn from the same data.
public struct TrainTestSplit: Sendable, Equatable {
    /// The rows a model is trained on (before any poisoning).
    public let train: Dataset
    /// The rows accuracy is measured on; their labels are never poisoned.
    public let test: Dataset
    /// The classes as the data name them, class 0 first (a CSV file's labels, e.g. "cat", "dog" or
    /// "1", "7"); nil when the classes are their numbers (synthetic data).
    public var classNames: [String]? = nil

    /// Its rows, features and classes.
    public var sizes: SplitSizes {
        SplitSizes(trainRows: train.count, testRows: test.count, features: train.featureCount, classes: train.classCount,
                   classNames: classNames)
    }
}

/// Class `index` as every output names it: its name in `names` (the data's own label for it, e.g.
/// "cat" or "7"; shown as an error line shows user text, so a line end or an invisible character is
/// written as its code point and a long name is cut), else its number.
public func className(_ index: Int, in names: [String]?) -> String {
    guard let names, names.indices.contains(index) else { return String(index) }
    return shortenedUserText(names[index])
}

/// The sizes of a train/test split, what the memory of a study depends on (and, in a shard's part
/// file, what `merge` lays the study out with, without its data).
public struct SplitSizes: Sendable, Equatable, Codable {
    /// Training rows.
    public let trainRows: Int
    /// Test rows.
    public let testRows: Int
    /// Features per row.
    public let features: Int
    /// Classes.
    public let classes: Int
    /// The classes as the data name them, class 0 first (`TrainTestSplit.classNames`); nil (absent
    /// from JSON) when the classes are their numbers.
    public let classNames: [String]?

    /// The sizes of a split, with its classes' names when the data name them.
    public init(trainRows: Int, testRows: Int, features: Int, classes: Int, classNames: [String]? = nil) {
        self.trainRows = trainRows
        self.testRows = testRows
        self.features = features
        self.classes = classes
        self.classNames = classNames
    }

    /// The bytes of the split: every row's Float features and its Int label.
    public var bytes: Double { datasetBytes(rows: trainRows + testRows, features: features) }
}

/// The bytes of a `Dataset` of `rows` rows of `features` features: 4-byte features, 8-byte labels.
public func datasetBytes(rows: Int, features: Int) -> Double {
    Double(rows) * (Double(features * MemoryLayout<Float>.size) + Double(MemoryLayout<Int>.size))
}

/// Where a study's data come from: a component that produces the clean train/test split.
/// New data sources are new conforming types (plus a line in `Registry`); the runner only sees the split.
public protocol DatasetSource: StudyComponent {
    /// The clean train/test split; the same value on every call. Throws a one-line reason when the
    /// data cannot be read.
    func makeSplit() throws -> TrainTestSplit
    /// `makeSplit`, once `admit` has accepted the memory it takes; a source that reads a file reads it
    /// once for both (a default implementation judges `estimatedBytes`, then makes the split).
    func makeSplit(admitting admit: (_ makingBytes: Double) throws -> Void) throws -> TrainTestSplit
    /// The most memory `makeSplit` holds at once, in bytes, the split it returns included: known
    /// from the settings alone (a file's size at most), before any data are drawn or read, so that
    /// data too large for the machine are refused before they are made.
    var estimatedBytes: Double { get }
    /// The sizes of the split `makeSplit` will return, when the settings give them (nil when only
    /// the data tell, as for a file).
    var plannedSizes: SplitSizes? { get }
}

extension DatasetSource {
    /// None: only the data tell.
    public var plannedSizes: SplitSizes? { nil }

    /// The clean train/test split, made once `admit` has accepted the memory making it takes
    /// (`estimatedBytes`): `admit` throws to refuse data too large for the machine before they are made.
    /// A source that reads a file (`CSVDataset`) reads it once, and judges the memory by its bytes.
    public func makeSplit(admitting admit: (_ makingBytes: Double) throws -> Void) throws -> TrainTestSplit {
        try admit(estimatedBytes)
        return try makeSplit()
    }
}

/// Why a split whose rows have the classes `trainLabels` and `testLabels` (indices into `names`)
/// cannot make a study, or nil: its first class with no training rows (nothing to learn it from) or
/// no test rows (its accuracy unmeasured), named with the side it lacks ("training" or "test") and
/// `cause` of that side and the class's row count.
package func classSplitProblem(trainLabels: [Int], testLabels: [Int], names: [String], cause: (_ missing: String, _ rows: Int) -> String) -> String? {
    var trainCounts = [Int](repeating: 0, count: names.count), testCounts = trainCounts
    for label in trainLabels { trainCounts[label] += 1 }
    for label in testLabels { testCounts[label] += 1 }
    guard let label = names.indices.first(where: { trainCounts[$0] == 0 || testCounts[$0] == 0 }) else { return nil }
    let missing = trainCounts[label] == 0 ? "training" : "test"
    return "class \(quotedUserText(names[label])) has no \(missing) rows (\(cause(missing, trainCounts[label] + testCounts[label]))); "
        + "every class needs both training and test rows"
}

/// The number of rows a fraction of `count` designates: round(fraction * count), halves to even
/// as Python's `round` does (0.15 * 350 = 52.5 -> 52).
public func poisonCount(fraction: Double, of count: Int) -> Int {
    Int((fraction * Double(count)).rounded(.toNearestOrEven))
}
