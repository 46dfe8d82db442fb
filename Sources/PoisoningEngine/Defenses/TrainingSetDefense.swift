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
