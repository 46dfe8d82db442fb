/// No defense: every row is kept and nothing is scored.
public struct NoDefense: TrainingSetDefense {
    public static let kind = "none"
    public static let summary = "Train on the poisoned set as it is."

    /// No defense.
    public init() {}

    public init(parameters: inout ParameterReader) throws {}

    /// "no defense".
    public var label: String { "no defense" }

    /// None.
    public var requirements: Set<ModelCapability> { [] }

    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        DefenseDecision(scores: nil, kept: Array(0..<poisoned.data.count))
    }
}
