import PoisoningData
import PoisoningUtilities

/// The dense networks (MLP, logistic regression) behind the model protocol: a `NetworkShape` trains
/// by `trainNetwork` into `NetworkParameters`, which have every capability.
extension NetworkShape: TrainableModel {
    /// The shape itself.
    public var identity: AnyHashable { AnyHashable(self) }
    /// SGD draws its initialisation and batches from the seed.
    public var trainingDependsOnSeed: Bool { true }

    /// `trainNetwork` on this shape, as a fit.
    public func train(_ data: Dataset, settings: TrainingSettings, seed: UInt64, adjustment: TrainingAdjustment) -> ModelFit {
        ModelFit(trainNetwork(self, on: data, settings: settings, seed: seed, adjustment: adjustment))
    }

    /// `trainingBytes(_:rows:settings:validationRows:trimmed:inputGradientPenalty:)` of this shape.
    public func trainingBytes(rows: Int, settings: TrainingSettings, validationRows: Int, trimmed: Bool, inputGradientPenalty: Bool)
        -> Double {
        PoisoningModels.trainingBytes(self, rows: rows, settings: settings, validationRows: validationRows, trimmed: trimmed,
                                      inputGradientPenalty: inputGradientPenalty)
    }

    /// `evaluationBytes(_:rows:)` of this shape.
    public func evaluationBytes(rows: Int) -> Double { PoisoningModels.evaluationBytes(self, rows: rows) }

    /// The last hidden layer's width, or the classes without hidden layers (whose representation is
    /// the logits).
    public var representationWidth: Int? { hidden.last ?? classes }

    /// A `LossInputGradient`'s (or a `RepresentationDistance`'s) workspace for `rows` rows.
    public func inputGradientBytes(rows: Int) -> Double { LossInputGradient.bytes(self, rows: rows) }
}

extension NetworkParameters: RepresentationGradientClassifier {
    /// The network's inputs.
    public var featureCount: Int { shape.inputs }
    /// The network's classes.
    public var classCount: Int { shape.classes }

    /// A `LossInputGradient` of this network.
    public func lossInputGradient(rows: Int) -> any LossInputGradientEvaluator { LossInputGradient(parameters: self, rows: rows) }

    /// A `RepresentationDistance` of this network.
    public func representationDistance(rows: Int) -> any RepresentationDistanceEvaluator {
        RepresentationDistance(parameters: self, rows: rows)
    }
}

extension NetworkParameters: InputHessianClassifier {
    /// An `InputHessian` of this network.
    public func inputHessian(rows: Int) -> any InputHessianEvaluator { InputHessian(parameters: self, rows: rows) }
}

extension LossInputGradient: LossInputGradientEvaluator {}

extension RepresentationDistance: RepresentationDistanceEvaluator {}
