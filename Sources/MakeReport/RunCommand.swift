import ArgumentParser
import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningFigures
import Plotting

/// `make-report run` (the default): runs the study and writes results.json and performance.json.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the poisoning sweep (default: the reference study) and write its results.",
        discussion: """
            Writes <output>/results.json (configuration, every run, mean and std per fraction and width, \
            sigmoid fits, critical thresholds, findings; byte-identical for identical options, whatever \
            --threads is) and <output>/performance.json (timings). Lists are comma-separated.
            """)

    @Option(help: "Hidden widths of the two-layer MLPs, comma-separated.")
    var widths = CommaList<Int>([32, 64, 128])

    @Option(help: "Poison fractions in [0, 1], comma-separated; round(fraction * training rows) labels are flipped.")
    var fractions = CommaList<Double>([0, 0.01, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.50])

    @Option(help: "Seeds, comma-separated; each drives initialisation, shuffling and the choice of poisoned rows.")
    var seeds = CommaList<UInt64>([42, 123, 7])

    @Option(help: "Training epochs per run.")
    var epochs = 200

    @Option(help: "SGD learning rate (no momentum, no weight decay).")
    var lr = 0.05

    @Option(help: "Mini-batch size; the last partial batch of an epoch is kept.")
    var batchSize = 64

    @Option(help: "Samples in the synthetic data set (train + test).")
    var samples = 500

    @Option(help: "Features per sample.")
    var features = 10

    @Option(help: "Classes (one Gaussian cluster each); chance accuracy is 1/classes.")
    var classes = 5

    @Option(help: "Standard deviation of each cluster around its center.")
    var clusterStd = 2.0

    @Option(help: "Scale of the standard-normal class centers.")
    var centerScale = 2.0

    @Option(help: "Fraction of the samples used for training; the rest is the clean test set.")
    var trainFraction = 0.7

    @Option(help: "Seed of the NumPy-compatible generator that draws the data set and the train/test split.")
    var dataSeed: UInt32 = 42

    @Option(help: "Folder for results.json, performance.json and figures/ (created if missing).")
    var output = "output"

    @Option(help: "Figure formats, comma-separated, from png, pdf, svg (vector formats for LaTeX).")
    var figureFormat = CommaList<String>(["png"])

    @Option(help: "Resolution of PNG figures, in dots per inch.")
    var dpi = 150.0

    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    @Flag(help: "Print no progress (progress is printed to stderr only when it is a terminal).")
    var quiet = false

    /// The study these options describe.
    var config: StudyConfig {
        StudyConfig(
            data: GaussianClusters(samples: samples, features: features, classes: classes, clusterStd: clusterStd,
                                   centerScale: centerScale, trainFraction: trainFraction, seed: dataSeed),
            widths: widths.values, fractions: fractions.values, seeds: seeds.values,
            training: TrainingSettings(epochs: epochs, batchSize: batchSize, learningRate: lr))
    }

    func validate() throws {
        if let problem = config.problems().first { throw ValidationError(problem.description) }
        if let threads, threads < 1 { throw ValidationError("--threads: must be at least 1") }
        if figureFormat.values.isEmpty || figureFormat.values.contains(where: { ImageFormat(rawValue: $0) == nil }) {
            throw ValidationError("--figure-format: expected a comma-separated list of png, pdf, svg")
        }
        if !(dpi >= 30 && dpi <= 1200) { throw ValidationError("--dpi: must be between 30 and 1200") }
        do {
            _ = try OutputFolder(path: output + "/figures")
        } catch {
            throw ValidationError("--output: \(error)")
        }
    }

    func run() throws {
        let started = ContinuousClock.now
        let config = config
        let folder = try OutputFolder(path: output)
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let showProgress = !quiet && isatty(STDERR_FILENO) == 1
        let specs = config.runSpecs
        if showProgress {
            printError("Running \(specs.count) runs on \(threadCount) thread\(threadCount == 1 ? "" : "s")…")
        }
        let trainingStarted = ContinuousClock.now
        let runs = runStudy(config, threads: threadCount) { progress in
            guard showProgress else { return }
            let run = progress.result
            let accuracy = run.metrics.map { String(format: "test acc %.3f", $0.testAccuracy) } ?? "diverged"
            let line = String(format: "[%3d/%d] width %d, fraction %.2f, seed %llu: %@ (%.2f s)",
                              progress.completed, progress.total, run.width, run.fraction, run.seed, accuracy,
                              progress.seconds)
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            if progress.completed == progress.total { FileHandle.standardError.write(Data("\n".utf8)) }
        }
        let trainingSeconds = seconds(since: trainingStarted)
        for run in runs.results {
            if let divergence = run.divergence { printError("warning: \(divergence); left out of the averages") }
        }

        let results = StudyResults(config: config, runs: runs.results, toolVersion: toolVersion)
        try folder.write(try results.jsonData(), to: "results.json")
        let figures = try OutputFolder(path: output + "/figures")
        let formats = figureFormat.values.compactMap(ImageFormat.init(rawValue:))
        for figure in try renderStudyFigures(results, formats: formats, dpi: dpi) {
            try figures.write(figure.data, to: figure.fileName)
        }
        let performance = PerformanceRecord(
            toolVersion: toolVersion, threads: threadCount, wallSeconds: seconds(since: started),
            trainingSeconds: trainingSeconds, runsPerSecond: Double(specs.count) / max(trainingSeconds, 1e-9),
            runs: zip(specs, runs.runSeconds).map {
                .init(fraction: $0.fraction, width: $0.width, seed: $0.seed, seconds: $1)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try folder.write(try encoder.encode(performance), to: "performance.json")

        print("Key findings (\(specs.count) runs, \(String(format: "%.2f", performance.wallSeconds)) s):")
        for statement in results.findings.statements { print("  - \(statement)") }
        print("Wrote results.json, performance.json and figures/ (\(formats.map(\.rawValue).joined(separator: ", "))) "
            + "in \(folder.url.path)")
    }
}

/// Seconds elapsed since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
