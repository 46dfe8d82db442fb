/// The version of the engine's arithmetic: a run's result is a function of its settings, its data
/// and this version. It must change whenever a change to the engine changes any run's result (a
/// kernel's order of operations, a random stream, a metric), so that stored results of the old
/// arithmetic are never mistaken for results of the new. History: 1, tool 0.3.0; 2, DP-SGD's clipped
/// gradient computed for the whole batch (per-example norms by the outer-product identity), which
/// changes the order of its sums; 3, the input-gradient penalty computed for the whole batch in Float
/// (it was per example in Double).
public let engineVersion = "3"

/// The keys of the metrics every run records; attacks and defenses add their own.
public enum MetricKey {
    /// Accuracy on the clean test set.
    public static let testAccuracy = "testAccuracy"
    /// Accuracy on the rows the model was trained on, against the (poisoned) labels it saw.
    public static let trainAccuracy = "trainAccuracy"
    /// Accuracy on the rows the model was trained on, against their true labels.
    public static let trainCleanAccuracy = "trainCleanAccuracy"
    /// trainAccuracy - testAccuracy.
    public static let generalizationGap = "generalizationGap"
    /// Mean per-row training loss of the final epoch.
    public static let finalLoss = "finalLoss"
    /// Of the rows a defense removed, the fraction the attack had poisoned.
    public static let detectionPrecision = "detectionPrecision"
    /// Of the rows the attack poisoned, the fraction a defense removed.
    public static let detectionRecall = "detectionRecall"
    /// AUROC of a defense's suspicion scores for telling poisoned from clean rows.
    public static let detectionAUROC = "detectionAUROC"
    /// Fraction of the training rows a defense removed.
    public static let removedFraction = "removedFraction"
    /// The epoch whose parameters early stopping kept.
    public static let stoppingEpoch = "stoppingEpoch"
    /// DP-SGD's privacy budget ε at its δ.
    public static let privacyEpsilon = "privacyEpsilon"

    /// The values a metric can take: the gap lies in [-1, 1]; the loss, the stopping epoch and ε are
    /// finite and non-negative; every other metric (accuracies, precision, recall, AUROC, removed
    /// fraction, the attacks' success rates) is a rate in [0, 1].
    public static func validRange(of key: String) -> ClosedRange<Double> {
        switch key {
        case generalizationGap: -1...1
        case finalLoss, stoppingEpoch, privacyEpsilon: 0...Double.greatestFiniteMagnitude
        default: 0...1
        }
    }
}

/// The outcome of one run. `metrics` is nil, and `divergence` says why, when the loss became NaN
/// or infinite; such a run is never averaged in.
public struct RunResult: Sendable, Codable, Equatable {
    /// Poison fraction asked for.
    public let fraction: Double
    /// Index of the series (model, attack, defense).
    public let series: Int
    /// Seed.
    public let seed: UInt64
    /// Number of training rows the attack poisoned.
    public let poisonedCount: Int
    /// poisonedCount / training rows: the fraction actually realised.
    public let realisedFraction: Double
    /// The run's measurements by `MetricKey` (a metric that is undefined for the run is absent);
    /// nil when it diverged.
    public let metrics: [String: Double]?
    /// Why the run has no metrics, e.g. "loss became non-finite at epoch 3 (lr 10)".
    public let divergence: String?

    /// The outcome of one run: `metrics` when it finished, `divergence` when it did not.
    public init(fraction: Double, series: Int, seed: UInt64, poisonedCount: Int, realisedFraction: Double,
                metrics: [String: Double]?, divergence: String?) {
        self.fraction = fraction
        self.series = series
        self.seed = seed
        self.poisonedCount = poisonedCount
        self.realisedFraction = realisedFraction
        self.metrics = metrics
        self.divergence = divergence
    }

    /// Whether this is the run `spec` describes: the same fraction, series and seed.
    public func matches(_ spec: RunSpec) -> Bool {
        fraction == spec.fraction && series == spec.series && seed == spec.seed
    }

    /// The first metric (by key) outside its `MetricKey.validRange`, or nil.
    public var firstMetricOutOfRange: (key: String, value: Double)? {
        (metrics ?? [:]).sorted { $0.key < $1.key }.first { !MetricKey.validRange(of: $0.key).contains($0.value) }
            .map { (key: $0.key, value: $0.value) }
    }

    /// The same outcome, as series `series` of another study of the same run.
    public func withSeries(_ series: Int) -> RunResult {
        RunResult(fraction: fraction, series: series, seed: seed, poisonedCount: poisonedCount, realisedFraction: realisedFraction,
                  metrics: metrics, divergence: divergence)
    }
}
