import PoisoningData
import PoisoningUtilities

/// What a model can offer beyond training, predicting and measuring its loss: what attacks and
/// defenses declare they need (`PoisoningAttack.requirements`, `TrainingSetDefense.requirements`) and
/// a model kind declares it has (`ModelArchitecture.capabilities`). A study that pairs a component
/// with a model lacking what it needs is refused when it is read (after ART's estimator requirements).
public enum ModelCapability: String, Sendable, CaseIterable {
    /// φ(x), an inner representation of every input (`RepresentationClassifier`).
    case representation
    /// ∂ℓ/∂x, the gradient of a row's loss with respect to its input (`InputGradientClassifier`).
    case inputGradient = "input gradient"
    /// Every example's own parameter gradient within a batch, for per-example clipping (DP-SGD): the
    /// model's training honours `TrainingAdjustment.privacy`.
    case perExampleGradient = "per-example gradient"
    /// One parameter vector θ trained by SGD on ∂L/∂θ epoch after epoch: the model's training honours
    /// label smoothing, weight decay, early stopping and trimmed epochs. A capability of training,
    /// not of the trained classifier, so it has no protocol.
    case parameterGradient = "parameter gradient"
    /// H u = (∂²ℓ/∂x²) u, products of a row's input Hessian of the loss with a vector, exact
    /// (`InputHessianClassifier`): what input-curvature measurements need.
    case inputHessian = "input Hessian"
    /// ∂/∂x <v, ∇_θ ℓ(x, y; θ)>, the input derivative of a row's gradient over every parameter along a
    /// vector v of parameter space (a mixed second derivative, one double-backward pass): what
    /// gradient canceling descends. Dense networks (`NetworkParameters`) have it.
    case mixedSecondDerivative = "mixed second derivative"
    /// Its trained classifier can be a target model (`TargetableClassifier` in PoisoningTheory): its
    /// parameters as one vector, the mean gradient of its loss on rows, and its poisonability
    /// threshold τ. Dense networks and linear SVMs have it.
    case target

    /// The capability with its article, for refusals: "a representation", "an input gradient".
    public var phrase: String {
        switch self {
        case .representation: "a representation"
        case .inputGradient: "an input gradient"
        case .perExampleGradient: "per-example gradients"
        case .parameterGradient: "a parameter vector with its gradient"
        case .inputHessian: "input Hessian-vector products"
        case .mixedSecondDerivative: "the input derivative of its parameter gradient"
        case .target: "a target's parameters and threshold τ"
        }
    }

    /// The first (in `allCases` order) of `needed` that `offered` lacks; nil when it has them all.
    public static func firstMissing(_ needed: Set<ModelCapability>, in offered: Set<ModelCapability>) -> ModelCapability? {
        allCases.first { needed.contains($0) && !offered.contains($0) }
    }
}

/// A trained classifier: decision values, predictions and the loss of every row.
public protocol Classifier: Sendable {
    /// Input features.
    var featureCount: Int { get }
    /// Classes.
    var classCount: Int { get }
    /// The decision value of every class for every row of `inputs` [rows x classes], higher for the
    /// more likely class (a network's logits).
    func logits(on inputs: Dataset) -> [Float]
    /// The predicted class of every row of `inputs` (the highest decision value, the first on ties).
    func predictions(on inputs: Dataset) -> [Int]
    /// The training loss of every row of `inputs` against its label.
    func rowLosses(on inputs: Dataset) -> [Double]
}

extension Classifier {
    /// The fraction of rows of `inputs` whose predicted class equals `labels` (default: the rows' own labels).
    public func accuracy(on inputs: Dataset, labels: [Int]? = nil) -> Double {
        let expected = labels ?? inputs.labels
        precondition(expected.count == inputs.count, "one label per row required")
        guard inputs.count > 0 else { return 0 }
        let correct = zip(predictions(on: inputs), expected).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(correct) / Double(inputs.count)
    }

    /// This model as `Capable` (e.g. `any RepresentationClassifier`). A component that needs a
    /// capability is paired only with models that declare it (the study refuses the pair when it is
    /// read), and a model kind's trained classifier conforms to the protocol of every capability it
    /// declares (the conformance tests check both), so the conversion holds.
    public func capable<Capable>(_ type: Capable.Type) -> Capable {
        guard let capable = self as? Capable else {
            preconditionFailure("a \(Self.self) is not \(Capable.self): a component was paired with a model lacking what it needs")
        }
        return capable
    }
}

/// A classifier solved to a tolerance rather than exactly (a linear SVM), which knows how far its
/// decision values may be from the exact optimum's.
public protocol SolvedToleranceClassifier: Classifier {
    /// The share of `inputs`' rows whose predicted class the solve's tolerance leaves undetermined:
    /// at the exact optimum another class may be predicted.
    func undeterminedShare(on inputs: Dataset) -> Double
}

/// A classifier whose decision values are computed in Double (a linear SVM, kernel ridge): its logits
/// are those values in Float, its predictions their largest.
public protocol DecisionValueClassifier: Classifier {
    /// The decision value of every class for every row of `inputs`, in Double [rows x classes].
    func decisionValues(on inputs: Dataset) -> [Double]
}

extension DecisionValueClassifier {
    /// The decision values in Float.
    public func logits(on inputs: Dataset) -> [Float] { decisionValues(on: inputs).map(Float.init) }

    /// The class of the largest decision value (in Double), the first on ties.
    public func predictions(on inputs: Dataset) -> [Int] {
        let f = decisionValues(on: inputs), c = classCount
        return (0..<inputs.count).map { r in
            var best = 0
            for k in 1..<c where f[r * c + k] > f[r * c + best] { best = k }
            return best
        }
    }
}

/// A classifier with an inner representation φ(x) (`ModelCapability.representation`).
public protocol RepresentationClassifier: Classifier {
    /// Width of φ(x).
    var representationWidth: Int { get }
    /// φ of every row of `inputs` [rows x representationWidth].
    func representations(of inputs: Dataset) -> [Float]
}

/// Each row's loss and its input gradient, for batches of a fixed number of rows; allocates once.
public protocol LossInputGradientEvaluator: AnyObject {
    /// Writes each row's loss into `losses` [rows] and ∂ℓ/∂x into `gradient` [rows x features], for
    /// inputs [rows x features] and labels [rows]. Does not allocate.
    func evaluate(inputs: UnsafePointer<Float>, labels: UnsafePointer<Int>, losses: UnsafeMutablePointer<Double>,
                  gradient: UnsafeMutablePointer<Float>)
}

/// Each row's squared distance ||φ(x) − φ_t||² to a target representation and its input gradient, for
/// batches of a fixed number of rows; allocates once.
public protocol RepresentationDistanceEvaluator: AnyObject {
    /// Writes each row's squared distance into `distances` [rows] and its gradient into `gradient`
    /// [rows x features], for inputs [rows x features] and targets [rows x representationWidth].
    func evaluate(inputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, distances: UnsafeMutablePointer<Double>,
                  gradient: UnsafeMutablePointer<Float>)
}

/// A classifier with the gradient of a row's loss with respect to its input (`ModelCapability.inputGradient`).
public protocol InputGradientClassifier: Classifier {
    /// An evaluator of the loss and its input gradient for batches of exactly `rows` rows.
    func lossInputGradient(rows: Int) -> any LossInputGradientEvaluator
}

/// A classifier with exact products of its rows' input Hessians of the loss with vectors
/// (`ModelCapability.inputHessian`).
public protocol InputHessianClassifier: Classifier {
    /// Input Hessian-vector products for batches of exactly `rows` rows.
    func inputHessian(rows: Int) -> any InputHessianEvaluator
}

/// A classifier with both a representation and input gradients, so with the input gradient of a
/// distance in representation space (what feature collision descends).
public protocol RepresentationGradientClassifier: RepresentationClassifier, InputGradientClassifier {
    /// An evaluator of ||φ(x) − φ_t||² and its input gradient for batches of exactly `rows` rows.
    func representationDistance(rows: Int) -> any RepresentationDistanceEvaluator
}

/// What training a model produced: the trained classifier and the course of its training.
public struct ModelFit: Sendable {
    /// The trained classifier (after the last completed step, or early stopping's best epoch).
    public let model: any Classifier
    /// Mean per-row training loss of each epoch, in order (one entry for a model solved at once).
    public let epochLosses: [Double]
    /// The 1-based epoch whose loss was NaN or infinite, if training diverged.
    public let divergedEpoch: Int?
    /// With early stopping: the epoch whose parameters were kept.
    public let stoppingEpoch: Int?
    /// With trimmed-loss training: the rows that sat out the last epoch, ascending.
    public let trimmedRows: [Int]?
    /// Why a solver stopped short of its solution (a linear SVM at its pass limit), in one clause for
    /// the run's message; nil when it reached it, or for a model trained by SGD. A run whose fit has
    /// one fails with it rather than measure a model that is not the solution.
    public let failure: String?

    /// A fit.
    public init(model: any Classifier, epochLosses: [Double], divergedEpoch: Int? = nil, stoppingEpoch: Int? = nil,
                trimmedRows: [Int]? = nil, failure: String? = nil) {
        self.model = model
        self.epochLosses = epochLosses
        self.divergedEpoch = divergedEpoch
        self.stoppingEpoch = stoppingEpoch
        self.trimmedRows = trimmedRows
        self.failure = failure
    }

    /// A network's training, as a fit.
    public init(_ outcome: TrainingOutcome) {
        self.init(model: outcome.parameters, epochLosses: outcome.epochLosses, divergedEpoch: outcome.divergedEpoch,
                  stoppingEpoch: outcome.stoppingEpoch, trimmedRows: outcome.trimmedRows)
    }
}

/// A model of a study at the data's sizes, ready to train: what `ModelArchitecture.model(for:)`
/// makes. Training dispatches through this protocol once per call; the loops run in the concrete
/// type. Its memory figures feed the study's memory estimate (`RunSizes`).
public protocol TrainableModel: Sendable {
    /// Trainable parameters (or, for a model solved in closed form, the numbers it keeps).
    var parameterCount: Int { get }
    /// This model's identity, for comparing models: equal for models that train identically.
    var identity: AnyHashable { get }
    /// Whether training draws on its seed (initialisation, data order); false for a model solved
    /// exactly, which trains the same with any seed, so that a transfer attacker's surrogate of it is
    /// the victim's clean model (`ModelTrainer.surrogate`).
    var trainingDependsOnSeed: Bool { get }
    /// Trains from scratch on the rows and labels of `data` with `settings`, every random choice drawn
    /// from streams of `seed`, as `adjustment` says (a model is given only the adjustments its
    /// capabilities allow: `TrainingAdjustment.requirements`).
    func train(_ data: Dataset, settings: TrainingSettings, seed: UInt64, adjustment: TrainingAdjustment) -> ModelFit
    /// The most memory training on `rows` rows holds at once (the rows excluded), with early stopping
    /// on `validationRows` rows, trimmed epochs, or the input-gradient penalty.
    func trainingBytes(rows: Int, settings: TrainingSettings, validationRows: Int, trimmed: Bool, inputGradientPenalty: Bool) -> Double
    /// The most memory the trained model holds while it measures `rows` rows (predictions or losses).
    func evaluationBytes(rows: Int) -> Double
    /// Width of the trained model's representation; nil without one.
    var representationWidth: Int? { get }
    /// The memory of the trained model's input-gradient evaluators for `rows` rows at once (0 without).
    func inputGradientBytes(rows: Int) -> Double
    /// The memory of the trained model's input Hessian-vector products for `rows` rows at once.
    func inputHessianBytes(rows: Int) -> Double
}

extension TrainableModel {
    /// Two input-gradient workspaces: a network's `InputHessian` (the activations, p and a tangent
    /// per unit), and the default for a model without input Hessians (it is never asked).
    public func inputHessianBytes(rows: Int) -> Double { 2 * inputGradientBytes(rows: rows) }

    /// Training on `rows` rows, plainly.
    public func trainingBytes(rows: Int, settings: TrainingSettings) -> Double {
        trainingBytes(rows: rows, settings: settings, validationRows: 0, trimmed: false, inputGradientPenalty: false)
    }
}

extension TrainingAdjustment {
    /// The capabilities a model needs to train as this says: per-example gradients of a parameter
    /// vector for DP-SGD, an input gradient and a parameter vector with its gradient for the
    /// input-gradient penalty (double backpropagation), a parameter vector with its gradient for label
    /// smoothing, weight decay, early stopping and trimmed epochs (all changes to SGD); none for plain
    /// training.
    public var requirements: Set<ModelCapability> {
        var needed = Set<ModelCapability>()
        if privacy != nil { needed.formUnion([.perExampleGradient, .parameterGradient]) }
        if inputGradientPenalty > 0 { needed.formUnion([.inputGradient, .parameterGradient]) }
        if labelSmoothing > 0 || weightDecay > 0 || earlyStopping != nil || trimmedShare > 0 { needed.insert(.parameterGradient) }
        return needed
    }
}
