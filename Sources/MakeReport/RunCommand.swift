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
            whatever --threads is), performance.json (timings), figures/ (accuracy, gap, train vs test, attack success, defense trade-off and detection, as the study has them), one report per \
            format (\(reportFileNames); or one report from --template). Lists are comma-separated. With --shard K/N it runs \
            only the K-th of N slices of the sweep and writes results.part-K-of-N.json for `merge`. A relative path \
            in a study file (a CSV data file) is relative to the study file's folder (the link's own, when the study \
            file is a symbolic link); the files written name it relative to their own folder, symbolic links \
            resolved, so the output folder's study.yaml runs from anywhere.
            """)

    @OptionGroup(title: StudyOptions.titles.sweep) var sweep: SweepOptions
    @OptionGroup(title: StudyOptions.titles.training) var training: TrainingOptions
    @OptionGroup(title: StudyOptions.titles.data) var data: DataOptions
    @OptionGroup(title: StudyOptions.titles.analysis) var analysis: AnalysisOptions
    @OptionGroup(title: "Output") var output: OutputOptions<WrittenOutputFolder>
    @OptionGroup(title: "Running") var runtime: RuntimeOptions
    @OptionGroup(title: "Run store") var storage: StoreOptions
    @OptionGroup(title: "Scale-out (several machines)") var sharding: ShardOptions

    @Flag(help: ArgumentHelp("Check everything that can refuse the command (the study, its data, its size and memory, the templates, the output folder), print the number of runs (and the shard's), and stop: nothing is run, written or created. The run store is not opened, so a damaged store is found only by the run (or by `store verify`).",
                             discussion: "Prints one line to stdout, e.g. 'Dry run: the study has 27 runs (9 fractions x 3 series x 1 seed); nothing was run.'"))
    var dryRun = false

    /// Refuses to replace a file of the user's that has the name of `shard`'s part file: checked
    /// before any work, and again just before the part is written.
    func checkPartFile(of shard: Shard) throws {
        let part = (output.output as NSString).appendingPathComponent(PartialStudyResults.fileName(for: shard))
        if let problem = OutputOwnership.partFileProblem(at: part) { throw ValidationError("--output: \(problem)") }
    }

    func run() throws {
        // The study's design first (its file read once), then the output folder, the store beside it
        // and a shard's part file, before any work. Made here, not in `validate()`, which
        // swift-argument-parser calls before it looks for unknown options: a mistyped option is named
        // before a study or folder it keeps from being read.
        let study = try StudyOptions(sweep: sweep, training: training, data: data, analysis: analysis)
        let shard = sharding.shard
        let verified = try output.checkWritable(replaced: shard == nil)
        if let problem = storage.problem(besideOutput: output.output) { throw ValidationError(problem) }
        if let shard { try checkPartFile(of: shard) }
        let started = ContinuousClock.now
        let resolved = try study.resolve(checkingSizeWith: runtime)
        let config = resolved.config
        let runCount = resolved.runSpecs.count
        if let shard, shard.count > runCount {
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
        let settings = try output.settings(command: reproducingCommand(config: config, output: output), threads: runtime.threadCount)
        // A shard renders no report (`merge` does, checking its templates before it merges): it
        // checks a template of the user's (--template), so that a bad one still stops every shard
        // before its first run, and a dry run checks the shipped ones too (scripts/slurm/submit.sh
        // checks the merge's output options so), but a shard that runs skips their check (an
        // analysis of provisional results and every report's context, some 50 ms of CPU).
        let pipeline = shard == nil ? try OutputPipeline(study: resolved.layout, settings: settings) : nil
        if shard != nil, output.template != nil || dryRun { _ = try checkTemplates(settings, study: resolved.layout) }
        if dryRun {
            let design = resolved.layout.design, most = design.runCount
            let shardText = shard.map { "; shard \($0) holds \($0.runIndices(total: runCount).count) of them" } ?? ""
            print("Dry run: the study has \(config.sequential == nil ? "" : "at most ")\(most) run\(most == 1 ? "" : "s") "
                + "(\(runCountFactors(design)))\(shardText); nothing was run.")
            return
        }
        // An interruption from here on ends the run by its signal, once the store being built is
        // whole or removed, and later once the staging folder is removed (or published, with the
        // set it displaced removed) and the store closed; a failed run's staging folder is removed
        // when the folder is gone.
        let interruption = InterruptionCleanup()
        defer { withExtendedLifetime(interruption) {} }
        let building = StoreBuilding()
        interruption.cleanUp(with: { building.abandon(then: $0) })
        let store = try storage.open(besideOutput: output.output, building: building)
        // The run's end, or an interruption, closes the store, so that SQLite removes its -wal and -shm files.
        defer { store?.closeConnections() }
        if let store { interruption.cleanUp(with: { store.closeConnections(then: $0) }) }
        let reporter = ProgressReporter(quiet: runtime.quiet)
        for warning in store?.leftoverWarnings ?? [] { reporter.warning(warning) }
        if let shard {
            let sweep = try runSweep(resolved, runtime: runtime, shard: shard, store: store, reporter: reporter)
            let runs = sweep.runs, trainingSeconds = secondsElapsed(since: started)
            let part = PartialStudyResults(
                toolVersion: toolVersion, config: config.movingPaths(from: ".", to: output.output), dataFileSHA256: dataFileSHA256,
                dataSizes: resolved.split.sizes, shard: shard,
                runs: zip(runs.indices, runs.results).map { IndexedRunResult(index: $0, result: $1) },
                timing: ShardTiming(threads: runtime.threadCount, wallSeconds: trainingSeconds, runSeconds: runs.runSeconds))
            let name = PartialStudyResults.fileName(for: shard)
            try checkPartFile(of: shard)
            // An interruption while it is written removes its temporary file and the folders made for it.
            try interruption.write(try part.jsonData(), toFile: (output.output as NSString).appendingPathComponent(name))
            reporter.summary("Shard \(shard): \(runs.results.count) of \(resolved.runSpecs.count) runs in "
                + "\(String(format: "%.2f", trainingSeconds)) s\(storeSummary(fromStore: sweep.fromStore, runs: runs.indices.count, store: store)); wrote \(resolvedFileURL(output.output, isDirectory: true).path)/\(name)")
            return
        }

        guard let pipeline else { preconditionFailure("a run that is not a shard has its output pipeline") }
        var fromStore = 0
        let published = try pipeline.publish(into: output.output, verified: verified, staging: { take in
            try interruption.cleanUp(makingWith: take) { folder in
                let removeStaging = folder.interruptionCleanup
                return { ending in removeStaging { if let store { store.closeConnections(then: ending) } else { ending() } } }
            }
        }) {
            try produceStudyResults(resolved, threads: runtime.threadCount, started: started, trainBatch: { batch in
                let sweep = try runSweep(batch, runtime: runtime, store: store, reporter: reporter)
                fromStore += sweep.fromStore
                return sweep.runs
            }, progress: reporter.note)
        }
        let storeText = storeSummary(fromStore: fromStore, runs: published.results.runs.count, store: store)
        for warning in published.warnings { reporter.warning(warning) }
        let report = published.written.report
        let header = "Key findings (\(published.results.runs.count) runs, \(String(format: "%.2f", published.performance?.wallSeconds ?? 0)) s\(storeText)):"
        for line in keyFindingsLines(header: header, sequentialSummary: report.sequentialSummary, findings: report.findings + (report.claimCounts.map { [$0] } ?? []),
                                     openingSummary: report.summary,
                                     reportPath: keyFindingsReportPath(folder: published.folder.path, reports: published.written.reports)) {
            reporter.summary(line)
        }
        let formats = output.figureFormat.values.map(\.rawValue).joined(separator: ", ")
        reporter.summary("Wrote study.yaml, results.json, runs.csv, points.csv, differences.csv, performance.json, \(published.written.reports.joined(separator: ", ")), manifest.json and figures/ (\(formats)) in \(published.folder.path)")
    }
}

/// `--shard`: the slice of the sweep one machine runs. Its value is taken even when it starts with
/// "-", so that `--shard -1/2` is refused as an invalid K/N, not as a missing value.
struct ShardOptions: ParsableArguments {
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Run only slice K of N of the sweep (e.g. 2/8) and write a partial result file for `merge`.",
                               valueName: "K/N"), transform: parseShard)
    var shard: Shard?
}

/// The shard a `--shard K/N` value names: slice K (counted from 1) of N. Throws, saying why, for
/// any other value.
func parseShard(_ text: String) throws -> Shard {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2 else { throw ValidationError("expected K/N, two whole numbers, e.g. 2/8") }
    let index: Int = try wholeNumberOption(String(parts[0])), count: Int = try wholeNumberOption(String(parts[1]))
    guard count >= 1 else { throw ValidationError("N must be at least 1") }
    guard index >= 1 else { throw ValidationError("shards count from 1, so K must be at least 1") }
    guard index <= count else { throw ValidationError("K must be at most N (\(count))") }
    return Shard(index: index, count: count)
}
