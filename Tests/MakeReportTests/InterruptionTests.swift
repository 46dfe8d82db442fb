import Foundation
import RunStore
import StudyPipeline
import Testing

extension CommandLineTests {
    /// Starts `executable` (the built make-report unless given) with `arguments` in `directory` (when
    /// given), `environment` added to this process's, its output discarded; the caller waits for its end.
    func start(_ arguments: [String], executable: URL = Self.executable, in directory: URL? = nil,
               environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// Issue 19 follow-up: an interrupted run (SIGINT, SIGTERM, SIGHUP) left its staging folder in
/// .make-report until the next run into the same folder; it removes it before it ends by the signal,
/// and the published set stays as it was.
struct InterruptionTests {
    let cli = CommandLineTests()

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP]) func anInterruptedRunRemovesItsStagingFolder(_ signalNumber: Int32) throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        #expect(try cli.run(["--widths", "8", "--fractions", "0,0.5", "--seeds", "1", "--epochs", "2", "--no-store", "--quiet", "--output", "out"],
                            in: parent).status == 0)
        let published = try Data(contentsOf: parent.appendingPathComponent("out/manifest.json"))
        let work = parent.appendingPathComponent(".make-report")
        let process = try cli.start(["--widths", "8,16,32", "--fractions", "0,0.2,0.4,0.6", "--seeds", "1,2,3,4,5,6,7,8", "--epochs", "6000",
                                     "--no-store", "--quiet", "--output", "out"], in: parent)
        /// The staging folders in the work folder.
        func staging() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []).filter { $0.contains(".staging-") } }
        let deadline = Date().addingTimeInterval(60)
        while staging().isEmpty && process.isRunning && Date() < deadline { usleep(10_000) }
        #expect(staging() == ["out.staging-\(process.processIdentifier)"])
        usleep(300_000)   // past the moment the handlers are set up, right after the staging folder
        kill(process.processIdentifier, signalNumber)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signalNumber)
        #expect(staging().isEmpty)
        #expect(try Data(contentsOf: parent.appendingPathComponent("out/manifest.json")) == published)
    }

    /// Issue 19 (open list, the signal-mask residual): a signal reaches the command's clean-up only
    /// while every thread blocks it; a thread that does not may take it and lose it. While a run
    /// trains and stages its output, every thread of the process (its main thread and Dispatch's
    /// workers: /proc/PID/task) blocks SIGINT, SIGTERM and SIGHUP but the one thread that takes them
    /// (in sigwaitinfo, which unblocks them while it waits), and none ignores them (the
    /// clean-up never sets SIG_IGN, which discards a pending signal); SIGTERM then ends it by the
    /// signal with its staging folder removed.
    @Test func everyThreadBlocksTheInterruptionSignals() throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        let work = parent.appendingPathComponent(".make-report")
        let process = try cli.start(["--widths", "8,16,32", "--fractions", "0,0.2,0.4,0.6", "--seeds", "1,2,3,4,5,6,7,8", "--epochs", "6000",
                                     "--no-store", "--quiet", "--output", "out"], in: parent)
        /// The staging folders in the work folder.
        func staging() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []).filter { $0.contains(".staging-") } }
        let deadline = Date().addingTimeInterval(60)
        while staging().isEmpty && process.isRunning && Date() < deadline { usleep(10_000) }
        usleep(300_000)   // the runs under way on every worker
        let tasks = "/proc/\(process.processIdentifier)/task"
        /// The hexadecimal mask on the line `field:` of a status file.
        func mask(_ status: String, _ field: String) -> UInt64? {
            status.split(separator: "\n").first { $0.hasPrefix(field + ":") }.flatMap { UInt64($0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
        }
        // Bit n - 1 stands for signal n.
        let interruptions = [SIGINT, SIGTERM, SIGHUP].reduce(UInt64(0)) { $0 | 1 << UInt64($1 - 1) }
        let threads = try FileManager.default.contentsOfDirectory(atPath: tasks)
        #expect(threads.count >= 2, "\(threads)")
        // The one thread that takes the signals waits in rt_sigtimedwait (system call 128 on x86_64,
        // the first field of /proc/.../syscall), which unblocks them while it waits: it alone may show
        // them unblocked.
        let waiters = threads.filter { thread in
            (try? String(contentsOfFile: "\(tasks)/\(thread)/syscall", encoding: .utf8))?.split(separator: " ").first == "128"
        }
        #expect(waiters.count == 1, "threads in rt_sigtimedwait: \(waiters)")
        for thread in threads {
            let status = try String(contentsOfFile: "\(tasks)/\(thread)/status", encoding: .utf8)
            let blocked = try #require(mask(status, "SigBlk")), ignored = try #require(mask(status, "SigIgn"))
            #expect(waiters.contains(thread) || blocked & interruptions == interruptions, "thread \(thread) blocks \(String(blocked, radix: 16))")
            #expect(ignored & interruptions == 0, "thread \(thread) ignores \(String(ignored, radix: 16))")
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
        #expect(staging().isEmpty)
    }

    /// Issue 19 (left list): a run interrupted while it stored runs left the store's -wal and -shm
    /// files (harmless, but clutter beside the store); it closes the store before it ends by the
    /// signal, so SQLite folds the -wal into the store and removes both. The store stays whole.
    @Test(arguments: [SIGINT, SIGTERM]) func anInterruptedRunClosesItsStore(_ signalNumber: Int32) throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        let work = parent.appendingPathComponent(".make-report")
        // Several seconds of training even on a fast host (with 400 epochs, a 2.2x faster host finished
        // the 96 runs within the half second the test waits before its signal).
        let process = try cli.start(["--widths", "8,16,32", "--fractions", "0,0.2,0.4,0.6", "--seeds", "1,2,3,4,5,6,7,8", "--epochs", "6000",
                                     "--quiet", "--output", "out"], in: parent)
        /// The entries of the work folder.
        func entries() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []).sorted() }
        let deadline = Date().addingTimeInterval(60)
        while !(entries().contains("runs.sqlite-wal") && entries().contains { $0.contains(".staging-") }) && process.isRunning && Date() < deadline {
            usleep(10_000)
        }
        #expect(entries().contains("runs.sqlite-wal") && entries().contains("runs.sqlite-shm"), "\(entries())")
        usleep(500_000)   // some runs stored
        kill(process.processIdentifier, signalNumber)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signalNumber)
        #expect(entries() == ["runs.sqlite"])
        let verified = try RunStore(readingAt: work.appendingPathComponent("runs.sqlite").path).verify()
        #expect(verified.failures.isEmpty)
    }
}

/// Issue 19, r19: SIGINT early in a first run left `.make-report/runs.sqlite.new-PID` and its
/// `-journal`, and a signal during publication left `.make-report/out.previous-PID-0`; a rerun
/// removed neither. Each moment is caught by polling for the file, the child stopped there (SIGSTOP)
/// while the file is seen to exist, then sent SIGINT and continued: it must end by the signal with
/// nothing of its own left. A later run removes such files of ended processes, and nothing else.
struct InterruptionLeftoverTests {
    let cli = CommandLineTests()
    static let tiny = ["--widths", "8", "--fractions", "0,0.5", "--seeds", "1", "--epochs", "2", "--quiet"]

    /// Starts the binary with `arguments` in `folder`; polls, without sleeping, until the file that
    /// `moment` names for the child's process id exists, then stops the child, and if the file still
    /// exists sends SIGINT before letting it go on. Returns whether the moment was caught (else the
    /// child is killed once `passed` says the moment is over), after the child has ended.
    func interrupt(_ arguments: [String], in folder: URL, at moment: (Int32) -> String, passed: () -> Bool) throws -> Bool {
        let process = try cli.start(arguments, in: folder)
        let pid = process.processIdentifier, path = folder.appendingPathComponent(moment(pid)).path
        let deadline = Date().addingTimeInterval(60)
        var caught = false
        while process.isRunning && Date() < deadline {
            if access(path, F_OK) == 0 {
                kill(pid, SIGSTOP)
                caught = access(path, F_OK) == 0
                if caught { kill(pid, SIGINT) }
                kill(pid, SIGCONT)
                break
            }
            if passed() { break }
        }
        if !caught { kill(pid, SIGKILL) }
        process.waitUntilExit()
        if caught {
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT,
                    "\(process.terminationReason == .exit ? "exit" : "signal") \(process.terminationStatus)")
        }
        return caught
    }

    /// The entries of `folder`, sorted; none when it is missing.
    func entries(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    /// Issue 19 (the last "Left" list): a signal while a brand-new store was built could leave an
    /// empty `.make-report`, or the new store with its -wal and -shm; and 1 SIGINT in 30 was lost
    /// (the run went on and exited 0). Caught when the work folder appears, when the opening lock is
    /// taken and while the store is built: the run ends by the signal, and leaves nothing, or (the
    /// signal came once the store was opened) the whole store alone, closed.
    @Test(arguments: [".make-report", ".make-report/runs.sqlite.open-lock", ".make-report/runs.sqlite.new-PID"])
    func aSignalWhileTheStoreIsBuiltLeavesNothingOfIt(_ moment: String) throws {
        var caught = 0
        for _ in 0..<40 where caught < 3 {
            let parent = cli.temporaryFolder().deletingLastPathComponent()
            let work = parent.appendingPathComponent(".make-report")
            if try interrupt(Self.tiny + ["--output", "out"], in: parent, at: { moment.replacingOccurrences(of: "PID", with: "\($0)") },
                             passed: { access(work.appendingPathComponent("runs.sqlite").path, F_OK) == 0 }) {
                caught += 1
                #expect(entries(work) == ["runs.sqlite"] || access(work.path, F_OK) != 0, "left: \(entries(work))")
            }
        }
        #expect(caught >= 1, "never caught a run at \(moment)")
    }

    @Test func aSignalDuringPublicationLeavesNoDisplacedSet() throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        let work = parent.appendingPathComponent(".make-report"), out = parent.appendingPathComponent("out")
        let arguments = Self.tiny + ["--no-store", "--figure-format", "png,pdf,svg", "--output", "out"]
        #expect(try cli.run(arguments, in: parent).status == 0)
        var caught = 0
        for _ in 0..<40 where caught < 2 {
            let before = try Data(contentsOf: out.appendingPathComponent("manifest.json"))
            if try interrupt(arguments, in: parent, at: { ".make-report/out.previous-\($0)-0" },
                             passed: { (try? Data(contentsOf: out.appendingPathComponent("manifest.json"))) != before }) {
                caught += 1
                // Published, and the displaced set removed, before the signal ended the run.
                #expect(entries(work) == [], "left: \(entries(work))")
                let validated = try cli.run(["validate", "out"], in: parent)
                #expect(!validated.standardError.contains("manifest"), "\(validated.standardError)")
            }
        }
        #expect(caught >= 1, "never caught a run while it published")
    }

    @Test func aLaterRunRemovesTheLeftoversOfEndedProcessesAndNothingElse() throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        let work = parent.appendingPathComponent(".make-report")
        #expect(try cli.run(Self.tiny + ["--no-store", "--output", "out"], in: parent).status == 0)
        /// The id of a process that has ended.
        func endedProcessID() throws -> Int32 {
            let ended = Process()
            ended.executableURL = URL(fileURLWithPath: "/bin/true")
            try ended.run()
            ended.waitUntilExit()
            return ended.processIdentifier
        }
        let dead = try endedProcessID(), foreign = try endedProcessID(), alive = getpid()
        try FileManager.default.copyItem(at: parent.appendingPathComponent("out"), to: work.appendingPathComponent("out.previous-\(dead)-0"))
        try FileManager.default.createDirectory(at: work.appendingPathComponent("out.staging-\(dead)/figures"), withIntermediateDirectories: true)
        // Review r19b: what an ended build left is removed only when its content proves it one: the
        // database empty or marked with the store's application id, a journal with SQLite's magic.
        var marked = Data("SQLite format 3\0".utf8) + Data(count: 84)
        marked.replaceSubrange(68..<72, with: [0x4D, 0x4B, 0x52, 0x53])
        try marked.write(to: work.appendingPathComponent("runs.sqlite.new-\(dead)"))
        try Data([0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7]).write(to: work.appendingPathComponent("runs.sqlite.new-\(dead)-journal"))
        try Data().write(to: work.appendingPathComponent("runs.sqlite.new-\(dead)-wal"))
        let keptFiles = ["runs.sqlite.new-\(alive)", "runs.sqlite.new-\(alive)-journal", "runs.sqlite.new-\(dead).bak",
                         "runs.sqlite.new-\(dead)-journal2", "runs.sqlite.new-x\(dead)", "out.previous-\(dead)-0x", "notes.txt",
                         "runs.sqlite.new-\(foreign)", "runs.sqlite.new-\(foreign)-wal"]
        let keptFolders = ["other.staging-\(dead)", "out.staging-\(alive)", "out.staging-\(dead)x", "out.staging-\(foreign)"]
        for name in keptFiles { try Data("leftover".utf8).write(to: work.appendingPathComponent(name)) }
        for name in keptFolders { try FileManager.default.createDirectory(at: work.appendingPathComponent(name), withIntermediateDirectories: true) }
        try Data("leftover".utf8).write(to: work.appendingPathComponent("out.staging-\(foreign)/notes.txt"))
        // Without --quiet, which prints errors only, so that the warnings show.
        let run = try cli.run(Self.tiny.filter { $0 != "--quiet" } + ["--output", "out"], in: parent)
        #expect(run.status == 0)
        // The store's own files aside (its -wal and -shm may stay after the process ends); no lock file.
        let left = entries(work).filter { !["runs.sqlite", "runs.sqlite-wal", "runs.sqlite-shm"].contains($0) }
        #expect(left == (keptFiles + keptFolders).sorted(), "\(left)")
        for name in keptFiles { #expect(try Data(contentsOf: work.appendingPathComponent(name)) == Data("leftover".utf8)) }
        #expect(try Data(contentsOf: work.appendingPathComponent("out.staging-\(foreign)/notes.txt")) == Data("leftover".utf8))
        let warnings = run.standardError.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 3, "\(run.standardError)")
        #expect(warnings.contains { $0.hasSuffix("out.staging-\(foreign)' is named as a staging folder of an ended run, but nothing proves its "
            + "files make-report's (no marker, no manifest); it was left as it is") }, "\(run.standardError)")
        #expect(warnings.contains { $0.hasSuffix("runs.sqlite.new-\(foreign)-wal' is named as an ended build of the run store, but its content "
            + "does not prove it one; it was left as it is") }, "\(run.standardError)")
    }

    /// Issue 19: `check` regenerates the artifacts in a scratch folder of the temporary directory,
    /// which a SIGINT left behind; an interruption removes it before the command ends by the signal.
    @Test func anInterruptedCheckRemovesItsScratchFolder() throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        #expect(try cli.run(["--widths", "8", "--fractions", "0,0.5", "--seeds", "1", "--epochs", "2", "--no-store", "--quiet", "--output", "out"],
                            in: parent).status == 0)
        let temporary = parent.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let process = try cli.start(["check", "--widths", "8,16,32", "--fractions", "0,0.2,0.4,0.6", "--seeds", "1,2,3,4,5,6,7,8", "--epochs", "400",
                                     "--quiet", "--output", "out"], in: parent, environment: ["TMPDIR": temporary.path])
        /// The scratch folders in the temporary directory.
        func scratch() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] }
        let deadline = Date().addingTimeInterval(60)
        while scratch().isEmpty && process.isRunning && Date() < deadline { usleep(10_000) }
        #expect(scratch().count == 1 && scratch().allSatisfy { $0.hasPrefix("make-report-check-") }, "\(scratch())")
        usleep(300_000)   // into the sweep
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT)
        #expect(scratch().isEmpty)
    }

    /// Issue 19 (open list, #10b): `check` killed outright (kill -9) left its scratch folder in the
    /// temporary directory for ever. The next check removes it, and a folder whose marker names a
    /// process id now another process's (this one, started at another moment); it keeps a running
    /// check's folder (this process's own, marked by it), and a look-alike without the marker.
    @Test func aKilledChecksScratchFolderIsRemovedByTheNextCheck() throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        #expect(try cli.run(Self.tiny + ["--no-store", "--output", "out"], in: parent).status == 0)
        let temporary = parent.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let process = try cli.start(["check", "--widths", "8,16,32", "--fractions", "0,0.2,0.4,0.6", "--seeds", "1,2,3,4,5,6,7,8", "--epochs", "400",
                                     "--quiet", "--output", "out"], in: parent, environment: ["TMPDIR": temporary.path])
        /// The entries of the temporary directory.
        func entries() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []).sorted() }
        let deadline = Date().addingTimeInterval(60)
        while entries().isEmpty && process.isRunning && Date() < deadline { usleep(10_000) }
        usleep(300_000)   // into the sweep
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let killed = entries()
        #expect(killed.count == 1 && killed.allSatisfy { $0.hasPrefix("make-report-check-") }, "\(killed)")
        let running = try makeScratchFolder(prefix: "make-report-check", in: temporary)
        var reused = try #require(ProcessStamp.current)
        reused.startTicks += 1
        let reusedFolder = temporary.appendingPathComponent("make-report-check-reused")
        try FileManager.default.createDirectory(at: reusedFolder, withIntermediateDirectories: true)
        try Data(reused.markerText.utf8).write(to: reusedFolder.appendingPathComponent(".make-report-scratch"))
        let lookAlike = temporary.appendingPathComponent("make-report-check-abcdef")
        try FileManager.default.createDirectory(at: lookAlike, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: lookAlike.appendingPathComponent("notes.txt"))
        let check = try cli.run(["TMPDIR=\(temporary.path)", CommandLineTests.executable.path, "check"] + Self.tiny + ["--output", "out"],
                                executable: URL(fileURLWithPath: "/usr/bin/env"), in: parent)
        #expect(check.status == 0, "\(check.standardError)")
        #expect(entries() == [running.lastPathComponent, "make-report-check-abcdef"].sorted())
        #expect(try Data(contentsOf: lookAlike.appendingPathComponent("notes.txt")) == Data("mine".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: running.path) == [".make-report-scratch"])
    }
}
