/// The accuracies and loss a finished run measured.
public struct RunMetrics: Sendable, Codable, Equatable {
    /// Accuracy on the clean test set.
    public let testAccuracy: Double
    /// Accuracy on the training rows against the (poisoned) labels the model saw.
    public let trainAccuracy: Double
    /// Accuracy on the training rows against their true labels.
    public let trainCleanAccuracy: Double
    /// trainAccuracy - testAccuracy.
    public let generalizationGap: Double
    /// Mean per-row training loss of the final epoch.
    public let finalLoss: Double

    /// Measurements of one run.
    public init(testAccuracy: Double, trainAccuracy: Double, trainCleanAccuracy: Double,
                generalizationGap: Double, finalLoss: Double) {
        self.testAccuracy = testAccuracy
        self.trainAccuracy = trainAccuracy
        self.trainCleanAccuracy = trainCleanAccuracy
        self.generalizationGap = generalizationGap
        self.finalLoss = finalLoss
    }
}

/// The outcome of one run. `metrics` is nil, and `divergence` says why, when the loss became NaN
/// or infinite; such a run is never averaged in.
public struct RunResult: Sendable, Codable, Equatable {
    /// Poison fraction asked for.
    public let fraction: Double
    /// Hidden width.
    public let width: Int
    /// Seed.
    public let seed: UInt64
    /// Number of training labels the attack changed.
    public let poisonedCount: Int
    /// poisonedCount / training rows: the fraction actually realised.
    public let realisedFraction: Double
    /// The run's measurements; nil when it diverged.
    public let metrics: RunMetrics?
    /// Why the run has no metrics, e.g. "loss became non-finite at epoch 3 (lr 10)".
    public let divergence: String?

    /// The outcome of one run: `metrics` when it finished, `divergence` when it did not.
    public init(fraction: Double, width: Int, seed: UInt64, poisonedCount: Int, realisedFraction: Double,
                metrics: RunMetrics?, divergence: String?) {
        self.fraction = fraction
        self.width = width
        self.seed = seed
        self.poisonedCount = poisonedCount
        self.realisedFraction = realisedFraction
        self.metrics = metrics
        self.divergence = divergence
    }
}

/// Runs one cell of the sweep: poison the training labels, train, measure.
public func executeRun(_ spec: RunSpec, config: StudyConfig, split: TrainTestSplit) -> RunResult {
    let poisoned = config.attack.attack.poison(split.train, fraction: spec.fraction, seed: spec.seed)
    let outcome = trainMLP(inputs: split.train, labels: poisoned.labels, hidden: spec.width,
                           settings: config.training, seed: spec.seed)
    let poisonedCount = poisoned.poisonedIndices.count
    let realised = Double(poisonedCount) / Double(split.train.count)
    if let epoch = outcome.divergedEpoch {
        let message = "run width \(spec.width), fraction \(spec.fraction), seed \(spec.seed) diverged: "
            + "training loss became non-finite at epoch \(epoch) with learning rate \(config.training.learningRate)"
        return RunResult(fraction: spec.fraction, width: spec.width, seed: spec.seed, poisonedCount: poisonedCount,
                         realisedFraction: realised, metrics: nil, divergence: message)
    }
    let model = outcome.parameters
    let test = model.accuracy(on: split.test, labels: split.test.labels)
    let train = model.accuracy(on: split.train, labels: poisoned.labels)
    let trainClean = model.accuracy(on: split.train, labels: split.train.labels)
    let metrics = RunMetrics(testAccuracy: test, trainAccuracy: train, trainCleanAccuracy: trainClean,
                             generalizationGap: train - test, finalLoss: outcome.epochLosses.last ?? .nan)
    return RunResult(fraction: spec.fraction, width: spec.width, seed: spec.seed, poisonedCount: poisonedCount,
                     realisedFraction: realised, metrics: metrics, divergence: nil)
}
