/// Trains a run's model (its architecture, training settings and seed) on any rows: what an
/// informed attack uses for a model of the clean data, and a defense for one of the poisoned data.
public struct ModelTrainer: Sendable {
    /// The run's network.
    public let shape: NetworkShape
    /// The run's SGD settings.
    public let settings: TrainingSettings
    /// The run's seed.
    public let seed: UInt64

    /// A trainer for one run.
    public init(shape: NetworkShape, settings: TrainingSettings, seed: UInt64) {
        self.shape = shape
        self.settings = settings
        self.seed = seed
    }

    /// Trains from scratch on `data` (rows and labels), as `adjustment` says.
    public func train(_ data: Dataset, adjustment: TrainingAdjustment = TrainingAdjustment()) -> TrainingOutcome {
        trainNetwork(shape, on: data, settings: settings, seed: seed, adjustment: adjustment)
    }
}
