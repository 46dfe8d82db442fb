import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningFigures
import PoisoningReport
import Plotting
import StudyFile

/// Runs the runs of `shard` of the study, printing progress to stderr when `showProgress` and
/// warnings about diverged runs.
func runSweep(_ study: Study, runtime: RuntimeOptions, shard: Shard = .whole, showProgress: Bool) -> StudyRuns {
    let threadCount = runtime.threadCount
    let total = shard.runIndices(total: study.runSpecs.count).count
    if showProgress {
        printError("Running \(total) runs on \(threadCount) thread\(threadCount == 1 ? "" : "s")…")
    }
    let runs = runStudy(study, threads: threadCount, shard: shard) { progress in
        guard showProgress else { return }
        let run = progress.result
        let accuracy = run.metrics.map { String(format: "test acc %.3f", $0[MetricKey.testAccuracy] ?? .nan) } ?? "diverged"
        let line = String(format: "[%3d/%d] %@, fraction %.2f, seed %llu: %@ (%.2f s)",
                          progress.completed, progress.total, study.series[run.series].label, run.fraction, run.seed, accuracy,
                          progress.seconds)
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        if progress.completed == progress.total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
    // Divergence is always reported (not silenced by --quiet): the first three runs by name, then a count.
    let diverged = runs.results.compactMap(\.divergence)
    for divergence in diverged.prefix(3) { printError("warning: \(divergence); left out of the averages") }
    if diverged.count > 3 {
        printError("warning: \(diverged.count) of \(runs.results.count) runs diverged in all (listed in results.json); "
            + "a smaller --lr usually helps")
    }
    return runs
}

/// Writes study.yaml (the effective study), results.json, the figures and the report(s) of
/// `results` into `folderPath`; returns the report file names.
func writeOutputs(_ results: StudyResults, study: Study, output: OutputOptions, into folderPath: String) throws -> [String] {
    let templates = try output.reportTemplates()
    let folder = try OutputFolder(path: folderPath)
    let header = ["The effective study of the results in this folder: every setting, defaults filled in.",
                  "`make-report run --study study.yaml` regenerates the same results."]
    try folder.write(Data(studyFileText(study, header: header).utf8), to: "study.yaml")
    try folder.write(try results.jsonData(), to: "results.json")

    let formats = output.figureFormats
    let figures = try OutputFolder(path: folderPath + "/figures")
    for figure in try renderStudyFigures(results, formats: formats, dpi: output.dpi) {
        try figures.write(figure.data, to: figure.fileName)
    }

    var reportNames = [String]()
    let command = reproducingCommand(config: results.config, output: output)
    for template in templates {
        // Markdown shows raster figures; LaTeX prefers vector PDF when it was written.
        let preferred: [ImageFormat] = template.format == .latex ? [.pdf, .png] : [.png, .svg]
        let figureFormat = preferred.first(where: formats.contains) ?? formats[0]
        let context = reportContext(for: results, format: template.format,
                                    settings: ReportSettings(command: command, figureExtension: figureFormat.rawValue))
        let report = try renderReport(template: template.text, fileName: template.name, context: context,
                                      strict: output.strict)
        for variable in report.unknownVariables {
            printError("warning: \(template.name):\(variable.line):\(variable.column): unknown variable '\(variable.name)' "
                + "renders as empty text")
        }
        let name = "report.\(template.format.rawValue)"
        try folder.write(Data(report.text.utf8), to: name)
        reportNames.append(name)
    }
    return reportNames
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
