import PoisoningData
import PoisoningUtilities

/// A kind of model the study trains: what it can do beyond train, predict and measure its loss, and
/// the trainable model for the data's sizes.
public protocol ModelArchitecture: StudyComponent {
    /// What its trained models offer to attacks and defenses; its trained classifier conforms to the
    /// protocol of each (`RepresentationClassifier`, `InputGradientClassifier`, ...).
    var capabilities: Set<ModelCapability> { get }
    /// The model for a split of `sizes` (its features and classes; its training rows for a model that
    /// keeps them).
    func model(for sizes: SplitSizes) -> any TrainableModel
}
