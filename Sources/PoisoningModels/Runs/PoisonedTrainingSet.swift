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

/// A trigger's test inputs, on which a run measures how the trained model responds to the trigger
/// (the study-level measurement `input-curvature`).
public struct TriggeredInputs: Sendable {
    /// The test rows of the classes other than the attack's target, with the trigger.
    public let rows: Dataset
    /// The unit vector along the trigger's displacement of the mean of those rows before the trigger,
    /// x̄: stamp(x̄) - x̄, normalised [features]. The trigger is an affine map of the row (a patch sets
    /// some features to values, a blend is (1 - a) x + a p), so this is also the direction of the
    /// mean displacement (1/m) Σ_r (stamp(x_r) - x_r) of the rows. Nil when it is zero.
    public let direction: [Float]?

    /// The triggered rows `rows` and the trigger's displacement `displacement` of their mean (any
    /// length), normalised here in Double.
    public init(rows: Dataset, displacement: [Float]) {
        self.rows = rows
        let norm = displacement.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        direction = norm > 0 ? displacement.map { Float(Double($0) / norm) } : nil
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
    /// A backdoor's test rows with its trigger and the trigger's direction, for the study-level
    /// measurements; nil for an attack without a trigger.
    public let triggered: TriggeredInputs?

    /// A poisoned training set.
    public init(data: Dataset, trueLabels: [Int], poisonedRows: [Int], evaluations: [AttackEvaluation] = [],
                measurements: [String: Double] = [:], saturated: Bool = false, target: NetworkParameters? = nil,
                triggered: TriggeredInputs? = nil) {
        precondition(trueLabels.count == data.count, "one true label per row required")
        self.data = data
        self.trueLabels = trueLabels
        self.poisonedRows = poisonedRows
        self.evaluations = evaluations
        self.measurements = measurements
        self.saturated = saturated
        self.target = target
        self.triggered = triggered
    }
}
