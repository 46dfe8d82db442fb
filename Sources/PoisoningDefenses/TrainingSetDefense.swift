import PoisoningData
import PoisoningModels
import PoisoningUtilities

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
    /// Metrics of the inspection itself the run records (among the defense's `recordedMetrics`), such
    /// as how well the input-curvature filter's eigenvalues converged; empty for most defenses.
    public let metrics: [String: Double]

    /// A decision.
    public init(scores: [Double]?, kept: [Int], labels: [Int]? = nil, training: TrainingAdjustment = TrainingAdjustment(),
                metrics: [String: Double] = [:]) {
        self.scores = scores
        self.kept = kept
        self.labels = labels
        self.training = training
        self.metrics = metrics
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
    /// The capabilities it needs of the run's model beyond training, predicting and reading losses or
    /// decision values, for the models it trains and for the training it asks of the run's model
    /// (`TrainingAdjustment.requirements`); every kind states them. A study pairing it with a model
    /// without them is refused when it is read.
    var requirements: Set<ModelCapability> { get }
    /// Its decision for `poisoned`; nil when a model it trained diverged.
    func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision?
    /// The memory `inspect` takes on a run of `sizes`: what its decision holds (and, when it removes
    /// rows, the copy of the kept rows the run trains on), and its most at once while it inspects,
    /// while the run's model trains as it decides, or while its detection is measured.
    func memoryNeed(_ sizes: RunSizes) -> MemoryNeed
    /// Whether its runs keep every row, relabel none and train as without a defense, whatever the
    /// training set (false by default): its fraction-0 model is then the undefended clean model, on
    /// which a run measures clean baselines (`PreparedRun.cleanModelOfTheRun`).
    var trainsAsUndefended: Bool { get }
}

extension TrainingSetDefense {
    /// A decision that keeps every row and changes nothing else: the list of kept rows.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        MemoryNeed(kept: sizes.rowIndexBytes, working: 0)
    }
}

/// The memory of a defense that scores every row and removes some: the scores, the kept rows' list
/// and their copy, with `working` while it inspects; measuring its detection is the larger, when it is.
func removingDefenseNeed(_ sizes: RunSizes, working: Double) -> MemoryNeed {
    MemoryNeed(kept: 8 * sizes.n + sizes.rowIndexBytes + keptRowsBytes(sizes), working: max(working, detectionBytes(sizes)))
}

extension TrainingSetDefense {
    /// None beyond those every defended run records.
    public var recordedMetrics: [String] { [] }
    /// A defense changes its runs unless it says otherwise.
    public var trainsAsUndefended: Bool { false }
}
