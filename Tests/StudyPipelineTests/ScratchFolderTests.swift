import Foundation
import Testing
import TestSupport
@testable import StudyPipeline

/// Issue 19 (open list, #10b): `check` killed outright (kill -9) left `$TMPDIR/make-report-check-*`
/// for ever. A scratch folder holds a marker naming its process (`ProcessStamp`); a later check
/// removes a folder only when its marker proves its process ended, and nothing else.
@Suite struct ScratchFolderTests {
    let prefix = "make-report-check"

    /// A new empty folder standing for $TMPDIR.
    func temporaryDirectory() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scratch-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A folder `name` in `parent` holding `notes.txt` ("mine") and, when given, a marker of `stamp`.
    @discardableResult
    func folder(_ name: String, in parent: URL, stamp: ProcessStamp?) throws -> URL {
        let folder = parent.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("output/figures"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        if let stamp { try Data(stamp.markerText.utf8).write(to: folder.appendingPathComponent(".make-report-scratch")) }
        return folder
    }

    @Test func theMarkerNamesThisProcessExactly() throws {
        let stamp = try #require(ProcessStamp.current)
        #expect(stamp.processID == getpid())
        #expect(ProcessStamp(markerText: stamp.markerText) == stamp)
        #expect(!stamp.isEnded)
        // Field 22 of /proc/self/stat, read independently: the command name in parentheses, then
        // fields 3 and on; the start is the 20th of those.
        let stat = try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
        let afterName = stat[stat.range(of: ")", options: .backwards)!.upperBound...]
        #expect(UInt64(afterName.split(separator: " ")[19]) == stamp.startTicks)
        let boot = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
        #expect(stamp.bootID + "\n" == boot)
        let namespace = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")
        #expect(namespace == "pid:[\(stamp.namespace)]")
        for text in ["", String(stamp.markerText.dropLast()), stamp.markerText + "x", " " + stamp.markerText, "0 1 \(stamp.bootID) 2\n",
                     "-5 1 \(stamp.bootID) 2\n", "5 1 not-a-boot-id 2\n", "5 1 \(stamp.bootID) 2 3\n"] {
            #expect(ProcessStamp(markerText: text) == nil, "\(text)")
        }
    }

    /// The folder made for a check holds the marker of this process, and goes whole.
    @Test func aScratchFolderIsMarkedAndRemovedWhole() throws {
        let parent = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let scratch = try makeScratchFolder(prefix: prefix, in: parent)
        #expect(scratch.lastPathComponent.wholeMatch(of: /make-report-check-[A-Za-z0-9]{6}/) != nil)
        let marker = try String(contentsOf: scratch.appendingPathComponent(".make-report-scratch"), encoding: .utf8)
        #expect(ProcessStamp(markerText: marker) == ProcessStamp.current)
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("output/figures"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: scratch.appendingPathComponent("output/figures/a.png"))
        #expect(removeScratchFolder(scratch))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)
    }

    /// Removed: the folders of an ended process and of a process id now reused by another process (the
    /// start differs). Kept, unchanged: a running process's (this one's), a look-alike without the
    /// marker, a marker of another boot or pid namespace (its id means nothing here), a marker that is
    /// not one, a link named like a scratch folder (what it points to untouched), names not exactly
    /// `PREFIX-XXXXXX`. A link inside an abandoned folder is removed itself, never followed.
    @Test func onlyFoldersProvablyAbandonedAreRemoved() throws {
        let parent = try temporaryDirectory()
        let outside = try temporaryDirectory()
        defer { for folder in [parent, outside] { try? FileManager.default.removeItem(at: folder) } }
        let mine = try #require(ProcessStamp.current)
        var ended = mine, reused = mine, otherBoot = mine, otherNamespace = mine
        ended.processID = try endedProcessID()
        reused.startTicks += 1
        otherBoot.processID = try endedProcessID()
        otherBoot.bootID = "00000000-0000-0000-0000-000000000000"
        otherNamespace.processID = try endedProcessID()
        otherNamespace.namespace += 1
        let endedFolder = try folder("\(prefix)-Ended1", in: parent, stamp: ended)
        try Data("theirs".utf8).write(to: outside.appendingPathComponent("target.txt"))
        #expect(symlink(outside.path, endedFolder.appendingPathComponent("output/link").path) == 0)
        try folder("\(prefix)-reused", in: parent, stamp: reused)
        let running = try makeScratchFolder(prefix: prefix, in: parent)
        try folder("\(prefix)-abcdef", in: parent, stamp: nil)
        try folder("\(prefix)-boot00", in: parent, stamp: otherBoot)
        try folder("\(prefix)-names0", in: parent, stamp: otherNamespace)
        try folder("\(prefix)-nomark", in: parent, stamp: nil)
        try Data("\(ended.processID)\n".utf8).write(to: parent.appendingPathComponent("\(prefix)-nomark/.make-report-scratch"))
        try folder("\(prefix)-Ended12", in: parent, stamp: ended)
        try folder("make-report-bench-Ended1", in: parent, stamp: ended)
        try folder("linked", in: outside, stamp: ended)
        #expect(symlink(outside.appendingPathComponent("linked").path, parent.appendingPathComponent("\(prefix)-link00").path) == 0)
        let before = try snapshot(parent)
        removeAbandonedScratchFolders(prefix: prefix, in: parent)
        let kept = [running.lastPathComponent, "\(prefix)-abcdef", "\(prefix)-boot00", "\(prefix)-names0", "\(prefix)-nomark",
                    "\(prefix)-Ended12", "make-report-bench-Ended1", "\(prefix)-link00"]
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted() == kept.sorted())
        #expect(try snapshot(parent) == before.filter { kept.contains(String($0.key.split(separator: "/")[0])) })
        #expect(try snapshot(outside)["target.txt"] == "theirs")
        #expect(try snapshot(outside)["linked/notes.txt"] == "mine")
        #expect(FileManager.default.fileExists(atPath: outside.appendingPathComponent("linked/.make-report-scratch").path))
    }

    /// Every file below `folder` (relative path: its content) and every folder (path with a
    /// trailing "/": ""), links as "-> DESTINATION", never followed.
    func snapshot(_ folder: URL) throws -> [String: String] {
        var entries = [String: String]()
        for path in try FileManager.default.subpathsOfDirectory(atPath: folder.path) {
            let url = folder.appendingPathComponent(path)
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            switch attributes[.type] as? FileAttributeType {
            case .typeSymbolicLink?: entries[path] = "-> " + (try FileManager.default.destinationOfSymbolicLink(atPath: url.path))
            case .typeDirectory?: entries[path + "/"] = ""
            default: entries[path] = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            }
        }
        return entries
    }

    /// A staging folder `NAME.staging-PID` left by a killed run is removed by the next run into the
    /// folder once its process has ended. The full suite once found one kept under heavy load (seven
    /// builds beside it): the killed run's id had been taken by another process within moments, and
    /// the id alone said "running". The marker now holds the run's `ProcessStamp`: a staging folder
    /// named for a running process (this test's parent) whose stamp gives another start is removed;
    /// one whose stamp is that process's own, or whose marker holds the id alone, is kept.
    @Test func aStagingFolderOfAReusedProcessIDIsRemoved() throws {
        let parent = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let running = getppid()
        let start = try #require(ProcessStamp.startTicks(of: running))
        let mine = try #require(ProcessStamp.current)
        let live = ProcessStamp(processID: running, startTicks: start, bootID: mine.bootID, namespace: mine.namespace)
        var reused = live
        reused.startTicks += 1
        /// A staging folder of `out` named for `running`, holding a figure and a marker of `text`.
        func staging(marker text: String) throws -> URL {
            let work = workFolder(besideOutput: parent.appendingPathComponent("out"))
            let folder = work.appendingPathComponent("out.staging-\(running)")
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("figures"), withIntermediateDirectories: true)
            try Data("half".utf8).write(to: folder.appendingPathComponent("figures/a.png"))
            try Data(text.utf8).write(to: folder.appendingPathComponent(".make-report-staging"))
            return folder
        }
        #expect(isStagingOfEndedProcess(try staging(marker: reused.markerText), processID: Substring(String(running))))
        #expect(!isStagingOfEndedProcess(try staging(marker: live.markerText), processID: Substring(String(running))))
        #expect(!isStagingOfEndedProcess(try staging(marker: "\(running)\n"), processID: Substring(String(running))))
        // The run into `out`: it removes the leftover whose stamp names another start, and makes its own
        // staging folder with this process's stamp in its marker.
        let leftover = try staging(marker: reused.markerText)
        do {
            let next = try StagedOutputFolder(path: parent.appendingPathComponent("out").path)
            #expect(!FileManager.default.fileExists(atPath: leftover.path))
            #expect(next.leftoverWarnings.isEmpty)
            let marker = try String(contentsOf: next.staging.appendingPathComponent(".make-report-staging"), encoding: .utf8)
            #expect(ProcessStamp(markerText: marker) == mine)
        }
        // And keeps one whose stamp is the running process's own.
        let kept = try staging(marker: live.markerText)
        _ = try StagedOutputFolder(path: parent.appendingPathComponent("out").path)
        #expect(FileManager.default.fileExists(atPath: kept.appendingPathComponent("figures/a.png").path))
    }
}
