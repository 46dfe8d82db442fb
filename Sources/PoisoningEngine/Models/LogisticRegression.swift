/// Multinomial logistic (softmax) regression: one Linear layer from the features to the classes.
public struct LogisticRegression: ModelArchitecture {
    public static let kind = "logistic"
    public static let summary = "Softmax regression: a single linear layer, trained like the networks."

    /// Logistic regression has no parameters beyond the data's sizes.
    public init() {}

    public init(parameters: inout ParameterReader) throws {}

    /// "logistic".
    public var label: String { "logistic" }

    public func networkShape(inputs: Int, classes: Int) -> NetworkShape {
        NetworkShape(inputs: inputs, hidden: [], classes: classes)
    }
}
