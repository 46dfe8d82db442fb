/// k-NN relabelling (Paudice et al. 2018): give every training row whose label fewer than
/// `agreement` of its k nearest neighbours share the most common label among them; keep every row.
public struct KNNRelabel: TrainingSetDefense {
    public static let kind = "knn-relabel"
    public static let summary = "Relabel the rows whose label disagrees with most of their k nearest neighbours."

    /// Neighbours consulted.
    public let k: Int
    /// The share of agreeing neighbours below which a row is relabelled.
    public let agreement: Double

    public init(parameters: inout ParameterReader) throws {
        (k, agreement) = try NeighbourAgreement.parameters(&parameters)
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

    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        let neighbours = NeighbourAgreement(poisoned.data, k: k)
        let labels = poisoned.data.labels.indices.map { row in
            neighbours.agreement[row] < agreement ? neighbours.majority[row] : poisoned.data.labels[row]
        }
        return DefenseDecision(scores: neighbours.agreement.map { 1 - $0 }, kept: Array(0..<poisoned.data.count), labels: labels)
    }
}
