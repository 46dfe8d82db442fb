import PoisoningData
import PoisoningUtilities

/// A kind of model the study trains: what it can do beyond train, predict and measure its loss, and
/// the trainable model for the data's sizes.
public protocol ModelArchitecture: StudyComponent {
    /// What its trained models offer to attacks and defenses; its trained classifier conforms to the
    /// protocol of each (`RepresentationClassifier`, `InputGradientClassifier`, ...).
    var capabilities: Set<ModelCapability> { get }
    /// How it is trained, in words that follow "trained by" in a report, e.g. "SGD" (the study's
    /// epochs, batch size and learning rate apply) or "dual coordinate descent" (an exact solver,
    /// which ignores them).
    static var trainingMethod: String { get }
    /// The model for a split of `sizes` (its features and classes; its training rows for a model that
    /// keeps them).
    func model(for sizes: SplitSizes) -> any TrainableModel
    /// The metrics its runs record beyond every run's (`MetricKey`); none by default.
    var recordedMetrics: [String] { get }
}

extension ModelArchitecture {
    /// None.
    public var recordedMetrics: [String] { [] }
}
