/// Trains a run's model (its architecture, training settings and seed) on any rows: what a defense
/// uses when it needs a model of the poisoned data.
public struct ModelTrainer: Sendable {
    /// The run's network.
    public let shape: NetworkShape
    /// The run's SGD settings.
    public let settings: TrainingSettings
    /// The run's seed.
    public let seed: UInt64

    /// A trainer for one run.
    public init(shape: NetworkShape, settings: TrainingSettings, seed: UInt64) {
        self.shape = shape
        self.settings = settings
        self.seed = seed
    }

    /// Trains from scratch on `data` (rows and labels).
    public func train(_ data: Dataset) -> TrainingOutcome {
        trainNetwork(shape, on: data, settings: settings, seed: seed)
    }
}

/// What a defense decided about a poisoned training set.
public struct DefenseDecision: Sendable {
    /// A suspicion score per training row (higher is more suspicious); nil when it scores nothing.
    public let scores: [Double]?
    /// The rows to train on, ascending.
    public let kept: [Int]

    /// A decision.
    public init(scores: [Double]?, kept: [Int]) {
        self.scores = scores
        self.kept = kept
    }
}

/// A defense that sees the poisoned training set before the run's model is trained: it may train
/// models on it, scores every row and chooses the rows to keep. The run then trains from scratch on
/// the kept rows, and the scores are measured against the attack's ground truth.
public protocol TrainingSetDefense: StudyComponent {
    /// Its decision for `poisoned`; nil when a model it trained diverged.
    func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision?
}
