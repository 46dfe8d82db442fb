import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities
import Synchronization

/// The surrogate models of the clean training rows an attack has trained, kept for its other runs.
///
/// A surrogate depends only on the run's architecture, training settings and seed
/// (`ModelTrainer.surrogate`) and on the training rows, never on the poison fraction, so the runs of
/// a series that differ only in their fraction can share one. The cache belongs to one attack value,
/// hence to one study (no process-wide state); entries are matched on the whole trainer and on the
/// rows themselves (an array comparison that is immediate for the study's own split, whose buffers
/// every run shares), so an attack used on other data trains anew. It is deterministic: a hit returns
/// exactly the model training would return (training is a function of its inputs). It is
/// thread-safe: a mutex guards the list, and training happens outside it, so two workers may train
/// the same surrogate at once, with identical results, and the first to finish stores it. At most
/// `capacity` entries, the oldest dropped first.
final class SurrogateCache: Sendable {
    /// The most surrogates kept (beyond it the oldest goes): enough for every seed of a series of a
    /// study of up to 32 seeds, whose runs come fraction by fraction, seed by seed.
    static let capacity = 32

    private struct Entry: Sendable {
        let trainer: ModelTrainer
        let data: Dataset
        /// nil when training diverged.
        let model: (any Classifier)?
    }

    private let entries = Mutex<[Entry]>([])

    /// An empty cache.
    init() {}

    /// The number of surrogates held (for tests).
    var count: Int { entries.withLock { $0.count } }

    /// `trainer.train(data).model`, trained at most once per (trainer, data) while the entry lasts;
    /// nil when training diverged.
    func model(_ trainer: ModelTrainer, on data: Dataset) -> (any Classifier)? {
        func matches(_ entry: Entry) -> Bool { entry.trainer.trainsLike(trainer) && entry.data == data }
        if let hit = entries.withLock({ $0.first(where: matches) }) { return hit.model }
        let outcome = trainer.train(data)
        let model = outcome.divergedEpoch == nil ? outcome.model : nil
        entries.withLock { list in
            guard !list.contains(where: matches) else { return }
            list.append(Entry(trainer: trainer, data: data, model: model))
            if list.count > Self.capacity { list.removeFirst() }
        }
        return model
    }

    /// The most memory the cache holds for surrogates of `sizes`: `capacity` trained models' parameters (the
    /// rows are the study's own, shared).
    static func bytes(_ sizes: RunSizes) -> Double { Double(capacity) * sizes.parameterBytes }
}
