import Foundation
import Testing

/// Paths through symbolic links, read as the kernel reads them (review r19e, finding 4), and the
/// refusals of findings 5 and 7: `check`'s $TMPDIR, `--shard -1/2`, `store info --store ''`.
struct SymbolicLinkPathTests {
    let cli = CommandLineTests()

    /// A folder holding `B/data.csv` and `B/study.yaml` (a CSV study naming "data.csv"), the folder
    /// `deep/x/y` and `lnk`, a symbolic link to it.
    func linkedFolder() throws -> URL {
        let folder = cli.temporaryFolder().deletingLastPathComponent()
        let data = folder.appendingPathComponent("B", isDirectory: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("deep/x/y"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("lnk").path, withDestinationPath: "deep/x/y")
        try ("x,y,label\n" + (0..<40).map { "\($0),\($0 % 7),\($0 % 2)" }.joined(separator: "\n") + "\n")
            .write(to: data.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
        try "data:\n  kind: csv\n  path: data.csv\n  label-column: label\nmodels:\n  - kind: logistic\nfractions: [0, 0.5]\nseeds: [1]\ntraining:\n  epochs: 2\n"
            .write(to: data.appendingPathComponent("study.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    /// The data path line of the study file at `url`, as make-report writes it (quoted).
    func dataPath(_ url: URL) throws -> String? {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("  path: ") }.map(String.init)
    }

    @Test func anOutputFolderBehindALinkNamesItsDataFromTheFolderItReallyIsIn() throws {
        let folder = try linkedFolder()
        let run = try cli.run(["--study", "B/study.yaml", "--output", "lnk/o", "--no-store", "--quiet"], in: folder)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        // deep/x/y/o is four folders below `folder`; counted from lnk/o as text it was two ("../../B/data.csv").
        let written = folder.appendingPathComponent("deep/x/y/o/study.yaml")
        #expect(try dataPath(written) == #"  path: "../../../../B/data.csv""#)
        // The published study runs from its real folder.
        let real = try cli.run(["--study", "deep/x/y/o/study.yaml", "--dry-run"], in: folder)
        #expect(real.status == 0, "stderr: \(real.standardError)")
    }

    @Test func anOutputFolderThroughLinkDotDotIsWhereTheKernelPutsIt() throws {
        let folder = try linkedFolder()
        let run = try cli.run(["--study", "B/study.yaml", "--output", "lnk/../zz", "--no-store", "--quiet"], in: folder)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        // lnk/.. is deep/x, the parent of the link's target, not `folder`.
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("deep/x/zz/results.json").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("zz").path))
        #expect(try dataPath(folder.appendingPathComponent("deep/x/zz/study.yaml")) == #"  path: "../../../B/data.csv""#)
        // A shard's part file too.
        let shard = try cli.run(["--study", "B/study.yaml", "--shard", "1/2", "--output", "lnk/../parts", "--no-store", "--quiet"], in: folder)
        #expect(shard.status == 0, "stderr: \(shard.standardError)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("deep/x/parts/results.part-1-of-2.json").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("parts").path))
    }

    /// Runs make-report with `arguments` in `folder` with the environment variable TMPDIR set to `temporary`.
    func run(_ arguments: [String], in folder: URL, temporary: String) throws -> CommandLineTests.Outcome {
        let process = Process()
        process.executableURL = CommandLineTests.executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary]) { $1 }
        let output = Pipe(), error = Pipe()
        (process.standardOutput, process.standardError) = (output, error)
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile(), errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandLineTests.Outcome(status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                                        standardError: String(decoding: errorData, as: UTF8.self))
    }

    /// The names of every entry below `folder`, sorted.
    func tree(_ folder: URL) -> [String] {
        (FileManager.default.subpaths(atPath: folder.path) ?? []).sorted()
    }

    @Test func checkRefusesAnUnusableTemporaryFolderBeforeCreatingAnything() throws {
        let folder = try linkedFolder()
        let published = try cli.run(["--study", "B/study.yaml", "--output", "o", "--no-store", "--quiet"], in: folder)
        #expect(published.status == 0, "stderr: \(published.standardError)")
        try "x".write(to: folder.appendingPathComponent("file"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("o/tmp"), withIntermediateDirectories: true)
        let cases = [
            (folder.path + "/missing", "$TMPDIR ('\(folder.path)/missing'): No such file or directory; set TMPDIR to a writable folder"),
            (folder.path + "/file", "$TMPDIR ('\(folder.path)/file') is not a folder; set TMPDIR to a writable folder"),
            (folder.path + "/o/tmp", "$TMPDIR ('\(folder.path)/o/tmp') lies inside the output folder 'o' that check compares; "
                + "set TMPDIR to a folder outside it"),
            // Through a link: lnk2 is `o`.
            (folder.path + "/lnk2/tmp", "$TMPDIR ('\(folder.path)/lnk2/tmp') lies inside the output folder 'o' that check compares; "
                + "set TMPDIR to a folder outside it"),
        ]
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("lnk2").path, withDestinationPath: "o")
        let before = tree(folder)
        for (temporary, message) in cases {
            let outcome = try run(["check", "--study", "B/study.yaml", "--output", "o", "--quiet"], in: folder, temporary: temporary)
            #expect(outcome.status == 2, "\(temporary): stderr \(outcome.standardError)")
            #expect(outcome.standardError == "make-report: error: \(message)\n")
            #expect(tree(folder) == before, "nothing created")
        }
        // A usable one: the check passes.
        let passes = try run(["check", "--study", "B/study.yaml", "--output", "o", "--quiet"], in: folder,
                             temporary: folder.appendingPathComponent("deep").path)
        #expect(passes.status == 0, "stderr: \(passes.standardError)")
    }

    @Test func aNegativeShardIsAnInvalidValueAndAnEmptyStorePathIsNamedEmpty() throws {
        let folder = cli.temporaryFolder()
        let shard = try cli.run(["--shard", "-1/2", "--no-store"], in: folder)
        #expect(shard.status == 2)
        #expect(shard.standardError == "make-report: error: The value '-1/2' is invalid for '--shard <K/N>': '-1' is not a whole number in decimal digits (0-9 only: no sign, no blanks, no point)\n")
        for command in [["store", "info"], ["store", "verify"], ["store", "prune"]] {
            let outcome = try cli.run(command + ["--store", ""], in: folder)
            #expect(outcome.status == 2)
            #expect(outcome.standardError == "make-report: error: --store: the path is empty; give a file name\n", "\(command)")
            let output = try cli.run(command + ["--output", ""], in: folder)
            #expect(output.status == 2)
            #expect(output.standardError == "make-report: error: --output: the path is empty; give the output folder whose store to use\n", "\(command)")
        }
    }
}
