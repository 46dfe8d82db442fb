import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// What a run records of one of its study's targets (`targets:`, results.json's `runs[].targets[]`):
/// the target made from the run seed's clean model (the run's model, settings and seed on the clean
/// training rows), its threshold τ on those rows, its test accuracy and its distance from the clean
/// model. The same at every fraction of a series and seed; recorded whatever the run's attack.
public struct TargetMeasurement: Sendable, Codable, Equatable {
    /// The target's label, e.g. "gradpc 0.5".
    public let target: String
    /// τ (`TargetableClassifier.poisonabilityThreshold`: exact for binary margin models, a necessary
    /// condition for more than two classes, a lower bound for a network with hidden layers); nil
    /// (absent) when no threshold exists or the target could not be made.
    public let tau: Double?
    /// The target's test accuracy; nil (absent) when the target could not be made (the clean model,
    /// or a model the target trains, diverged).
    public let accuracy: Double?
    /// ‖w_target − w_clean‖ / ‖w_clean‖ over every parameter, the last layer centred
    /// (`relativeParameterDistance`); nil
    /// (absent) when the target could not be made or the clean model's parameters are all zero.
    public let distance: Double?

    /// A measurement of the target labelled `target`.
    public init(target: String, tau: Double?, accuracy: Double?, distance: Double?) {
        self.target = target
        self.tau = tau
        self.accuracy = accuracy
        self.distance = distance
    }

    /// Why this cannot be a run's measurement, in words that follow "its target ", or nil: τ and the
    /// distance in [0, `MetricKey.largestUnboundedValue`], the accuracy in [0, 1], and τ and the
    /// distance only with an accuracy (a target that could not be made has none of them).
    var problem: String? {
        let unbounded = 0...MetricKey.largestUnboundedValue
        if let tau, !unbounded.contains(tau) { return "\(quotedUserText(target)) has a tau of \(tau), outside \(unbounded)" }
        if let distance, !unbounded.contains(distance) { return "\(quotedUserText(target)) has a distance of \(distance), outside \(unbounded)" }
        if let accuracy, !(0...1).contains(accuracy) { return "\(quotedUserText(target)) has an accuracy of \(accuracy), outside 0...1" }
        if accuracy == nil, tau != nil || distance != nil { return "\(quotedUserText(target)) has a tau or a distance but no accuracy" }
        return nil
    }
}

/// Every target of `targets` measured for the run of `trainer`'s model and seed on `split`, in
/// order; nil when there are none or the model's trained classifier cannot have targets (it is no
/// `TargetableClassifier`: kernel ridge). The clean model and each target come from `trained`
/// (`TrainedModelCache.target`): trained once for every fraction of the series and seed.
func measureTargets(_ targets: [any TargetModel], split: TrainTestSplit, trainer: ModelTrainer,
                    trained: TrainedModelCache) -> [TargetMeasurement]? {
    guard !targets.isEmpty else { return nil }
    var measurements = [TargetMeasurement]()
    for target in targets {
        guard let made = trained.target(target, seed: trainer.seed, trainer: trainer, on: split.train) else { return nil }
        measurements.append(measure(target.label, made.target, clean: made.clean, split: split))
    }
    return measurements
}

/// The target labelled `label`, `aim` (nil when it could not be made), measured against `clean`.
private func measure<Model: TargetableClassifier>(_ label: String, _ aim: (any TargetableClassifier)?, clean: Model,
                                                  split: TrainTestSplit) -> TargetMeasurement {
    guard let aim = aim as? Model else { return TargetMeasurement(target: label, tau: nil, accuracy: nil, distance: nil) }
    let unbounded = 0...MetricKey.largestUnboundedValue
    let tau = aim.poisonabilityThreshold(on: split.train).tau, distance = relativeParameterDistance(aim, from: clean)
    return TargetMeasurement(target: label, tau: tau.flatMap { unbounded.contains($0) ? $0 : nil },
                             accuracy: aim.accuracy(on: split.test), distance: unbounded.contains(distance) ? distance : nil)
}
