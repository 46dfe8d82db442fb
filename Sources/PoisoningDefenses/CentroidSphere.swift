import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// The sphere defense (Steinhardt, Koh and Liang 2017, "Certified defenses for data poisoning
/// attacks"): score every training row by its Euclidean distance to the centroid of its (given)
/// class, remove the round(drop · n) farthest rows (ties: the earlier row first), train on the rest.
public struct CentroidSphere: TrainingSetDefense {
    /// "centroid-sphere".
    public static let kind = "centroid-sphere"
    /// One sentence for help and commented study files.
    public static let summary = "Remove the rows farthest from the centroid of their class."

    /// Fraction of the training rows to remove.
    public let drop: Double

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        drop = try parameters.double("drop", default: 0.1, in: 0...0.95, help: "Fraction of the rows farthest from their class centroid to remove.")
    }

    /// "centroid sphere 10%".
    public var label: String { "centroid sphere " + percentLabel(drop) }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones.
    public var recordedMetrics: [String] { MetricKey.detection }

    /// Scores and removes rows; while it inspects, the class sums in Double, the rows ranked by
    /// distance and the set of removed rows.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        removingDefenseNeed(sizes, working: 8 * sizes.c * sizes.d + 8 * sizes.n + 24 * sizes.n)
    }

    /// None: it measures distances in the input space.
    public var requirements: Set<ModelCapability> { [] }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        let data = poisoned.data, d = data.featureCount
        var sums = [Double](repeating: 0, count: data.classCount * d), counts = [Int](repeating: 0, count: data.classCount)
        for row in 0..<data.count {
            counts[data.labels[row]] += 1
            for j in 0..<d { sums[data.labels[row] * d + j] += Double(data.features[row * d + j]) }
        }
        let distances = (0..<data.count).map { row -> Double in
            let label = data.labels[row]
            return (0..<d).reduce(0.0) { sum, j in
                let delta = Double(data.features[row * d + j]) - sums[label * d + j] / Double(counts[label])
                return sum + delta * delta
            }.squareRoot()
        }
        let removed = Set(rankedDescending(distances).prefix(poisonCount(fraction: drop, of: data.count)))
        return DefenseDecision(scores: distances, kept: distances.indices.filter { !removed.contains($0) })
    }
}
