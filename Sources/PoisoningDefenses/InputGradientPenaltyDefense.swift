import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Input-gradient regularisation: every example's loss gains λ ||∂ℓ/∂x||² (double backpropagation,
/// see `InputGradientPenalty`), which flattens the loss around each input and, in Granziol's (2026)
/// analysis, suppresses backdoors that leave no trace in the curvature, at a cost in fitting capacity.
public struct InputGradientPenaltyDefense: TrainingSetDefense {
    /// "input-gradient-penalty".
    public static let kind = "input-gradient-penalty"
    /// One sentence for help and commented study files.
    public static let summary = "Train with a penalty lambda on the squared norm of each example's loss gradient with respect to its input."

    /// λ.
    public let lambda: Double

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        lambda = try parameters.double("lambda", default: 0.1, in: 0...1e6, help: "Weight λ of ||∂ℓ/∂x||² in every example's loss.")
    }

    /// "input-gradient penalty 0.1".
    public var label: String { "input-gradient penalty \(lambda)" }

    /// Keeps every row; the run's model trains with the penalty's buffers.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        MemoryNeed(kept: sizes.rowIndexBytes,
                   working: sizes.model.trainingBytes(rows: sizes.split.trainRows, settings: sizes.settings, validationRows: 0, trimmed: false,
                                                      inputGradientPenalty: true))
    }

    /// At λ 0: the penalty adds nothing and the decision equals no defense's (`TrainingAdjustment()`).
    public var trainsAsUndefended: Bool { lambda == 0 }

    /// Those of training with the penalty.
    public var requirements: Set<ModelCapability> { TrainingAdjustment(inputGradientPenalty: lambda).requirements }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        DefenseDecision(scores: nil, kept: Array(0..<poisoned.data.count), training: TrainingAdjustment(inputGradientPenalty: lambda))
    }
}
