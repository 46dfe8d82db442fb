import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// The default largest number of runs a study may have (`--max-runs` raises it).
public let defaultMaximumRuns = 100_000

/// The memory one run of `series` needs at most, estimated in bytes: the training rows (the clean
/// split and the attacked copy of the training set), and the network four times over (parameters,
/// gradients, and the copies defenses and early stopping keep) plus a batch's activations and their
/// gradients for every layer.
public func estimatedRunBytes(_ study: Study, series: SeriesDescription) -> Double {
    let split = study.split
    let rows = Double(split.train.count) * 2 + Double(split.test.count)
    let data = rows * Double(split.train.featureCount) * 4 + rows * 8
    let shape = study.models[series.model].networkShape(inputs: split.train.featureCount, classes: split.train.classCount)
    let layerWidths = Double(shape.inputs + shape.hidden.reduce(0, +) + shape.classes)
    let network = 4 * Double(shape.parameterCount) * 4 + 2 * Double(study.config.training.batchSize) * layerWidths * 4
    return data + network
}

/// Why the study is too large to start, in one sentence, or nil: more runs than `maximumRuns`, or a
/// largest run that, on each of `threads` workers at once, would need more than half of the
/// machine's memory (`physicalMemory` bytes).
public func studySizeProblem(_ study: Study, threads: Int, maximumRuns: Int,
                             physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory) -> String? {
    let runs = study.config.fractions.count * study.series.count * study.config.seeds.count
    if runs > maximumRuns {
        return "the study has \(runs) runs (\(study.config.fractions.count) fractions x \(study.series.count) series x "
            + "\(study.config.seeds.count) seeds), more than --max-runs \(maximumRuns); raise --max-runs if you mean it"
    }
    guard let (largest, perRun) = study.series.map({ ($0, estimatedRunBytes(study, series: $0)) }).max(by: { $0.1 < $1.1 }) else {
        return nil
    }
    let budget = Double(physicalMemory) / 2
    if perRun * Double(max(1, min(threads, runs))) > budget {
        let gibibyte = 1024.0 * 1024 * 1024
        return "the largest run (\(largest.label), \(largest.parameterCount) parameters) needs about "
            + String(format: "%.1f GiB", perRun / gibibyte) + (threads > 1 ? " on each of \(threads) threads" : "")
            + ", more than half of this machine's " + String(format: "%.1f GiB", Double(physicalMemory) / gibibyte)
            + " memory; use smaller models, fewer features or fewer --threads"
    }
    return nil
}
