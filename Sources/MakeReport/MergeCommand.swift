import ArgumentParser
import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningReport
import StudyPipeline

/// `make-report merge PARTS...`: combines the partial result files of all shards into the study's
/// results.json (byte-identical to a single-machine run), figures and report.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the results.part-K-of-N.json files of every shard into results.json, figures and report.",
        discussion: """
            Every part must come from the same configuration and tool version, with the same N, and the parts \
            must be shards 1...N each exactly once. The outputs are byte-identical to those of a single-machine \
            run of the same study.
            """)

    @Argument(help: "The partial result files (results.part-K-of-N.json) of all shards.")
    var parts: [String]

    @OptionGroup var output: OutputOptions<WrittenOutputFolder>

    @Flag(help: "Print nothing but errors: no warnings, no key findings, no list of the files written.")
    var quiet = false

    func validate() throws {
        if parts.isEmpty { throw ValidationError("merge: give the results.part-K-of-N.json files of every shard") }
    }

    func run() throws {
        let verified = try output.checkWritable()
        // Every part is read and decoded before anything else (regular files only, never opened
        // when they are not), so that a bad part refuses the command before any work; so do parts
        // whose decoding, or whose study's data, would not fit in memory.
        let inputs = try JSONInputs(parts, command: "merge")
        let decoder = JSONDecoder()
        let loaded = try inputs.files.map { path, bytes in
            do {
                // A part names its data relative to its own folder.
                let part = try decoder.decode(PartialStudyResults.self, from: bytes)
                return (name: path, results: part.movingPaths(from: containingFolder(of: path), to: "."))
            } catch {
                throw ValidationError("merge: \(quotedUserText(path, keepingEnd: true)) is not a partial result file (\(decodingFailure(error, in: bytes)))")
            }
        }
        // Parts that record their split's sizes need no data; older ones have the study's data made.
        if let first = loaded.first, first.results.dataSizes == nil,
           let problem = studyDataMemoryProblem(first.results.config, name: first.name, held: inputs.decodingBytes) {
            throw ValidationError("merge: \(problem)")
        }
        let merged = try mergePartialResults(loaded)
        let study = merged.study
        let pipeline = try OutputPipeline(study: study, settings: output.settings(command: reproducingCommand(config: study.config, output: output),
                                                                                         threads: 1))
        // An interrupted merge removes its staging folder (or finishes its publication) before it ends by the signal.
        let interruption = InterruptionCleanup()
        defer { withExtendedLifetime(interruption) {} }
        let published = try pipeline.publish(into: output.output, verified: verified, staging: { take in try interruption.cleanUp(makingWith: take) { $0.interruptionCleanup } }) {
            let timed = loaded.compactMap { part in part.results.timing.map { (part.results.runs, $0) } }
            return ProducedResults(results: StudyResults(layout: study, runs: merged.runs, toolVersion: merged.toolVersion)) { resultsSHA256 in
                timed.count == loaded.count ? mergedPerformance(timed, study: study, resultsSHA256: resultsSHA256) : nil
            }
        }
        let reporter = ProgressReporter(quiet: quiet)
        for warning in published.warnings { reporter.warning(warning) }
        let report = published.written.report
        for line in keyFindingsLines(header: "Merged \(parts.count) part\(parts.count == 1 ? "" : "s") (\(published.results.runs.count) runs):",
                                     sequentialSummary: nil, findings: report.findings + (report.claimCounts.map { [$0] } ?? []), openingSummary: report.summary,
                                     reportPath: keyFindingsReportPath(folder: published.folder.path, reports: published.written.reports)) {
            reporter.summary(line)
        }
        reporter.summary("Wrote \(writtenSummary(published)) in \(published.folder.path)")
    }

    /// The performance of the whole sharded sweep: threads summed over shards, wall time that of
    /// the slowest shard (they ran side by side), every run's time in run order.
    private func mergedPerformance(_ parts: [(runs: [IndexedRunResult], timing: ShardTiming)], study: StudyLayout,
                                   resultsSHA256: String) -> PerformanceRecord {
        let runSeconds = parts.flatMap { part in zip(part.runs.map(\.index), part.timing.runSeconds) }
            .sorted { $0.0 < $1.0 }
        let wall = parts.map(\.timing.wallSeconds).max() ?? 0
        return PerformanceRecord(study: study, resultsSHA256: resultsSHA256, threads: parts.reduce(0) { $0 + $1.timing.threads },
                                 wallSeconds: wall, trainingSeconds: wall, runSeconds: runSeconds)
    }
}
