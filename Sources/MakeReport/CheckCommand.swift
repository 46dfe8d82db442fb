import ArgumentParser
import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningReport
import StudyPipeline

/// `make-report check`: regenerates the artifacts into a temporary folder and compares them with the
/// output folder, so that committed artifacts provably match the code.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Regenerate the artifacts in a temporary folder and fail, with a readable diff, where the output folder differs.",
        discussion: """
            Give the study, output and running options the artifacts were made with (the command their reports \
            show, with `check` after make-report). Every run is trained afresh: check neither reads nor writes a \
            run store, and has no --shard or --dry-run. Compares study.yaml, results.json, runs.csv, points.csv, differences.csv, \
            the report(s), every figure and manifest.json; performance.json (timings) is not compared. \
            The scratch folder ($TMPDIR/make-report-check-XXXXXX) is removed when check ends or is interrupted; \
            one that a check killed outright (kill -9) left is removed by the next check, once the process named \
            in its marker file has ended (a folder without the marker is never touched). A $TMPDIR that is missing, \
            not a folder, inside the output folder or one where no folder can be made (tried by making the scratch \
            folder: /proc, or a folder this user may not write, even as root) is refused in one line (exit code 2) \
            before anything is created. \
            An --output that is missing, not a folder or a folder without results.json, or one holding a file \
            too large to compare within the memory the process may use, is refused in one line (exit code 2) \
            before any run.
            """)

    @OptionGroup(title: StudyOptions.titles.sweep) var sweep: SweepOptions
    @OptionGroup(title: StudyOptions.titles.training) var training: TrainingOptions
    @OptionGroup(title: StudyOptions.titles.data) var data: DataOptions
    @OptionGroup(title: StudyOptions.titles.analysis) var analysis: AnalysisOptions
    @OptionGroup(title: "Output") var output: OutputOptions<ComparedOutputFolder>
    @OptionGroup(title: "Running") var runtime: RuntimeOptions

    func run() throws {
        // The study's design first (its file read once), then the folder compared with and the
        // temporary folder, before any work. Checked here, not in `validate()`, which
        // swift-argument-parser calls before it looks for unknown options: a mistyped option is named
        // before a study or folder it keeps from being read.
        let study = try StudyOptions(sweep: sweep, training: training, data: data, analysis: analysis)
        if let problem = outputFolderReadingProblem(output.output) { throw ValidationError("--output: \(problem)") }
        if let problem = scratchParentProblem(FileManager.default.temporaryDirectory, output: output.output) { throw ValidationError(problem) }
        if let problem = committedFilesMemoryProblem(literalFileURL(output.output, isDirectory: true)) {
            throw ValidationError("--output: \(problem)")
        }
        // An interruption (Ctrl-C, SIGTERM, SIGHUP) removes the scratch folder before it ends the
        // command by its signal, as the end of the command does: from the moment the folder is made,
        // so that no interruption comes between its making and its clean-up.
        let interruption = InterruptionCleanup()
        defer { withExtendedLifetime(interruption) {} }
        // A check killed outright (SIGKILL) left its scratch folder: removed once its marker proves
        // its process ended.
        removeAbandonedScratchFolders(prefix: "make-report-check")
        // Making it is the probe of $TMPDIR: a folder that cannot be created in (/proc, or one this
        // user may not write, even root) refuses the command in one line.
        let scratchParent = try interruption.cleanUp(makingWith: {
            do {
                return try makeScratchFolder(prefix: "make-report-check")
            } catch let error as OutputFolderError {
                throw ValidationError(scratchCreationProblem(FileManager.default.temporaryDirectory, reason: error.reason))
            }
        }, cleanUp: { scratch in
            { ending in
                removeScratchFolder(scratch)
                ending()
            }
        })
        defer { removeScratchFolder(scratchParent) }
        let resolved = try study.resolve(checkingSizeWith: runtime)
        let pipeline = try OutputPipeline(study: resolved.layout, settings: output.settings(command: reproducingCommand(config: resolved.config, output: output),
                                                                                            threads: runtime.threadCount))
        let started = ContinuousClock.now
        let reporter = ProgressReporter(quiet: runtime.quiet)
        // performance.json too, as `run` writes it, so that the manifests list the same files; an
        // adaptive study runs its looks as `run` does.
        // Staged as `run` stages it: the staging folder is taken, and its clean-up set, in one step, so
        // that an interruption never removes the scratch folder while the staged output is being made
        // in it (which left the scratch folder, 5 times in 20 at a high load).
        let published = try pipeline.publish(into: scratchParent.appendingPathComponent("output").path, staging: { take in
            try interruption.cleanUp(makingWith: take) { scratchCleanUp(abandoning: $0, thenRemoving: scratchParent) }
        }) {
            try produceStudyResults(resolved, threads: runtime.threadCount, started: started, trainBatch: {
                try runSweep($0, runtime: runtime, reporter: reporter).runs
            }, progress: reporter.note)
        }
        for warning in published.warnings { reporter.warning(warning) }
        let names = published.written.files + [OutputManifest.fileName]
        let differences = try artifactDifferences(regenerated: published.folder, committed: literalFileURL(output.output), names: names)
        if differences.isEmpty {
            reporter.summary("\(output.output)/ matches what the code produces (\(names.count) files)")
            return
        }
        printError("\(output.output)/ differs from what the code produces in \(differences.count) file(s); "
            + "rerun `\(reproducingCommand(config: resolved.config, output: output))` in \(quotedUserText(reproducingFolder(output: output.output), keepingEnd: true)) and commit the result:")
        for difference in differences { printError(difference) }
        throw ExitCode.failure
    }
}

/// Why `folder`, the temporary directory (`$TMPDIR`) in which `check` makes its scratch folder, cannot
/// hold it, as one line naming $TMPDIR, or nil: it must be an existing folder that lies outside the
/// output folder `output` that check compares (symbolic links resolved), whose files the scratch
/// folder would otherwise join. Whether a folder can be made in it is found by making the scratch
/// folder (`scratchCreationProblem`), not by access(2), which lets root write anywhere, /proc too.
func scratchParentProblem(_ folder: URL, output: String) -> String? {
    let named = "$TMPDIR (\(quotedUserText(folder.path, keepingEnd: true)))"
    var status = stat()
    guard stat(folder.path, &status) == 0 else { return "\(named): \(String(cString: strerror(errno))); set TMPDIR to a writable folder" }
    guard status.st_mode & S_IFMT == S_IFDIR else { return "\(named) is not a folder; set TMPDIR to a writable folder" }
    let scratch = resolvedFileURL(folder.path, isDirectory: true).path
    let compared = resolvedFileURL(output, isDirectory: true).path
    guard scratch != compared, !scratch.hasPrefix(compared == "/" ? "/" : compared + "/") else {
        return "\(named) lies inside the output folder \(quotedUserText(output, keepingEnd: true)) that check compares; set TMPDIR to a folder outside it"
    }
    return nil
}

/// The one line that refuses `check` when its scratch folder cannot be made in the temporary
/// directory `folder` ($TMPDIR) for `reason` (mkdtemp's error, in words).
func scratchCreationProblem(_ folder: URL, reason: String) -> String {
    "$TMPDIR (\(quotedUserText(folder.path, keepingEnd: true))) is not writable (\(reason)); set TMPDIR to a writable folder"
}
