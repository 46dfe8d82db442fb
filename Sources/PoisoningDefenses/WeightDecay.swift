import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Weight decay: SGD on the loss plus λ/2 ||θ||², which limits how far the model can bend to fit
/// wrong labels.
public struct WeightDecay: TrainingSetDefense {
    /// "weight-decay".
    public static let kind = "weight-decay"
    /// One sentence for help and commented study files.
    public static let summary = "Train with L2 weight decay lambda (every weight and bias)."

    /// λ.
    public let lambda: Double

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        lambda = try parameters.double("lambda", default: 0.001, in: 0...10, help: "L2 penalty λ: θ ← θ - lr (g + λ θ).")
    }

    /// "weight decay 0.001".
    public var label: String { "weight decay \(lambda)" }

    /// Those of training with weight decay.
    public var requirements: Set<ModelCapability> { TrainingAdjustment(weightDecay: lambda).requirements }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        DefenseDecision(scores: nil, kept: Array(0..<poisoned.data.count), training: TrainingAdjustment(weightDecay: lambda))
    }
}
