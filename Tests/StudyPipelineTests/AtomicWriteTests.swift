import Foundation
import PoisoningEngine
import Testing
import TestSupport
@testable import StudyPipeline

/// Issue 19, review r19e finding 1: a single-file write (`compare --output`, a shard's part,
/// `bench --results`) opened its temporary file `.NAME.tmp-PID` with O_CREAT|O_TRUNC, so a symbolic
/// or hard link already at that name was written through (the file it leads to overwritten) and then
/// renamed over the target. The temporary file is created exclusively: anything at its name is
/// refused, naming it, and left as it is, and so is the file it leads to.
@Suite struct AtomicWriteTests {
    /// A new empty folder, and the victim file outside it that a link may lead to.
    func scratch() throws -> (folder: URL, victim: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-write-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let victim = root.appendingPathComponent("victim.txt")
        try Data("data\n".utf8).write(to: victim)
        return (folder, victim)
    }

    @Test(arguments: ["symbolic", "hard"]) func aLinkAtTheTemporaryNameIsNeverWrittenThrough(_ kind: String) throws {
        let (folder, victim) = try scratch()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let temporary = folder.appendingPathComponent(".cmp.json.tmp-\(getpid())")
        #expect((kind == "symbolic" ? symlink(victim.path, temporary.path) : link(victim.path, temporary.path)) == 0)
        let output = try OutputFolder(path: folder.path)
        #expect {
            try output.write(Data("{}\n".utf8), to: "cmp.json")
        } throws: { error in
            "\(error)" == "cannot write to \(quotedUserText(temporary.path, keepingEnd: true)): something is already at this temporary file's "
                + "name, which make-report cannot prove its own; it was left as it is; move it away"
        }
        #expect(try Data(contentsOf: victim) == Data("data\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [temporary.lastPathComponent])
        var status = stat()
        #expect(lstat(temporary.path, &status) == 0 && (status.st_mode & S_IFMT == S_IFLNK) == (kind == "symbolic"))
    }

    @Test func aWriteReplacesTheTargetAndLeavesNoTemporaryFile() throws {
        let (folder, _) = try scratch()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let output = try OutputFolder(path: folder.path)
        try output.write(Data("first\n".utf8), to: "cmp.json")
        try output.write(Data("second\n".utf8), to: "cmp.json")
        #expect(try Data(contentsOf: folder.appendingPathComponent("cmp.json")) == Data("second\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["cmp.json"])
    }

    /// An interruption's clean-up removes the temporary file only once this process has created it:
    /// a file of that name put there by someone else before the write is left as it is (the clean-up
    /// of `compare --output` unlinked the name whatever was there).
    @Test func anInterruptionRemovesOnlyATemporaryFileThisProcessCreated() throws {
        let (folder, _) = try scratch()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let temporary = folder.appendingPathComponent(".cmp.json.tmp-\(getpid())")
        try Data("theirs\n".utf8).write(to: temporary)
        let write = AtomicFileWrite()
        var ended = false
        write.removeTemporaryFile(then: { ended = true })
        #expect(ended)
        #expect(try Data(contentsOf: temporary) == Data("theirs\n".utf8))
        #expect(throws: OutputFolderError.self) { try OutputFolder(path: folder.path).write(Data("{}\n".utf8), to: "cmp.json", through: write) }
        write.removeTemporaryFile(then: {})
        #expect(try Data(contentsOf: temporary) == Data("theirs\n".utf8))
    }

    /// A staged file, or a scratch folder's marker, is created exclusively too: a link planted at its
    /// name is not written through.
    @Test func writeFileNeverWritesThroughALink() throws {
        let (folder, victim) = try scratch()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let planted = folder.appendingPathComponent("results.json")
        #expect(symlink(victim.path, planted.path) == 0)
        #expect(throws: POSIXError(.EEXIST)) { try writeFile(Data("{}".utf8), to: planted) }
        #expect(try Data(contentsOf: victim) == Data("data\n".utf8))
    }
}
