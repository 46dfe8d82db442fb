import ArgumentParser
import Foundation
import PoisoningAnalysis

/// `make-report check`: regenerates the artifacts into a temporary folder and compares them with the
/// output folder, so that committed artifacts provably match the code.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Regenerate the artifacts in a temporary folder and fail, with a readable diff, where the output folder differs.",
        discussion: """
            Takes the same options as `run` (use the ones the artifacts were made with). Compares \
            results.json, the report(s) and every figure; performance.json is not compared.
            """)

    @OptionGroup var study: StudyOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("make-report-check-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let resolved = try study.resolve()
        let results = StudyResults(study: resolved, runs: runSweep(resolved, runtime: runtime, showProgress: false).results,
                                   toolVersion: toolVersion)
        let reports = try writeOutputs(results, study: resolved, output: output, into: scratch.path)
        let names = ["study.yaml", "results.json"] + reports
            + (try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("figures").path))
                .sorted().map { "figures/\($0)" }
        let committed = URL(fileURLWithPath: output.output)
        var differences = [String]()
        for name in names {
            let fresh = try Data(contentsOf: scratch.appendingPathComponent(name))
            guard let existing = try? Data(contentsOf: committed.appendingPathComponent(name)) else {
                differences.append("\(name): missing in \(output.output)/")
                continue
            }
            if existing != fresh { differences.append(describeDifference(name, committed: existing, regenerated: fresh)) }
        }
        if differences.isEmpty {
            print("\(output.output)/ matches what the code produces (\(names.count) files)")
            return
        }
        printError("\(output.output)/ differs from what the code produces in \(differences.count) file(s); "
            + "rerun `\(reproducingCommand(config: resolved.config, output: output))` and commit the result:")
        for difference in differences { printError(difference) }
        throw ExitCode.failure
    }
}

/// For text files, the first differing lines (at most 12) as "- committed" / "+ regenerated" with
/// line numbers; for binary files, their sizes.
func describeDifference(_ name: String, committed: Data, regenerated: Data) -> String {
    guard ["json", "md", "tex", "svg"].contains((name as NSString).pathExtension),
          let old = String(data: committed, encoding: .utf8), let new = String(data: regenerated, encoding: .utf8) else {
        return "\(name): differs (\(committed.count) bytes committed, \(regenerated.count) bytes regenerated)"
    }
    let oldLines = old.components(separatedBy: "\n"), newLines = new.components(separatedBy: "\n")
    var lines = ["\(name): differs"]
    for index in 0..<max(oldLines.count, newLines.count) where lines.count < 25 {
        let before = index < oldLines.count ? oldLines[index] : nil
        let after = index < newLines.count ? newLines[index] : nil
        if before != after {
            if let before { lines.append("  \(index + 1) - \(before)") }
            if let after { lines.append("  \(index + 1) + \(after)") }
        }
    }
    return lines.joined(separator: "\n")
}
