import Foundation
import StudyPipeline
import Testing

/// Issue 19 (the parts still open): a signal while a shard's part file or `compare --output` is
/// written, while `check` stages its output, while `bench` runs a child, or as a command ends. Each
/// moment is reached exactly: the binary pauses there (`TestPause`, the hidden
/// `MAKE_REPORT_TEST_PAUSE=MOMENT:PATH`), says so by creating a file, and is sent SIGINT while it
/// waits: it must end by SIGINT with nothing of its own left. (These tests polled for a file and
/// stopped the child when they saw it, which a busy machine let pass up to 60 times in a row.)
struct InterruptedWriteTests {
    let cli = CommandLineTests()

    /// A study of 4 runs of one epoch each, quiet and without a store.
    static let tiny = ["--widths", "8", "--fractions", "0,0.5", "--seeds", "1,2", "--epochs", "1", "--samples", "300", "--no-store", "--quiet"]

    /// Runs the binary with `arguments` in `folder` (with `environment` added) paused at `moment`
    /// (`TestPause.Moment`), sends it SIGINT as soon as it waits there, and returns after its end; it
    /// must have paused and ended by SIGINT.
    func interrupt(_ arguments: [String], in folder: URL, environment: [String: String] = [:], at moment: String) throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("make-report-pause-\(UUID().uuidString)")
        defer { unlink(marker.path) }
        let process = try cli.start(arguments, in: folder, environment: environment.merging([TestPause.variable: "\(moment):\(marker.path)"]) { $1 })
        let deadline = Date().addingTimeInterval(120)
        while access(marker.path, F_OK) != 0 && process.isRunning && Date() < deadline { usleep(1_000) }
        let paused = access(marker.path, F_OK) == 0
        kill(process.processIdentifier, paused ? SIGINT : SIGKILL)
        process.waitUntilExit()
        #expect(paused, "the command never reached '\(moment)'")
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT,
                "\(process.terminationReason == .exit ? "exit" : "signal") \(process.terminationStatus)")
    }

    /// The entries of `folder`, hidden ones too, sorted; none when it is missing.
    func entries(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    /// A signal while the part is written, once the folders made for it exist and once its temporary
    /// file is written, leaves neither the temporary file nor any folder made for it; once the part is
    /// in place, the whole part alone. Before, a signal there left the folders, or the temporary file.
    @Test(arguments: ["write", "rename", "written"]) func aSignalWhileAShardWritesItsPartLeavesNothing(_ moment: String) throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        let new = parent.appendingPathComponent("new"), folder = new.appendingPathComponent("sub")
        let part = folder.appendingPathComponent("results.part-1-of-1.json")
        try interrupt(Self.tiny + ["--shard", "1/1", "--output", "new/sub"], in: parent, at: moment)
        guard moment == "written" else {
            #expect(entries(parent) == ["output"], "left: \(entries(parent)), \(entries(folder))")
            return
        }
        #expect(entries(folder) == ["results.part-1-of-1.json"], "left: \(entries(folder))")
        let decoded = try JSONSerialization.jsonObject(with: Data(contentsOf: part)) as? [String: Any]
        #expect((decoded?["runs"] as? [Any])?.count == 4)
    }

    /// A signal while `compare --output new/deep/c.json` writes (its folders made, or its temporary
    /// file written) removes them; before, they were left, empty or holding the temporary file.
    @Test(arguments: ["write", "rename"]) func aSignalWhileCompareWritesLeavesNoFolderItMade(_ moment: String) throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        for name in ["a", "b"] {
            #expect(try cli.run(["--widths", "8", "--fractions", "0,0.5", "--seeds", "1,2", "--epochs", "2", "--no-store", "--quiet", "--output", name],
                                in: parent).status == 0)
        }
        try interrupt(["compare", "a/results.json", "b/results.json", "--output", "new/deep/c.json"], in: parent, at: moment)
        #expect(access(parent.appendingPathComponent("new").path, F_OK) != 0, "left: \(entries(parent.appendingPathComponent("new/deep")))")
        #expect(entries(parent) == ["a", "b", "output"], "left: \(entries(parent))")
    }

    /// Issue 19: `check`'s clean-up on a signal raced the main thread that was still making the
    /// staged output in the scratch folder, which was sometimes left (5 runs in 20 at a high load).
    /// Interrupted as the staged output writes its first file in the scratch folder: nothing is left
    /// in $TMPDIR.
    @Test func aSignalWhileCheckStagesItsOutputLeavesNoScratchFolder() throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        let tiny = ["--widths", "8", "--fractions", "0,0.5", "--seeds", "1", "--epochs", "2", "--quiet"]
        #expect(try cli.run(tiny + ["--no-store", "--output", "out"], in: parent).status == 0)
        let temporary = parent.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        try interrupt(["check"] + tiny + ["--output", "out"], in: parent, environment: ["TMPDIR": temporary.path], at: "stage")
        #expect(entries(temporary) == [], "left: \(entries(temporary))")
    }

    /// Issue 19: `bench`'s scratch folder ($TMPDIR/make-report-bench-XXXXXX) and what its child wrote
    /// in it were left on an interruption, and a SIGTERM sent to the bench alone left its child
    /// running. The bench ends its child, removes the folder and ends by the signal.
    @Test(arguments: [SIGINT, SIGTERM]) func anInterruptedBenchEndsItsChildAndRemovesItsScratchFolder(_ signalNumber: Int32) throws {
        let temporary = cli.temporaryFolder().deletingLastPathComponent().appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let process = try cli.start(["bench", "--memory-only", "--peak-gflops", "10", "--threads", "1"], environment: ["TMPDIR": temporary.path])
        /// The children of the bench (from /proc/PID/task/PID/children).
        func children() -> [String] {
            let pid = process.processIdentifier
            return ((try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? "").split(separator: " ").map(String.init)
        }
        let deadline = Date().addingTimeInterval(120)
        // A child at work, with its staging folder in the scratch folder.
        while process.isRunning && Date() < deadline
                && !(entries(temporary).first.map { entries(temporary.appendingPathComponent("\($0)/.make-report")).contains { $0.contains(".staging-") } } ?? false) {
            usleep(2_000)
        }
        let running = children()
        #expect(running.count == 1, "\(running)")
        kill(process.processIdentifier, signalNumber)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signalNumber)
        #expect(entries(temporary) == [], "left: \(entries(temporary))")
        // Ended: gone, or a zombie its new parent has not reaped yet.
        for child in running {
            let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
            let state = stat.lastIndex(of: ")").map { stat[stat.index($0, offsetBy: 2)] }
            #expect(state == nil || state == "Z" || state == "X", "child \(child) still running: \(stat.prefix(80))")
        }
    }

    /// Issue 19: a signal that arrived as a command ended was lost (the handler's source was cancelled
    /// before its handler ran) and the command exited 0. Interrupted once `compare --output` has put
    /// its file in place (the command then prints and ends): it ends by SIGINT, its file whole.
    @Test func aSignalAsACommandEndsEndsItByTheSignal() throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        for name in ["a", "b"] {
            #expect(try cli.run(["--widths", "8", "--fractions", "0,0.5", "--seeds", "1,2", "--epochs", "2", "--no-store", "--quiet", "--output", name],
                                in: parent).status == 0)
        }
        try interrupt(["compare", "a/results.json", "b/results.json", "--output", "c.json"], in: parent, at: "written")
        #expect((try JSONSerialization.jsonObject(with: Data(contentsOf: parent.appendingPathComponent("c.json")))) is [String: Any])
    }
}
