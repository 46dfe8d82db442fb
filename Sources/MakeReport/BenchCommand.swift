import ArgumentParser
import Foundation
import PoisoningReport
import PoisoningAnalysis
import PoisoningEngine
import PoisoningFigures
import RunStore
import StudyPipeline

/// `make-report bench`: measures the engine and the whole pipeline and writes benchmarks/results.md.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the default study (and where its time goes), a 10x larger sweep, the catalogue examples, defenses, single-run scaling and templates; write a Markdown summary.",
        discussion: """
            Run it in a release build on an otherwise idle machine: `make bench`, which runs \
            .build/release/make-report bench directly (under `swift run` the peak memory of the child \
            process would include SwiftPM's, which Linux carries across exec). GFLOP counts are the arithmetic of training, (4·inputs·width + 6·width·classes) \
            per training sample per epoch for a network, kernel ridge's solve counted exactly, a linear \
            SVM's pass at most c·n(4f + 6) (shrinking leaves rows out of later passes), so its rate is an upper \
            bound; the peak is measured on one core (SIMD8 multiplies and \
            separate adds in twelve independent chains, the arithmetic the kernels use) unless \
            --peak-gflops gives it.
            """)

    @Option(help: "Repetitions of each measurement except the larger sweep; the median is reported.")
    var repetitions = 3

    @Option(help: "Seeds of the larger sweep (widths 32 to 1024, 9 fractions): 16 gives 864 runs.")
    var largeSeeds = 16

    @Option(help: "Peak single-precision GFLOP/s of one core, for the percent-of-peak column (default: measured).",
            transform: decimalOption)
    var peakGflops: Double?

    @Option(help: "Where to write the Markdown summary.")
    var results = Self.defaultResults

    /// The committed summary, `--results`' default.
    static let defaultResults = "benchmarks/results.md"

    @Flag(help: "Measure only training: the default study in process, one run per width and eight runs alone vs packed on one thread; print the figures and leave --results alone (for iterating on kernels).")
    var engineOnly = false

    @Flag(help: "Measure only the peak memory of whole commands against their estimates; print the table and leave --results alone.")
    var memoryOnly = false

    @Flag(help: "Measure only the default command: its training in process, the whole command (`--no-store`) and where its time goes (process start, analysis, figures, reports, writing); print the tables and leave --results alone (for iterating on what is not training).")
    var stepsOnly = false

    @Flag(help: "Measure only each model kind's training on one thread against issue 23's budgets, with kernel ridge's solve by the blocked and the reference Cholesky, issue 25's input-curvature budget (20 Hessian-vector products over 150 rows), gradient canceling by its fast and its reference kernel, and kernel ridge's exact input curvature at 64 features, in closed form and from Hessian-vector products, and issue 24's budgets (τ on the reference rows, one gradient-canceling run at ε_d 0.2 on 1,000 rows; also in the full run and --engine-only); print the tables and leave --results alone.")
    var modelsOnly = false

    @Flag(help: "Every table of the full run at a smaller size, to check that bench runs on this machine in under a minute: the deeper and wider networks as one run each on 350 rows, no adaptive study, no 10,000,000-sample memory row, no one-run rows beyond 7,000 training rows, and kernel ridge's curvature on 200 training rows, not 1,258. Its figures are not a benchmark: the summary says so, and --results must be given.")
    var quick = false

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if repetitions < 1 { throw ValidationError("--repetitions: must be at least 1") }
        if largeSeeds < 0 { throw ValidationError("--large-seeds: must be at least 0") }
        if let peakGflops, !(peakGflops > 0) { throw ValidationError("--peak-gflops: must be positive") }
        if quick && (engineOnly || memoryOnly || modelsOnly || stepsOnly) {
            throw ValidationError("--quick: a quick run is of the full summary; it cannot be combined with --engine-only, --memory-only, --steps-only or --models-only")
        }
        if quick && Self.samePath(results, Self.defaultResults) {
            throw ValidationError("--quick: give --results FILE: a quick run's figures are not a benchmark, and would replace \(Self.defaultResults)")
        }
        // Whatever its path (review r21o m5: ../benchmarks/results.md from a subfolder), a full run's summary is never replaced by a quick one.
        if quick, let data = FileManager.default.contents(atPath: results), Self.isBenchmarkSummary(data),
           !(String(data: data, encoding: .utf8) ?? "").contains(Self.quickRunNote) {
            throw ValidationError("--quick: \(quotedUserText(results, keepingEnd: true)) holds a full benchmark summary, which a quick run's "
                                  + "figures would replace; give another file")
        }
        // The summary's folder is checked before the measurements too (review r19c, finding 13: a
        // file as its parent failed only the final write).
        if !(engineOnly || memoryOnly || modelsOnly || stepsOnly), let problem = creationProblem(at: URL(fileURLWithPath: results)) {
            throw ValidationError("--results: \(quotedUserText(results, keepingEnd: true)) cannot be written: \(problem)")
        }
        if !(engineOnly || memoryOnly || modelsOnly || stepsOnly) { try checkResultsFile() }
    }

    /// Refuses a --results file that is not a benchmark summary (a file of the user's would be
    /// replaced; `OutputOwnership.replacedFileProblem`): checked before the measurements, and again
    /// just before the summary is written (`isBenchmarkSummary`).
    func checkResultsFile() throws {
        if let problem = OutputOwnership.replacedFileProblem(at: results, described: "a benchmark summary make-report wrote (its heading, "
                                                                + "machine line and table of sweeps)",
                                                             advice: "give another file", isOwn: Self.isBenchmarkSummary) {
            throw ValidationError("--results: \(problem)")
        }
    }

    /// Whether the paths `a` and `b` name the same file once made absolute, standardized and
    /// resolved through symbolic links (`./benchmarks/results.md` is the default summary too).
    static func samePath(_ a: String, _ b: String) -> Bool {
        let resolved = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        return resolved(a) == resolved(b)
    }

    /// The sizes this run measures at: `--quick`'s or the full benchmark's.
    var sizes: BenchSizes { quick ? .quick : .full }

    /// The line under the machine line of a `--quick` run's summary.
    static let quickRunNote = "A quick run (`--quick`): every table at a smaller size, to check that bench runs here; its figures are not a benchmark."

    /// The heading of the summary's first table, which every summary holds.
    static let sweepsTableHeading = "| Measurement | Runs | Wall (s) | Runs/s | GFLOP/s | % of peak | Peak memory (MiB) |"

    /// Whether `data` is a summary `bench` wrote, as far as its fixed parts show: the line
    /// "# Benchmarks", a blank line, the machine line (`machineDescription`), and further on the
    /// "## Sweeps" heading with its table's heading (`sweepsTableHeading`). A file that only starts
    /// with "# Benchmarks" (notes of the user's under that title) is not one.
    static func isBenchmarkSummary(_ data: Data) -> Bool {
        guard let text = String(data: data, encoding: .utf8) else { return false }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 3, lines[0] == "# Benchmarks", lines[1].isEmpty,
              lines[2].wholeMatch(of: /Machine: .+, \d+ cores, \d+ GiB; \d+ threads; (debug|release) build of make-report [^;]+; peak [0-9.]+ GFLOP\/s per core \((measured: .+|given by --peak-gflops)\)\./) != nil,
              let sweeps = lines.firstIndex(of: "## Sweeps") else { return false }
        return lines[sweeps...].contains { $0 == sweepsTableHeading }
    }

    func run() throws {
        // Made before any thread is started, so that a signal is never lost (`InterruptionCleanup`);
        // an interruption removes the scratch folder, after ending the child process running in it.
        let interruption = InterruptionCleanup()
        defer { withExtendedLifetime(interruption) {} }
        let threads = runtime.threadCount
        let corePeak = peakGflops ?? measuredPeakGFLOPs()
        let peak = corePeak * Double(threads)
        var lines = ["# Benchmarks", "", machineDescription(threads: threads, corePeak: corePeak), ""]
        if quick { lines += [Self.quickRunNote, ""] }
        func emit(_ line: String = "") {
            print(line)
            lines.append(line)
        }

        if engineOnly || memoryOnly || modelsOnly || stepsOnly { print(lines[2] + "\n") }   // the file, which starts with it, is not written
        if modelsOnly {
            try modelCosts(emit)
            emit("")
            try gradientCancelingKernels(emit)
            emit("")
            try kernelRidgeCurvature(emit)
            emit("")
            return try poisonabilityBudgets(emit)
        }
        let scratch = try BenchScratch(executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(), interruption: interruption)
        defer { removeScratchFolder(scratch.folder) }
        if memoryOnly { return try memoryTable(emit, scratch: scratch, threads: threads) }
        emit("## Sweeps")
        emit()
        emit("Peak memory: of the benchmark process so far for in-process rows, of the child process for the command.")
        emit()
        emit(Self.sweepsTableHeading)
        emit("|---|---:|---:|---:|---:|---:|---:|")
        let reference = try Study(StudyConfig.reference)
        let engine = median((0..<repetitions).map { _ in timed { _ = runStudy(reference, threads: threads) } })
        emit(row("Default study, engine only, in process (median of \(repetitions))", reference, seconds: engine, peak: peak,
                 memory: peakMemoryMiB()))
        if stepsOnly { return try commandSteps(emit, reference: reference, engine: engine, peak: peak, scratch: scratch, threads: threads) }
        if engineOnly {
            try deepAndWideNetworks(emit, peak: peak, threads: threads)
            emit()
            try oneRunScaling(emit, corePeak: corePeak)
            emit()
            try modelCosts(emit)
            emit()
            try gradientCancelingKernels(emit)
            emit()
            try kernelRidgeCurvature(emit)
            emit()
            return try poisonabilityBudgets(emit)
        }
        let referenceRuns = runStudy(reference, threads: threads).results
        let analysed = StudyResults(study: reference, runs: referenceRuns, toolVersion: toolVersion, threads: threads)
        let statistics = median((0..<repetitions).map { _ in
            timed { _ = studyStatistics(runs: referenceRuns, fits: analysed.fits, series: analysed.series, config: analysed.config,
                                        testRows: analysed.data.testCount, threads: threads) }
        })
        emit(String(format: "| Default study, statistics only (%d bootstrap replicates, curve comparison, differences; median of %d) "
            + "| %d | %.3f | | | | |", reference.config.analysis.replicates, repetitions, reference.runSpecs.count, statistics))

        // The whole command as a user runs it: this executable, in a child process, into a scratch folder.
        /// The wall seconds of the whole command with `extra` arguments, the median of the repetitions.
        func wholeCommand(_ extra: [String]) throws -> Double {
            median(try (0..<repetitions).map { _ in
                try timedThrowing {
                    try scratch.runChild(["--output", scratch.folder.appendingPathComponent("output").path, "--quiet", "--threads", "\(threads)"] + extra)
                }
            })
        }
        // Every run trained (no store), then every run read from a store the first repetition fills.
        let whole = try wholeCommand(["--no-store"])
        let fromStore = try wholeCommand([])
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        let childMemory = Double(usage.ru_maxrss) / 1024
        emit(row("Default study, the whole `make-report` command: process, training, figures, reports, `--no-store` (median of \(repetitions))",
                 reference, seconds: whole, peak: peak, memory: childMemory))
        emit(String(format: "| Default study rerun, the whole command with every run from the run store (median of %d) | %d | %.3f | | | | |",
                    repetitions, reference.runSpecs.count, fromStore))
        let checks = try storeCheckSeconds(reference, store: defaultStorePath(besideOutput: scratch.folder.appendingPathComponent("output").path))
        emit(String(format: "| Of it: the checks of the stored runs (checksums and merge's checks, in process) | %d | %.5f (%.2f%%) | | | | |",
                    reference.runSpecs.count, checks, 100 * checks / fromStore))

        if sizes.adaptiveStudy { try adaptiveStudy(emit, scratch: scratch, threads: threads) }

        if largeSeeds > 0 {
            let large = try Study(StudyConfig(models: [32, 64, 128, 256, 512, 1024].map(StudyConfig.mlp),
                                              seeds: (1...UInt64(largeSeeds)).map { $0 }))
            let seconds = timed { _ = runStudy(large, threads: threads) }
            emit(row("Larger sweep, engine only: widths 32-1024, 9 fractions, \(largeSeeds) seeds", large, seconds: seconds,
                     peak: peak, memory: peakMemoryMiB()))
        }

        try deepAndWideNetworks(emit, peak: peak, threads: threads)

        emit()
        emit("## Where the default command's time goes (in process unless noted; median of \(repetitions))")
        emit()
        emit("| Step | Wall (s) |")
        emit("|---|---:|")
        for (step, seconds) in try commandBreakdown(reference, runs: referenceRuns, scratch: scratch,
                                                    training: engine, threads: threads) {
            emit(String(format: "| %@ | %.3f |", step, seconds))
        }
        emit(String(format: "| The whole command, measured (above) | %.3f |", whole))

        emit()
        emit("## What HTML and CSV output add to the default command (issue 22's budget: at most 0.05 s; median of \(repetitions))")
        emit()
        emit("| Outputs (writeStudyOutputs, in process, published to a scratch folder) | Wall (s) |")
        emit("|---|---:|")
        let added = try htmlAndCSVCost(reference, runs: referenceRuns, scratch: scratch, threads: threads)
        for (step, seconds) in added.rows { emit(String(format: "| %@ | %.3f |", step, seconds)) }
        emit(String(format: "| HTML and CSV output add (the difference) | %.3f |", added.difference))

        let catalogue = ["attacks", "defenses", "svm"].map { "examples/\($0)/study.yaml" }.filter(FileManager.default.fileExists)
        if !catalogue.isEmpty {
            emit()
            emit("## Catalogue examples, the whole command (`--no-store`, once each)")
            emit()
            emit("| Study | Runs | Wall (s) |")
            emit("|---|---:|---:|")
            for path in catalogue {
                let study = try StudyOptions.parse(["--study", path]).resolve()
                let seconds = try timedThrowing {
                    try scratch.runChild(["--study", path, "--output", scratch.folder.appendingPathComponent("catalogue").path, "--quiet",
                                              "--no-store", "--threads", "\(threads)"])
                }
                emit(String(format: "| %@ | %d | %.2f |", path, study.runSpecs.count, seconds))
            }
        }

        emit()
        emit("## Cost of each defense (MLP 64, random label flips at 0% and 20%, 3 seeds, engine only, median of \(repetitions))")
        emit()
        emit("| Defense | Runs | Wall (s) | Relative to none |")
        emit("|---|---:|---:|---:|")
        var undefended = 0.0
        for defense in Registry.defenses {
            let study = try Study(StudyConfig(models: [StudyConfig.mlp(64)], defenses: [StudyConfig.component(defense.kind)],
                                              fractions: [0, 0.2], seeds: [1, 2, 3]))
            let seconds = median((0..<repetitions).map { _ in timed { _ = runStudy(study, threads: threads) } })
            if defense.kind == NoDefense.kind { undefended = seconds }
            emit(String(format: "| %@ | %d | %.3f | %.2f× |", defense.kind, study.runSpecs.count, seconds, seconds / max(undefended, 1e-9)))
        }

        emit()
        try oneRunScaling(emit, corePeak: corePeak)

        emit()
        try modelCosts(emit)

        emit()
        try gradientCancelingKernels(emit)

        emit()
        try kernelRidgeCurvature(emit)

        emit()
        try poisonabilityBudgets(emit)

        emit()
        try memoryTable(emit, scratch: scratch, threads: threads)

        emit()
        emit("## Report templates of many tags (checked, scanned and rendered against the default study's report; median of \(repetitions))")
        emit()
        emit("| Tags | Wall (s) | µs per tag |")
        emit("|---:|---:|---:|")
        let context = reportContext(for: analysed, format: .markdown, settings: ReportSettings(command: "make-report", figureExtension: "png"))
        for tags in [10_000, 40_000] {
            let template = String(repeating: "{{title}}\n", count: tags)
            let seconds = median(try (0..<repetitions).map { _ in
                try timedThrowing { _ = try renderReport(template: template, fileName: "bench.md", context: context, strict: false) }
            })
            emit(String(format: "| %d | %.3f | %.1f |", tags, seconds, seconds / Double(tags) * 1e6))
        }

        let text = lines.joined(separator: "\n") + "\n"
        let file = URL(fileURLWithPath: results)
        try checkResultsFile()
        try OutputFolder(path: file.deletingLastPathComponent().path).write(Data(text.utf8), to: file.lastPathComponent)
        print("\nWrote \(results)")
    }

    /// The table of the whole command's peak resident memory against its estimate
    /// (`estimatedStudyMemory`), one child process per data size.
    private func memoryTable(_ emit: (String) -> Void, scratch: BenchScratch, threads: Int) throws {
        let common = ["--seeds", "1", "--fractions", "0", "--epochs", "1", "--widths", "8"]
        emit("## Peak memory of the whole command against its estimate (`\(common.joined(separator: " ")) --no-store`, \(threads) threads)")
        emit("")
        emit("Measured: the child's peak resident memory (VmHWM, read every millisecond). Estimate: the process's own "
            + String(format: "%.0f MiB", processOverheadBytes / 1_048_576) + " plus the larger of making the data and the data with "
            + "every worker's runs (`estimatedStudyMemory`).")
        emit("")
        emit("| Samples | Features | Making the data (MiB) | Data (MiB) | Run (MiB) | Estimate (MiB) | Measured peak (MiB) | Measured / estimate |")
        emit("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (samples, features) in sizes.memoryShapes {
            let study = common + ["--samples", "\(samples)", "--features", "\(features)"]
            let design = try StudyOptions.parse(study).design
            let memory = estimatedStudyMemory(design, sizes: design.data.plannedSizes!, threads: threads, makingBytes: design.data.estimatedBytes)
            let output = scratch.folder.appendingPathComponent("memory").path
            let (status, peak) = try scratch.childPeak(study + ["--no-store", "--quiet", "--threads", "\(threads)", "--output", output])
            guard status == 0 else { throw ExitCode(status) }
            let mebibyte = 1_048_576.0
            emit(String(format: "| %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f |", samples, features, memory.making / mebibyte,
                        memory.data / mebibyte, memory.perWorker / mebibyte, memory.total / mebibyte, peak / mebibyte, peak / memory.total))
        }
    }

    /// The table of one run on one thread per width (500 samples) and per sample count (width 128).
    private func oneRunScaling(_ emit: (String) -> Void, corePeak: Double) throws {
        emit("## One run on one thread (200 epochs, median of \(repetitions))")
        emit("")
        emit("| Width | Training samples | Wall (s) | GFLOP/s | % of one core's peak | ns per (sample · epoch · width) |")
        emit("|---:|---:|---:|---:|---:|---:|")
        let widths = [32, 64, 128, 256, 512, 1024, 2048].map { (width: $0, samples: 500) }
        let sampleCounts = sizes.oneRunSamples.map { (width: 128, samples: $0) }
        for (width, samples) in widths + sampleCounts {
            let config = try Study(StudyConfig(data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(samples)]),
                                               models: [StudyConfig.mlp(width)], fractions: [0], seeds: [1]))
            let seconds = median((0..<repetitions).map { _ in timed { _ = runStudy(config, threads: 1) } })
            let trainRows = Double(config.split.train.count), epochs = Double(config.config.training.epochs)
            let gflops = trainingFLOPs(config) / seconds / 1e9
            emit(String(format: "| %d | %d | %.3f | %.1f | %.1f%% | %.3f |", width, config.split.train.count, seconds,
                        gflops, gflops / corePeak * 100, seconds / (trainRows * epochs * Double(width)) * 1e9))
        }
        emit("")
        emit("## Eight runs of one network on one thread: one at a time, and packed in SIMD lanes (the same bits; median of \(repetitions))")
        emit("")
        emit("| Width | One at a time (s) | Packed (s) | Speed-up | GFLOP/s packed | % of one core's peak |")
        emit("|---:|---:|---:|---:|---:|---:|")
        for width in [32, 64, 128, 256, 512] {
            let study = try Study(StudyConfig(models: [StudyConfig.mlp(width)], fractions: [0], seeds: Array(1...8)))
            let specs = study.runSpecs
            let alone = median((0..<repetitions).map { _ in timed { _ = executeRuns(specs, study: study, minimumPack: specs.count + 1) } })
            let packed = median((0..<repetitions).map { _ in timed { _ = executeRuns(specs, study: study, widestPacked: .max) } })
            let gflops = trainingFLOPs(study) / packed / 1e9
            emit(String(format: "| %d | %.3f | %.3f | %.2f× | %.1f | %.1f%% |", width, alone, packed, alone / packed, gflops, gflops / corePeak * 100))
        }
    }

    /// The table of each model kind's training on one thread against issue 23's budgets: a linear
    /// SVM's pass over the rows at most twice a logistic regression's epoch, kernel ridge solved on
    /// 1,000 rows within 50 ms, the MLP's epoch beside them; then kernel ridge's solve alone with the
    /// blocked Cholesky factorization and with the reference it is checked against. Times are the CPU
    /// time of the training thread, which other processes' load inflates far less than wall time. An
    /// epoch's or a pass's cost is the difference between training 2n and n of them, divided by n, so
    /// that what training does once (copying the rows, the final loss) is left out; the SVM makes 2
    /// and 4 passes at the smallest tolerance allowed (on these rows it converges in fewer than 25).
    /// A pass takes about a tenth of a millisecond, so one training is too short to time stably (the
    /// ratio to logistic regression moved by 10% between runs): each timed sample trains the SVM
    /// `svmTrainings` times and logistic regression `logisticTrainings` times, tens of milliseconds
    /// each, and a sample's time is divided by its trainings.
    /// GFLOP/s from `BenchFLOPs`; the SVM's is an upper bound, from a step at every row of every pass:
    /// shrinking leaves rows out of the later passes, so no lower count holds for a measured pass.
    /// Beside it, the rows the measured passes (3 and 4) visit per pass (`LinearSVM.rowVisits`),
    /// against classes × rows for a pass over every row: what a measured pass costs per row visited.
    /// Last, issue 25's input-curvature budget: one power iteration of 20 input Hessian-vector products
    /// over 150 test rows for an MLP of 64 hidden units trained on these rows, at most 20 ms.
    private func modelCosts(_ emit: (String) -> Void) throws {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(2000), "train-fraction": .double(0.5)])
        let study = try Study(StudyConfig(data: data, models: [StudyConfig.mlp(64)], fractions: [0], seeds: [1]))
        let rows = study.split.train, sizes = study.split.sizes
        emit("## Training each model kind on one thread (\(rows.count) rows of the default study's data, "
            + "\(sizes.features) features, \(sizes.classes) classes; median of \(repetitions))")
        emit("")
        emit("| Model | Measured | Thread CPU (s) | ms per epoch or pass | GFLOP/s | Budget |")
        emit("|---|---|---:|---:|---:|---|")
        /// Median CPU seconds of this thread running `body`.
        func cpuSeconds(_ body: () -> Void) -> Double {
            median((0..<repetitions).map { _ in
                let start = threadCPUSeconds()
                body()
                return threadCPUSeconds() - start
            })
        }
        /// Median CPU seconds of this thread training `model` with `epochs` epochs, per training when a
        /// sample trains it `times` times.
        func training(_ model: any ModelArchitecture, epochs: Int, times: Int = 1) -> Double {
            let trainable = model.model(for: sizes), settings = TrainingSettings(epochs: epochs)
            return cpuSeconds {
                for _ in 0..<times { _ = trainable.train(rows, settings: settings, seed: 1, adjustment: TrainingAdjustment()) }
            } / Double(times)
        }
        /// Median seconds of `count` and of 2 `count` epochs (or passes), and milliseconds per one.
        func perEpoch(_ count: Int, _ seconds: (Int) -> Double) -> (once: Double, twice: Double, milliseconds: Double) {
            let once = seconds(count), twice = seconds(2 * count)
            return (once, twice, (twice - once) / Double(count) * 1000)
        }
        /// GFLOP/s of `flops` in `milliseconds`.
        func gflops(_ flops: Double, milliseconds: Double) -> Double { flops / milliseconds / 1e6 }
        let epochs = 100, passes = 2, logisticTrainings = 5, svmTrainings = 100
        let logistic = perEpoch(epochs) { training(LogisticRegression(), epochs: $0, times: logisticTrainings) }
        let svm = perEpoch(passes) { training(LinearSVM(c: 1, tolerance: 1e-14, maxPasses: $0), epochs: 1, times: svmTrainings) }
        let mlp = perEpoch(epochs) { training(MLP(hidden: [64]), epochs: $0) }
        let solve = training(KernelRidge(kernel: .rbf, lengthScale: 1, lambda: 1), epochs: 1)
        let logisticFLOPs = BenchFLOPs.networkEpoch(NetworkShape(inputs: sizes.features, hidden: [], classes: sizes.classes), rows: rows.count)
        let mlpFLOPs = BenchFLOPs.networkEpoch(NetworkShape(inputs: sizes.features, hidden: [64], classes: sizes.classes), rows: rows.count)
        let svmFLOPs = BenchFLOPs.linearSVMPass(rows: rows.count, features: sizes.features, classes: sizes.classes)
        let ridgeFLOPs = BenchFLOPs.kernelRidgeTraining(.rbf, rows: rows.count, features: sizes.features, classes: sizes.classes)
        emit(String(format: "| logistic regression | %d and %d epochs (%d trainings a sample) | %.5f, %.5f | %.4f | %.1f | |", epochs, 2 * epochs,
                    logisticTrainings, logistic.once, logistic.twice, logistic.milliseconds, gflops(logisticFLOPs, milliseconds: logistic.milliseconds)))
        let visits = { (maxPasses: Int) in
            LinearSVM(c: 1, tolerance: 1e-14, maxPasses: maxPasses).rowVisits(training: rows, sizes: sizes)
        }
        let visitsPerPass = Double(visits(2 * passes) - visits(passes)) / Double(passes)
        emit(String(format: "| linear SVM (C = 1) | %d and %d passes (%d trainings a sample; passes %d to %d visit %.0f of the %d rows × classes a pass) "
                        + "| %.5f, %.5f | %.4f | at most %.1f | ≤ 2× logistic: %.2f× |",
                    passes, 2 * passes, svmTrainings, passes + 1, 2 * passes, visitsPerPass, rows.count * sizes.classes, svm.once, svm.twice, svm.milliseconds,
                    gflops(svmFLOPs.upperBound, milliseconds: svm.milliseconds), svm.milliseconds / logistic.milliseconds))
        emit(String(format: "| MLP 64 | %d and %d epochs | %.4f, %.4f | %.3f | %.1f | |", epochs, 2 * epochs, mlp.once, mlp.twice,
                    mlp.milliseconds, gflops(mlpFLOPs, milliseconds: mlp.milliseconds)))
        emit(String(format: "| kernel ridge (RBF) | the solve and the training loss | %.4f | | %.1f | ≤ 50 ms: %.1f ms |", solve,
                    gflops(ridgeFLOPs, milliseconds: solve * 1000), solve * 1000))
        let points = rows.features.map(Double.init)
        let targets = rows.labels.flatMap { label in (0..<sizes.classes).map { $0 == label ? 1.0 : 0.0 } }
        let solveFLOPs = BenchFLOPs.kernelRidgeSolve(.rbf, rows: rows.count, features: sizes.features, classes: sizes.classes)
        for (variant, name) in [(CholeskyVariant.blocked, "blocked"), (.reference, "reference")] {
            let seconds = cpuSeconds {
                _ = KernelRidgeModel.ridgeSolve(points: points, targets: targets, features: sizes.features, classes: sizes.classes,
                                                kernel: .rbf, lengthScale: 1, lambda: 1, variant: variant)
            }
            emit(String(format: "| kernel ridge (RBF), the solve alone | %@ Cholesky | %.4f | | %.1f | |", name, seconds,
                        gflops(solveFLOPs, milliseconds: seconds * 1000)))
        }
        // Issue 25's budget: "one power iteration of 20 Hessian-vector products over 150 rows costs at most
        // 20 ms for the reference MLP". Above `exactLimit` 0 power iteration runs; tolerance 0 makes it
        // run all 20 products (the MLP's input Hessian is positive semi-definite: one run, no shifted one).
        let curvatureRows = 150, products = 20
        let trained = MLP(hidden: [64]).model(for: sizes).train(rows, settings: TrainingSettings(), seed: 1, adjustment: TrainingAdjustment())
        let measured = study.split.test.rows(Array(0..<curvatureRows))
        let hessian = trained.model.capable((any InputHessianClassifier).self).inputHessian(rows: curvatureRows)
        let curvature = cpuSeconds {
            _ = hessian.meanTop(inputs: measured.features, labels: measured.labels, seed: 1, exactLimit: 0, tolerance: 0, maximumProducts: products)
        }
        emit(String(format: "| MLP 64, input curvature | power iteration, %d Hessian-vector products over %d test rows | %.5f | %.4f per product | "
            + "| ≤ 20 ms: %.2f ms |", products, curvatureRows, curvature, curvature * 1000 / Double(products), curvature * 1000))
    }

    /// Kernel ridge's exact input curvature at the digits' size (issue 25's near-clone regime on the
    /// digits: `InputCurvatureFilter` scores every training row by its own top eigenvalue): kernel
    /// ridge (RBF, ℓ = 4) solved on the 1,258 training rows of 2,516 Gaussian-cluster rows of 64
    /// features and 10 classes, then on one thread each row's top input-Hessian eigenvalue with H_r
    /// assembled in closed form (`InputHessianAssembler`, every row) and built from 64 Hessian-vector
    /// products (the reference, on the first 100 rows: about 4 times the cost per row), and the top
    /// eigenvalue of the mean Hessian over the 539 first test rows (the digits' test size) both ways.
    /// Thread CPU time, median of `repetitions`; the largest difference of the two ways' eigenvalues.
    private func kernelRidgeCurvature(_ emit: (String) -> Void) throws {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(sizes.curvatureSamples), "features": .int(64),
                                                                 "classes": .int(10), "train-fraction": .double(0.5)])
        let ridge = StudyConfig.component(KernelRidge.kind, ["kernel": .string("rbf"), "length-scale": .double(4)])
        let study = try Study(StudyConfig(data: data, models: [ridge], fractions: [0], seeds: [1]))
        let rows = study.split.train, sizes = study.split.sizes, test = study.split.test.rows(Array(0..<min(539, study.split.test.count)))
        let fit = KernelRidge(kernel: .rbf, lengthScale: 4, lambda: 1).model(for: sizes)
            .train(rows, settings: TrainingSettings(), seed: 1, adjustment: TrainingAdjustment())
        let model = fit.model.capable((any InputHessianClassifier).self), reference = rows.rows(Array(0..<min(100, rows.count)))
        emit("## Kernel ridge's exact input curvature at 64 features on one thread (\(rows.count) training rows of Gaussian clusters, "
            + "10 classes, RBF ℓ = 4; median of \(repetitions))")
        emit("")
        emit("| Measured | Rows | Thread CPU (s) | ms per row | Largest eigenvalue difference |")
        emit("|---|---:|---:|---:|---:|")
        func cpuSeconds(_ body: () -> Void) -> Double {
            median((0..<repetitions).map { _ in
                let start = threadCPUSeconds()
                body()
                return threadCPUSeconds() - start
            })
        }
        func rowTops(_ rows: Dataset, assembled: Bool) -> [Double] {
            model.inputHessian(rows: rows.count).rowTops(inputs: rows.features, labels: rows.labels, seed: 1, assembled: assembled).values
        }
        let assembledRows = cpuSeconds { _ = rowTops(rows, assembled: true) }
        let productRows = cpuSeconds { _ = rowTops(reference, assembled: false) }
        let rowDifference = zip(rowTops(reference, assembled: true), rowTops(reference, assembled: false)).map { abs($0 - $1) }.max() ?? 0
        emit(String(format: "| each row's own top eigenvalue, closed form | %d | %.3f | %.3f | |", rows.count, assembledRows,
                    assembledRows * 1000 / Double(rows.count)))
        emit(String(format: "| each row's own top eigenvalue, 64 products per row (reference) | %d | %.3f | %.3f | %.2g |", reference.count,
                    productRows, productRows * 1000 / Double(reference.count), rowDifference))
        func meanTop(assembled: Bool) -> Double {
            model.inputHessian(rows: test.count).meanTop(inputs: test.features, labels: test.labels, seed: 1, assembled: assembled).value
        }
        let assembledMean = cpuSeconds { _ = meanTop(assembled: true) }
        let productMean = cpuSeconds { _ = meanTop(assembled: false) }
        emit(String(format: "| the mean Hessian's top eigenvalue, closed form | %d | %.4f | %.4f | |", test.count, assembledMean,
                    assembledMean * 1000 / Double(test.count)))
        emit(String(format: "| the mean Hessian's top eigenvalue, 64 products (reference) | %d | %.3f | %.3f | %.2g |", test.count, productMean,
                    productMean * 1000 / Double(test.count), abs(meanTop(assembled: true) - meanTop(assembled: false))))
    }

    /// Gradient canceling on one thread with its objective computed by the fast and by the reference
    /// kernel (`GradientCancelingKernel`), at the size examples/poisonability-mlp is budgeted by: the
    /// default study's data (350 training rows), an MLP of 32 hidden units, a GradPC target at
    /// ε_w = 0.15, ε_d = 1 (350 poisons), 1,000 steps, seed 1. One untimed run first trains the clean
    /// model and the target (kept in the attack's cache, so the timed runs only craft the poisons);
    /// then the kernels alternate, reference first, `repetitions` times. Thread CPU time, median;
    /// the last poisoned sets of the two are compared bit for bit.
    private func gradientCancelingKernels(_ emit: (String) -> Void) throws {
        let config = StudyConfig(models: [StudyConfig.mlp(32)],
                                 attacks: [StudyConfig.component(GradientCanceling.kind, ["target": .string("gradpc 0.15")])],
                                 fractions: [0, 1], seeds: [1], targets: [StudyConfig.component(GradPCTarget.kind, ["eps-w": .double(0.15)])])
        let study = try Study(config)
        guard let attack = study.attacks.first as? GradientCanceling else { preconditionFailure("the study's attack is gradient canceling") }
        let split = study.split
        let trainer = ModelTrainer(model: study.models[0].model(for: split.sizes), settings: study.config.training, seed: 1)
        _ = attack.poison(split, fraction: 1, seed: 1, trainer: trainer)
        var seconds = [GradientCancelingKernel: [Double]](), features = [GradientCancelingKernel: [UInt32]]()
        for _ in 0..<repetitions {
            for kernel in [GradientCancelingKernel.reference, .fast] {
                let start = threadCPUSeconds()
                let poisoned = attack.computed(by: kernel).poison(split, fraction: 1, seed: 1, trainer: trainer)
                seconds[kernel, default: []].append(threadCPUSeconds() - start)
                features[kernel] = poisoned?.data.features.map(\.bitPattern) ?? []
            }
        }
        let reference = median(seconds[.reference]!), fast = median(seconds[.fast]!)
        let same = features[.fast]!.isEmpty ? "no poisoned set" : features[.fast] == features[.reference] ? "yes" : "NO"
        emit("## Gradient canceling's kernels on one thread (MLP 32, \(split.train.count) rows of the default study's data, "
            + "ε_d = 1: \(split.train.count) poisons, \(GradientCanceling.defaultSteps) steps; median of \(repetitions), alternating)")
        emit("")
        emit("| Kernel | Thread CPU (s) | Speed-up over the reference | Poisoned set identical to the reference's |")
        emit("|---|---:|---:|---|")
        emit(String(format: "| reference | %.3f | 1.00× | |", reference))
        emit(String(format: "| fast | %.3f | %.2f× | %@ |", fast, reference / fast, same))
    }

    /// Issue 24's speed budgets on one thread, each row with its budget: τ of a GradPC target
    /// (ε_w = 0.1) of softmax regression on the reference study's training rows (one pass over them;
    /// at most 5 ms), and one gradient-canceling run at ε_d = 0.2 on 1,000 training rows of the
    /// make_classification example's generator (logistic regression, GradPC at ε_w = 0.1, 1,000 steps;
    /// at most 2 s). The clean models and targets are trained first, untimed; thread CPU time, median.
    private func poisonabilityBudgets(_ emit: (String) -> Void) throws {
        let gradPC = StudyConfig.component(GradPCTarget.kind, ["eps-w": .double(0.1)])
        let logistic = StudyConfig.component(LogisticRegression.kind)
        let reference = try Study(StudyConfig(models: [logistic], fractions: [0], seeds: [1]))
        let referenceRows = reference.split.train
        let referenceTrainer = ModelTrainer(model: reference.models[0].model(for: reference.split.sizes), settings: reference.config.training, seed: 1)
        guard let clean = referenceTrainer.train(referenceRows).model as? NetworkParameters,
              let target = GradPCTarget(epsW: 0.1).target(clean: clean, train: referenceRows, trainer: referenceTrainer, seed: 1) else {
            return emit("## Issue 24's budgets: the reference study's clean model or its target diverged")
        }
        let tau = median((0..<repetitions).map { _ in
            let start = threadCPUSeconds()
            _ = poisonabilityThreshold(of: target, on: referenceRows)
            return threadCPUSeconds() - start
        })
        let data = StudyConfig.component(MadeClassification.kind, ["samples": .int(1429), "features": .int(10), "informative": .int(5),
                                                                   "redundant": .int(2), "classes": .int(2), "clusters-per-class": .int(1),
                                                                   "class-sep": .double(0.5), "flip-y": .double(0.1)])
        let made = try Study(StudyConfig(data: data, models: [logistic],
                                         attacks: [StudyConfig.component(GradientCanceling.kind, ["target": .string("gradpc 0.1")])],
                                         fractions: [0, 0.2], seeds: [1], targets: [gradPC]))
        guard let attack = made.attacks.first as? GradientCanceling else { preconditionFailure("the study's attack is gradient canceling") }
        let trainer = ModelTrainer(model: made.models[0].model(for: made.split.sizes), settings: made.config.training, seed: 1)
        _ = attack.poison(made.split, fraction: 0.2, seed: 1, trainer: trainer)
        let canceling = median((0..<repetitions).map { _ in
            let start = threadCPUSeconds()
            _ = attack.poison(made.split, fraction: 0.2, seed: 1, trainer: trainer)
            return threadCPUSeconds() - start
        })
        emit("## Issue 24's budgets on one thread (median of \(repetitions))")
        emit("")
        emit("| Measured | Thread CPU (ms) | Budget |")
        emit("|---|---:|---|")
        emit(String(format: "| τ of a GradPC target (ε_w = 0.1), softmax regression, %d rows of the reference study's data | %.3f | ≤ 5 ms |",
                    referenceRows.count, tau * 1000))
        emit(String(format: "| gradient canceling by its default projected L-BFGS (not Algorithm 1's SGD, `optimizer: sgd-momentum`), ε_d = 0.2 (%d poisons), "
                    + "logistic regression, %d rows of make_classification | %.1f | ≤ 2000 ms |",
                    poisonCount(fraction: 0.2, of: made.split.train.count), made.split.train.count, canceling * 1000))
    }

    /// Issue 26's two network shapes beyond the default study, engine only: 4 runs of two 256 layers
    /// and 12 runs of one 512 layer, each on 3,500 training rows of Gaussian clusters (5,000 samples),
    /// 200 epochs: the hidden-to-hidden product and the wide layer that the register-blocked kernels
    /// carry (too wide to pack runs into SIMD lanes, so each run trains alone). `--quick`: one run of
    /// each on 350 training rows (500 samples).
    private func deepAndWideNetworks(_ emit: (String) -> Void, peak: Double, threads: Int) throws {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(sizes.deepSamples)])
        let shapes: [(name: String, hidden: [Int], fractions: [Double], seeds: [UInt64])] = [
            ("two 256 layers", [256, 256], [0, 0.1], [1, 2]),
            ("one 512 layer", [512], [0, 0.1, 0.2], [1, 2, 3, 4]),
        ]
        for shape in shapes {
            let model = StudyConfig.component(MLP.kind, ["hidden": .list(shape.hidden.map { .int($0) })])
            let study = try Study(StudyConfig(data: data, models: [model], fractions: sizes.deepOnce ? [0] : shape.fractions,
                                              seeds: sizes.deepOnce ? [1] : shape.seeds))
            let seconds = median((0..<repetitions).map { _ in timed { _ = runStudy(study, threads: threads) } })
            let name = "\(study.runSpecs.count) run\(study.runSpecs.count == 1 ? "" : "s"), \(shape.name), "
                + "\(groupedDigits(study.split.train.count)) training rows"
            emit(row("\(name), engine only (median of \(repetitions))", study, seconds: seconds, peak: peak, memory: peakMemoryMiB()))
        }
    }

    private func row(_ name: String, _ config: Study, seconds: Double, peak: Double, memory: Double) -> String {
        let gflops = trainingFLOPs(config) / seconds / 1e9
        return String(format: "| %@ | %d | %.3f | %.1f | %.1f | %.1f%% | %.0f |", name, config.runSpecs.count, seconds,
                      Double(config.runSpecs.count) / seconds, gflops, gflops / peak * 100, memory)
    }

    /// The adaptive reference study (`--until-resolved`; issue 21's budget: 10 s on 2 cores), once
    /// cold, every run trained into a new run store, then once warm, every run from that store: the
    /// difference is the training, the warm run the looks' analyses, figures and reports.
    private func adaptiveStudy(_ emit: (String) -> Void, scratch: BenchScratch, threads: Int) throws {
        let folder = scratch.folder.appendingPathComponent("adaptive")
        let arguments = ["--until-resolved", "--output", folder.appendingPathComponent("output").path, "--quiet",
                         "--threads", "\(threads)", "--store", folder.appendingPathComponent("runs.sqlite").path]
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let cold = try timedThrowing { try scratch.runChild(arguments) }
        let warm = try timedThrowing { try scratch.runChild(arguments) }
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("output/results.json")))
        let runs = ((results as? [String: Any])?["runs"] as? [Any])?.count ?? 0
        emit(String(format: "| Adaptive reference study (`--until-resolved`), the whole command, cold: every run trained into a new "
            + "run store (once) | %d | %.3f | %.1f | | | |", runs, cold, Double(runs) / cold))
        emit(String(format: "| Of it: the same command warm, every run from that store (the looks' analyses, figures, reports; once) "
            + "| %d | %.3f | | | | |", runs, warm))
    }

    /// `--steps-only`: the whole default command (`--no-store`, a child process) as a row of the sweeps
    /// table, then the table of where its time goes (`commandBreakdown`), as the full run prints them.
    private func commandSteps(_ emit: (String) -> Void, reference: Study, engine: Double, peak: Double, scratch: BenchScratch,
                              threads: Int) throws {
        let whole = median(try (0..<repetitions).map { _ in
            try timedThrowing {
                try scratch.runChild(["--output", scratch.folder.appendingPathComponent("output").path, "--quiet", "--threads", "\(threads)",
                                      "--no-store"])
            }
        })
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        emit(row("Default study, the whole `make-report` command: process, training, figures, reports, `--no-store` (median of \(repetitions))",
                 reference, seconds: whole, peak: peak, memory: Double(usage.ru_maxrss) / 1024))
        emit("")
        emit("| Step | Wall (s) |")
        emit("|---|---:|")
        let runs = runStudy(reference, threads: threads).results
        for (step, seconds) in try commandBreakdown(reference, runs: runs, scratch: scratch, training: engine, threads: threads) {
            emit(String(format: "| %@ | %.3f |", step, seconds))
        }
        emit(String(format: "| The whole command, measured (above) | %.3f |", whole))
    }

    /// The steps of the default command, each timed alone: process start and exit (a child running
    /// `--version`), resolving the study (drawing the data), training (`training`, measured above),
    /// the analysis, the figures, the reports, and writing the output set (hashing, fsync, exchange).
    private func commandBreakdown(_ study: Study, runs: [RunResult], scratch: BenchScratch, training: Double,
                                  threads: Int) throws -> [(String, Double)] {
        func measure(_ body: () throws -> Void) throws -> Double { median(try (0..<repetitions).map { _ in try timedThrowing(body) }) }
        let process = try measure { try scratch.runChild(["--version"]) }
        let resolve = try measure { _ = try Study(StudyConfig.reference) }
        var results: StudyResults?
        let analysis = try measure { results = StudyResults(study: study, runs: runs, toolVersion: toolVersion, threads: threads) }
        var figures = [(fileName: String, data: Data)]()
        let drawing = try measure { figures = try renderStudyFigures(results!, formats: [.png], dpi: 150, threads: threads) }
        // What `writeStudyOutputs` makes beside the figures (measured apart here): the report model once,
        // from the figures the figures step drew (their names and captions), then each template's
        // context and rendering.
        let figureList = studyFigures(results!)
        var reports = [(String, String)]()
        let reporting = try measure {
            let model = ReportModel(results!, command: "make-report", figures: figureList)
            reports = try ReportTemplate.shipped().map { template in
                let context = templateContext(model, format: template.format) { "figures/\($0.name).png" }
                return ("report.\(template.format.rawValue)",
                        try renderReport(template: template.text, fileName: template.name, context: context, strict: false).text)
            }
        }
        let writing = try measure {
            try scratch.writingStagedFolder("breakdown") { folder in
                try folder.write(try results!.jsonData(), to: "results.json")
                for figure in figures { try folder.write(figure.data, to: "figures/" + figure.fileName) }
                for (name, text) in reports { try folder.write(Data(text.utf8), to: name) }
                try folder.publish()
            }
        }
        return [("Process start and exit (`make-report --version`, child process)", process),
                ("Resolving the study (drawing the data set)", resolve),
                ("Training the 81 runs (engine, above)", training),
                ("Analysis: aggregation, fits, statistics, findings", analysis),
                ("Figures: three PNGs at 150 dpi (drawing and compression)", drawing),
                ("Reports: the report model once, every shipped template (figures linked, not embedded)", reporting),
                ("Writing the output set: hashes, fsync of every file, the exchange", writing),
                ("Sum of the steps", process + resolve + training + analysis + drawing + reporting + writing)]
    }

    /// The default command's outputs written as `run` writes them (`writeStudyOutputs`: study.yaml,
    /// results.json, the CSV tables, the PNG figures, the reports) with every shipped report, then
    /// without the HTML report (which embeds the figures); and the CSV tables alone (making them and
    /// writing them to a staged folder). The difference is the time HTML and CSV output add.
    private func htmlAndCSVCost(_ study: Study, runs: [RunResult], scratch: BenchScratch, threads: Int) throws
        -> (rows: [(String, Double)], difference: Double) {
        func measure(_ body: () throws -> Void) throws -> Double { median(try (0..<repetitions).map { _ in try timedThrowing(body) }) }
        let results = StudyResults(study: study, runs: runs, toolVersion: toolVersion, threads: threads)
        let shipped = ReportTemplate.shipped()
        func outputs(_ templates: [ReportTemplate]) throws -> Double {
            let settings = OutputSettings(figureFormats: [.png], dpi: 150, templates: templates, strict: false, command: "make-report",
                                          folder: "output", threads: threads)
            return try measure {
                try scratch.writingStagedFolder("outputs") { folder in
                    _ = try writeStudyOutputs(results, study: study.layout, settings: settings, into: folder)
                    try folder.publish()
                }
            }
        }
        let all = try outputs(shipped)
        let withoutHTML = try outputs(shipped.filter { $0.format != ReportFormat(rawValue: "html") })
        let csv = try measure {
            try scratch.writingStagedFolder("tables") { folder in
                for table in TidyTables.files(results) { try folder.write(Data(table.text.utf8), to: table.name) }
                try folder.publish()
            }
        }
        return ([("Every output, the reports Markdown, LaTeX and HTML (the default)", all),
                 ("The same without the HTML report", withoutHTML),
                 ("Of the default: the HTML report (the difference of the two)", all - withoutHTML),
                 ("runs.csv, points.csv and differences.csv alone (made and written)", csv)],
                all - withoutHTML + csv)
    }

    private func machineDescription(threads: Int, corePeak: Double) -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        return "Machine: \(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
            + String(format: "%.0f GiB", memory) + "; \(threads) threads; \(build) build of make-report \(toolVersion); "
            + String(format: "peak %.1f GFLOP/s per core ", corePeak)
            + (peakGflops == nil ? "(measured: SIMD8 multiplies and separate adds in 12 independent chains)." : "(given by --peak-gflops).")
    }
}

/// Floating-point operations of training every run of `study` (`BenchFLOPs`): a dense network's per
/// training row and epoch, kernel ridge's solve and training loss once per run. A linear SVM's runs
/// count none: how many passes its solver makes and how many rows step in each depend on the data.
func trainingFLOPs(_ study: Study) -> Double {
    let sizes = study.split.sizes
    return study.runSpecs.reduce(0.0) { total, spec in
        switch study.models[study.series[spec.series].model].model(for: sizes) {
        case let shape as NetworkShape:
            total + BenchFLOPs.networkEpoch(shape, rows: study.split.train.count) * Double(study.config.training.epochs)
        case let ridge as KernelRidgeModel:
            total + BenchFLOPs.kernelRidgeTraining(ridge.kernel, rows: study.split.train.count, features: ridge.inputs, classes: ridge.classes)
        default:
            total
        }
    }
}

/// The bench's scratch folder ($TMPDIR/make-report-bench-XXXXXX) and the child processes that run
/// the command in it. An interruption of the bench ends the running child (SIGTERM, which the child
/// handles as it handles any interruption) and waits for its end, then removes the folder with
/// everything in it, before the bench ends by its signal: each child is started, and reaped, in one
/// step with setting the clean-up, so that no child is left running, and no process reusing an ended
/// child's id is ever sent the signal. An output set the bench writes in process into the folder
/// (`writingStagedFolder`) is abandoned first, so that no write of the bench's own can put a file
/// back into the folder while it is removed.
private struct BenchScratch {
    /// The scratch folder.
    let folder: URL
    /// The make-report executable the children run.
    let executable: URL
    let interruption: InterruptionCleanup

    /// Makes the scratch folder, in one step with setting its removal as the clean-up of an interruption.
    init(executable: URL, interruption: InterruptionCleanup) throws {
        (self.executable, self.interruption) = (executable, interruption)
        folder = try interruption.cleanUp(makingWith: { try makeScratchFolder(prefix: "make-report-bench") }, cleanUp: { Self.removal(of: $0) })
    }

    /// The clean-up that removes `folder`, then ends the process.
    private static func removal(of folder: URL) -> CleanUp {
        { ending in
            removeScratchFolder(folder)
            ending()
        }
    }

    /// Runs the executable with `arguments` in a child process to its end, its output discarded;
    /// throws its exit status when it fails.
    func runChild(_ arguments: [String]) throws {
        let pid = try started { try spawnChild(executable, arguments, discardingErrors: false) }
        _ = hasExited(pid, waiting: true)
        let status = try reaped { reapChild(pid) }
        guard status == 0 else { throw ExitCode(status) }
    }

    /// The exit status and peak resident memory of a child process running the executable with
    /// `arguments` (`childPeakResidentBytes`).
    func childPeak(_ arguments: [String]) throws -> (status: Int32, bytes: Double) {
        try childPeakResidentBytes(executable, arguments, starting: started, reaping: reaped)
    }

    /// Starts a child with `spawn` and sets the clean-up that ends it (and waits for its end) before
    /// it removes the folder, in one step.
    private func started(_ spawn: () throws -> pid_t) throws -> pid_t {
        try interruption.cleanUp(makingWith: spawn) { [folder] pid in
            { ending in
                kill(pid, SIGTERM)
                _ = hasExited(pid, waiting: true)
                Self.removal(of: folder)(ending)
            }
        }
    }

    /// Runs `body` with a staged output folder at `name` in the scratch folder, made in one step with
    /// setting the clean-up that abandons it (`StagedOutputFolder.interruptionCleanup`: it waits for a
    /// write in progress and fails every later one) before it removes the scratch folder; the clean-up
    /// is set back to the folder's removal once the staged folder is gone. Before, an interruption
    /// while the set was written removed the scratch folder as the main thread went on writing into
    /// it, which could put a file back and leave the folder.
    func writingStagedFolder(_ name: String, _ body: (StagedOutputFolder) throws -> Void) throws {
        defer { interruption.cleanUp(with: Self.removal(of: folder)) }
        try writeStaged(name, body)
    }

    /// `writingStagedFolder`'s work: the staged folder lives until this returns.
    private func writeStaged(_ name: String, _ body: (StagedOutputFolder) throws -> Void) throws {
        let staged = try interruption.cleanUp(makingWith: { try StagedOutputFolder(path: folder.appendingPathComponent(name).path) }) {
            [folder] staged in scratchCleanUp(abandoning: staged, thenRemoving: folder)
        }
        try body(staged)
    }

    /// Reaps the child with `reap` and sets the clean-up back to the folder's removal, in one step.
    private func reaped(_ reap: () -> Int32) throws -> Int32 {
        try interruption.cleanUp(makingWith: reap) { [folder] _ in Self.removal(of: folder) }
    }
}

/// Seconds the run store's checks take for every run of `study` in the store at `path`: each
/// payload's checksum and `storedRunProblem`, the work a read from the store does beyond decoding
/// (the mean of 100 passes).
private func storeCheckSeconds(_ study: Study, store path: String) throws -> Double {
    let keys = RunKeys(study: study).keys
    let recordable = study.series.indices.map(study.recordableMetrics(of:))
    let (stored, _) = try RunStore(path: path).results(for: keys, specs: study.runSpecs, trainingRows: study.split.train.count,
                                                       testRows: study.split.test.count,
                                                       recordable: recordable)
    let entries = try zip(keys, study.runSpecs).compactMap { key, spec in
        try stored[key].map { result in
            (key, spec, result, try encodeStoredRun(StoredRun(result: result, trainingRows: study.split.train.count, testRows: study.split.test.count)))
        }
    }
    let checksums = entries.map { storedRunChecksum(key: $0.0, payload: $0.3) }
    let passes = 100
    var passed = 0
    let seconds = timed {
        for _ in 0..<passes {
            for (entry, checksum) in zip(entries, checksums)
            where storedRunChecksum(key: entry.0, payload: entry.3) == checksum
                && storedRunProblem(entry.2, spec: entry.1, trainingRows: study.split.train.count, testRows: study.split.test.count,
                                    recordable: recordable[entry.1.series]) == nil {
                passed += 1
            }
        }
    }
    guard passed == passes * study.runSpecs.count else { throw ValidationError("bench: the store did not hold every run of the study") }
    return seconds / Double(passes)
}

/// The CPU time the calling thread has used, in seconds.
private func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Wall seconds of `body`.
private func timed(_ body: () -> Void) -> Double {
    let start = ContinuousClock.now
    body()
    return secondsElapsed(since: start)
}

/// Wall seconds of a throwing `body`.
private func timedThrowing(_ body: () throws -> Void) throws -> Double {
    let start = ContinuousClock.now
    try body()
    return secondsElapsed(since: start)
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// The process's peak resident memory so far (VmHWM, which unlike ru_maxrss starts afresh at exec,
/// so `swift run`'s own memory is not counted), in MiB.
private func peakMemoryMiB() -> Double {
    (peakResidentBytes(of: "self") ?? 0) / 1_048_576
}

/// The sizes a `bench` run measures at: the full benchmark's, or `--quick`'s smaller ones (every
/// table still printed, to check that bench runs on a machine in under a minute).
struct BenchSizes: Sendable {
    /// Whether the adaptive reference study is timed (cold and warm).
    let adaptiveStudy: Bool
    /// The data of the memory table's whole commands: samples and features.
    let memoryShapes: [(samples: Int, features: Int)]
    /// The samples drawn for the one-run table's rows at width 128 (70% of them train).
    let oneRunSamples: [Int]
    /// The samples drawn for kernel ridge's input-curvature table (half of them train).
    let curvatureSamples: Int
    /// The samples drawn for the deeper and wider networks, and whether each shape runs once
    /// (fraction 0, seed 1) rather than its full set of runs.
    let deepSamples: Int, deepOnce: Bool

    /// The benchmark whose figures `benchmarks/results.md` records.
    static let full = BenchSizes(adaptiveStudy: true, memoryShapes: [(500, 10), (100_000, 100), (1_000_000, 20), (10_000_000, 10)],
                                 oneRunSamples: [250, 1000, 4000, 10_000, 50_000], curvatureSamples: 2516, deepSamples: 5000, deepOnce: false)
    /// `--quick`: no adaptive study, no 10,000,000-sample memory row, no one-run rows beyond 7,000
    /// training rows, kernel ridge's curvature on 200 training rows, the deeper and wider networks
    /// as one run each on 350 training rows.
    static let quick = BenchSizes(adaptiveStudy: false, memoryShapes: [(500, 10), (100_000, 100), (1_000_000, 20)],
                                  oneRunSamples: [250, 1000, 4000, 10_000], curvatureSamples: 400, deepSamples: 500, deepOnce: true)
}
