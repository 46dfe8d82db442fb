import ArgumentParser
import Foundation
import Plotting
import PoisoningEngine
import PoisoningReport
import ReportTemplates
import StudyFile

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

/// The study: a study file, and options that override its values (or the reference study's when
/// there is no file); shared by `run` and `check`.
struct StudyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A YAML study file (see `make-report study --print`); the options below override its values.",
                               valueName: "file"))
    var study: String?

    @Option(help: "Hidden widths of one-hidden-layer MLPs, comma-separated; replaces the study's models (default: 32,64,128).")
    var widths: CommaList<Int>?

    @Option(help: "Poison fractions in [0, 1], comma-separated (default: 0,0.01,0.05,0.1,0.15,0.2,0.3,0.4,0.5).")
    var fractions: CommaList<Double>?

    @Option(help: "Seeds, comma-separated; each drives initialisation, shuffling and the attack's random choices (default: 42,123,7).")
    var seeds: CommaList<UInt64>?

    @Option(help: "Training epochs per run (default: 200).")
    var epochs: Int?

    @Option(help: "SGD learning rate, no momentum, no weight decay (default: 0.05).")
    var lr: Double?

    @Option(help: "Mini-batch size; the last partial batch of an epoch is kept (default: 64).")
    var batchSize: Int?

    @Option(help: "Gaussian-cluster data: samples, train + test (default: 500).")
    var samples: Int?

    @Option(help: "Gaussian-cluster data: features per sample (default: 10).")
    var features: Int?

    @Option(help: "Gaussian-cluster data: classes, one cluster each; chance accuracy is 1/classes (default: 5).")
    var classes: Int?

    @Option(help: "Gaussian-cluster data: standard deviation of each cluster around its center (default: 2.0).")
    var clusterStd: Double?

    @Option(help: "Gaussian-cluster data: scale of the standard-normal class centers (default: 2.0).")
    var centerScale: Double?

    @Option(help: "Gaussian-cluster data: fraction of the samples used for training (default: 0.7).")
    var trainFraction: Double?

    @Option(help: "Gaussian-cluster data: seed of the NumPy-compatible generator of the data and the split (default: 42).")
    var dataSeed: UInt32?

    /// The options given, as (option, value) in the order of `studyOptionPaths`.
    private var overrides: [(option: String, value: ParameterValue)] {
        let given: [String: ParameterValue?] = [
            "--widths": widths.map { .list($0.values.map(StudyConfig.mlp)) },
            "--fractions": fractions.map { .list($0.values.map(ParameterValue.double)) },
            "--seeds": seeds.map { .list($0.values.map { .int(Int(clamping: $0)) }) },
            "--epochs": epochs.map(ParameterValue.int), "--lr": lr.map(ParameterValue.double),
            "--batch-size": batchSize.map(ParameterValue.int), "--samples": samples.map(ParameterValue.int),
            "--features": features.map(ParameterValue.int), "--classes": classes.map(ParameterValue.int),
            "--cluster-std": clusterStd.map(ParameterValue.double), "--center-scale": centerScale.map(ParameterValue.double),
            "--train-fraction": trainFraction.map(ParameterValue.double), "--data-seed": dataSeed.map { .int(Int($0)) },
        ]
        return studyOptionPaths.compactMap { entry in given[entry.option].flatMap { $0 }.map { (entry.option, $0) } }
    }

    /// The study read and checked: the study file (or the reference study) with the options applied;
    /// a problem names the file position or the option at fault.
    func resolve() throws -> Study {
        do {
            var (document, locations) = (StudyConfig().document, SourceLocations())
            if let study {
                guard let text = try? String(contentsOfFile: study, encoding: .utf8) else {
                    throw ValidationError("--study: cannot read '\(study)'")
                }
                (document, locations) = try readStudyFile(text: text, fileName: study)
            }
            for (option, value) in overrides {
                let path = studyOptionPaths.first { $0.option == option }!.path
                if path.hasPrefix("data."), document.value(at: "data.kind").map({ $0 != .string(GaussianClusters.kind) }) == true {
                    throw ValidationError("\(option): applies only to the gaussian-clusters data set")
                }
                document = document.setting(value, at: path)
                locations.set(.option(option), for: path)
            }
            return try Study(document: document, locations: locations)
        } catch let error as SpecificationError {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        if widths?.values.isEmpty == true { throw ValidationError("--widths: needs at least one width") }
        _ = try resolve()
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

/// The command line that reproduces a study's outputs: "make-report", then either the study file
/// written beside the results (when the study uses more than the options can say) or every study
/// option (`studyOptionPaths`) whose value differs from the reference study's; then every output
/// option that differs from its default (threads and quiet never change the outputs).
func reproducingCommand(config: StudyConfig, output: OutputOptions) -> String {
    var words = ["make-report"]
    func add(_ flag: String, _ text: String) { words += [flag, shellQuoted(text)] }
    let document = config.document, defaults = StudyConfig().document
    let expressible = config.title == nil && document.value(at: "data.kind") == .string(GaussianClusters.kind)
        && config.attacks == StudyConfig().attacks && config.defenses == StudyConfig().defenses
        && config.models.allSatisfy { $0.value(at: "kind") == .string(MLP.kind) && $0.value(at: "hidden").map(isSingleWidth) == true }
    if expressible {
        for (option, path) in studyOptionPaths {
            guard let value = document.value(at: path), value != defaults.value(at: path) else { continue }
            add(option, option == "--widths" ? config.models.compactMap { $0.value(at: "hidden") }.map(commaText).joined(separator: ",")
                                             : commaText(value))
        }
    } else {
        add("--study", (output.output as NSString).appendingPathComponent("study.yaml"))
    }
    if output.output != defaultOutput { add("--output", output.output) }
    if output.figureFormat.values != defaultFigureFormats { add("--figure-format", output.figureFormat.values.joined(separator: ",")) }
    if output.dpi != defaultDPI { add("--dpi", "\(output.dpi)") }
    if let template = output.template { add("--template", template) }
    if let format = output.format { add("--format", format) }
    if output.strict { words.append("--strict") }
    return words.joined(separator: " ")
}

/// Whether a `hidden` value is a single width.
private func isSingleWidth(_ value: ParameterValue) -> Bool {
    if case .list(let items) = value { return items.count == 1 }
    return false
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
