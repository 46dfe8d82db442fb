import ArgumentParser
import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningReport
import RunStore
import StudyPipeline

/// `make-report run` (the default): runs the study and writes its results, figures and report.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the poisoning sweep (default: the reference study) and write its results, figures and report.",
        discussion: """
            Writes into the output folder: study.yaml (the effective study), results.json (configuration, every run, mean and std per fraction \
            and series, sigmoid fits, critical thresholds, findings; byte-identical for identical options, \
            whatever --threads is), performance.json (timings), figures/ (accuracy, gap, train vs test, attack success, defense trade-off and detection, as the study has them), report.md, \
            report.tex and report.html (one self-contained page) (or one report from --template). Lists are comma-separated. With --shard K/N it runs \
            only the K-th of N slices of the sweep and writes results.part-K-of-N.json for `merge`. A relative path \
            in a study file (a CSV data file) is relative to the study file's folder; the files written name it \
            relative to their own folder, so the output folder's study.yaml runs from anywhere.
            """)

    @OptionGroup var study: StudyOptions
    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "Running") var runtime: RuntimeOptions
    @OptionGroup(title: "Run store") var storage: StoreOptions
    @OptionGroup(title: "Scale-out (several machines)") var sharding: ShardOptions

    func validate() throws {
        try output.checkWritable()
        if let problem = storage.problem(besideOutput: output.output) { throw ValidationError(problem) }
    }

    func run() throws {
        let shard = sharding.shard
        let started = ContinuousClock.now
        let resolved = try study.resolve(checkingSizeWith: runtime)
        try runtime.checkSize(of: resolved)
        let config = resolved.config
        let runCount = resolved.runSpecs.count
        if let shard = shard?.shard, shard.count > runCount {
            throw ValidationError("--shard: N = \(shard.count) is more than the study's \(runCount) run\(runCount == 1 ? "" : "s"); "
                + "N may be at most \(runCount)")
        }
        if shard != nil, config.sequential != nil {
            throw ValidationError("--shard: an adaptive study (seeds: {start, step, max, until} or --until-resolved) decides its seeds as it runs, so it cannot be sharded")
        }
        let dataFileSHA256 = shard == nil ? nil : try PoisoningAnalysis.dataFileSHA256(of: config)
        // Everything that can refuse the command is checked before the first run, and before
        // anything is created: the study's size, the templates, the run store (a damaged one is
        // found only when it is opened), then the output folder, whose lock is held until the
        // outputs are published.
        let pipeline = try OutputPipeline(study: resolved, settings: output.settings(command: reproducingCommand(config: config, output: output)))
        let store = try storage.open(besideOutput: output.output)
        let reporter = ProgressReporter(quiet: runtime.quiet)
        if let shard = shard?.shard {
            let sweep = try runSweep(resolved, runtime: runtime, shard: shard, store: store, reporter: reporter)
            let runs = sweep.runs, trainingSeconds = secondsElapsed(since: started)
            let part = PartialStudyResults(
                toolVersion: toolVersion, config: config.movingPaths(from: ".", to: output.output), dataFileSHA256: dataFileSHA256, shard: shard,
                runs: zip(runs.indices, runs.results).map { IndexedRunResult(index: $0, result: $1) },
                timing: ShardTiming(threads: runtime.threadCount, wallSeconds: trainingSeconds, runSeconds: runs.runSeconds))
            let name = PartialStudyResults.fileName(for: shard)
            try OutputFolder(path: output.output).write(try part.jsonData(), to: name)
            reporter.summary("Shard \(shard): \(runs.results.count) of \(resolved.runSpecs.count) runs in "
                + "\(String(format: "%.2f", trainingSeconds)) s\(storeSummary(sweep, store: store)); wrote \(URL(fileURLWithPath: output.output).standardizedFileURL.path)/\(name)")
            return
        }

        var storeText = ""
        // An interrupted run removes its staging folder before it ends (a failed one is removed when the folder is gone).
        let published = try pipeline.publish(into: output.output, whileStaged: { InterruptionCleanup($0.interruptionCleanup) }) {
            let study: Study, runs: StudyRuns, results: StudyResults
            if config.sequential != nil {
                var fromStore = 0
                let adaptive = try runSequentialStudy(resolved, threads: runtime.threadCount, trainBatch: { batch in
                    let sweep = try runSweep(batch, runtime: runtime, store: store, reporter: reporter)
                    fromStore += sweep.fromStore
                    return sweep.runs
                }, progress: reporter.note)
                (study, runs, results) = (adaptive.study, adaptive.runs, adaptive.results)
                storeText = store.map { "; \(fromStore) from the store (\(commandPath($0.path))), \(runs.results.count - fromStore) trained" } ?? ""
            } else {
                let sweep = try runSweep(resolved, runtime: runtime, store: store, reporter: reporter)
                (study, runs) = (resolved, sweep.runs)
                results = StudyResults(study: resolved, runs: runs.results, toolVersion: toolVersion, threads: runtime.threadCount)
                storeText = storeSummary(sweep, store: store)
            }
            // An adaptive study's looks' analyses are part of running it, so they count as its training.
            let trainingSeconds = secondsElapsed(since: started)
            return ProducedResults(results: results) { resultsSHA256 in
                PerformanceRecord(study: study, resultsSHA256: resultsSHA256, threads: runtime.threadCount,
                                  wallSeconds: secondsElapsed(since: started), trainingSeconds: trainingSeconds,
                                  runSeconds: Array(zip(runs.indices, runs.runSeconds)))
            }
        }
        for warning in published.warnings { printError("warning: \(warning)") }
        let report = published.written.report
        reporter.summary("Key findings (\(published.results.runs.count) runs, \(String(format: "%.2f", published.performance?.wallSeconds ?? 0)) s\(storeText)):")
        if let summary = report.sequentialSummary { reporter.summary("  - \(summary)") }
        for statement in report.findings { reporter.summary("  - \(statement)") }
        let formats = output.figureFormat.values.map(\.rawValue).joined(separator: ", ")
        reporter.summary("Wrote study.yaml, results.json, runs.csv, points.csv, performance.json, \(published.written.reports.joined(separator: ", ")), manifest.json and figures/ (\(formats)) in \(published.folder.path)")
    }
}

/// `--shard`: the slice of the sweep one machine runs.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run only slice K of N of the sweep (e.g. 2/8) and write a partial result file for `merge`.",
                               valueName: "K/N"))
    var shard: ShardArgument?
}

/// A `--shard K/N` value.
struct ShardArgument: ExpressibleByArgument {
    let shard: Shard

    init?(argument: String) {
        let parts = argument.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
              (1...count).contains(index) else { return nil }
        shard = Shard(index: index, count: count)
    }
}
