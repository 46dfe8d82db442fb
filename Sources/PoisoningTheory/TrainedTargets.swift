import PoisoningData
import PoisoningModels

extension TrainedModelCache {
    /// The clean model `trainer` trains on `train` (`fit(trainer, on:)`) and the target `target` makes
    /// from it for `seed` (`TargetModel.target(clean:train:trainer:seed:)`), each trained at most once
    /// while its entry lasts, so that the runs of a series and seed at every fraction, the runs of
    /// the series that share a model, and gradient canceling aimed at the target share them. The
    /// target is nil when it cannot be made: the clean model diverged, or a model the target trains
    /// did. Nil when the clean model can have no targets (it is no `TargetableClassifier`: kernel ridge).
    public func target(_ target: any TargetModel, seed: UInt64, trainer: ModelTrainer, on train: Dataset)
        -> (clean: any TargetableClassifier, target: (any TargetableClassifier)?)? {
        let fit = fit(trainer, on: train)
        guard let clean = fit.model as? any TargetableClassifier else { return nil }
        guard fit.divergedEpoch == nil, fit.failure == nil else { return (clean, nil) }
        return (clean, made(target, from: clean, seed: seed, trainer: trainer, on: train))
    }

    /// `target` made from `clean`, through the cache.
    private func made<Target: TargetModel, Model: TargetableClassifier>(_ target: Target, from clean: Model, seed: UInt64,
                                                                        trainer: ModelTrainer, on train: Dataset) -> (any TargetableClassifier)? {
        let made = derived(TargetVariant(target: target, seed: seed), of: trainer, on: train) {
            target.target(clean: clean, train: train, trainer: trainer, seed: seed)
        }
        return made as? any TargetableClassifier
    }
}

/// What a target made from a clean model depends on beyond the clean model's trainer and rows: the
/// target with every setting, and the seed of its random choices.
private struct TargetVariant<Target: TargetModel>: Hashable, Sendable {
    let target: Target
    let seed: UInt64
}
