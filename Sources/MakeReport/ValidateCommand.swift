import ArgumentParser
import Foundation
import StudyPipeline

/// `make-report validate`: checks an output folder the way the reference study's validation does.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check an output folder as the reference study's validation does; exit 1 listing what failed.",
        discussion: """
            Checks: results.json and performance.json are present and readable; the counts of runs, \
            aggregated points and fits match the configuration; no run diverged; standard deviations are \
            reported; per width, clean accuracy > chance + 0.1, accuracy at the largest fraction at least \
            0.05 below clean, mean accuracy non-increasing within 0.05, R² > 0.8; no timings in results.json; \
            the three figures are present in figures/ as PNG files.
            """)

    @Argument(help: "The output folder to check.")
    var folder = "output"

    func run() throws {
        let failures = outputFolderFailures(URL(fileURLWithPath: folder, isDirectory: true))
        if failures.isEmpty {
            print("\(folder): all checks passed")
            return
        }
        printError("\(folder): \(failures.count) check\(failures.count == 1 ? "" : "s") failed:")
        for failure in failures { printError("  - \(failure)") }
        throw ExitCode.failure
    }
}
