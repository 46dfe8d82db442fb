import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Label smoothing (Szegedy et al. 2016): train on targets (1 - ε) on the given label and ε / classes
/// on every class, which caps how hard the model can fit any one label, flipped or not.
public struct LabelSmoothing: TrainingSetDefense {
    /// "label-smoothing".
    public static let kind = "label-smoothing"
    /// One sentence for help and commented study files.
    public static let summary = "Train on smoothed targets: 1 - epsilon on the given label, epsilon spread over all classes."

    /// ε.
    public let epsilon: Double

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        epsilon = try parameters.double("epsilon", default: 0.1, in: 0...0.99, help: "Share of each target spread over all classes.")
    }

    /// "label smoothing 0.1".
    public var label: String { "label smoothing \(epsilon)" }

    /// Those of training on smoothed targets.
    public var requirements: Set<ModelCapability> { TrainingAdjustment(labelSmoothing: epsilon).requirements }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        DefenseDecision(scores: nil, kept: Array(0..<poisoned.data.count), training: TrainingAdjustment(labelSmoothing: epsilon))
    }
}
