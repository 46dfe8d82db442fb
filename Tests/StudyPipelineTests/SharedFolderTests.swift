import Foundation
import Testing
import PoisoningUtilities
import Synchronization

/// The shared work folder `.make-report` (`SharedFolder`): a lock file is taken in it whatever
/// another process's removals of the empty folder do, and the making leaves nothing else behind.
@Suite struct SharedFolderTests {
    /// A new empty folder, and its work folder `.make-report` (not made).
    func scratch() throws -> (parent: URL, work: URL) {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("shared-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        return (parent, parent.appendingPathComponent(".make-report"))
    }

    /// The CI failure of 2026-12-05 (hostile case store-opening-survives-work-folder-removal): a
    /// loop removing the empty work folder as fast as it can won every one of the 1000 rounds of
    /// "make the folder, create the lock file in it", and the store opening failed with "No such
    /// file or directory". Two threads remove the folder without pause while 2000 lock files are
    /// taken and released: none fails, the folder is made again under them, and only the folder is
    /// ever seen beside it (no temporary folder is left). (In one process the old rounds rarely lost
    /// 1000 times in a row; the hostile case, with the remover in another process, replays the CI
    /// failure, and under strace(1), which widens the window, the old code failed it at round 2.)
    @Test func noRemovalOfTheEmptyFolderMakesTheTakingFail() throws {
        let (parent, work) = try scratch()
        defer { try? FileManager.default.removeItem(at: parent) }
        /// What the removing threads share with the test: whether to stop, and how often they removed the folder.
        final class Removers: Sendable {
            let stop = Atomic(false)
            let removals = Atomic(0)
        }
        let removers = Removers()
        let finished = DispatchSemaphore(value: 0)
        for _ in 0..<2 {
            Thread {
                while !removers.stop.load(ordering: .relaxed) {
                    if rmdir(work.path) == 0 { removers.removals.add(1, ordering: .relaxed) }
                }
                finished.signal()
            }.start()
        }
        var failures = [String]()
        for round in 0..<2000 {
            do {
                guard let lock = try SharedFolder.lockFile(named: "runs.sqlite.open-lock", in: work, waiting: false) else {
                    failures.append("round \(round): held by another")
                    continue
                }
                if !FileManager.default.fileExists(atPath: lock.path) { failures.append("round \(round): \(lock.path) missing") }
                lock.release()
            } catch {
                failures.append("round \(round): \(error)")
            }
        }
        removers.stop.store(true, ordering: .relaxed)
        finished.wait()
        finished.wait()
        #expect(failures == [])
        #expect(removers.removals.load(ordering: .relaxed) > 0, "the race was not replayed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).allSatisfy { $0 == ".make-report" })
    }

    /// A folder `.make-report.new-PID-N` that a process killed between the making and the rename
    /// left is removed by the next making, with the lock file in it; one of a running process, or
    /// holding a file of the user's, is left as it is. Missing parents are made.
    @Test func abandonedTemporaryFoldersAreRemovedOthersKept() throws {
        let (parent, _) = try scratch()
        defer { try? FileManager.default.removeItem(at: parent) }
        let deep = parent.appendingPathComponent("a/b")
        let work = deep.appendingPathComponent(".make-report")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        // 999999999 is above Linux's largest process id: no process has it.
        let abandoned = deep.appendingPathComponent(".make-report.new-999999999-7")
        let running = deep.appendingPathComponent(".make-report.new-\(getppid())-8")
        let users = deep.appendingPathComponent(".make-report.new-999999998-9")
        for folder in [abandoned, running, users] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try Data("999999999\n".utf8).write(to: abandoned.appendingPathComponent("out.lock"))
        try Data("".utf8).write(to: running.appendingPathComponent("out.lock"))
        try Data("my notes\n".utf8).write(to: users.appendingPathComponent("notes.txt"))
        let lock = try #require(try SharedFolder.lockFile(named: "out.lock", in: work, waiting: false))
        #expect(lock.path == work.appendingPathComponent("out.lock").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path) == ["out.lock"])
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: deep.path))
            == [".make-report", running.lastPathComponent, users.lastPathComponent])
        #expect(try String(contentsOf: users.appendingPathComponent("notes.txt"), encoding: .utf8) == "my notes\n")
        // The lock is held under its new name: a second taking finds it held; releasing removes the file.
        #expect(try SharedFolder.lockFile(named: "out.lock", in: work, waiting: false) == nil)
        lock.release()
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path) == [])
    }

    /// A file where the folder should be is an error, and is left as it is with nothing made beside it.
    @Test func aFileWhereTheFolderShouldBeIsAnError() throws {
        let (parent, work) = try scratch()
        defer { try? FileManager.default.removeItem(at: parent) }
        try Data("x\n".utf8).write(to: work)
        #expect(throws: (any Error).self) { try SharedFolder.lockFile(named: "out.lock", in: work, waiting: false) }
        #expect(try String(contentsOf: work, encoding: .utf8) == "x\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == [".make-report"])
    }
}
