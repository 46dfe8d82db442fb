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

/// Every metric of one (fraction, width) cell, summarised over the seeds whose runs finished.
public struct AggregatePoint: Sendable, Codable, Equatable {
    /// Poison fraction.
    public let fraction: Double
    /// Hidden width.
    public let width: Int
    /// Runs averaged in (seeds that did not diverge).
    public let runCount: Int
    /// Runs left out because their training diverged.
    public let divergedCount: Int
    /// Realised poisoned fraction of the training labels.
    public let realisedFraction: MeanStd
    /// Clean test accuracy; nil (with the accuracies below) when every run diverged.
    public let testAccuracy: MeanStd?
    /// Accuracy on the poisoned training labels.
    public let trainAccuracy: MeanStd?
    /// Accuracy on the true training labels.
    public let trainCleanAccuracy: MeanStd?
    /// Train minus test accuracy.
    public let generalizationGap: MeanStd?
    /// Final epoch's mean training loss.
    public let finalLoss: MeanStd?
}

/// One point per (fraction, width) of the sweep, fraction-major then width in configuration order.
public func aggregate(_ runs: [RunResult], config: StudyConfig) -> [AggregatePoint] {
    config.fractions.flatMap { fraction in
        config.widths.map { width in
            let cell = runs.filter { $0.fraction == fraction && $0.width == width }
            let metrics = cell.compactMap(\.metrics)
            func stats(_ value: (RunMetrics) -> Double) -> MeanStd? {
                metrics.isEmpty ? nil : MeanStd(of: metrics.map(value))
            }
            return AggregatePoint(
                fraction: fraction, width: width, runCount: metrics.count, divergedCount: cell.count - metrics.count,
                realisedFraction: MeanStd(of: cell.map(\.realisedFraction)),
                testAccuracy: stats(\.testAccuracy), trainAccuracy: stats(\.trainAccuracy),
                trainCleanAccuracy: stats(\.trainCleanAccuracy), generalizationGap: stats(\.generalizationGap),
                finalLoss: stats(\.finalLoss))
        }
    }
}
