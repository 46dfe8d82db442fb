import ArgumentParser
import Foundation
import Plotting
import PoisoningEngine
import PoisoningReport
import StudyPipeline

/// Default output folder.
private let defaultOutput = "output"
/// Default figure formats.
private let defaultFigureFormats: [ImageFormat] = [.png]
/// Default PNG resolution.
private let defaultDPI = 150.0
/// The default PNG resolution as `--help` shows it: "150" (a transformed option's default is not shown by itself).
private let defaultDPIText = String(Int(defaultDPI))
/// The report formats, as --format names them: "md, tex, html".
private let reportFormatNames = ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")
/// The reports' file names, one per registered format: "report.md, report.tex, report.html".
let reportFileNames = ReportFormat.allCases.map(\.reportFileName).joined(separator: ", ")

/// What a command does with its `--output` folder, which its `--help` says: `run` and `merge` write it,
/// `check` compares with it.
protocol OutputFolderRole {
    /// The help of `--output` for this command.
    static var help: ArgumentHelp { get }
}

/// The output folder of `run` and `merge`: written, and replaced as a whole.
enum WrittenOutputFolder: OutputFolderRole {
    static let help = ArgumentHelp(
        "Folder for study.yaml, results.json, runs.csv, points.csv, differences.csv, performance.json, the reports, figures/ and manifest.json (created if missing).",
        discussion: """
            It is replaced as a whole, so it must be make-report's: missing, empty, holding only shard part \
            files, or holding a set whose manifest.json make-report wrote and that lists every entry (hidden \
            ones too) unchanged; report.pdf, what pdflatex leaves when report.tex is compiled there (report.aux, report.log, ...) \
            and shard part files beside it are kept. Anything else is refused \
            before any work, naming the first foreign entry. Not the current folder or one above it (--output \
            . or ..: replacing it would leave the shell in a removed folder), not a mount point, nor inside a \
            .make-report work folder or a set make-report published, nor one it may not write in (or a folder in it); \
            symbolic links are resolved before these checks. While a run writes it, \
            .make-report/NAME.lock beside it keeps a second run out (removed when the run ends, fails or is \
            interrupted; kill -9 leaves it for the next run to take); a file of that name make-report did not \
            write (or a symbolic or hard link) is kept and the run refused.
            """)
}

/// The output folder of `check`: read and compared with what the code produces, never written.
enum ComparedOutputFolder: OutputFolderRole {
    static let help = ArgumentHelp(
        "The output folder to compare with what the code produces; only read, never written.",
        discussion: """
            It must be a folder holding results.json, as `run` wrote it; the artifacts are regenerated into a \
            temporary folder, which is removed when the command ends or is interrupted.
            """)
}

/// Where and how the outputs are written: folder, figures and report; shared by `run`, `check` and
/// `merge`, with the help of `--output` that `Role` gives.
struct OutputOptions<Role: OutputFolderRole>: ParsableArguments {
    @Option(help: Role.help)
    var output = defaultOutput

    @Option(help: "Figure formats, comma-separated (vector formats for LaTeX).")
    var figureFormat = CommaList(defaultFigureFormats)

    @Option(help: "Resolution of PNG figures, in dots per inch (default: \(defaultDPIText)).", transform: decimalOption)
    var dpi: Double = defaultDPI

    @Option(help: ArgumentHelp("A Mustache template for the report, replacing the shipped ones.",
                               discussion: "The report is written as one of \(reportFileNames) after the template's extension (\(ReportFormat.allCases.map { "." + $0.rawValue }.joined(separator: ", ")), optionally followed by .mustache). `make-report template --print FORMAT` prints a shipped one to start from; Sources/PoisoningReport/templates/README.md lists its variables."))
    var template: String?

    @Option(help: ArgumentHelp("Reports to write, comma-separated (\(reportFormatNames); default: all).",
                               discussion: "With --template, the one format of its report, when it should not follow the template's extension."))
    var format: CommaList<ReportFormat>?

    @Flag(help: "Fail, instead of warning, when the template names a variable the report does not have.")
    var strict = false

    /// The pipeline's output settings, with `command` as the command that regenerates the outputs and
    /// `threads` workers to compress the figures.
    func settings(command: String, threads: Int) throws -> OutputSettings {
        let templates = try template.map { [try ReportTemplate(path: $0, format: format?.values.first)] }
            ?? ReportTemplate.shipped().filter { shippedReports.contains($0.format) }
        return OutputSettings(figureFormats: figureFormat.values, dpi: dpi, templates: templates, strict: strict, command: command,
                              folder: output, threads: threads)
    }

    func validate() throws {
        if figureFormat.values.isEmpty { throw ValidationError("--figure-format: give at least one of png, pdf, svg") }
        if !(dpi >= 30 && dpi <= 1200) { throw ValidationError("--dpi: must be between 30 and 1200") }
        if let format, format.values.isEmpty { throw ValidationError("--format: give at least one of \(reportFormatNames)") }
        var reports = shippedReports
        if let template {
            if let format, format.values.count > 1 { throw ValidationError("--format: give one format with --template") }
            do {
                reports = [try ReportTemplate(path: template, format: format?.values.first).format]
            } catch {
                throw ValidationError("--template: \(error)")
            }
        }
        // pdflatex cannot include an SVG: report.tex needs a PDF or PNG figure to link.
        if reports.contains(.latex) && !figureFormat.values.contains(where: { $0 == .pdf || $0 == .png }) {
            throw ValidationError("--figure-format: report.tex cannot include SVG figures; add pdf or png (e.g. --figure-format pdf,svg), or leave tex out of --format")
        }
    }

    /// The shipped reports written without --template: those --format names, in registration order
    /// (every one when it is not given).
    var shippedReports: [ReportFormat] {
        ReportFormat.allCases.filter { format?.values.contains($0) ?? true }
    }

    /// Refuses, before any work, an output folder that `run` or `merge` may not write and, unless a
    /// shard only writes its part file into it, replace (`outputFolderProblem`); `check` only reads it.
    /// Returns the files found unchanged, for the command to hand to `OutputPipeline.publish`, so that
    /// taking the folder later (`StagedOutputFolder`) does not hash them again.
    func checkWritable(replaced: Bool = true) throws -> VerifiedContents {
        let verified = VerifiedContents()
        if let problem = outputFolderProblem(output, verified: verified, replaced: replaced) { throw ValidationError("--output: \(problem)") }
        return verified
    }
}

/// How the work runs; never changes the results.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Worker threads (default: all cores). Results do not depend on it.", transform: wholeNumberOption)
    var threads: Int?

    @Flag(help: ArgumentHelp("Print nothing but errors: no progress, no warnings (runs that diverged are listed in the report and results.json), no summary.",
                             discussion: "Without it, progress goes to stderr: on a terminal one line updated in place (runs done, runs per second, time left) and cut to the window's width, "
                                 + "elsewhere one line per tenth of the runs; the summary (run's key findings, check's verdict) goes to stdout."))
    var quiet = false

    @Option(help: "Refuse a study with more runs than this, before any work (default: \(defaultMaximumRuns)).", transform: wholeNumberOption)
    var maxRuns = defaultMaximumRuns

    /// Worker threads to use.
    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads: must be at least 1") }
        if maxRuns < 1 { throw ValidationError("--max-runs: must be at least 1") }
    }

    /// Refuses, with one line, a study with more runs than --max-runs, or whose data (`makingBytes` to
    /// make), or data and largest run on every thread, would not fit in memory, before its data are
    /// made (the runs judged by the split's sizes when the data source's settings give them).
    func checkSize(of design: StudyDesign, makingBytes: Double) throws {
        if let problem = studySizeProblem(design, sizes: design.data.plannedSizes, threads: threadCount, maximumRuns: maxRuns,
                                          makingBytes: makingBytes) {
            throw ValidationError(problem)
        }
    }

    /// Refuses, with one line, a study whose data and largest run on every thread would not fit in
    /// memory, judged by the sizes of its data once they are made (a file's).
    func checkSize(of study: Study, makingBytes: Double) throws {
        if let problem = studySizeProblem(study, threads: threadCount, maximumRuns: maxRuns, makingBytes: makingBytes) {
            throw ValidationError(problem)
        }
    }
}

/// The command line that reproduces a study's outputs, to be run in the folder that holds the
/// output folder (`reproducingFolder`): "make-report", the study options that give `config` (or
/// the study file written beside the results, `NAME/study.yaml`), then every output option that
/// differs from its default (threads and quiet never change the outputs). Its paths are relative to
/// that folder: the output folder is its name, a template is reached from there. So the command, and
/// the reports that show it, depend neither on how `--output` was spelled nor on the working folder
/// of the command that wrote them (review r19d, finding 7: `check` from another folder found every
/// report different in this line).
func reproducingCommand<Role>(config: StudyConfig, output: OutputOptions<Role>) -> String {
    let folder = resolvedFileURL(output.output, isDirectory: true)
    // A name that starts with "-" would be read as an option.
    let name = folder.lastPathComponent.hasPrefix("-") ? "./" + folder.lastPathComponent : folder.lastPathComponent
    var words = ["make-report"] + studyArguments(for: config, studyFile: name + "/study.yaml")
    func add(_ flag: String, _ text: String) { words += [flag, text] }
    if name != defaultOutput { add("--output", name) }
    if output.figureFormat.values != defaultFigureFormats { add("--figure-format", output.figureFormat.defaultValueDescription) }
    if output.dpi != defaultDPI { add("--dpi", "\(output.dpi)") }
    if let template = output.template { add("--template", relativePath(template, from: folder.deletingLastPathComponent())) }
    if output.template != nil, let format = output.format?.values.first {
        add("--format", format.rawValue)
    } else if output.template == nil, output.shippedReports != ReportFormat.allCases {
        add("--format", output.shippedReports.map(\.rawValue).joined(separator: ","))
    }
    if output.strict { words.append("--strict") }
    return words.map(shellQuoted).joined(separator: " ")
}

/// The folder in which `reproducingCommand` is to be run: the one that holds the output folder
/// `output` (its symbolic links resolved, as the kernel reads `link/..`), as `commandPath` writes it.
func reproducingFolder(output: String) -> String {
    commandPath(resolvedFileURL(output, isDirectory: true).deletingLastPathComponent().path)
}

/// `path` relative to the folder `base`, both made absolute and normalised (".", ".." and repeated
/// slashes taken out, symbolic links kept), with a ".." for each of `base`'s folders it lies outside
/// of: "templates/mine.md.mustache", "../shared/mine.md.mustache".
func relativePath(_ path: String, from base: URL) -> String {
    let target = literalFileURL(path).standardizedFileURL.pathComponents
    let origin = base.standardizedFileURL.pathComponents
    let common = zip(target, origin).prefix { $0 == $1 }.count
    let parts = Array(repeating: "..", count: origin.count - common) + target[common...]
    return parts.isEmpty ? "." : parts.joined(separator: "/")
}

/// `path` in one normal form: relative to the working directory when it lies inside it, else
/// absolute; without ".", "..", repeated or trailing slashes. "output", "./output/" and
/// "$PWD/output" all give "output".
func commandPath(_ path: String) -> String {
    let absolute = literalFileURL(path).standardizedFileURL.path
    let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
    if absolute == base { return "." }
    let prefix = base.hasSuffix("/") ? base : base + "/"
    return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
}

/// `text` as one word for a POSIX shell: bare when it holds only safe characters, else in single
/// quotes, inside which nothing is special (a `'` is written as `'\''`).
func shellQuoted(_ text: String) -> String {
    let safe = !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
        scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_./,:=+@%".unicodeScalars.contains(scalar))
    }
    return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
