import Foundation
import StudyPipeline
import Testing
@testable import MakeReport

/// Issue 19: `bench` wrote its in-process output set into its scratch folder with the folder's plain
/// removal as the clean-up of an interruption, which ran beside the main thread still writing there:
/// a write after the removal put the folder back. `scratchCleanUp` (bench and check) abandons the
/// staged set first, so every later write fails and the folder stays gone.
struct ScratchCleanUpTests {
    /// A scratch folder in a fresh temporary folder, with a staged output set `out` in it holding one file.
    func scratchWithStagedSet() throws -> (scratch: URL, staged: StagedOutputFolder) {
        let parent = CommandLineTests().temporaryFolder().deletingLastPathComponent()
        let scratch = try makeScratchFolder(prefix: "make-report-bench", in: parent)
        let staged = try StagedOutputFolder(path: scratch.appendingPathComponent("out").path)
        try staged.write(Data("{}".utf8), to: "results.json")
        return (scratch, staged)
    }

    @Test func aWriteAfterTheCleanUpFailsAndTheScratchFolderStaysGone() throws {
        let (scratch, staged) = try scratchWithStagedSet()
        var ended = false
        scratchCleanUp(abandoning: staged, thenRemoving: scratch)({ ended = true })
        #expect(ended)
        #expect(access(scratch.path, F_OK) != 0, "the scratch folder is removed")
        #expect(throws: OutputFolderError.self) { try staged.write(Data("late".utf8), to: "figures/accuracy.png") }
        #expect(throws: (any Error).self) { try staged.publish() }
        #expect(access(scratch.path, F_OK) != 0, "no write put the scratch folder back")
    }

    /// The clean-up bench had before, the folder's removal alone: the next write of the set puts the
    /// folder back (what the test above rules out).
    @Test func theRemovalAloneLetsAWritePutTheFolderBack() throws {
        let (scratch, staged) = try scratchWithStagedSet()
        removeScratchFolder(scratch)
        #expect(access(scratch.path, F_OK) != 0)
        try staged.write(Data("late".utf8), to: "figures/accuracy.png")
        #expect(access(scratch.path, F_OK) == 0, "the write made the folder again")
        try FileManager.default.removeItem(at: scratch)
    }
}
