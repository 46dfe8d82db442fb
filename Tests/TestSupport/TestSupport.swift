import Foundation
import PoisoningEngine

// Fixtures shared by the test targets: studies of one-hidden-layer MLPs by width, and run results
// with given metrics.

/// A study of one-hidden-layer MLPs of `widths` under random label flips, on the reference data.
public func widthStudy(_ widths: [Int], fractions: [Double], seeds: [UInt64], epochs: Int = 200) -> Study {
    try! Study(StudyConfig(models: widths.map(StudyConfig.mlp), fractions: fractions, seeds: seeds,
                           training: TrainingSettings(epochs: epochs)))
}

extension Study {
    /// The hidden width of the MLP of a run's series (every model of a `widthStudy` is a one-layer MLP).
    public func width(of spec: RunSpec) -> Int { (models[series[spec.series].model] as! MLP).hidden[0] }

    /// The index of the series of the MLP of `width`.
    public func seriesIndex(width: Int) -> Int {
        series.indices.first { (models[series[$0].model] as! MLP).hidden == [width] }!
    }
}

/// The metrics of a run with the given accuracies and loss (gap = train - test).
public func runMetrics(test: Double, train: Double, trainClean: Double, loss: Double) -> [String: Double] {
    [MetricKey.testAccuracy: test, MetricKey.trainAccuracy: train, MetricKey.trainCleanAccuracy: trainClean,
     MetricKey.generalizationGap: train - test, MetricKey.finalLoss: loss]
}

/// A finished run of `spec` in `study` with `metrics`, poisoning the rows its fraction asks for, as
/// `StudyRunCheck` requires of a run read from a file (its realised fraction that count's share).
public func madeUpRun(_ spec: RunSpec, in study: Study, metrics: [String: Double]) -> RunResult {
    let poisoned = poisonCount(fraction: spec.fraction, of: study.split.train.count)
    return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: poisoned,
                     realisedFraction: Double(poisoned) / Double(study.split.train.count), metrics: metrics, divergence: nil)
}

/// A study of MLP 8 under random label flips at 0, 10% and 30%, without a defense and with
/// activation clustering, two seeds, and runs with made-up metrics: both series keep accuracy
/// 0.9 - 0.5 x (seed 1 +0.01, seed 2 -0.01); the defended runs find the poison at 10% (AUROC 1,
/// TPR at 5% FPR 1, precision 0.9 and 0.7, recall 0.5) and rank it as clean at 30% (AUROC 0.02 and
/// 0.04, TPR 0, nothing removed).
public func detectionStudy() -> (study: Study, runs: [RunResult]) {
    let study = try! Study(StudyConfig(models: [StudyConfig.mlp(8)], defenses: [StudyConfig.component(NoDefense.kind),
                                                                               StudyConfig.component(ActivationClustering.kind)],
                                       fractions: [0, 0.1, 0.3], seeds: [1, 2], training: TrainingSettings(epochs: 5)))
    let runs = study.runSpecs.map { spec -> RunResult in
        let test = 0.9 - 0.5 * spec.fraction + (spec.seed == 1 ? 0.01 : -0.01)
        var metrics = runMetrics(test: test, train: 0.95, trainClean: 0.95, loss: 0.3)
        if spec.series == 1 {
            metrics[MetricKey.removedFraction] = spec.fraction == 0.1 ? 0.05 : 0
            if spec.fraction == 0.1 {
                metrics[MetricKey.detectionPrecision] = spec.seed == 1 ? 0.9 : 0.7
                metrics[MetricKey.detectionRecall] = 0.5
                metrics[MetricKey.detectionAUROC] = 1
                metrics[MetricKey.detectionTPRAt5FPR] = 1
            } else if spec.fraction == 0.3 {
                metrics[MetricKey.detectionRecall] = 0
                metrics[MetricKey.detectionAUROC] = spec.seed == 1 ? 0.02 : 0.04
                metrics[MetricKey.detectionTPRAt5FPR] = 0
            }
        }
        return madeUpRun(spec, in: study, metrics: metrics)
    }
    return (study, runs)
}

/// The reference study's 81 runs as make-report 0.1.0 recorded them
/// (`Tests/PoisoningEngineTests/Fixtures/reference-runs-0.1.0.json`), which today's engine reproduces
/// bit for bit.
public struct ReferenceRecording: Decodable, Sendable {
    /// One recorded run: the MLP's hidden width, its fraction and seed, and every metric.
    public struct Run: Decodable, Sendable {
        public let fraction: Double
        public let width: Int
        public let seed: UInt64
        public let poisonedCount: Int
        public let metrics: [String: Double]
    }

    /// The version that recorded the runs.
    public let toolVersion: String
    /// The runs, in the study's order.
    public let runs: [Run]

    /// The run results of `study` (an MLP study of the reference data whose runs were all recorded, at
    /// any seeds among them), each the recorded run of its fraction, seed and width.
    public func runResults(for study: Study) -> [RunResult] {
        let trainRows = Double(study.split.train.count)
        return study.runSpecs.map { spec in
            let run = runs.first { $0.fraction == spec.fraction && $0.seed == spec.seed && $0.width == study.width(of: spec) }!
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: run.poisonedCount,
                             realisedFraction: Double(run.poisonedCount) / trainRows, metrics: run.metrics, divergence: nil)
        }
    }

    /// Reads a committed recording: the reference study's runs as 0.1.0 recorded them, or `name`
    /// ("reference-runs-seeds-1-2-3": the reference study with seeds 1, 2, 3).
    public static func load(_ name: String = "reference-runs-0.1.0") throws -> ReferenceRecording {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PoisoningEngineTests/Fixtures/\(name).json")
        return try JSONDecoder().decode(ReferenceRecording.self, from: Data(contentsOf: url))
    }
}

/// The ASCII path `path` as an error line quotes it, written out apart from `quotedUserText`: whole
/// up to 81 characters (a path of 80 is quoted whole, and one of 81 too: cutting one character to
/// put "…" in its place saves nothing), else "…" and its last 80 characters, the file name kept.
public func expectedQuotedPath(_ path: String) -> String {
    path.count <= 81 ? "'\(path)'" : "'…\(path.suffix(80))'"
}

/// The id of a process that has just ended (`/bin/true`, waited for): a PID no process holds, for
/// the tests of clean-ups that remove what a killed process left.
public func endedProcessID() throws -> Int32 {
    let ended = Process()
    ended.executableURL = URL(fileURLWithPath: "/bin/true")
    try ended.run()
    ended.waitUntilExit()
    return ended.processIdentifier
}
