import ArgumentParser
import Foundation
import Plotting
import PoisoningEngine
import PoisoningReport
import ReportTemplates

/// The reference study: the default of every study option.
private let reference = StudyConfig()
/// Default output folder.
private let defaultOutput = "output"
/// Default figure formats.
private let defaultFigureFormats = ["png"]
/// Default PNG resolution.
private let defaultDPI = 150.0

/// The study's parameters, shared by `run` and `check`; every default is the reference study's.
struct StudyOptions: ParsableArguments {
    @Option(help: "Hidden widths of the two-layer MLPs, comma-separated.")
    var widths = CommaList(reference.widths)

    @Option(help: "Poison fractions in [0, 1], comma-separated; round(fraction * training rows) labels are flipped.")
    var fractions = CommaList(reference.fractions)

    @Option(help: "Seeds, comma-separated; each drives initialisation, shuffling and the choice of poisoned rows.")
    var seeds = CommaList(reference.seeds)

    @Option(help: "Training epochs per run.")
    var epochs = reference.training.epochs

    @Option(help: "SGD learning rate (no momentum, no weight decay).")
    var lr = reference.training.learningRate

    @Option(help: "Mini-batch size; the last partial batch of an epoch is kept.")
    var batchSize = reference.training.batchSize

    @Option(help: "Samples in the synthetic data set (train + test).")
    var samples = reference.data.samples

    @Option(help: "Features per sample.")
    var features = reference.data.features

    @Option(help: "Classes (one Gaussian cluster each); chance accuracy is 1/classes.")
    var classes = reference.data.classes

    @Option(help: "Standard deviation of each cluster around its center.")
    var clusterStd = reference.data.clusterStd

    @Option(help: "Scale of the standard-normal class centers.")
    var centerScale = reference.data.centerScale

    @Option(help: "Fraction of the samples used for training; the rest is the clean test set.")
    var trainFraction = reference.data.trainFraction

    @Option(help: "Seed of the NumPy-compatible generator that draws the data set and the train/test split.")
    var dataSeed = reference.data.seed

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
    }
}

/// Where and how the outputs are written: folder, figures and report; shared by `run`, `check` and `merge`.
struct OutputOptions: ParsableArguments {
    @Option(help: "Folder for results.json, performance.json, the reports and figures/ (created if missing).")
    var output = defaultOutput

    @Option(help: "Figure formats, comma-separated, from png, pdf, svg (vector formats for LaTeX).")
    var figureFormat = CommaList(defaultFigureFormats)

    @Option(help: "Resolution of PNG figures, in dots per inch.")
    var dpi = defaultDPI

    @Option(help: ArgumentHelp("A Mustache template for the report, replacing the shipped ones.",
                               discussion: "The report is written as report.md or report.tex after the template's extension."))
    var template: String?

    @Option(help: "Report format (md or tex) when it should not follow the template's extension.")
    var format: String?

    @Flag(help: "Fail, instead of warning, when the template names a variable the report does not have.")
    var strict = false

    /// The figure formats asked for.
    var figureFormats: [ImageFormat] { figureFormat.values.compactMap(ImageFormat.init(rawValue:)) }

    /// The reports to write: (template file name for messages, template text, format).
    func reportTemplates() throws -> [(name: String, text: String, format: ReportFormat)] {
        guard let template else {
            return try ShippedTemplate.allCases.map { shipped in
                (shipped.rawValue, try shipped.text(), ReportFormat(fileName: shipped.rawValue)!)
            }
        }
        let text = try String(contentsOfFile: template, encoding: .utf8)
        let format = format.flatMap(ReportFormat.init(rawValue:)) ?? ReportFormat(fileName: template)!
        return [((template as NSString).lastPathComponent, text, format)]
    }

    func validate() throws {
        if figureFormat.values.isEmpty || figureFormat.values.contains(where: { ImageFormat(rawValue: $0) == nil }) {
            throw ValidationError("--figure-format: expected a comma-separated list of png, pdf, svg")
        }
        if !(dpi >= 30 && dpi <= 1200) { throw ValidationError("--dpi: must be between 30 and 1200") }
        if let format, ReportFormat(rawValue: format) == nil { throw ValidationError("--format: expected md or tex") }
        if let template {
            guard FileManager.default.isReadableFile(atPath: template) else {
                throw ValidationError("--template: cannot read '\(template)'")
            }
            if format == nil && ReportFormat(fileName: template) == nil {
                throw ValidationError("--template: cannot tell the format of '\(template)' (expected .md or .tex, "
                    + "optionally followed by .mustache); give --format")
            }
        }
        do {
            _ = try OutputFolder(path: output + "/figures")
        } catch {
            throw ValidationError("--output: \(error)")
        }
    }
}

/// How the work runs; never changes the results.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    @Flag(help: "Print no progress (progress is printed to stderr only when it is a terminal).")
    var quiet = false

    /// Worker threads to use.
    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads: must be at least 1") }
    }
}

/// The command line that reproduces a study's outputs on one machine: "make-report" and every
/// option whose value differs from its default (threads and quiet never change the outputs).
func reproducingCommand(config: StudyConfig, output: OutputOptions) -> String {
    var words = ["make-report"]
    func add<Value: Equatable>(_ flag: String, _ value: Value, _ defaultValue: Value, _ text: String) {
        if value != defaultValue { words += [flag, text.contains(" ") ? "'\(text)'" : text] }
    }
    func list<Element: CustomStringConvertible>(_ values: [Element]) -> String {
        values.map(\.description).joined(separator: ",")
    }
    let data = config.data, training = config.training
    add("--widths", config.widths, reference.widths, list(config.widths))
    add("--fractions", config.fractions, reference.fractions, list(config.fractions))
    add("--seeds", config.seeds, reference.seeds, list(config.seeds))
    add("--epochs", training.epochs, reference.training.epochs, "\(training.epochs)")
    add("--lr", training.learningRate, reference.training.learningRate, "\(training.learningRate)")
    add("--batch-size", training.batchSize, reference.training.batchSize, "\(training.batchSize)")
    add("--samples", data.samples, reference.data.samples, "\(data.samples)")
    add("--features", data.features, reference.data.features, "\(data.features)")
    add("--classes", data.classes, reference.data.classes, "\(data.classes)")
    add("--cluster-std", data.clusterStd, reference.data.clusterStd, "\(data.clusterStd)")
    add("--center-scale", data.centerScale, reference.data.centerScale, "\(data.centerScale)")
    add("--train-fraction", data.trainFraction, reference.data.trainFraction, "\(data.trainFraction)")
    add("--data-seed", data.seed, reference.data.seed, "\(data.seed)")
    add("--output", output.output, defaultOutput, output.output)
    add("--figure-format", output.figureFormat.values, defaultFigureFormats, list(output.figureFormat.values))
    add("--dpi", output.dpi, defaultDPI, "\(output.dpi)")
    add("--template", output.template, nil, output.template ?? "")
    add("--format", output.format, nil, output.format ?? "")
    if output.strict { words.append("--strict") }
    return words.joined(separator: " ")
}
