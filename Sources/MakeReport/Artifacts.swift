import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningReport
import RunStore
import StudyPipeline

/// Runs the runs of `shard` of the study that `store` does not have (every run without a store),
/// telling `reporter` of each finished run, of a store that could not be written or read and of the
/// runs that diverged or failed (warnings, which `--quiet` silences: the report lists those runs).
func runSweep(_ study: Study, runtime: RuntimeOptions, shard: Shard = .whole, store: RunStore? = nil,
              reporter: ProgressReporter) throws -> StoredStudyRuns {
    let threadCount = runtime.threadCount
    let shardRuns = shard.runIndices(total: study.runSpecs.count).count
    let started = ContinuousClock.now, rate = SharedRunRate()
    let runs = try runStudy(study, threads: threadCount, shard: shard, store: store) { progress in
        if progress.completed == 1 {
            let stored = shardRuns - progress.total
            reporter.note("Training \(progress.total) runs on \(threadCount) thread\(threadCount == 1 ? "" : "s")"
                + (store == nil ? "" : " (\(stored) of \(shardRuns) from the store)") + "…")
        }
        let run = progress.result
        let label = study.series[run.series].label
        let accuracy = run.metrics.map { String(format: "test acc %.3f", $0[MetricKey.testAccuracy] ?? .nan) }
            ?? (run.hasFailed ? "failed" : "diverged")
        let detail = String(format: "%@, fraction %.2f, seed %llu: %@", label, run.fraction, run.seed, accuracy)
        let elapsed = secondsElapsed(since: started)
        reporter.runFinished(completed: progress.completed, total: progress.total, elapsed: elapsed, rate: rate.record(at: elapsed),
                             detail: detail)
    }
    if runs.rejectedFromStore > 0 {
        let count = runs.rejectedFromStore
        reporter.warning("\(count) stored run\(count == 1 ? "" : "s") failed \(count == 1 ? "its" : "their") check and "
            + "\(count == 1 ? "was" : "were") trained again (`make-report store verify` checks the whole store)")
    }
    if let failure = runs.storeFailure { reporter.warning("finished runs could not be stored: \(failure)") }
    // Under --quiet, diverged and failed runs are left to the outputs: results.json and the report list them.
    for warning in divergenceWarnings(runs.runs.results) { reporter.warning(warning) }
    return runs
}

/// Where `runs` runs came from, `fromStore` of them read from `store`, for the summary: "; 50 from
/// the store (.make-report/runs.sqlite), 31 trained", or nothing without a store.
func storeSummary(fromStore: Int, runs: Int, store: RunStore?) -> String {
    guard let store else { return "" }
    return "; \(fromStore) from the store (\(commandPath(store.path))), \(runs - fromStore) trained"
}

/// The files `published` wrote, for a summary: "study.yaml, results.json, ..., manifest.json and
/// figures/", each file of the folder's top level in writing order, then the figures' folder.
func writtenSummary(_ published: PublishedOutputs) -> String {
    let files = published.written.files + (published.performance == nil ? [] : [PerformanceRecord.fileName]) + [OutputManifest.fileName]
    let topLevel = files.filter { !$0.contains("/") }
    let folders = files.compactMap { file in file.firstIndex(of: "/").map { String(file[...$0]) } }
    var seen = Set<String>()
    let names = topLevel + folders.filter { seen.insert($0).inserted }
    return names.count > 1 ? names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1] : names.joined()
}

/// Writes a line to standard error.
func printError(_ line: String) {
    writeToStandardError(line + "\n")
}

/// Writes `text` to standard error, ignoring a failed write (a reader that closed the pipe), which
/// Foundation's non-throwing `write(_:)` would turn into a crash.
func writeToStandardError(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
}
