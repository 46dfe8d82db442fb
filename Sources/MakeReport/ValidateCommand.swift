import ArgumentParser
import Foundation
import PoisoningAnalysis

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
        let failures = Self.failures(in: URL(fileURLWithPath: folder, isDirectory: true))
        if failures.isEmpty {
            print("\(folder): all checks passed")
            return
        }
        printError("\(folder): \(failures.count) check\(failures.count == 1 ? "" : "s") failed:")
        for failure in failures { printError("  - \(failure)") }
        throw ExitCode.failure
    }

    /// Every failed check of the folder, as sentences.
    static func failures(in folder: URL) -> [String] {
        var failures = [String]()
        let decoder = JSONDecoder()
        let performanceURL = folder.appendingPathComponent("performance.json")
        if let data = try? Data(contentsOf: performanceURL) {
            if (try? decoder.decode(PerformanceRecord.self, from: data)) == nil {
                failures.append("performance.json is not a valid performance record")
            }
        } else {
            failures.append("performance.json is missing")
        }
        for figure in ["accuracy_vs_poison", "generalization_gap", "train_vs_test"] {
            let data = try? Data(contentsOf: folder.appendingPathComponent("figures/\(figure).png"))
            if data?.starts(with: [0x89, 0x50, 0x4E, 0x47]) != true {
                failures.append("figures/\(figure).png is missing or not a PNG file")
            }
        }
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("results.json")) else {
            return ["results.json is missing"] + failures
        }
        let results: StudyResults
        do {
            results = try decoder.decode(StudyResults.self, from: data)
        } catch {
            return ["results.json does not decode: \(error)"] + failures
        }
        let timings = timingKeys(inJSON: data)
        if !timings.isEmpty { failures.append("results.json holds timings: \(timings.joined(separator: ", "))") }
        return results.validationFailures() + failures
    }
}
