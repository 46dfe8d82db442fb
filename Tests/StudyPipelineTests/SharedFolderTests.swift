import Foundation
import Testing
@testable import PoisoningUtilities
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

    /// The removal at the worst moments, every time: `beforeTaking` removes the empty folder after it
    /// was seen (or made) and before the lock file is created in it, and again before the rename. The
    /// old taking (make the folder, then create the file, 1000 rounds) lost every round this way; the
    /// taking must now succeed at the first making, with the lock held under the folder's own name.
    @Test func aRemovalAtEveryMomentBeforeTheLockFileIsInTheFolderFailsNothing() throws {
        let (parent, work) = try scratch()
        defer { try? FileManager.default.removeItem(at: parent) }
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let removals = Mutex(0)
        let lock = try #require(try SharedFolder.lockFile(named: "out.lock", in: work, waiting: false) {
            if rmdir(work.path) == 0 { removals.withLock { $0 += 1 } }
        })
        #expect(removals.withLock { $0 } == 1, "the folder seen was removed once; the made one could not be")
        #expect(lock.path == work.appendingPathComponent("out.lock").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == [".make-report"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path) == ["out.lock"])
        lock.release()
    }

    /// A folder `.make-report.make-report-new-PID-N` that a process killed between the making and
    /// the rename left (one lock file in it) is removed by the next taking, also when the folder is
    /// there already; one of a running process, one holding a file of the user's or more than one
    /// file, one whose name only begins so, and a symbolic link of that name (review rrace: the
    /// first sweep deleted `__init__.py` and `VERSION` through such a link) are left as they are,
    /// with what they hold. Missing parents are made.
    @Test func abandonedTemporaryFoldersAreRemovedOthersKept() throws {
        let (parent, _) = try scratch()
        defer { try? FileManager.default.removeItem(at: parent) }
        let deep = parent.appendingPathComponent("a/b")
        let work = deep.appendingPathComponent(".make-report")
        let prefix = ".make-report.make-report-new-"
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        // 999999999 is above Linux's largest process id: no process has it.
        let abandoned = deep.appendingPathComponent(prefix + "999999999-7")
        let running = deep.appendingPathComponent(prefix + "\(getppid())-8")
        let users = deep.appendingPathComponent(prefix + "999999998-9")
        let two = deep.appendingPathComponent(prefix + "999999997-1")
        let longer = deep.appendingPathComponent(prefix + "999999996-1-mine")
        let package = parent.appendingPathComponent("src/pkg")
        let link = deep.appendingPathComponent(prefix + "999999995-2")
        for folder in [abandoned, running, users, two, longer, package] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: package)
        try Data("999999999\n".utf8).write(to: abandoned.appendingPathComponent("out.lock"))
        try Data("".utf8).write(to: running.appendingPathComponent("out.lock"))
        try Data("my notes\n".utf8).write(to: users.appendingPathComponent("notes.lock"))
        try Data("".utf8).write(to: two.appendingPathComponent("out.lock"))
        try Data("42\n".utf8).write(to: two.appendingPathComponent("count.lock"))
        try Data("".utf8).write(to: longer.appendingPathComponent("out.lock"))
        try Data("".utf8).write(to: package.appendingPathComponent("__init__.lock"))
        try Data("7\n".utf8).write(to: package.appendingPathComponent("VERSION.lock"))
        let kept = [running, users, two, longer, link].map(\.lastPathComponent)

        let lock = try #require(try SharedFolder.lockFile(named: "out.lock", in: work, waiting: false))
        #expect(lock.path == work.appendingPathComponent("out.lock").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path) == ["out.lock"])
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: deep.path)) == Set([".make-report"] + kept))
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: package.path)) == ["__init__.lock", "VERSION.lock"])
        #expect(try String(contentsOf: users.appendingPathComponent("notes.lock"), encoding: .utf8) == "my notes\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: two.path).count == 2)
        // The lock is held under its new name: a second taking finds it held; releasing removes the file.
        #expect(try SharedFolder.lockFile(named: "out.lock", in: work, waiting: false) == nil)
        lock.release()
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path) == [])

        // A leftover that appears while the folder is there goes at the next taking too.
        let later = deep.appendingPathComponent(prefix + "999999999-3")
        try FileManager.default.createDirectory(at: later, withIntermediateDirectories: true)
        try Data("".utf8).write(to: later.appendingPathComponent("runs.sqlite.open-lock"))
        let next = try #require(try SharedFolder.lockFile(named: "out.lock", in: work, waiting: false))
        #expect(!FileManager.default.fileExists(atPath: later.path))
        next.release()
    }

    /// Review rrace, finding 6: `--store dangling/x.sqlite` failed late with "Not a directory"
    /// (exit 1). Nothing can be created under a symbolic link to nothing, and `creationProblem` says
    /// so before anything is made; under a file too, and under a real folder it has no objection.
    @Test func nothingCanBeCreatedUnderALinkToNothingOrAFile() throws {
        let (parent, _) = try scratch()
        defer { try? FileManager.default.removeItem(at: parent) }
        let dangling = parent.appendingPathComponent("dangling")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "nowhere")
        let file = parent.appendingPathComponent("file")
        try Data("x\n".utf8).write(to: file)
        #expect(creationProblem(at: dangling.appendingPathComponent("deeper/x.sqlite"))
            == "\(quotedUserText(dangling.path, keepingEnd: true)) is a symbolic link to nothing, not a folder")
        #expect(creationProblem(at: file.appendingPathComponent("x.sqlite")) == "\(quotedUserText(file.path, keepingEnd: true)) is a file, not a folder")
        #expect(creationProblem(at: parent.appendingPathComponent("new/x.sqlite")) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted() == ["dangling", "file"])
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
