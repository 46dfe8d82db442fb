/// What a defense decided about a poisoned training set.
public struct DefenseDecision: Sendable {
    /// A suspicion score per training row (higher is more suspicious); nil when it scores nothing.
    public let scores: [Double]?
    /// The rows to train on, ascending.
    public let kept: [Int]
    /// New labels for every row of the training set (a relabelling sanitiser); nil to keep them.
    public let labels: [Int]?
    /// How the final model is trained (regularisation, early stopping); the plain run's SGD by default.
    public let training: TrainingAdjustment

    /// A decision.
    public init(scores: [Double]?, kept: [Int], labels: [Int]? = nil, training: TrainingAdjustment = TrainingAdjustment()) {
        self.scores = scores
        self.kept = kept
        self.labels = labels
        self.training = training
    }

    /// The rows the defense acted on: removed, or given a new label.
    public func flagged(rowCount: Int, originalLabels: [Int]) -> [Int] {
        let keptSet = Set(kept)
        return (0..<rowCount).filter { row in !keptSet.contains(row) || (labels.map { $0[row] != originalLabels[row] } ?? false) }
    }
}

/// A defense that sees the poisoned training set before the run's model is trained: it may train
/// models on it, scores every row and chooses the rows to keep. The run then trains from scratch on
/// the kept rows, and the scores are measured against the attack's ground truth.
public protocol TrainingSetDefense: StudyComponent {
    /// The keys of the metrics it adds to its runs (none by default): `MetricKey.detection` when it
    /// scores rows, the stopping epoch or ε when its training records them. A run records each only
    /// when it is defined; it records no other (`Study.recordableMetrics(of:)`).
    var recordedMetrics: [String] { get }
    /// Its decision for `poisoned`; nil when a model it trained diverged.
    func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision?
}

extension TrainingSetDefense {
    public var recordedMetrics: [String] { [] }
}
