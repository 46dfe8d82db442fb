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

/// The options of a study and its outputs, shared by `run` and `check`.
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

    /// The command line that reproduces these options' outputs: "make-report" and every option
    /// whose value differs from its default (threads and quiet never change the outputs).
    var reproducingCommand: String {
        var words = ["make-report"]
        func add<Value: Equatable>(_ flag: String, _ value: Value, _ defaultValue: Value, _ text: String) {
            if value != defaultValue { words += [flag, text.contains(" ") ? "'\(text)'" : text] }
        }
        add("--widths", widths.values, reference.widths, widths.defaultValueDescription)
        add("--fractions", fractions.values, reference.fractions, fractions.defaultValueDescription)
        add("--seeds", seeds.values, reference.seeds, seeds.defaultValueDescription)
        add("--epochs", epochs, reference.training.epochs, "\(epochs)")
        add("--lr", lr, reference.training.learningRate, "\(lr)")
        add("--batch-size", batchSize, reference.training.batchSize, "\(batchSize)")
        add("--samples", samples, reference.data.samples, "\(samples)")
        add("--features", features, reference.data.features, "\(features)")
        add("--classes", classes, reference.data.classes, "\(classes)")
        add("--cluster-std", clusterStd, reference.data.clusterStd, "\(clusterStd)")
        add("--center-scale", centerScale, reference.data.centerScale, "\(centerScale)")
        add("--train-fraction", trainFraction, reference.data.trainFraction, "\(trainFraction)")
        add("--data-seed", dataSeed, reference.data.seed, "\(dataSeed)")
        add("--output", output, defaultOutput, output)
        add("--figure-format", figureFormat.values, defaultFigureFormats, figureFormat.defaultValueDescription)
        add("--dpi", dpi, defaultDPI, "\(dpi)")
        add("--template", template, nil, template ?? "")
        add("--format", format, nil, format ?? "")
        if strict { words.append("--strict") }
        return words.joined(separator: " ")
    }

    func validate() throws {
        if let problem = config.problems().first { throw ValidationError(problem.description) }
        if let threads, threads < 1 { throw ValidationError("--threads: must be at least 1") }
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
