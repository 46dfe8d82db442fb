import PoisoningData
import PoisoningUtilities

/// A test set on which an attack measures its own success: the fraction of `inputs` the trained
/// model assigns to their label (the class the attacker wants), reported as the metric `metric.key`.
public struct AttackEvaluation: Sendable {
    /// What the rate is called in results and reports.
    public let metric: MetricInfo
    /// The rows, each labelled with the class that counts as the attack's success.
    public let inputs: Dataset

    /// An evaluation set.
    public init(metric: MetricInfo, inputs: Dataset) {
        self.metric = metric
        self.inputs = inputs
    }
}

/// The training set after an attack, with the ground truth of what the attack did.
public struct PoisonedTrainingSet: Sendable {
    /// The rows and labels a model is trained on (the attack may change features and labels and add rows).
    public let data: Dataset
    /// The true class of every row of `data`.
    public let trueLabels: [Int]
    /// The rows of `data` the attack changed or added, in the order it chose them.
    public let poisonedRows: [Int]
    /// Extra test sets with the attack's own success metrics.
    public let evaluations: [AttackEvaluation]
    /// Metrics the attack measured itself while poisoning (keys among its `metrics`), e.g. the share
    /// of its source class it flipped.
    public let measurements: [String: Double]
    /// Whether the budget asked for more rows than the attack may touch (the rows of its source,
    /// target or base class), so that it poisoned all of those and fewer rows than asked.
    public let saturated: Bool
    /// The model the attack aims the victim at (Gradient Canceling's target), for the runner to measure
    /// the victim's distance from it and their agreement; nil for an attack without one.
    public let target: NetworkParameters?

    /// A poisoned training set.
    public init(data: Dataset, trueLabels: [Int], poisonedRows: [Int], evaluations: [AttackEvaluation] = [],
                measurements: [String: Double] = [:], saturated: Bool = false, target: NetworkParameters? = nil) {
        precondition(trueLabels.count == data.count, "one true label per row required")
        self.data = data
        self.trueLabels = trueLabels
        self.poisonedRows = poisonedRows
        self.evaluations = evaluations
        self.measurements = measurements
        self.saturated = saturated
        self.target = target
    }
}
