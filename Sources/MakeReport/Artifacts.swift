import Foundation
import PoisoningAnalysis
import PoisoningEngine
import StudyPipeline

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
    // Divergence is always reported (not silenced by --quiet).
    for warning in divergenceWarnings(runs.results) { printError("warning: \(warning)") }
    return runs
}

/// Writes the outputs of `results` with the output options into `folderPath`, printing the
/// template warnings; returns the report file names.
func writeOutputs(_ results: StudyResults, study: Study, output: OutputOptions, into folderPath: String) throws -> WrittenOutputs {
    let settings = try output.settings(command: reproducingCommand(config: results.config, output: output))
    let written = try writeStudyOutputs(results, study: study, settings: settings, into: folderPath)
    for warning in written.warnings { printError("warning: \(warning)") }
    return written
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
