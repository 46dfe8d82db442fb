import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningFigures
import PoisoningReport
import Plotting

/// What one study produced, for the summary.
struct StudyOutcome {
    let results: StudyResults
    let performance: PerformanceRecord
    let reportNames: [String]
}

/// Runs the study the options describe and writes every artifact into `folderPath`:
/// results.json, performance.json, figures/ and the report(s). Progress goes to stderr when `progress`.
func writeArtifacts(_ options: StudyOptions, into folderPath: String, progress showProgress: Bool) throws -> StudyOutcome {
    let started = ContinuousClock.now
    let config = options.config
    let folder = try OutputFolder(path: folderPath)
    let threadCount = options.threads ?? ProcessInfo.processInfo.activeProcessorCount
    let specs = config.runSpecs
    let templates = try options.reportTemplates()
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
    if !options.quiet {
        for run in runs.results {
            if let divergence = run.divergence { printError("warning: \(divergence); left out of the averages") }
        }
    }

    let results = StudyResults(config: config, runs: runs.results, toolVersion: toolVersion)
    try folder.write(try results.jsonData(), to: "results.json")

    let formats = options.figureFormats
    let figures = try OutputFolder(path: folderPath + "/figures")
    for figure in try renderStudyFigures(results, formats: formats, dpi: options.dpi) {
        try figures.write(figure.data, to: figure.fileName)
    }

    var reportNames = [String]()
    for template in templates {
        // Markdown shows raster figures; LaTeX prefers vector PDF when it was written.
        let preferred: [ImageFormat] = template.format == .latex ? [.pdf, .png] : [.png, .svg]
        let figureFormat = preferred.first(where: formats.contains) ?? formats[0]
        let context = reportContext(for: results, format: template.format,
                                    settings: ReportSettings(command: options.reproducingCommand,
                                                             figureExtension: figureFormat.rawValue))
        let report = try renderReport(template: template.text, fileName: template.name, context: context,
                                      strict: options.strict)
        for variable in report.unknownVariables {
            printError("warning: \(template.name):\(variable.line):\(variable.column): unknown variable '\(variable.name)' "
                + "renders as empty text")
        }
        let name = "report.\(template.format.rawValue)"
        try folder.write(Data(report.text.utf8), to: name)
        reportNames.append(name)
    }

    let performance = PerformanceRecord(
        toolVersion: toolVersion, threads: threadCount, wallSeconds: seconds(since: started),
        trainingSeconds: trainingSeconds, runsPerSecond: Double(specs.count) / max(trainingSeconds, 1e-9),
        runs: zip(specs, runs.runSeconds).map { .init(fraction: $0.fraction, width: $0.width, seed: $0.seed, seconds: $1) })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try folder.write(try encoder.encode(performance), to: "performance.json")
    return StudyOutcome(results: results, performance: performance, reportNames: reportNames)
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
