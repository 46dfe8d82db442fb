import PoisoningData
import PoisoningUtilities

/// A multilayer perceptron: Linear-ReLU blocks of the given hidden widths, then a Linear layer to
/// the classes (the reference study's model is `hidden: [64]`, Linear(10→64)-ReLU-Linear(64→5)).
public struct MLP: ModelArchitecture {
    /// "mlp".
    public static let kind = "mlp"
    /// One sentence for help and commented study files.
    public static let summary = "A ReLU network with one or more hidden layers, PyTorch's default initialisation."
    /// How it is trained.
    public static let trainingMethod = "SGD"

    /// Hidden widths, first layer first.
    public let hidden: [Int]

    /// An MLP with the given hidden widths.
    public init(hidden: [Int]) {
        precondition(!hidden.isEmpty && hidden.allSatisfy { $0 > 0 }, "an MLP needs positive hidden widths")
        self.hidden = hidden
    }

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        guard let raw = parameters.value("hidden", help: "Hidden layer widths, first layer first, e.g. [64] or [64, 64].") else {
            throw parameters.missing("hidden")
        }
        let widths: [Int]? = switch raw {
        case .int(let width): [width]
        case .list(let items): items.allSatisfy { if case .int = $0 { true } else { false } }
            ? items.map { if case .int(let width) = $0 { width } else { 0 } } : nil
        default: nil
        }
        guard let widths, !widths.isEmpty else { throw parameters.error("hidden", "expected a list of integers, e.g. [64]") }
        guard widths.allSatisfy({ (1...65_536).contains($0) }) else {
            throw parameters.error("hidden", "each width must lie in [1, 65536]")
        }
        parameters.record("hidden", .list(widths.map(ParameterValue.int)))
        self.init(hidden: widths)
    }

    /// "MLP 64", "MLP 64-64".
    public var label: String { "MLP " + hidden.map(String.init).joined(separator: "-") }

    /// A dense network has every capability.
    public var capabilities: Set<ModelCapability> { Set(ModelCapability.allCases) }

    /// Its `NetworkShape`.
    public func model(for sizes: SplitSizes) -> any TrainableModel {
        NetworkShape(inputs: sizes.features, hidden: hidden, classes: sizes.classes)
    }
}
