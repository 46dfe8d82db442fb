import Foundation
import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// A trained model a target can be made from and measured against: a dense network (softmax
/// regression, an MLP) or a linear SVM. Its parameters read as one vector in Double, the mean
/// gradient of its loss on rows (what GradPC ascends), and its poisonability threshold τ.
public protocol TargetableClassifier: Classifier {
    /// Every parameter, in Double, in a fixed order.
    var parameterValues: [Double] { get }
    /// `parameterValues` with the directions predictions ignore removed, in the same order and
    /// count: two models with equal centred values predict alike on every row. For a network, its last
    /// layer's class-sum direction (`centredLastLayer`); the default is `parameterValues` as given.
    var centredParameterValues: [Double] { get }
    /// The same model with `values` (in `parameterValues`' order and count) as its parameters.
    func withParameterValues(_ values: [Double]) -> Self
    /// The gradient of the mean per-row loss on `data` (with its labels) with respect to
    /// `parameterValues`.
    func meanLossGradient(on data: Dataset) -> [Double]
    /// τ of this model as a target on the clean rows `data` (`Poisonability.swift`).
    func poisonabilityThreshold(on data: Dataset) -> PoisonabilityThreshold
}

/// A target model of a study (`targets:`): the parameters an attacker wants the victim to end up
/// with, made from the run's clean model and training rows. Gradient Canceling (`gradient-canceling`)
/// names one by its `label`; every run of a study with targets records each target's τ, accuracy and
/// distance from the clean model (`RunResult.targets`). Targets are made of dense networks (softmax
/// regression, MLPs) and linear SVMs (`TargetableClassifier`). Equal targets (every setting equal)
/// make equal models, which lets a `TrainedModelCache` keep them.
public protocol TargetModel: StudyComponent, Hashable {
    /// The target for a run: from the victim's clean model `clean`, trained on the clean training rows
    /// `train` by `trainer` (the run's model, settings and seed), every random choice from streams of
    /// `seed`; nil when a model it trains diverges.
    func target<Model: TargetableClassifier>(clean: Model, train: Dataset, trainer: ModelTrainer, seed: UInt64) -> Model?
    /// The rows the target is trained on, made from the clean training rows `train` as `target`
    /// makes them for `seed`; nil when the target is not trained on rows (GradPC moves the clean
    /// model). A target trained on rows is meant to be stationary on them; its gradient there tells
    /// how far its training stopped short of that.
    func trainingRows(clean train: Dataset, seed: UInt64) -> Dataset?
    /// The most memory making the target holds at once for a run of `sizes`, beside the clean model
    /// (the models it trains or moves, their gradients, the rows it makes), in bytes.
    func workingBytes(_ sizes: RunSizes) -> Double
}

extension TargetableClassifier {
    /// `parameterValues` as given: a model without a direction its predictions ignore (a linear SVM,
    /// whose one-vs-rest margins, not only their argmax, are its model).
    public var centredParameterValues: [Double] { parameterValues }
}

/// ‖c(a) − c(b)‖ / ‖c(b)‖ over every parameter (in Double), c = `centredParameterValues`: how far `a`
/// lies from `b`, relative to `b`'s norm, between the classes of models that predict alike (for a
/// network, adding one vector to every class's last-layer weights and one number to every class's
/// bias changes neither the distance nor any prediction). Its other symmetries (a ReLU unit's
/// rescaling, the order of hidden units) are not divided out.
public func relativeParameterDistance<Model: TargetableClassifier>(_ a: Model, from b: Model) -> Double {
    let (x, y) = (a.centredParameterValues, b.centredParameterValues)
    precondition(x.count == y.count, "parameters of different models")
    var difference = 0.0, norm = 0.0
    for (u, v) in zip(x, y) {
        difference += (u - v) * (u - v)
        norm += v * v
    }
    return (difference / norm).squareRoot()
}

/// The model trained on label-flipped data: round(fraction · n) training rows, the first picks of a
/// partial Fisher-Yates shuffle on the stream (seed, "target-flip"), each relabelled to the next
/// class, (y + 1) mod c (for two classes, the other one), then the run's model trained on them with
/// the run's seed (Lu et al. 2023's first kind of target).
public struct LabelFlipTarget: TargetModel {
    /// "label-flip".
    public static let kind = "label-flip"
    /// One sentence for help and commented study files.
    public static let summary = "The run's model trained on training rows of which a share has its label moved to the next class."

    /// The share of training rows flipped.
    public let fraction: Double

    /// A label-flip target flipping `fraction` of the training rows.
    public init(fraction: Double) {
        precondition((0...1).contains(fraction), "fraction must lie in [0, 1]")
        self.fraction = fraction
    }

    /// Reads `fraction`.
    public init(parameters: inout ParameterReader) throws {
        self.init(fraction: try parameters.double("fraction", default: 0.5, in: 0...1,
                                                  help: "The share of training rows whose label moves to the next class, in [0, 1]."))
    }

    /// "label-flip 0.5".
    public var label: String { "label-flip \(fraction)" }

    public func target<Model: TargetableClassifier>(clean: Model, train: Dataset, trainer: ModelTrainer, seed: UInt64) -> Model? {
        let fit = trainer.train(flipped(train, seed: seed))
        guard fit.divergedEpoch == nil, fit.failure == nil, let model = fit.model as? Model else { return nil }
        return model
    }

    /// The label-flipped rows the target is trained on.
    public func trainingRows(clean train: Dataset, seed: UInt64) -> Dataset? { flipped(train, seed: seed) }

    /// The shuffled row indices, the flipped copy's labels (its features are the clean rows', shared)
    /// and training the model on them.
    public func workingBytes(_ sizes: RunSizes) -> Double { 2 * sizes.rowIndexBytes + sizes.trainingBytes }

    /// `train` with the labels of its first round(fraction · n) picks moved to the next class.
    func flipped(_ train: Dataset, seed: UInt64) -> Dataset {
        let count = poisonCount(fraction: fraction, of: train.count)
        var rows = Array(0..<train.count)
        var stream = Xoshiro256StarStar(seed: seed, purpose: "target-flip")
        stream.choosePrefix(count, of: &rows)
        var flipped = train
        for row in rows[..<count] { flipped.labels[row] = (train.labels[row] + 1) % train.classCount }
        return flipped
    }
}

/// Gradient-based parameter corruption (GradPC, Sun et al. 2020, as Lu et al. 2023 use it): from the
/// clean model w₀, `steps` steps up the mean loss of validation rows (a network's cross-entropy, a
/// linear SVM's one-vs-rest hinge losses; `TargetableClassifier.meanLossGradient`),
///     w ← Π(w + s · ∇L_val(w) / ‖∇L_val(w)‖),   s = 2.5 ε_w ‖w₀‖ / steps,
/// Π the projection onto the ball ‖w − w₀‖ ≤ ε_w ‖w₀‖ (the relative-norm budget `eps-w`). The step
/// length is Madry et al.'s PGD rule (2.5 times the radius over the steps), so the walk can reach
/// the ball's edge. The validation rows are a share `validation-share` of the training rows, the
/// first picks of a shuffle on the stream (seed, "target-validation"); test rows are never used.
/// The walk stops where the gradient vanishes: a linear SVM whose validation rows all lie beyond its
/// margins has a flat hinge loss there, and its target is the clean model itself (distance 0).
public struct GradPCTarget: TargetModel {
    /// "gradpc".
    public static let kind = "gradpc"
    /// One sentence for help and commented study files.
    public static let summary = "The clean model moved up the validation loss within a relative distance eps-w (gradient-based parameter corruption)."

    /// The relative-norm budget ε_w.
    public let epsW: Double
    /// Gradient steps.
    public let steps: Int
    /// The share of training rows validated on.
    public let validationShare: Double

    /// A GradPC target.
    public init(epsW: Double, steps: Int = 100, validationShare: Double = 0.2) {
        precondition(epsW > 0 && steps > 0 && validationShare > 0 && validationShare <= 1, "positive settings required")
        self.epsW = epsW
        self.steps = steps
        self.validationShare = validationShare
    }

    /// Reads `eps-w`, `steps` and `validation-share`.
    public init(parameters: inout ParameterReader) throws {
        self.init(epsW: try parameters.double("eps-w", default: 0.5, in: 1e-6...100,
                                              help: "The budget ε_w: the target lies within ε_w · ‖w_clean‖ of the clean parameters."),
                  steps: try parameters.int("steps", default: 100, in: 1...100_000, help: "Normalised gradient steps up the validation loss."),
                  validationShare: try parameters.double("validation-share", default: 0.2, in: 0.01...1,
                                                         help: "The share of training rows whose loss the target ascends (never test rows)."))
    }

    /// "gradpc 0.5".
    public var label: String { "gradpc \(epsW)" }

    public func target<Model: TargetableClassifier>(clean: Model, train: Dataset, trainer: ModelTrainer, seed: UInt64) -> Model? {
        var rows = Array(0..<train.count)
        let count = max(1, poisonCount(fraction: validationShare, of: train.count))
        var stream = Xoshiro256StarStar(seed: seed, purpose: "target-validation")
        stream.choosePrefix(count, of: &rows)
        let validation = train.rows(Array(rows[..<count]))
        let origin = clean.parameterValues
        let radius = epsW * origin.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let step = 2.5 * radius / Double(steps)
        var w = origin
        var current = clean
        for _ in 0..<steps {
            let gradient = current.meanLossGradient(on: validation)
            let norm = gradient.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 && norm.isFinite else { break }
            // Ascent along the unit gradient, then back onto the ball around w₀.
            for i in w.indices { w[i] += step * gradient[i] / norm }
            let distance = zip(w, origin).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            if distance > radius {
                for i in w.indices { w[i] = origin[i] + (w[i] - origin[i]) * radius / distance }
            }
            current = clean.withParameterValues(w)
        }
        return current
    }

    /// Nil: the target is the clean model moved up the validation loss, not trained on rows.
    public func trainingRows(clean train: Dataset, seed: UInt64) -> Dataset? { nil }

    /// The shuffled row indices, the validation rows' copy, their loss and gradient (a measurement
    /// of the model on those rows), the parameters at the start, the iterate, the gradient and the
    /// current model's values in Double, and the current model and its Float gradient.
    public func workingBytes(_ sizes: RunSizes) -> Double {
        let validation = max(1, poisonCount(fraction: validationShare, of: sizes.split.trainRows))
        return sizes.rowIndexBytes + datasetBytes(rows: validation, features: sizes.split.features) + sizes.model.evaluationBytes(rows: validation)
            + 4 * 8 * Double(sizes.model.parameterCount) + 2 * sizes.parameterBytes
    }
}
