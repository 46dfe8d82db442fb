import Foundation
import Testing
@testable import MakeReport
import PoisoningEngine
import StudyPipeline

/// Issue 19 follow-up, through the binary: `store info` and `store verify` only read a store (a
/// read-only one too) and never change it; `run` and `store prune` refuse a read-only store before
/// any work.
struct ReadOnlyStoreTests {
    let cli = CommandLineTests()
    let stores = OwnershipAndStoreTests()

    /// Runs the binary with `arguments` in `directory`, with the folder `readOnly` read-only even to
    /// root: as root, bind-mounted read-only in a mount namespace of the command's own (unshare);
    /// otherwise with the write permissions of it and its files removed for the command's time. Nil
    /// when neither can be done (root without the right to make a mount namespace).
    func run(_ arguments: [String], in directory: URL, readOnly: URL) throws -> CommandLineTests.Outcome? {
        guard getuid() == 0 else {
            let files = try FileManager.default.contentsOfDirectory(atPath: readOnly.path).map { readOnly.appendingPathComponent($0).path }
            for path in files + [readOnly.path] { chmod(path, 0o555) }
            defer { for path in files + [readOnly.path] { chmod(path, 0o755) } }
            return try cli.run(arguments, in: directory)
        }
        let probe = try cli.run(["-m", "true"], executable: URL(fileURLWithPath: "/usr/bin/unshare"))
        guard probe.status == 0 else { return nil }
        let script = "mount --bind \"$1\" \"$1\" && mount -o remount,ro,bind \"$1\" \"$1\" && shift && exec \"$@\""
        return try cli.run(["-m", "/bin/sh", "-c", script, "sh", readOnly.path, CommandLineTests.executable.path] + arguments,
                           executable: URL(fileURLWithPath: "/usr/bin/unshare"), in: directory)
    }

    /// `store info` and `store verify` created -wal, -shm and lock files beside a store and wrote
    /// to it; now they leave every byte of its folder as it was.
    @Test func infoAndVerifyLeaveAWritableStoreAsItWas() throws {
        let (_, store, _) = try stores.storedStudy()
        let folder = URL(fileURLWithPath: store).deletingLastPathComponent()
        unlink(store + ".open-lock")
        let before = stores.snapshot(folder)
        let info = try cli.run(["store", "info", "--store", store])
        #expect(info.status == 0 && info.standardOutput.hasSuffix(": 4 runs, 0.0 MiB\n  engine version \(engineVersion): 4 runs (current)\n"),
                "\(info.standardOutput)\(info.standardError)")
        let verify = try cli.run(["store", "verify", "--store", store])
        #expect(verify.status == 0 && verify.standardOutput.hasSuffix(": 4 runs, 0 failed their check\n"))
        #expect(stores.snapshot(folder) == before)
    }

    /// A store in a read-only folder (a read-only file system, even to root): `run` failed with a
    /// raw SQLite error, exit 1, after the data were made; now it is refused before any work, as
    /// `store prune` is, while `store info` and `store verify` read it.
    @Test func aReadOnlyStoreIsReadByInfoAndVerifyAndRefusedByRunAndPrune() throws {
        let output = cli.temporaryFolder()
        let parent = output.deletingLastPathComponent()
        try FileManager.default.removeItem(at: output)
        let shelf = parent.appendingPathComponent("shelf", isDirectory: true)
        try FileManager.default.createDirectory(at: shelf, withIntermediateDirectories: false)
        #expect(try cli.run(OwnershipAndStoreTests.tiny + ["--output", "first", "--store", "shelf/runs.sqlite", "--quiet"], in: parent).status == 0)
        unlink(shelf.path + "/runs.sqlite.open-lock")
        try FileManager.default.removeItem(at: parent.appendingPathComponent("first"))
        let before = stores.snapshot(parent)
        guard let info = try run(["store", "info", "--store", "shelf/runs.sqlite"], in: parent, readOnly: shelf) else { return }
        #expect(info.status == 0 && info.standardOutput.hasPrefix("shelf/runs.sqlite: 4 runs, "), "\(info.standardError)")
        let verify = try #require(try run(["store", "verify", "--store", "shelf/runs.sqlite"], in: parent, readOnly: shelf))
        #expect(verify.status == 0 && verify.standardOutput == "shelf/runs.sqlite: 4 runs, 0 failed their check\n", "\(verify.standardError)")
        // As root the file system is read-only (the file is found so first); otherwise the permissions are.
        let reason = getuid() == 0 ? "it is read-only (Read-only file system)" : "it is read-only (Permission denied)"
        let prune = try #require(try run(["store", "prune", "--store", "shelf/runs.sqlite"], in: parent, readOnly: shelf))
        #expect(prune.status == 2)
        #expect(prune.standardError == "make-report: error: --store: 'shelf/runs.sqlite': \(reason); `store prune` needs to write it\n")
        let rerun = try #require(try run(OwnershipAndStoreTests.tiny + ["--output", "out", "--store", "shelf/runs.sqlite"], in: parent, readOnly: shelf))
        #expect(rerun.status == 2)
        #expect(rerun.standardError == "make-report: error: --store: 'shelf/runs.sqlite': \(reason); give --store a writable file, "
            + "or --no-store to train every run without a store\n")
        #expect(stores.snapshot(parent) == before)
        // --no-store runs.
        #expect(try #require(try run(OwnershipAndStoreTests.tiny + ["--output", "out", "--no-store", "--quiet"], in: parent, readOnly: shelf)).status == 0)
    }

    /// The default store (.make-report/runs.sqlite beside the output folder) read-only: refused before
    /// any work. The work folder read-only is found first (review r19, finding 3): the output lock
    /// and staging folder go there too, so --no-store would not help.
    @Test func aReadOnlyDefaultStoreIsRefusedBeforeAnyWork() throws {
        let output = cli.temporaryFolder()
        let parent = output.deletingLastPathComponent()
        #expect(try cli.run(OwnershipAndStoreTests.tiny + ["--output", "out", "--quiet"], in: parent).status == 0)
        let work = parent.appendingPathComponent(".make-report", isDirectory: true)
        let before = stores.snapshot(parent)
        guard let rerun = try run(OwnershipAndStoreTests.tiny + ["--output", "out"], in: parent, readOnly: work) else { return }
        #expect(rerun.status == 2)
        let reason = getuid() == 0 ? "Read-only file system" : "Permission denied"
        #expect(rerun.standardError.hasPrefix("make-report: error: --output: cannot write in '") && rerun.standardError.hasSuffix(
            "/.make-report': \(reason); make-report keeps the output folder's lock and staging folder there\n"), "\(rerun.standardError)")
        #expect(stores.snapshot(parent) == before)
    }
}
