import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// k-NN filtering (Paudice et al. 2018): remove every training row whose label fewer than
/// `agreement` of its k nearest neighbours share; score = 1 - that share.
public struct KNNFilter: TrainingSetDefense {
    /// "knn-filter".
    public static let kind = "knn-filter"
    /// One sentence for help and commented study files.
    public static let summary = "Remove the rows whose label disagrees with most of their k nearest neighbours."

    /// Neighbours consulted.
    public let k: Int
    /// The share of agreeing neighbours below which a row is flagged.
    public let agreement: Double

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        k = try NeighbourAgreement.neighbours(&parameters)
        agreement = try parameters.double("agreement", default: 0.5, in: 0...1,
                                          help: "A row is removed when fewer than this share of its neighbours carry its label.")
    }

    /// "k-NN filter (k = 10)".
    public var label: String { "k-NN filter (k = \(k))" }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones.
    public var recordedMetrics: [String] { MetricKey.detection }

    /// Scores and removes rows; while it inspects, finding every row's neighbours.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        removingDefenseNeed(sizes, working: NeighbourAgreement.bytes(sizes))
    }

    /// None: it measures distances in the input space.
    public var requirements: Set<ModelCapability> { [] }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        let neighbours = NeighbourAgreement(poisoned.data, k: k)
        let kept = neighbours.agreement.indices.filter { neighbours.agreement[$0] >= agreement }
        return DefenseDecision(scores: neighbours.agreement.map { 1 - $0 }, kept: kept)
    }
}
