import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// No defense: every row is kept and nothing is scored.
public struct NoDefense: TrainingSetDefense {
    /// "none".
    public static let kind = "none"
    /// One sentence for help and commented study files.
    public static let summary = "Train on the poisoned set as it is."

    /// No defense.
    public init() {}

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {}

    /// "no defense".
    public var label: String { "no defense" }

    /// None.
    public var requirements: Set<ModelCapability> { [] }

    /// It is none.
    public var trainsAsUndefended: Bool { true }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        DefenseDecision(scores: nil, kept: Array(0..<poisoned.data.count))
    }
}
