import ArgumentParser
import Foundation
import PoisoningEngine
import RunStore
import StudyPipeline

/// The default run store of the output folder `output`: `runs.sqlite` in its work folder,
/// `.make-report/` beside it.
func defaultStorePath(besideOutput output: String) -> String {
    workFolder(besideOutput: resolvedFileURL(output, isDirectory: true))
        .appendingPathComponent("runs.sqlite").path
}

/// Where finished runs are kept between commands; shared by `run` and `store`.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The run store: an SQLite file of finished runs, so that a rerun trains only the runs it lacks.",
                               discussion: "Default: .make-report/runs.sqlite beside the output folder. A store in a read-only file or folder is refused before any work (every trained run is stored): give a writable one, or --no-store. "
                                + "Not inside the output folder (symbolic links are resolved before this check). Its lock is the file PATH.open-lock "
                                + "beside it; a file of that name make-report did not write is kept and the run refused.",
                               valueName: "path"))
    var store: String?

    @Flag(help: "Neither read nor write a run store: train every run.")
    var noStore = false

    func validate() throws {
        if noStore && store != nil { throw ValidationError("--store: give --store or --no-store, not both") }
        if store == "" { throw ValidationError("--store: the path is empty; give a file name") }
    }

    /// Why the store to use with the output folder `output` cannot be a run store, as an error line
    /// naming --store as it was given (a trailing '/' kept), or nil: `runStoreProblem`; a store this
    /// process cannot write (`runStoreWriteProblem`: `run` stores every run it trains, so a read-only
    /// store is refused, pointing to --no-store, rather than used without saying so); or a store
    /// inside the output folder, which is replaced as a whole, the output folder itself or a folder
    /// above it (the store was created, then the publishing failed, leaving it; review r19, finding
    /// 2), or inside an output set (`OutputOwnership.enclosingSet`), which it would spoil.
    func problem(besideOutput output: String) -> String? {
        guard !noStore else { return nil }
        if let store, isInside(store, folder: output) {
            return "--store: \(quotedUserText(store, keepingEnd: true)) lies inside the output folder, which is replaced as a whole; keep the store elsewhere"
        }
        if let store, let set = OutputOwnership.enclosingSet(of: store) {
            return "--store: \(quotedUserText(store, keepingEnd: true)) lies inside \(quotedUserText(set.path, keepingEnd: true)), an output set "
                + "make-report published, which a store would spoil; keep the store elsewhere"
        }
        let path = store ?? defaultStorePath(besideOutput: output)
        let name = "--store: \(quotedUserText(store ?? commandPath(path), keepingEnd: true)): "
        if let problem = runStoreProblem(path) { return name + problem }
        if let store, resolvedFileURL(store, isDirectory: true).path == resolvedFileURL(output, isDirectory: true).path || isInside(output, folder: store) {
            return "--store: \(quotedUserText(store, keepingEnd: true)) is the output folder or a folder above it, where the published set goes; "
                + "give the store a file name of its own"
        }
        return runStoreWriteProblem(path).map { name + $0 + "; give --store a writable file, or --no-store to train every run without a store" }
    }

    /// The store to use with the output folder `output`, or nil with --no-store; a new one is built
    /// as a step of `building`.
    func open(besideOutput output: String, building: StoreBuilding = StoreBuilding()) throws -> RunStore? {
        noStore ? nil : try RunStore(path: store ?? defaultStorePath(besideOutput: output), building: building, waiting: commandOpenLockWait)
    }
}

/// How a command waits while another process holds its run store's opening lock: the standard
/// limits (`OpenLockWait`), the notice on standard error.
let commandOpenLockWait = OpenLockWait(notice: { printError("note: \($0)") })

/// `make-report store info|prune`: shows and trims the run store.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Show or trim the run store, where `run` keeps every finished run so that reruns resume.",
        discussion: """
            A run is stored under the SHA-256 of everything that determines its result (data, model, attack, \
            defense, training settings, fraction, seed and the engine version), so a rerun of the same or an \
            overlapping study, after an interruption or with seeds or widths added, trains only the runs the store \
            lacks, and writes byte-identical results. `store info` and `store verify` only read the store: they \
            work on a read-only store and never change its file or create one beside it. `store prune` refuses a \
            read-only store.
            """,
        subcommands: [Info.self, Verify.self, Prune.self])

    /// `store info`.
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the store's file, its runs per engine version and its size.")

        @OptionGroup var location: StoreLocation

        func run() throws {
            let info = try location.openForReading().info()
            let total = info.runsByEngineVersion.values.reduce(0, +)
            print("\(commandPath(info.path)): \(total) run\(total == 1 ? "" : "s"), \(String(format: "%.1f", Double(info.bytes) / 1_048_576)) MiB")
            for (version, count) in info.runsByEngineVersion.sorted(by: { $0.key < $1.key }) {
                print("  engine version \(version): \(count) run\(count == 1 ? "" : "s")\(version == engineVersion ? " (current)" : " (never reused; `store prune` removes them)")")
            }
        }
    }

    /// `store verify`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every stored run: its key, its checksum, and a payload that is a run result with every metric in range, its shares of whole rows.",
            discussion: """
                Prints one line per run that fails (by the first 16 hex digits of its key) and exits with code 1 \
                when any does (with code 2 when the store itself is damaged). A run that fails is never used: `run` \
                trains it again and replaces it, and `store prune` removes it. Each entry records the sizes of its \
                study's split, against which its accuracies must be shares of whole rows; entries stored by older \
                versions lack them, pass without that check, and are counted in a note. The checksum is a plain \
                SHA-256 of key and payload: it detects damage (a torn write, a flipped bit), not tampering, as \
                anyone can recompute it; for results that owe nothing to an existing store, run with --no-store.
                """)

        @OptionGroup var location: StoreLocation

        func run() throws {
            let store = try location.openForReading()
            let (count, failures, withoutSizes) = try store.verify()
            for failure in failures.prefix(20) { printError("\(commandPath(store.path)): \(failure)") }
            if failures.count > 20 { printError("\(commandPath(store.path)): ... and \(failures.count - 20) more") }
            if withoutSizes > 0 {
                printError("note: \(commandPath(store.path)): the row-count check was skipped for \(withoutSizes) run\(withoutSizes == 1 ? "" : "s") "
                    + "stored before make-report recorded the split's sizes in each entry")
            }
            print("\(commandPath(store.path)): \(count) run\(count == 1 ? "" : "s"), \(failures.count) failed \(failures.count == 1 ? "its" : "their") check")
            if !failures.isEmpty { throw ExitCode.failure }
        }
    }

    /// `store prune`.
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the runs that fail `store verify`'s check and those of older engine versions (with --all, every run), and compact the file.")

        @OptionGroup var location: StoreLocation

        @Flag(help: "Remove every run, not only those of older engine versions.")
        var all = false

        func run() throws {
            // A store whose entries would not fit in memory is refused before it is opened for
            // writing, which writes to its file.
            if !all { try location.openForReading().checkEntrySizes() }
            try RunStore.checkPruneFileSize(at: location.path)
            // The end, a failure or an interruption (which waits for the opening's step, or the
            // pruning, under way, but not for another process's opening lock) closes the store, so
            // that SQLite folds its -wal file in and removes it and the -shm file, as `run` does.
            let interruption = InterruptionCleanup()
            defer { withExtendedLifetime(interruption) {} }
            let building = StoreBuilding()
            interruption.cleanUp(with: { building.abandon(then: $0) })
            let store = try location.openForWriting(building: building)
            defer { store.closeConnections() }
            interruption.cleanUp(with: { store.closeConnections(then: $0) })
            let (removed, failed) = try store.prune(all: all)
            print("\(commandPath(store.path)): removed \(removed) run\(removed == 1 ? "" : "s")"
                + (all ? "" : " (\(failed) failed \(failed == 1 ? "its" : "their") check)"))
        }
    }
}

/// Which store `store info|verify|prune` works on.
struct StoreLocation: ParsableArguments {
    @Option(help: ArgumentHelp("The run store file.", valueName: "path"))
    var store: String?

    @Option(help: "The output folder whose default store (.make-report/runs.sqlite beside it) to use.")
    var output = "output"

    /// The store's file.
    var path: String { store ?? defaultStorePath(besideOutput: output) }

    func validate() throws {
        if store == "" { throw ValidationError("--store: the path is empty; give a file name") }
        if store == nil && output.isEmpty { throw ValidationError("--output: the path is empty; give the output folder whose store to use") }
        if !FileManager.default.fileExists(atPath: path) { throw ValidationError("--store: no run store at \(quotedUserText(commandPath(path), keepingEnd: true))") }
        if let problem = runStoreProblem(path) { throw ValidationError("--store: \(quotedUserText(commandPath(path), keepingEnd: true)): \(problem)") }
    }

    /// The store, open for reading only (`store info`, `store verify`): never written, nothing
    /// created beside it, in a read-only folder too.
    func openForReading() throws -> RunStore { try RunStore(readingAt: path) }

    /// The store, open for writing (`store prune`) as a step of `building`; one this process cannot
    /// write is refused.
    func openForWriting(building: StoreBuilding) throws -> RunStore {
        if let problem = runStoreWriteProblem(path) {
            throw ValidationError("--store: '\(commandPath(path))': \(problem); `store prune` needs to write it")
        }
        return try RunStore(path: path, building: building, waiting: commandOpenLockWait)
    }
}

/// Whether `path` lies inside the folder `folder` (both made absolute, symbolic links resolved as far
/// as they exist).
func isInside(_ path: String, folder: String) -> Bool {
    let inner = resolvedFileURL(path, isDirectory: false).path
    let outer = resolvedFileURL(folder, isDirectory: true).path
    return inner.hasPrefix(outer.hasSuffix("/") ? outer : outer + "/")
}
