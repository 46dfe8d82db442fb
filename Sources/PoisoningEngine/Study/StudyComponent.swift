/// A part of a study that a study file names by `kind` and configures with its own keys: a data
/// set, a model, an attack, a defense or a target model. Each is one small type; `Registry` lists them.
public protocol StudyComponent: Sendable {
    /// The `kind` a study file names it by, e.g. "class-flip".
    static var kind: String { get }
    /// One sentence on what it is, for help and commented study files.
    static var summary: String { get }
    /// Reads and checks its parameters (every key it knows, with its default and help).
    init(parameters: inout ParameterReader) throws
    /// A short name for legends and tables, e.g. "MLP 64" or "class-flip 0→1".
    var label: String { get }
    /// The keys of its settings that name files (a CSV data set's `path`): relative to the folder of
    /// the file that holds them, and moved with it (`movingStudyPaths`). None by default.
    static var pathKeys: [String] { get }
}

extension StudyComponent {
    /// None: most components name no file.
    public static var pathKeys: [String] { [] }
}

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

/// A measurement that an attack adds to every run, e.g. the success rate of a targeted flip.
public struct MetricInfo: Sendable, Codable, Equatable {
    /// The key in a run's metrics, e.g. "targetSuccess".
    public let key: String
    /// A short name for table headers, e.g. "Target success".
    public let name: String
    /// What it measures, in a sentence.
    public let meaning: String
    /// Whether a clean model's rate is subtracted: a rate the unpoisoned model already has (a
    /// trigger's pull, the targets it already misclassifies) is no success of the attack. The runs
    /// of such a metric also record its `baseline` (the rate of the run of the same series and seed
    /// at fraction 0) and its `excess` (the rate minus that baseline).
    public let hasBaseline: Bool

    /// A metric description.
    public init(key: String, name: String, meaning: String, hasBaseline: Bool = false) {
        self.key = key
        self.name = name
        self.meaning = meaning
        self.hasBaseline = hasBaseline
    }

    /// The clean model's rate: the same series' and seed's run at fraction 0 (`key` + "Baseline").
    public var baseline: MetricInfo {
        MetricInfo(key: key + MetricKey.baselineSuffix, name: name + ", clean model",
                   meaning: meaning + ", for the clean model of the same series and seed (fraction 0)")
    }

    /// The rate minus the clean model's (`key` + "Excess"), in [-1, 1].
    public var excess: MetricInfo {
        MetricInfo(key: key + MetricKey.excessSuffix, name: name + ", excess over clean",
                   meaning: meaning + ", minus the same rate of the clean model of the same series and seed (fraction 0)")
    }

    /// The metrics its runs record: the excess and the baseline first (what a reader should quote),
    /// then the rate itself; only the rate when it has no baseline.
    public var recorded: [MetricInfo] { hasBaseline ? [excess, baseline, self] : [self] }
}

/// Every kind of component a study can name, one registration line each. Adding a data set, a
/// model, an attack or a defense is one new file with a type conforming to its protocol, plus its
/// line here.
public enum Registry {
    /// Data sets.
    public static let datasets: [any DatasetSource.Type] = [
        GaussianClusters.self,
        MadeClassification.self,
        CSVDataset.self,
    ]
    /// Models.
    public static let models: [any ModelArchitecture.Type] = [
        MLP.self,
        LogisticRegression.self,
        KernelRidge.self,
        LinearSVM.self,
    ]
    /// Attacks.
    public static let attacks: [any PoisoningAttack.Type] = [
        RandomLabelFlip.self,
        ClassFlip.self,
        MarginFlip.self,
        ConfidentFlip.self,
        Backdoor.self,
        FeatureCollision.self,
        SVMGradient.self,
        GradientCanceling.self,
    ]
    /// Target models (`targets:`), for attacks that aim at one.
    public static let targets: [any TargetModel.Type] = [
        LabelFlipTarget.self,
        GradPCTarget.self,
    ]
    /// Defenses.
    public static let defenses: [any TrainingSetDefense.Type] = [
        NoDefense.self,
        LossFilter.self,
        KNNFilter.self,
        KNNRelabel.self,
        CentroidSphere.self,
        SpectralSignature.self,
        ActivationClustering.self,
        TrimmedLoss.self,
        ConfidentLearning.self,
        LabelSmoothing.self,
        WeightDecay.self,
        EarlyStoppingDefense.self,
        DPSGD.self,
        InputGradientPenaltyDefense.self,
    ]
}

/// Reads a component's mapping: its `kind` chooses the type among `types`, which reads the rest.
/// Returns the component, its effective mapping (kind first, defaults filled in) and the help of its keys.
func readComponent<Component>(_ value: ParameterValue, path: String, role: String, among types: [any StudyComponent.Type],
                              locations: SourceLocations) throws -> (Component, ParameterValue, ParameterHelp) {
    guard let entries = value.entries else {
        throw SpecificationError(path: path, location: locations.location(of: path),
                                 message: "expected a mapping with a 'kind' (one of \(types.map { $0.kind }.joined(separator: ", ")))")
    }
    var reader = ParameterReader(entries, path: path, locations: locations)
    let kinds = types.map { $0.kind }
    let kind = try reader.string("kind", oneOf: kinds, help: "The \(role): one of \(kinds.joined(separator: ", ")).")
    let type = types.first { $0.kind == kind }!
    let component = try type.init(parameters: &reader)
    try reader.finish()
    var help = reader.help
    help[path] = "\(kind): \(type.summary)"
    return (component as! Component, .mapping(reader.effective), help)
}
