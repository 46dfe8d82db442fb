import ArgumentParser
import Foundation

/// `make-report run` (the default): runs the study and writes its results, figures and report.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the poisoning sweep (default: the reference study) and write its results, figures and report.",
        discussion: """
            Writes into the output folder: results.json (configuration, every run, mean and std per fraction \
            and width, sigmoid fits, critical thresholds, findings; byte-identical for identical options, \
            whatever --threads is), performance.json (timings), figures/ (three figures) and report.md and \
            report.tex (or one report from --template). Lists are comma-separated.
            """)

    @OptionGroup var options: StudyOptions

    func run() throws {
        let showProgress = !options.quiet && isatty(STDERR_FILENO) == 1
        let outcome = try writeArtifacts(options, into: options.output, progress: showProgress)
        let runCount = outcome.results.runs.count
        print("Key findings (\(runCount) runs, \(String(format: "%.2f", outcome.performance.wallSeconds)) s):")
        for statement in outcome.results.findings.statements { print("  - \(statement)") }
        let formats = options.figureFormats.map(\.rawValue).joined(separator: ", ")
        print("Wrote results.json, performance.json, \(outcome.reportNames.joined(separator: ", ")) and figures/ "
            + "(\(formats)) in \(URL(fileURLWithPath: options.output).standardizedFileURL.path)")
    }
}
