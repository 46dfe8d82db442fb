import PoisoningEngine

/// The mean and sample standard deviation (ddof = 1; 0 for a single value) of a metric over seeds.
public struct MeanStd: Sendable, Codable, Equatable {
    /// Arithmetic mean.
    public let mean: Double
    /// Sample standard deviation, sqrt(Σ(v - mean)² / (n - 1)); 0 when n = 1.
    public let std: Double

    /// Statistics of a non-empty list of values.
    public init(of values: [Double]) {
        precondition(!values.isEmpty, "statistics of nothing")
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        self.mean = mean
        self.std = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
    }
}

/// Every metric of one (fraction, series) cell, summarised over the seeds whose runs finished.
public struct AggregatePoint: Sendable, Codable, Equatable {
    /// Poison fraction.
    public let fraction: Double
    /// Index of the series.
    public let series: Int
    /// Runs averaged in (seeds that did not diverge).
    public let runCount: Int
    /// Runs left out because their training diverged.
    public let divergedCount: Int
    /// Realised poisoned fraction of the training rows.
    public let realisedFraction: MeanStd
    /// Whether the attack's budget is saturated at this fraction (a run of the cell asked for more
    /// rows than the attack may touch: `RunResult.saturated`); fits leave such points out.
    public let saturated: Bool
    /// Each metric over the runs that have it, by `MetricKey`; empty when every run diverged. A
    /// metric whose seeds are split in orientation (`orientationSplits`) is not here: it has no mean.
    public let metrics: [String: MeanStd]
    /// The orientation-dependent detection metrics (`OrientationSplit.orientationDependentMetrics`)
    /// whose seeds do not share one orientation, by `MetricKey`, each instead of its mean; nil when none.
    public let orientationSplits: [String: OrientationSplit]?

    /// The statistics of one metric, nil when no run of the cell has it.
    public func metric(_ key: String) -> MeanStd? { metrics[key] }

    /// The orientation split of metric `key`, nil when its seeds share one orientation or lack it.
    public func orientationSplit(_ key: String) -> OrientationSplit? { orientationSplits?[key] }
}

/// One point per (fraction, series) of the sweep, fraction-major then series in study order, each
/// metric averaged over the finished runs that have it (detectionPrecision over those that poisoned a row,
/// a retrained victim's distance from and agreement with its target over those whose victim converged,
/// `MetricKey.convergedVictimKeys`),
/// except an orientation-dependent detection metric whose seeds are split (`OrientationSplit`): that
/// one gets its split and no mean.
public func aggregate(_ runs: [RunResult], fractions: [Double], seriesCount: Int) -> [AggregatePoint] {
    fractions.flatMap { fraction in
        (0..<seriesCount).map { series in
            let cell = runs.filter { $0.fraction == fraction && $0.series == series }
            let finished = cell.compactMap(\.metrics)
            let keys = Set(finished.flatMap(\.keys))
            var metrics = [String: MeanStd]()
            var splits = [String: OrientationSplit]()
            for key in keys {
                // The precision of finding poisoned rows is undefined where no row was poisoned (a run
                // records 0 when its defense flags rows): left out there, as recall and AUROC are.
                // A retrained victim's distance from its target and agreement with it count only where it converged
                // (`RunResult.countedMetric`): an unconverged one measures where its training stopped.
                let values = cell.filter { key != MetricKey.detectionPrecision || $0.poisonedCount > 0 }.compactMap { $0.countedMetric(key) }
                if OrientationSplit.orientationDependentMetrics.contains(key), let split = OrientationSplit(values: values) {
                    splits[key] = split
                } else if !values.isEmpty {
                    metrics[key] = MeanStd(of: values)
                }
            }
            return AggregatePoint(fraction: fraction, series: series, runCount: finished.count,
                                  divergedCount: cell.count - finished.count,
                                  realisedFraction: MeanStd(of: cell.isEmpty ? [fraction] : cell.map(\.realisedFraction)),
                                  saturated: cell.contains(where: \.isSaturated), metrics: metrics,
                                  orientationSplits: splits.isEmpty ? nil : splits)
        }
    }
}
