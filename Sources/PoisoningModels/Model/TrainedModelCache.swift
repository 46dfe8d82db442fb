import PoisoningData
import PoisoningUtilities
import Synchronization

/// Models trained on a study's clean training rows, kept for its other runs: an attacker's
/// surrogate (`Backdoor`), and a run's clean model with the targets made from it (`targets:`,
/// measured in every run and aimed at by gradient canceling).
///
/// Such a model depends only on the run's architecture, training settings and seed and on the rows
/// (and, for a model made from the clean one, on what makes it: `variant`), never on the poison
/// fraction, so the runs of a series that differ only in their fraction, and the series that share
/// a model, can share one. There is no process-wide cache: each is a value's (an attack's, a
/// study design's). Entries are matched exactly: on the whole trainer (`ModelTrainer.trainsLike`:
/// model, settings and seed), on the rows themselves (an array comparison that is immediate for the
/// study's own split, whose buffers every run shares) and on the variant (`==`), so that a model
/// trained otherwise is never returned. It is deterministic: a hit returns exactly what training
/// would return (training is a function of its inputs). It is thread-safe: a mutex guards the list,
/// and training happens outside it, so two workers may train the same model at once, with identical
/// results, and the first to finish stores it. At most `capacity` entries, the oldest dropped first.
public final class TrainedModelCache: Sendable {
    /// The most entries kept (beyond it the oldest goes).
    public let capacity: Int

    private struct Entry: @unchecked Sendable {
        let trainer: ModelTrainer
        let data: Dataset
        /// nil for the model `trainer` trains on `data`; what made a model derived from it otherwise
        /// (an `AnyHashable` of a `Sendable` value, hence unchecked).
        let variant: AnyHashable?
        let value: Value
    }

    /// What an entry holds: the fit of the model `trainer` trains on `data`, or a model derived from
    /// it (nil when it could not be made).
    private enum Value: Sendable {
        case fit(ModelFit)
        case derived((any Classifier)?)
    }

    private let entries = Mutex<[Entry]>([])

    /// An empty cache of at most `capacity` models.
    public init(capacity: Int) {
        precondition(capacity > 0, "a cache holds at least one model")
        self.capacity = capacity
    }

    /// The number of models held (for tests).
    public var count: Int { entries.withLock { $0.count } }

    /// `trainer.train(data)`, trained at most once per (trainer, data) while the entry lasts.
    public func fit(_ trainer: ModelTrainer, on data: Dataset) -> ModelFit {
        guard case .fit(let fit) = cached(trainer, data, variant: nil, make: { .fit(trainer.train(data)) }) else {
            preconditionFailure("an entry without a variant holds a fit")
        }
        return fit
    }

    /// `fit(trainer, on: data).model`, or nil when its training diverged or its solver stopped short.
    public func model(_ trainer: ModelTrainer, on data: Dataset) -> (any Classifier)? {
        let fit = fit(trainer, on: data)
        return fit.divergedEpoch == nil && fit.failure == nil ? fit.model : nil
    }

    /// The model `make` returns for `variant` (nil when it cannot be made), a model derived from the
    /// one `trainer` trains on `data` (a target made from it, say), made at most once per (trainer,
    /// data, variant) while the entry lasts. `variant` must name everything `make` depends on beyond
    /// `trainer` and `data`.
    public func derived<Variant: Hashable & Sendable>(_ variant: Variant, of trainer: ModelTrainer, on data: Dataset,
                                                      make: () -> (any Classifier)?) -> (any Classifier)? {
        guard case .derived(let model) = cached(trainer, data, variant: AnyHashable(variant), make: { .derived(make()) }) else {
            preconditionFailure("an entry with a variant holds a derived model")
        }
        return model
    }

    /// The value of the entry (trainer, data, variant), made by `make` when there is none.
    private func cached(_ trainer: ModelTrainer, _ data: Dataset, variant: AnyHashable?, make: () -> Value) -> Value {
        func matches(_ entry: Entry) -> Bool { entry.variant == variant && entry.trainer.trainsLike(trainer) && entry.data == data }
        if let hit = entries.withLock({ $0.first(where: matches) }) { return hit.value }
        let value = make()
        entries.withLock { list in
            guard !list.contains(where: matches) else { return }
            list.append(Entry(trainer: trainer, data: data, variant: variant, value: value))
            if list.count > capacity { list.removeFirst() }
        }
        return value
    }

    /// The most memory `capacity` models of `sizes` hold: their parameters, at most 8 bytes each
    /// (Double for kernel ridge and linear SVMs, Float for networks), and the losses of their epochs
    /// (the rows are the study's own, shared).
    public func bytes(_ sizes: RunSizes) -> Double {
        Double(capacity) * (8 * Double(sizes.model.parameterCount) + 8 * Double(sizes.settings.epochs))
    }
}
