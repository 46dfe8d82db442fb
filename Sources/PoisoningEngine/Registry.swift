import PoisoningAttacks
import PoisoningData
import PoisoningDefenses
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// Every kind of component a study can name, one registration line each. Adding a data set, a
/// model, an attack, a defense or a measurement is one new file with a type conforming to its
/// protocol, plus its line here.
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
        InputCurvatureFilter.self,
    ]
    /// Measurements a study may ask of every run (`measure:`).
    public static let measurements: [any RunMeasurement.Type] = [
        InputCurvatureMeasurement.self,
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
