import ArgumentParser
import Foundation
import Plotting
import PoisoningEngine
import PoisoningReport
import ReportTemplates

/// The reference study: the default of every study option.
private let reference = StudyConfig()
private let referenceData = GaussianClusters()
/// Default output folder.
private let defaultOutput = "output"
/// Default figure formats.
private let defaultFigureFormats = ["png"]
/// Default PNG resolution.
private let defaultDPI = 150.0

/// The study options and the path in the study document each one sets: the one table that names
/// the option in errors and writes the command that regenerates a report.
let studyOptionPaths: [(option: String, path: String)] = [
    ("--widths", "models"), ("--fractions", "fractions"), ("--seeds", "seeds"), ("--epochs", "training.epochs"),
    ("--lr", "training.learning-rate"), ("--batch-size", "training.batch-size"), ("--samples", "data.samples"),
    ("--features", "data.features"), ("--classes", "data.classes"), ("--cluster-std", "data.cluster-std"),
    ("--center-scale", "data.center-scale"), ("--train-fraction", "data.train-fraction"), ("--data-seed", "data.seed"),
]

/// The study's parameters, shared by `run` and `check`; every default is the reference study's.
struct StudyOptions: ParsableArguments {
    @Option(help: "Hidden widths of the one-hidden-layer MLPs, comma-separated.")
    var widths = CommaList([32, 64, 128])

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
    var samples = referenceData.samples

    @Option(help: "Features per sample.")
    var features = referenceData.features

    @Option(help: "Classes (one Gaussian cluster each); chance accuracy is 1/classes.")
    var classes = referenceData.classes

    @Option(help: "Standard deviation of each cluster around its center.")
    var clusterStd = referenceData.clusterStd

    @Option(help: "Scale of the standard-normal class centers.")
    var centerScale = referenceData.centerScale

    @Option(help: "Fraction of the samples used for training; the rest is the clean test set.")
    var trainFraction = referenceData.trainFraction

    @Option(help: "Seed of the NumPy-compatible generator that draws the data set and the train/test split.")
    var dataSeed = referenceData.seed

    /// The study these options describe.
    var config: StudyConfig {
        StudyConfig(
            data: StudyConfig.component(GaussianClusters.kind, [
                "samples": .int(samples), "features": .int(features), "classes": .int(classes),
                "cluster-std": .double(clusterStd), "center-scale": .double(centerScale),
                "train-fraction": .double(trainFraction), "seed": .int(Int(dataSeed)),
            ]),
            models: widths.values.map(StudyConfig.mlp), fractions: fractions.values, seeds: seeds.values,
            training: TrainingSettings(epochs: epochs, batchSize: batchSize, learningRate: lr))
    }

    /// The study read and checked; a problem names the option at fault.
    func study() throws -> Study {
        var locations = SourceLocations()
        for (option, path) in studyOptionPaths { locations.set(.option(option), for: path) }
        do {
            return try Study(document: config.document, locations: locations)
        } catch let error as SpecificationError {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        if widths.values.isEmpty { throw ValidationError("--widths: needs at least one width") }
        _ = try study()
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
/// study option (`studyOptionPaths`) and output option whose value differs from its default
/// (threads and quiet never change the outputs).
func reproducingCommand(config: StudyConfig, output: OutputOptions) -> String {
    var words = ["make-report"]
    func add(_ flag: String, _ text: String) { words += [flag, shellQuoted(text)] }
    let document = config.document, defaults = reference.document
    for (option, path) in studyOptionPaths {
        guard let value = document.value(at: path), value != defaults.value(at: path) else { continue }
        if option == "--widths" {
            let widths = config.models.compactMap { $0.entries?.first { $0.key == "hidden" }?.value }
            add(option, widths.map(commaText).joined(separator: ","))
        } else {
            add(option, commaText(value))
        }
    }
    if output.output != defaultOutput { add("--output", output.output) }
    if output.figureFormat.values != defaultFigureFormats { add("--figure-format", output.figureFormat.values.joined(separator: ",")) }
    if output.dpi != defaultDPI { add("--dpi", "\(output.dpi)") }
    if let template = output.template { add("--template", template) }
    if let format = output.format { add("--format", format) }
    if output.strict { words.append("--strict") }
    return words.joined(separator: " ")
}

/// A value as a command-line option value: lists comma-separated, numbers as Swift prints them.
private func commaText(_ value: ParameterValue) -> String {
    switch value {
    case .list(let items): items.map(commaText).joined(separator: ",")
    case .double(let number): "\(number)"
    case .string(let text): text
    default: value.description
    }
}

/// `text` as one shell word: bare when it holds only safe characters, else in single quotes.
private func shellQuoted(_ text: String) -> String {
    let safe = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "-_./,:=+@%".contains($0) }
    return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
