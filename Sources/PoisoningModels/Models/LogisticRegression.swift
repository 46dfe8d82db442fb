import PoisoningData
import PoisoningUtilities

/// Multinomial logistic (softmax) regression: one Linear layer from the features to the classes.
public struct LogisticRegression: ModelArchitecture {
    /// "logistic".
    public static let kind = "logistic"
    /// One sentence for help and commented study files.
    public static let summary = "Softmax regression: a single linear layer, trained like the networks."
    /// How it is trained.
    public static let trainingMethod = "SGD"

    /// Logistic regression has no parameters beyond the data's sizes.
    public init() {}

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {}

    /// "logistic".
    public var label: String { "logistic" }

    /// A dense network has every capability.
    public var capabilities: Set<ModelCapability> { Set(ModelCapability.allCases) }

    /// Its `NetworkShape`.
    public func model(for sizes: SplitSizes) -> any TrainableModel {
        NetworkShape(inputs: sizes.features, hidden: [], classes: sizes.classes)
    }
}
