import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// k-NN relabelling (Paudice, Muñoz-González and Lupu 2018, "Label sanitization against label
/// flipping poisoning attacks", their Algorithm 1): for every training row, find its k nearest
/// neighbours; when the most common label among them is carried by at least `eta` of them, give the
/// row that label (its own label when that is among the most common, so a tie never relabels it);
/// keep every row. A row's score is 1 - the share of its neighbours carrying its own label.
public struct KNNRelabel: TrainingSetDefense {
    /// "knn-relabel".
    public static let kind = "knn-relabel"
    /// One sentence for help and commented study files.
    public static let summary = "Give each row the label most of its k nearest neighbours carry, when at least a share eta of them do."

    /// Neighbours consulted.
    public let k: Int
    /// η: the share of the neighbours the most common label must reach for a row to take it.
    public let eta: Double

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        k = try NeighbourAgreement.neighbours(&parameters)
        eta = try parameters.double("eta", default: 0.5, in: 0...1,
                                    help: "A row takes the most common label of its neighbours when at least this share of them carry it (Paudice's η).")
    }

    /// "k-NN relabel (k = 10)".
    public var label: String { "k-NN relabel (k = \(k))" }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones.
    public var recordedMetrics: [String] { MetricKey.detection }

    /// Scores every row and keeps them all under new labels; while it inspects, finding every row's
    /// neighbours.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        MemoryNeed(kept: 3 * sizes.rowIndexBytes, working: max(NeighbourAgreement.bytes(sizes), detectionBytes(sizes)))
    }

    /// None: it measures distances in the input space.
    public var requirements: Set<ModelCapability> { [] }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        let neighbours = NeighbourAgreement(poisoned.data, k: k)
        let labels = poisoned.data.labels.indices.map { row in
            neighbours.majorityShare[row] >= eta ? neighbours.majority[row] : poisoned.data.labels[row]
        }
        return DefenseDecision(scores: neighbours.agreement.map { 1 - $0 }, kept: Array(0..<poisoned.data.count), labels: labels)
    }
}
