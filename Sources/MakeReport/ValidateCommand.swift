import ArgumentParser
import Foundation
import PoisoningAnalysis
import PoisoningEngine
import StudyPipeline

/// `make-report validate`: checks an output folder the way the reference study's validation does.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check an output folder as the reference study's validation does; exit 1 listing what failed.",
        discussion: """
            A path that is missing, not a folder (a file, /dev/null) or a folder without results.json, and a \
            results.json of another schema version (its `schemaVersion`; docs/results.schema.json), are refused \
            in one line with exit code 2 before any check, and so is a results.json that is not JSON or not make-report's \
            (no JSON object naming a schemaVersion). Checks: results.json is present and consistent (its runs are its study's runs, and its aggregates, \
            fits, statistics and findings are those of its runs); the counts of runs, aggregated points and fits \
            match the configuration; no run diverged; every metric lies in its valid range; standard deviations \
            are reported; per width, clean accuracy > chance + 0.1, accuracy at the largest fraction at least \
            0.05 below clean, mean accuracy non-increasing within 0.05, R² > 0.8 (for studies of the reference \
            design); no timings in results.json; manifest.json lists every file with its SHA-256 and the folder \
            holds no other (but performance.json, shard parts, report.pdf and report.aux, report.log... from compiling report.tex in place); performance.json, when present (it \
            holds timings and is never committed), belongs to this results.json; runs.csv and points.csv hold exactly the numbers of results.json; every figure of \
            the study is present, and every PNG, PDF and SVG file is complete. \
            Every run must pass the checks `merge` applies to a part's runs. Only the folder's files are read, \
            never the study's data set: the sizes of the data come from results.json. A folder whose files or \
            decoded results.json would not fit in memory is refused before it is read (exit 2), naming the largest file.
            """)

    @Argument(help: "The output folder to check.")
    var folder = "output"

    func run() throws {
        if let problem = outputFolderReadingProblem(folder) { throw ValidationError("validate: \(problem)") }
        // Refused before any file is read when reading them all or decoding results.json would not
        // fit in memory, naming the largest of them.
        let url = literalFileURL(folder, isDirectory: true)
        let results = (folder as NSString).appendingPathComponent("results.json")
        let reading = outputFolderReadingBytes(url).map { (name: (folder as NSString).appendingPathComponent($0.name), decodingBytes: $0.bytes) }
        if let problem = jsonFilesMemoryProblem(reading) {
            throw ValidationError("validate: \(problem)")
        }
        // A results.json that is not JSON, not make-report's or of another layout is refused before
        // any check: none of them could judge it.
        if let bytes = try? readUserFile(results, maximumBytes: maximumResultsFileBytes),
           let problem = StudyResults.documentProblem(bytes) {
            throw ValidationError("validate: \(quotedUserText(results, keepingEnd: true)) \(problem)")
        }
        let failures = outputFolderFailures(url)
        // The folder quoted as every message quotes a name the user gave: one line whatever it holds.
        let shownFolder = quotedUserText(folder, keepingEnd: true)
        if failures.isEmpty {
            print("\(shownFolder): all checks passed")
            return
        }
        printError("\(shownFolder): \(failures.count) check\(failures.count == 1 ? "" : "s") failed:")
        for failure in failures { printError("  - \(failure)") }
        throw ExitCode.failure
    }
}
