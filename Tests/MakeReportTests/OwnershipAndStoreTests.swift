import Foundation
import GRDB
import Testing
@testable import MakeReport
import PoisoningEngine
import RunStore
import StudyPipeline

/// Issue 19, sections 1 and 2, through the binary: folders that are not make-report's are never
/// replaced, and the run store is a cache that is checked, never an authority.
struct OwnershipAndStoreTests {
    let cli = CommandLineTests()
    static let tiny = ["--widths", "8", "--fractions", "0,0.5", "--seeds", "1,2", "--epochs", "5"]

    /// Runs the binary with `arguments` in `directory`.
    func run(_ arguments: [String], in directory: URL) throws -> CommandLineTests.Outcome {
        try cli.run(arguments, in: directory)
    }

    /// Every entry below `folder` (hidden ones too) with its content's hash, for before/after comparisons.
    func snapshot(_ folder: URL) -> [String: String] {
        var entries = [String: String]()
        for case let path as String in FileManager.default.enumerator(atPath: folder.path)?.allObjects ?? [] {
            let data = try? Data(contentsOf: folder.appendingPathComponent(path))
            entries[path] = data.map { SHA256.hexDigest(of: $0) } ?? "folder"
        }
        return entries
    }

    @Test func aGitRepositoryAsOutputIsRefusedAndUntouched() throws {
        let repository = cli.temporaryFolder()
        try FileManager.default.createDirectory(at: repository.appendingPathComponent(".git/objects"), withIntermediateDirectories: true)
        try Data("ref: refs/heads/main\n".utf8).write(to: repository.appendingPathComponent(".git/HEAD"))
        try Data(".build/\n".utf8).write(to: repository.appendingPathComponent(".gitignore"))
        let parent = repository.deletingLastPathComponent()
        let before = snapshot(parent)
        for output in [".", "../output"] {
            let outcome = try run(Self.tiny + ["--output", output, "--no-store"], in: repository)
            #expect(outcome.status == 2)
            #expect(outcome.standardError == "make-report: error: --output: '\(output)' is not make-report's to replace "
                + "(it holds '.git' and no manifest.json written by make-report); give a new or empty folder\n")
            #expect(snapshot(parent) == before)
        }
    }

    @Test func aFolderOfTheUsersFilesWithAResultsJSONIsRefused() throws {
        let folder = cli.temporaryFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("drafts"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        try Data("{}".utf8).write(to: folder.appendingPathComponent("results.json"))
        let before = snapshot(folder.deletingLastPathComponent())
        let outcome = try cli.run(Self.tiny + ["--output", folder.path])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("(it holds 'drafts' and no manifest.json written by make-report)"))
        #expect(snapshot(folder.deletingLastPathComponent()) == before)
    }

    @Test func aRerunReplacesOnlyItsOwnSetAndStopsAtAnythingElse() throws {
        let folder = cli.temporaryFolder()
        let arguments = Self.tiny + ["--output", folder.path, "--no-store"]
        #expect(try cli.run(arguments).status == 0)
        try Data("%PDF mine".utf8).write(to: folder.appendingPathComponent("report.pdf"))
        try Data("This is pdfTeX".utf8).write(to: folder.appendingPathComponent("report.log"))
        try Data("\\relax".utf8).write(to: folder.appendingPathComponent("report.aux"))
        #expect(try cli.run(arguments).status == 0)
        #expect(try Data(contentsOf: folder.appendingPathComponent("report.pdf")) == Data("%PDF mine".utf8))
        #expect(try Data(contentsOf: folder.appendingPathComponent("report.log")) == Data("This is pdfTeX".utf8))
        #expect(try Data(contentsOf: folder.appendingPathComponent("report.aux")) == Data("\\relax".utf8))

        try Data("edited".utf8).write(to: folder.appendingPathComponent("report.md"))
        let edited = try cli.run(arguments)
        #expect(edited.status == 2)
        #expect(edited.standardError.contains("('report.md' was changed after make-report wrote it)"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("report.md")) == Data("edited".utf8))
    }

    @Test func outputPathsThatCannotBePublishedAreRefusedBeforeAnyWork() throws {
        let folder = cli.temporaryFolder()
        let parent = folder.deletingLastPathComponent()
        let before = snapshot(parent)
        let long = String(repeating: "n", count: 250)
        let deep = (0..<45).map { _ in String(repeating: "d", count: 99) }.joined(separator: "/")
        let cases = [(".make-report", "'.make-report' is make-report's work folder (locks, staging folders, the run store); give another folder"),
                     ("output/.make-report/inner", "'.make-report' is make-report's work folder (locks, staging folders, the run store); give another folder"),
                     (long, "the name '\(long.prefix(40))…' is 250 bytes long; names may have at most 236 bytes (the file system's NAME_MAX is 255)"),
                     ("/proc", "'/proc' is a mount point; give a folder inside it")]
        for (output, reason) in cases {
            let outcome = try run(Self.tiny + ["--output", output], in: parent)
            #expect(outcome.status == 2)
            #expect(outcome.standardError == "make-report: error: --output: \(reason)\n")
        }
        let tooDeep = try run(Self.tiny + ["--output", deep], in: parent)
        #expect(tooDeep.status == 2)
        #expect(tooDeep.standardError.hasPrefix("make-report: error: --output: the path is "))
        #expect(tooDeep.standardError.count <= 300)
        #expect(snapshot(parent) == before)
    }

    /// Issue 19, r19: `--output .` from inside an empty folder or one of make-report's published by
    /// swapping the folder, leaving the shell in a removed folder with a new owner and inode, and
    /// made `.make-report/` and the store in the folder above. The current folder, or one above it,
    /// is refused however it is spelled, before any work: inode, owner and mode stay, and nothing is
    /// created anywhere.
    @Test func theCurrentFolderOrOneAboveItIsNeverAnOutputFolder() throws {
        let root = cli.temporaryFolder().deletingLastPathComponent()
        let empty = root.appendingPathComponent("empty"), out = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(chmod(empty.path, 0o750) == 0)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("alias").path, withDestinationPath: empty.path)
        #expect(try run(Self.tiny + ["--output", out.path, "--no-store", "--quiet"], in: root).status == 0)
        let before = snapshot(root)
        /// The folder's inode, owner and mode.
        func identity(_ folder: URL) -> [UInt64] {
            var status = stat()
            return stat(folder.path, &status) == 0 ? [UInt64(status.st_ino), UInt64(status.st_uid), UInt64(status.st_mode)] : []
        }
        let identities = [identity(empty), identity(out)]
        for (folder, output) in [(empty, "."), (empty, "../empty"), (empty, empty.path), (empty, "../alias"), (out, "."),
                                 (out.appendingPathComponent("figures"), ".."), (out.appendingPathComponent("figures"), out.path)] {
            for store in [[], ["--no-store"]] {
                let outcome = try run(Self.tiny + ["--output", output] + store, in: folder)
                #expect(outcome.status == 2)
                #expect(outcome.standardError == "make-report: error: --output: \(quotedUserText(output, keepingEnd: true)) is the current folder "
                    + "or holds it, and the output folder is replaced as a whole (the shell would be left in a removed folder); "
                    + "give a folder inside it, or run make-report from outside it\n", "\(output) in \(folder.path)")
            }
        }
        let merged = try run(["merge", "part.json", "--output", "."], in: empty)
        #expect(merged.status == 2 && merged.standardError.contains("'.' is the current folder or holds it"), "\(merged.standardError)")
        #expect(snapshot(root) == before)
        #expect([identity(empty), identity(out)] == identities)
    }

    /// The store of a finished tiny study, with its results.json, for tampering.
    func storedStudy() throws -> (folder: URL, store: String, results: Data) {
        let folder = cli.temporaryFolder()
        let store = folder.deletingLastPathComponent().appendingPathComponent("runs.sqlite").path
        #expect(try cli.run(Self.tiny + ["--output", folder.path, "--store", store]).status == 0)
        return (folder, store, try Data(contentsOf: folder.appendingPathComponent("results.json")))
    }

    @Test func tamperedStoredRunsAreTrainedAgainAndReplaced() throws {
        let (folder, store, results) = try storedStudy()
        let database = try DatabaseQueue(path: store)
        let keys = try database.read { try String.fetchAll($0, sql: "SELECT key FROM runs ORDER BY key") }
        #expect(keys.count == 4)
        /// Rewrites the payload of run `index` with `edit` applied to its JSON object; `forge` also
        /// recomputes the checksum, as a careful forger would.
        func tamper(_ index: Int, forge: Bool = false, _ edit: (inout [String: Any]) -> Void) throws {
            try database.write { db in
                let payload = try Data.fetchOne(db, sql: "SELECT result FROM runs WHERE key = ?", arguments: [keys[index]])!
                var object = try JSONSerialization.jsonObject(with: payload) as! [String: Any]
                edit(&object)
                let edited = try JSONSerialization.data(withJSONObject: object, options: .sortedKeys)
                try db.execute(sql: "UPDATE runs SET result = ? WHERE key = ?", arguments: [edited, keys[index]])
                if forge {
                    try db.execute(sql: "UPDATE runs SET checksum = ? WHERE key = ?",
                                   arguments: [storedRunChecksum(key: keys[index], payload: edited), keys[index]])
                }
            }
        }
        func setMetric(_ key: String, _ value: Double) -> (inout [String: Any]) -> Void {
            { object in
                var metrics = object["metrics"] as! [String: Any]
                metrics[key] = value
                object["metrics"] = metrics
            }
        }
        try tamper(0, setMetric(MetricKey.testAccuracy, 0.123))
        try tamper(1, forge: true, setMetric(MetricKey.testAccuracy, 5.0))
        try tamper(2, forge: true) { $0["seed"] = 77 }
        try tamper(3, forge: true) { $0["metrics"] = [String: Double]() }
        try database.close()

        let verify = try cli.run(["store", "verify", "--store", store])
        #expect(verify.status == 1)
        #expect(verify.standardOutput.hasSuffix(": 4 runs, 3 failed their check\n"))   // the seed needs the study to be found out
        #expect(verify.standardError.contains("its checksum does not match its payload"))
        #expect(verify.standardError.contains("its testAccuracy is 5.0, outside 0.0...1.0"))
        #expect(verify.standardError.contains("it has no testAccuracy"))

        // The rerun warns, beside its progress lines (--quiet would print errors only).
        let rerun = try cli.run(Self.tiny + ["--output", folder.path, "--store", store])
        #expect(rerun.status == 0)
        #expect(rerun.standardError.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
            == ["warning: 4 stored runs failed their check and were trained again (`make-report store verify` checks the whole store)"])
        #expect(try Data(contentsOf: folder.appendingPathComponent("results.json")) == results)
        #expect(try cli.run(["store", "verify", "--store", store]).standardOutput.hasSuffix(": 4 runs, 0 failed their check\n"))
        #expect(try cli.run(Self.tiny + ["--output", folder.path, "--store", store]).standardError.isEmpty)
    }

    @Test func aDatabaseThatIsNotAStoreIsRefusedAndLeftByteIdentical() throws {
        let folder = cli.temporaryFolder()
        let path = folder.appendingPathComponent("mine.sqlite").path
        let database = try DatabaseQueue(path: path)
        try database.write { try $0.execute(sql: "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')") }
        try database.close()
        let before = snapshot(folder)
        for command in [["store", "info"], ["store", "prune", "--all"], ["store", "verify"], Self.tiny + ["--output", folder.appendingPathComponent("out").path]] {
            let outcome = try cli.run(command + ["--store", path])
            #expect(outcome.status == 2, "\(command)")
            #expect(outcome.standardError == "make-report: error: --store: \(quotedUserText(path, keepingEnd: true)): it is not a make-report run store (an SQLite "
                + "database without make-report's application id; stores of make-report 0.3 cannot be verified: remove the file and its -wal and -shm files)\n")
            #expect(snapshot(folder) == before)
        }
    }

    @Test func devicesFIFOsFoldersAndProcFilesAreNoStores() throws {
        let folder = cli.temporaryFolder()
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let cases = [("/dev/null", "it is a device, not a run store"), (fifo, "it is a FIFO, not a run store"),
                     (folder.path, "it is a folder, not a run store"),
                     ("/proc/version", "it is not a make-report run store (not an SQLite database)")]
        let before = snapshot(folder.deletingLastPathComponent())
        for (path, reason) in cases {
            let outcome = try cli.run(Self.tiny + ["--output", folder.appendingPathComponent("out").path, "--store", path])
            #expect(outcome.status == 2)
            #expect(outcome.standardError == "make-report: error: --store: \(quotedUserText(path, keepingEnd: true)): \(reason)\n")
        }
        #expect(snapshot(folder.deletingLastPathComponent()) == before)
        #expect(!FileManager.default.fileExists(atPath: "/dev/null.open-lock"))
        #expect(!FileManager.default.fileExists(atPath: "/dev/null-journal"))
    }

    /// Issue 19, section 9: a store whose table was dropped, or whose file was cut short after its
    /// header, is refused with exit code 2 when opened, before the output folder's lock and staging
    /// folder are made, nothing created or changed; `store verify` exits 2 for it (1 is for runs that
    /// fail their check).
    @Test func aDamagedStoreIsRefusedBeforeTheOutputFolderIsTouched() throws {
        let (_, store, _) = try storedStudy()
        let parent = cli.temporaryFolder()   // an empty folder for the output, whose .make-report must not appear
        for (damage, reason) in [("drop", "no such table: runs"), ("truncate", "database disk image is malformed")] {
            let damaged = parent.deletingLastPathComponent().appendingPathComponent("\(damage).sqlite").path
            try FileManager.default.copyItem(atPath: store, toPath: damaged)
            if damage == "drop" {
                let database = try DatabaseQueue(path: damaged)
                try database.write { try $0.execute(sql: "DROP TABLE runs") }
                try database.close()
            } else {
                #expect(truncate(damaged, 100) == 0)
            }
            let message = "make-report: error: run store \(quotedUserText(damaged, keepingEnd: true)): it is a damaged run store (SQLite: \(reason)); "
                + "remove it and its -wal and -shm files\n"
            let before = snapshot(parent.deletingLastPathComponent())
            let outcome = try cli.run(Self.tiny + ["--output", parent.appendingPathComponent("out").path, "--store", damaged])
            #expect(outcome.status == 2)
            #expect(outcome.standardError == message)
            #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)
            for command in [["store", "verify"], ["store", "info"], ["store", "prune"]] {
                let refused = try cli.run(command + ["--store", damaged])
                #expect(refused.status == 2, "\(command)")
                #expect(refused.standardError == message, "\(command)")
            }
            #expect(snapshot(parent.deletingLastPathComponent()) == before)   // the damaged file too, and nothing beside it
        }
    }

    /// Issue 19 follow-up: damage in a page the opening read did not touch (here the header of the
    /// key index's page, page 3 of 4096 bytes) was met only when the runs were looked up, after the
    /// data were made and the store's lock file created. SQLite's integrity check at opening refuses
    /// the store before any work, nothing created; `store verify` exits 2 for it.
    @Test func aStoreDamagedInAPageTheOpeningReadMissedIsRefusedBeforeAnyWork() throws {
        let (_, store, _) = try storedStudy()
        let parent = cli.temporaryFolder()
        let damaged = parent.deletingLastPathComponent().appendingPathComponent("index.sqlite").path
        try FileManager.default.copyItem(atPath: store, toPath: damaged)
        let handle = try #require(FileHandle(forUpdatingAtPath: damaged))
        try handle.seek(toOffset: 2 * 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 16))
        try handle.close()
        let message = "make-report: error: run store \(quotedUserText(damaged, keepingEnd: true)): it is a damaged run store (SQLite's integrity check: Page 3: "
            + "btreeInitPage() returns error code 11); remove it and its -wal and -shm files\n"
        let before = snapshot(parent.deletingLastPathComponent())
        let outcome = try cli.run(Self.tiny + ["--output", parent.appendingPathComponent("out").path, "--store", damaged])
        #expect(outcome.status == 2)
        #expect(outcome.standardError == message)
        let verified = try cli.run(["store", "verify", "--store", damaged])
        #expect(verified.status == 2 && verified.standardError == message)
        #expect(snapshot(parent.deletingLastPathComponent()) == before)
    }

    /// Issue 19, sections 7, 10 and 11: a --store that names a folder-to-be (it once ended in an
    /// NSPOSIXErrorDomain dump, exit 1, after .make-report was made), a dangling symbolic link (it
    /// was replaced by a store) and a missing store with an old -wal beside it (SQLite replayed it
    /// into the new store): each refused before any work, nothing created or changed.
    @Test func storePathsThatWouldNotMakeAStoreAreRefused() throws {
        let folder = cli.temporaryFolder()
        #expect(symlink("missing.sqlite", folder.appendingPathComponent("link.sqlite").path) == 0)
        try Data("old log".utf8).write(to: folder.appendingPathComponent("runs.sqlite-wal"))
        let before = snapshot(folder.deletingLastPathComponent())
        let cases = [("newdir/", "it names a folder, not a file; give a file name"),
                     ("link.sqlite", "it is a symbolic link to a file that does not exist; give the file itself"),
                     ("runs.sqlite", "a leftover 'runs.sqlite-wal' lies beside it (SQLite would replay it into a new store); remove it too")]
        for (store, reason) in cases {
            let outcome = try run(Self.tiny + ["--output", "out", "--store", store], in: folder)
            #expect(outcome.status == 2)
            #expect(outcome.standardError == "make-report: error: --store: '\(store)': \(reason)\n")
            #expect(snapshot(folder.deletingLastPathComponent()) == before)
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("link.sqlite").path) == "missing.sqlite")
    }

    /// Review r19, finding 6: performance.json, which the manifest lists without a hash, was replaced
    /// unchecked when the user had put their own file in its place. A rerun now refuses the folder,
    /// naming it, and leaves it as it is; the record of another results.json is refused too.
    @Test func aPerformanceRecordThatIsNotTheSetsIsForeign() throws {
        let (folder, _, _) = try storedStudy()
        #expect(try cli.run(Self.tiny + ["--output", folder.path, "--no-store"]).status == 0)   // its own record: replaced
        let record = folder.appendingPathComponent("performance.json")
        let original = try Data(contentsOf: record)
        var object = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
        object["resultsSHA256"] = String(repeating: "0", count: 64)
        for (content, reason) in [(Data("my notes\n".utf8), "is not the performance record make-report writes"),
                                  (try JSONSerialization.data(withJSONObject: object), "is the performance record of another results.json")] {
            try content.write(to: record)
            let before = snapshot(folder)
            let outcome = try cli.run(Self.tiny + ["--output", folder.path, "--no-store"])
            #expect(outcome.status == 2)
            #expect(outcome.standardError.contains("'performance.json' \(reason)"), "\(outcome.standardError)")
            #expect(snapshot(folder) == before)
        }
    }

    /// Review r19, finding 1: a trigger added to a store (one that deletes every run after an insert)
    /// emptied it while `run` exited 0, and one that aborts passed `store verify`. A store holding
    /// anything make-report never creates (a trigger, a view, another table or index) is refused by
    /// every command, exit 2, the file and its folder byte-identical.
    @Test func aStoreWithATriggerViewOrExtraTableIsRefusedAndLeftAsItIs() throws {
        let (_, store, _) = try storedStudy()
        let parent = cli.temporaryFolder()
        let cases = [("CREATE TRIGGER t2 AFTER INSERT ON runs BEGIN DELETE FROM runs; END", "a trigger 't2'"),
                     ("CREATE VIEW v AS SELECT key FROM runs", "a view 'v'"),
                     ("CREATE TABLE notes (text TEXT)", "a table 'notes'"),
                     ("CREATE INDEX byEngine ON runs (engineVersion)", "an index 'byEngine'")]
        for (index, (statement, entry)) in cases.enumerated() {
            let altered = parent.deletingLastPathComponent().appendingPathComponent("altered\(index).sqlite").path
            try FileManager.default.copyItem(atPath: store, toPath: altered)
            let database = try DatabaseQueue(path: altered)
            try database.write { try $0.execute(sql: statement) }
            try database.close()
            let message = "make-report: error: run store \(quotedUserText(altered, keepingEnd: true)): it is a damaged run store (it holds \(entry) "
                + "that make-report never creates (a store holds only its table 'runs' and its key's index)); remove it and its -wal and -shm files\n"
            let before = snapshot(parent.deletingLastPathComponent())
            let outcome = try cli.run(["--widths", "8", "--fractions", "0,0.5", "--seeds", "1,2,3", "--epochs", "5",
                                       "--output", parent.appendingPathComponent("out").path, "--store", altered])
            #expect(outcome.status == 2, "\(statement)")
            #expect(outcome.standardError == message)
            for command in [["store", "verify"], ["store", "info"], ["store", "prune", "--all"]] {
                let refused = try cli.run(command + ["--store", altered])
                #expect(refused.status == 2, "\(command) \(statement)")
                #expect(refused.standardError == message, "\(command)")
            }
            #expect(snapshot(parent.deletingLastPathComponent()) == before, "\(statement)")
        }
    }

    /// Review r19, findings 2 and 3: `--store runs.sqlite-wal` (or -shm, -journal, .open-lock,
    /// .new-PID) made a store whose name is that of a file SQLite or make-report keeps beside
    /// runs.sqlite, which was then refused; a store that is the output folder, or a folder above it,
    /// was created, then the run failed with exit 1 and left it. Both are refused before any work
    /// (with --dry-run too), nothing created.
    @Test func storeNamesThatCollideWithASidecarOrTheOutputAreRefused() throws {
        let folder = cli.temporaryFolder()
        let before = snapshot(folder)
        for name in ["runs.sqlite-wal", "runs.sqlite-shm", "runs.sqlite-journal", "runs.sqlite.open-lock", "runs.sqlite.new-42"] {
            let outcome = try run(Self.tiny + ["--output", "out", "--store", name], in: folder)
            #expect(outcome.status == 2)
            let ending = name.hasSuffix("-42") ? ".new-PID" : String(name.dropFirst("runs.sqlite".count))
            #expect(outcome.standardError == "make-report: error: --store: '\(name)': its name ends in '\(ending)', as the files SQLite and make-report "
                + "keep beside a store are named; give the store's own name\n")
        }
        for (output, store) in [("zz", "zz"), ("yy/sub", "yy"), ("yy/sub", "./yy")] {
            for extra in [[], ["--dry-run"], ["--shard", "1/2"]] {
                let outcome = try run(Self.tiny + ["--output", output, "--store", store] + extra, in: folder)
                #expect(outcome.status == 2, "\(output) \(store) \(extra)")
                #expect(outcome.standardError == "make-report: error: --store: '\(store)' is the output folder or a folder above it, where the published "
                    + "set goes; give the store a file name of its own\n", "\(output) \(store) \(extra)")
            }
        }
        #expect(snapshot(folder) == before)
    }

    /// Issue 19, section 16: a row whose key no study can look up (upper-case digits) failed
    /// `store verify` forever; `store prune` removes it and says so.
    @Test func storePruneRemovesTheRowsThatFailVerify() throws {
        let (_, store, _) = try storedStudy()
        let database = try DatabaseQueue(path: store)
        try database.write { db in
            try db.execute(sql: "UPDATE runs SET key = upper(key) WHERE rowid = 1")
            try db.execute(sql: "UPDATE runs SET checksum = 'x' WHERE rowid = 2")
        }
        try database.close()
        let verify = try cli.run(["store", "verify", "--store", store])
        #expect(verify.status == 1)
        #expect(verify.standardOutput.hasSuffix(": 4 runs, 2 failed their check\n"))
        #expect(verify.standardError.contains("its key is not 64 lowercase hexadecimal digits, so no study can find it"))
        let prune = try cli.run(["store", "prune", "--store", store])
        #expect(prune.status == 0)
        #expect(prune.standardOutput.hasSuffix(": removed 2 runs (2 failed their check)\n"))
        let again = try cli.run(["store", "verify", "--store", store])
        #expect(again.status == 0 && again.standardOutput.hasSuffix(": 2 runs, 0 failed their check\n"))
    }
}

/// Error lines stay short and printable whatever they quote.
struct ErrorLineTests {
    @Test func quotedValuesAreCutControlCharactersEscapedAndTheLineBounded() {
        let long = String(repeating: "z", count: 5000)
        // A library's message (ArgumentParser quotes an option's value) is cut as the tool's own are: 40 characters.
        #expect(printableErrorLine("--shard: '1/\(long)' is not K/N") == "--shard: '1/\(String(repeating: "z", count: 38))…' is not K/N")
        #expect(printableErrorLine("d.csv:3: column a is not a number: '1\r2\u{1B}[31m'") == "d.csv:3: column a is not a number: '1\\u{D}2\\u{1B}[31m'")
        #expect(printableErrorLine("a label 'e\u{2028}f' and \"\(long)\"") == "a label 'e\\u{2028}f' and \"\(String(repeating: "z", count: 40))…\"")
        // Combining marks count as scalars, not as one grapheme.
        let marks = "é" + String(repeating: "\u{301}", count: 30_000)
        #expect(printableErrorLine("label '\(marks)' is ambiguous").unicodeScalars.count < 130)
        #expect(printableErrorLine("can't read '\(long)'").hasPrefix("can't read 'zzz"))
        #expect(printableErrorLine(String(repeating: "word ", count: 200)).unicodeScalars.count == 401)
        #expect(printableErrorLine("a short line") == "a short line")
    }

    @Test func bidirectionalOverridesAndInvisibleCharactersAreShownAsCodePoints() {
        // A right-to-left override quoted raw reversed the rest of the line in a terminal.
        #expect(printableErrorLine("label 'a\u{202E}b' holds U+202E") == "label 'a\\u{202E}b' holds U+202E")
        #expect(printableErrorLine("outside quotes \u{2067}x") == "outside quotes \\u{2067}x")
        // Zero-width and no-break spaces, a soft hyphen, a variation selector, a private-use and an unassigned code point.
        #expect(quotedUserText("a\u{200B}b\u{A0}c\u{AD}d\u{FE0F}") == "'a\\u{200B}b\\u{A0}c\\u{AD}d\\u{FE0F}'")
        #expect(quotedUserText("e\u{E000}f\u{E0001}\u{50000}") == "'e\\u{E000}f\\u{E0001}\\u{50000}'")
        // Letters, marks, emoji, right-to-left scripts and the plain space are shown as they are.
        #expect(quotedUserText("é e\u{301} \u{1F600} \u{5D0}\u{5D1} 日本") == "'é e\u{301} \u{1F600} \u{5D0}\u{5D1} 日本'")
        // 300 overrides: an escape counts as the characters it shows, and a cut never falls inside one.
        let overrides = String(repeating: "\u{202E}", count: 300)
        #expect(quotedUserText(overrides) == "'" + String(repeating: "\\u{202E}", count: 5) + "…'")
        #expect(printableErrorLine("label \(quotedUserText(overrides)) is bad") == "label " + quotedUserText(overrides) + " is bad")
        #expect(shortenedUserText(shortenedUserText(overrides)) == shortenedUserText(overrides))
    }

    /// Every kind of message that quotes the user's text, replayed through the binary with a
    /// right-to-left override (U+202E) in that text: an option's value, a file name, a study file's
    /// key, a CSV cell, label and column name. Each is refused in one line that shows the override
    /// as `\u{202E}` and holds no scalar a terminal would hide or reorder by.
    @Test(arguments: ["option", "file name", "key", "cell", "label", "column name"])
    func everyQuotedUserTextShowsTheOverrideAsItsCodePoint(_ place: String) throws {
        let folder = CommandLineTests().temporaryFolder().deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rlo = "\u{202E}"
        let csv = ["cell": "x,label\n1,a\n2\(rlo)3,b\n", "label": "x,label\n1,a\n2,b\(rlo)c\n", "column name": "x\(rlo),label\n1,a\n2,b\n"]
        if let text = csv[place] {
            try text.write(to: folder.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
            try "data:\n  kind: csv\n  path: data.csv\n".write(to: folder.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        }
        try "ke\(rlo)y: 1\n".write(to: folder.appendingPathComponent("key.yaml"), atomically: true, encoding: .utf8)
        let arguments = switch place {
        case "option": ["--attacks", "random-label-flip\(rlo)"]
        case "file name": ["--study", "no\(rlo)such.yaml"]
        case "key": ["--study", "key.yaml"]
        default: ["--study", "s.yaml"]
        }
        let outcome = try CommandLineTests().run(["run", "--output", "out", "--no-store"] + arguments, in: folder)
        #expect(outcome.status == 2)
        #expect(outcome.standardError.hasPrefix("make-report: error: ") && outcome.standardError.hasSuffix("\n"))
        #expect(outcome.standardError.contains("\\u{202E}"), "\(outcome.standardError)")
        #expect(!outcome.standardError.dropLast().unicodeScalars.contains(where: isEscapedInErrorLine), "\(outcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }
}
