import CFileExchange
import Foundation
import PoisoningAnalysis
import PoisoningEngine
import Synchronization

/// An output folder written as a whole. The files go into a staging folder in `.make-report/`
/// beside the target; `publish()` writes `manifest.json` (the SHA-256 of every file) and puts the
/// staging folder in place of the target in one atomic exchange of directory entries. So the target
/// always holds one complete set from one run: a run killed at any moment, a full disk or a failed
/// template leaves the previous set untouched, and a lock stops a second run into the same folder.
/// The staging folder is removed when the value is gone unpublished (a failed run), and by
/// `interruptionCleanup` from another thread (an interrupted run), with the empty folders above the
/// target that the run created (`--output new/sub/out`).
public final class StagedOutputFolder {
    /// The output folder, absolute, symbolic links resolved.
    public let target: URL
    /// Where the files are written until `publish()`.
    public let staging: URL
    /// The exclusive lock on the target (`.make-report/NAME.lock`), held from `init` until this
    /// value is gone or the run is interrupted; its file is removed then (`LockFile`).
    private let lock: LockFile
    /// SHA-256 of every file written, by path relative to the folder.
    private var hashes = [String: String]()
    /// The size in bytes of every file written, by path relative to the folder.
    private var sizes = [String: Int]()
    /// The work folder beside the target (`workFolder(besideOutput:)`): removed at the end when it is
    /// empty (`removeWorkFolderIfEmpty`), whichever run made it, so that runs without a store there
    /// leave nothing beside the output.
    private let work: URL
    /// The folders above the target that did not exist when the value was made, deepest first:
    /// created for the work folder, and removed again (when empty) by a run that ends unpublished.
    private let createdParents: [URL]
    /// Whether the staging folder is still being written, published or abandoned.
    private let state: StagingState
    /// The files of the target found unchanged by the checks so far (the command's record: the
    /// check of its options, the one when the folder was taken), which the check before it is
    /// replaced reads again only when their status changed.
    private let verified: VerifiedContents
    /// One sentence for each leftover of an ended run that was left in the work folder, whole or in
    /// part: nothing proves it make-report's (`removeLeftoverStaging`), it is no folder (a symbolic
    /// link), it holds entries its manifest does not list, or what make-report wrote in it could not
    /// be removed (`leftoverSetWarning`). Every run into the folder says it again until it is gone.
    public let leftoverWarnings: [String]

    /// Takes the target's lock (failing at once, with one line, when another run holds it), removes
    /// the staging folders and displaced sets of the target left by killed runs (their names exact,
    /// their processes ended: `isStagingOfEndedProcess`, `isStaleProcessID`; each a folder itself, never a symbolic link, which
    /// is left as it is; their contents make-report's: `removeLeftoverStaging` and
    /// `OutputOwnership.removeSet`), and creates a new staging folder holding only its marker
    /// (`stagingMarkerName`), failing when something of its name is still in the way. `verified` holds
    /// the files the command already found unchanged (`outputFolderProblem`), which are not read again.
    public init(path: String, verified: VerifiedContents = VerifiedContents()) throws {
        self.verified = verified
        if let problem = outputFolderProblem(path, verified: verified) { throw OutputFolderError(path: path, reason: problem) }
        target = resolvedFileURL(path, isDirectory: true)
        let work = workFolder(besideOutput: target)
        self.work = work
        createdParents = missingFolders(above: target)
        lock = try outputFolderLock(target: target, work: work)
        let name = target.lastPathComponent
        // Under the lock no other run writes this folder's staging folders; a leftover is removed
        // only when the process named in it has ended.
        var warnings = [String]()
        for leftover in ((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []).sorted() {
            let folder = work.appendingPathComponent(leftover)
            let isStaging = stagingProcessID(leftover, of: name).map { isStagingOfEndedProcess(folder, processID: $0) } == true
            guard isStaging || previousProcessID(leftover, of: name).map(isStaleProcessID) == true else { continue }
            // Entering a symbolic link would remove the files of the folder it points to.
            guard isRealFolder(folder.path) else {
                warnings.append("\(quotedUserText(folder.path, keepingEnd: true)) is named as a leftover of an ended run, but it is not a folder "
                                + "(a symbolic link or a file), so nothing proves it make-report's; it was left as it is")
                continue
            }
            let warning = isStaging ? removeLeftoverStaging(folder, target: target)
                : leftoverSetWarning(folder, OutputOwnership.removeSet(at: folder, keptIn: target))
            if let warning { warnings.append(warning) }
        }
        leftoverWarnings = warnings
        let staging = work.appendingPathComponent(name + ".staging-\(getpid())", isDirectory: true)
        // A new folder, never one already there (a leftover of this id kept above, or a symbolic
        // link): the run would write into it, and remove it when it fails.
        guard mkdir(staging.path, 0o777) == 0 else {
            let reason = errno == EEXIST ? "something of that name is in the way, which make-report cannot prove its own; it was left as it is; move it away"
                : String(cString: strerror(errno))
            throw OutputFolderError(path: staging.path, reason: reason)
        }
        self.staging = staging
        state = StagingState(staging: staging)
        do {
            try writeFile(Data((ProcessStamp.current?.markerText ?? "\(getpid())\n").utf8), to: staging.appendingPathComponent(stagingMarkerName))
        } catch {
            throw OutputFolderError(path: staging.path, reason: fileErrorReason(error))
        }
    }

    deinit {
        state.abandon { published in
            Self.release(lock, work: work, createdParents: published ? [] : createdParents)
        }
    }

    /// A function that removes the staging folder unless it is published (or being published), the
    /// lock file, the work folder when it is empty and, unless the set was published, the empty
    /// folders above the target that this run created, then runs its
    /// argument, which ends the process, before a write or the publication can go on (later writes
    /// fail); safe to call from any thread, at any moment. A command calls it when it is
    /// interrupted (a signal).
    public var interruptionCleanup: @Sendable (_ ending: () -> Void) -> Void {
        { [state, lock, work, createdParents] ending in
            state.abandon { published in
                Self.release(lock, work: work, createdParents: published ? [] : createdParents)
                ending()
            }
        }
    }

    /// Removes the lock file, then the work folder `work` and each of `createdParents` (deepest
    /// first) when it is empty: rmdir(2) removes nothing else, and never a folder holding another
    /// run's lock file or output.
    private static func release(_ lock: LockFile, work: URL, createdParents: [URL]) {
        lock.release()
        SharedFolder.removeIfEmpty(work)
        for folder in createdParents { SharedFolder.removeIfEmpty(folder) }
    }

    /// Writes `data` to `relativePath` (e.g. "figures/accuracy.png") in the staging folder, flushed
    /// to the disk, and records its hash for the manifest.
    public func write(_ data: Data, to relativePath: String) throws {
        TestPause.at(.stage)
        let url = staging.appendingPathComponent(relativePath)
        do {
            try state.whileOpen {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try writeFile(data, to: url)
            }
        } catch {
            throw OutputFolderError(path: target.appendingPathComponent(relativePath).path, reason: fileErrorReason(error))
        }
        hashes[relativePath] = SHA256.hexDigest(of: data)
        sizes[relativePath] = data.count
    }

    /// The SHA-256 of a file written so far.
    public func hash(of relativePath: String) -> String? { hashes[relativePath] }

    /// Writes manifest.json (every file with its size and hash, `performance.json` listed without
    /// them: it differs between identical runs and names the hash of results.json itself), keeps the
    /// files that stay beside a set (shard part files, report.pdf, report.aux...) of the old folder, gives the new
    /// folder the old one's permissions, and exchanges the staging folder with the target. The
    /// ownership rule is checked again first, under the lock: a file put into the folder during the
    /// run stops the publication. The displaced set is then removed file by file as its manifest
    /// lists them, so nothing else is ever deleted, still under the lock, so that an interruption
    /// waits for it instead of leaving the set in the work folder: returns a warning for each file
    /// that appeared in the folder between that check and the exchange, kept in the work folder, and
    /// one naming what make-report wrote there but could not remove, and why.
    @discardableResult
    public func publish() throws -> [String] {
        let unhashed = hashes.keys.filter { $0 == PerformanceRecord.fileName }.sorted()
        let manifest = OutputManifest(toolVersion: toolVersion, files: hashes.filter { !unhashed.contains($0.key) },
                                      sizes: sizes.filter { !unhashed.contains($0.key) }, unhashedFiles: unhashed)
        try write(try sortedJSON(manifest), to: OutputManifest.fileName)
        var displaced: URL?, removal = SetRemoval()
        try state.publishing { [target, staging, hashes, verified] in
            // The set is whole (its manifest written): the marker goes, and a leftover of it is
            // known by its manifest from here on.
            guard unlink(staging.appendingPathComponent(stagingMarkerName).path) == 0 else {
                throw OutputFolderError(path: staging.path, reason: String(cString: strerror(errno)))
            }
            var old = stat()
            guard lstat(target.path, &old) == 0 else {
                guard rename(staging.path, target.path) == 0 else {
                    throw OutputFolderError(path: target.path, reason: String(cString: strerror(errno)))
                }
                return
            }
            if let problem = OutputOwnership.problem(in: target, verified: verified) {
                throw OutputFolderError(path: target.path, reason: "\(problem); nothing was replaced")
            }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? []
            where OutputOwnership.isKeptBesideSet(name) && hashes[name] == nil {
                guard link(target.appendingPathComponent(name).path, staging.appendingPathComponent(name).path) == 0 else {
                    throw OutputFolderError(path: target.appendingPathComponent(name).path,
                                            reason: "cannot keep it in the new set: \(String(cString: strerror(errno)))")
                }
            }
            chmod(staging.path, old.st_mode & 0o7777)
            let aside = try replaceFolder(target, with: staging)
            removal = OutputOwnership.removeSet(at: aside, keptIn: target)
            displaced = aside
        }
        try? flushToDisk(target.deletingLastPathComponent())
        guard let displaced else { return [] }
        let unremoved = removal.failures.isEmpty ? [] : ["the previous set, moved to '\(displaced.path)', could not be removed whole: "
            + "\(failureText(removal.failures)); it was left there, and later runs into the folder try again"]
        return removal.unlisted.map { "'\($0)' appeared in '\(target.path)' while the set was written; it was kept in '\(displaced.path)'" }
            + unremoved
    }
}

/// Where a staging folder is in its life: written, published (it is the output folder now, or the
/// displaced set), or abandoned (removed). Writes and the publication hold the lock, so an
/// abandonment from another thread waits for the write in progress and is never half done.
private final class StagingState: Sendable {
    private enum Phase { case open, published, abandoned }

    private let staging: URL
    private let phase = Mutex(Phase.open)
    /// A descriptor held open while the folder is open and closed just before it is removed, so
    /// that a run failing because it ran out of descriptors ("Too many open files") still has one
    /// to remove its staging folder with (`removeTree`).
    private let spare: Int32

    init(staging: URL) {
        self.staging = staging
        spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    /// Runs `body` while the staging folder is open; throws, without running it, once it is abandoned.
    func whileOpen(_ body: () throws -> Void) throws {
        try phase.withLock { phase in
            guard phase == .open else { throw POSIXError(.ECANCELED) }
            try body()
        }
    }

    /// Runs `body`, which publishes the staging folder, while it is open, and marks it published
    /// unless `body` throws.
    func publishing(_ body: () throws -> Void) throws {
        try phase.withLock { phase in
            precondition(phase != .published, "an output folder is published once")
            guard phase == .open else { throw POSIXError(.ECANCELED) }
            try body()
            phase = .published
            if spare >= 0 { close(spare) }
        }
    }

    /// Removes the staging folder unless it was published, then runs `ending`, told whether it was,
    /// before a write or the publication can go on.
    func abandon(then ending: (_ published: Bool) -> Void) {
        phase.withLock { phase in
            if phase == .open {
                if spare >= 0 { close(spare) }
                removeTree(staging.path)
            }
            if phase != .published { phase = .abandoned }
            ending(phase == .published)
        }
    }
}

/// Removes the file or folder tree at `path`, holding at most one descriptor at a time (a folder's
/// names are read whole before its entries are removed), so that it works where few are left; a
/// symbolic link is removed itself, never followed.
func removeTree(_ path: String) {
    var status = stat()
    guard lstat(path, &status) == 0 else { return }
    guard status.st_mode & S_IFMT == S_IFDIR else {
        unlink(path)
        return
    }
    for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] { removeTree(path + "/" + name) }
    rmdir(path)
}

/// The process id in `name` when it is a staging folder of the output folder `output` in its work
/// folder, `OUTPUT.staging-PID` exactly; else nil.
private func stagingProcessID(_ name: String, of output: String) -> Substring? {
    guard name.hasPrefix(output + ".staging-") else { return nil }
    return name.dropFirst(output.count + 9).wholeMatch(of: /[0-9]+/)?.output
}

/// The process id in `name` when it is a displaced set of the output folder `output` in its work
/// folder, `OUTPUT.previous-PID-N` exactly; else nil.
private func previousProcessID(_ name: String, of output: String) -> Substring? {
    guard name.hasPrefix(output + ".previous-") else { return nil }
    return name.dropFirst(output.count + 10).wholeMatch(of: /([0-9]+)-[0-9]+/)?.output.1
}

/// The file in a staging folder that marks it make-report's until its set is whole: written when
/// the folder is made, removed just before the publication (after manifest.json is written). It
/// holds the stamp of the process that made it (`ProcessStamp.markerText`), or its id alone without /proc.
let stagingMarkerName = ".make-report-staging"

/// Whether the staging folder `folder`, named for process `processID`, was left by a process that
/// has ended. When its marker (a regular file, `stagingMarkerName`) holds a `ProcessStamp` of this
/// boot and pid namespace, by that stamp (`ProcessStamp.isEnded`): an id that another process has
/// taken since counts as ended, so a leftover is removed even where process ids are reused within
/// moments (a busy machine, pid_max 32768). Otherwise (a marker holding the id alone, no marker, a
/// stamp of another boot or namespace) by the id (`isStaleProcessID`).
func isStagingOfEndedProcess(_ folder: URL, processID: Substring) -> Bool {
    let marker = folder.appendingPathComponent(stagingMarkerName)
    if isRealFolder(folder.path), isRegularFile(marker),
       let text = try? String(contentsOf: marker, encoding: .utf8), let stamp = ProcessStamp(markerText: text),
       String(stamp.processID) == processID, stamp.isOfThisBootAndNamespace {
        return stamp.isEnded
    }
    return isStaleProcessID(processID)
}

/// Removes a staging folder a killed run left (a folder itself, not a symbolic link), when its
/// contents prove it make-report's, and returns a sentence for what it left, or nil when it is
/// gone: one holding the marker (`stagingMarkerName`) holds only files this tool wrote (and hard
/// links to files kept in the published set) and goes whole, and so does one holding no file at
/// all; one with make-report's manifest and no marker may be a set displaced by an exchange just
/// before the kill, and loses only what `OutputOwnership.removeSet` may remove
/// (`leftoverSetWarning`). Anything else is left as it is.
private func removeLeftoverStaging(_ folder: URL, target: URL) -> String? {
    let shown = quotedUserText(folder.path, keepingEnd: true)
    if isRegularFile(folder.appendingPathComponent(stagingMarkerName)) || (try? entriesBelow(folder))?.allSatisfy({ $0.kind == .folder }) == true {
        do {
            try FileManager.default.removeItem(at: folder)
            return nil
        } catch {
            return "\(shown), the staging folder of an ended run, could not be removed: \(fileErrorReason(error)); remove it by hand"
        }
    }
    if case .success = OutputOwnership.readManifest(in: folder) {
        return leftoverSetWarning(folder, OutputOwnership.removeSet(at: folder, keptIn: target))
    }
    return "\(shown) is named as a staging folder of an ended run, but nothing proves its files make-report's (no marker, no manifest); "
        + "it was left as it is"
}

/// One sentence for what `removal` left of `folder`, a set an ended run displaced into the work
/// folder, or nil when it is gone: what make-report wrote there but could not remove (and why),
/// else the entries that are not make-report's, which are never removed.
private func leftoverSetWarning(_ folder: URL, _ removal: SetRemoval) -> String? {
    let shown = quotedUserText(folder.path, keepingEnd: true)
    if !removal.failures.isEmpty {
        return "\(shown), a set an ended run displaced, could not be removed whole: \(failureText(removal.failures)); it was left there"
    }
    guard let first = removal.unlisted.first else { return nil }
    let count = removal.unlisted.count
    return "\(shown), a set an ended run displaced, holds \(count) entr\(count == 1 ? "y that is" : "ies that are") not make-report's "
        + "(\(quotedUserText(first, keepingEnd: true))\(count == 1 ? "" : " first")); it was left with them"
}

/// The first of `failures`, "'figures/a.png' (and 3 more): Permission denied" ("the folder itself"
/// for the set's folder).
private func failureText(_ failures: [SetRemoval.Failure]) -> String {
    let first = failures[0]
    let more = failures.count > 1 ? " (and \(failures.count - 1) more)" : ""
    return (first.path == "." ? "the folder itself" : quotedUserText(first.path, keepingEnd: true)) + more + ": " + first.reason
}

/// Puts the folder `replacement` in place of the existing folder `target` in one atomic exchange
/// of directory entries (on a file system without the exchange, two renames: a moment without the
/// folder, never a mixed one), and returns where the previous set now is: `NAME.previous-PID-N` in
/// the work folder, a name no staging folder has.
private func replaceFolder(_ target: URL, with replacement: URL) throws -> URL {
    let work = replacement.deletingLastPathComponent()
    let aside = (0...).lazy.map { work.appendingPathComponent(target.lastPathComponent + ".previous-\(getpid())-\($0)") }
        .first { var status = stat(); return lstat($0.path, &status) != 0 }!
    if file_exchange(replacement.path, target.path) == 0 {
        // The previous set, now at the staging folder's name, moves to a name of its own at once.
        return rename(replacement.path, aside.path) == 0 ? aside : replacement
    }
    guard [EINVAL, ENOSYS, ENOTSUP].contains(errno) else {
        throw OutputFolderError(path: target.path, reason: String(cString: strerror(errno)))
    }
    guard rename(target.path, aside.path) == 0, rename(replacement.path, target.path) == 0 else {
        throw OutputFolderError(path: target.path, reason: String(cString: strerror(errno)))
    }
    return aside
}

/// `manifest.json`: what belongs to one output set, so that `validate` can tell a complete,
/// consistent folder from a mixed one, and so that a later run knows which files it may replace
/// (`OutputOwnership`).
public struct OutputManifest: Codable, Sendable, Equatable {
    /// The file's name.
    public static let fileName = "manifest.json"
    /// The `tool` of every manifest make-report writes.
    public static let toolName = "make-report"
    /// The manifest format this build writes and reads.
    public static let currentVersion = 2
    /// "make-report": who wrote the set.
    public let tool: String
    /// The manifest format.
    public let manifestVersion: Int
    /// The tool version that wrote the set.
    public let toolVersion: String
    /// SHA-256 (hex) of every file of the set, by path relative to the folder.
    public let files: [String: String]
    /// The size in bytes of every file of `files`, so that a changed file is found without reading it.
    public let sizes: [String: Int]
    /// Files of the set listed without a hash, because their content differs between identical runs
    /// (`performance.json`); never committed, so a checked-out folder may lack them.
    public let unhashedFiles: [String]

    /// A manifest written by this build.
    public init(toolVersion: String, files: [String: String], sizes: [String: Int], unhashedFiles: [String]) {
        tool = Self.toolName
        manifestVersion = Self.currentVersion
        self.toolVersion = toolVersion
        self.files = files
        self.sizes = sizes
        self.unhashedFiles = unhashedFiles
    }

    /// Every file of the set, hashed or not, sorted.
    public var allFiles: [String] { (Array(files.keys) + unhashedFiles).sorted() }
}

/// The hidden folder beside an output folder that holds its lock, its staging folders and, by
/// default, the run store: `PARENT/.make-report/` for the output folder `PARENT/NAME`.
public func workFolder(besideOutput target: URL) -> URL {
    target.deletingLastPathComponent().appendingPathComponent(workFolderName, isDirectory: true)
}

/// Why `path` cannot be an output folder, in words, or nil when it can. It must be non-empty, not
/// the file-system root, not a mount point (the new set replaces the folder by a rename within its
/// parent), not make-report's work folder `.make-report` or inside one, not inside an output set
/// make-report published (`OutputOwnership.enclosingSet`), short enough for the names
/// the tool derives from it (`NAME.staging-PID` within NAME_MAX bytes, every path within PATH_MAX),
/// under a folder where it can be created, and either missing or a folder that is make-report's by
/// `OutputOwnership`, that this process may write in (and, when it is `replaced` by a new set rather
/// than given a shard's part file, write in every folder below it and move: `writeAccessProblem`),
/// and that is neither the working folder nor one above it (replacing it would leave the shell in a
/// removed folder, with a new owner and inode, and put `.make-report` outside it). An existing work
/// folder beside it must be one this process may write in too. Nothing is created or left behind.
/// The files of the folder read are added to `verified` (`OutputOwnership.problem`).
public func outputFolderProblem(_ path: String, verified: VerifiedContents? = nil, replaced: Bool = true) -> String? {
    guard !path.isEmpty else { return "the path is empty; give a folder name" }
    let target = resolvedFileURL(path, isDirectory: true)
    guard target.path != "/" else { return "the file-system root cannot be an output folder" }
    if let component = target.pathComponents.first(where: { $0.utf8.count + longestDerivedSuffix > Int(NAME_MAX) }) {
        return "the name \(quotedUserText(component)) is \(component.utf8.count) bytes long; names may have at most "
            + "\(Int(NAME_MAX) - longestDerivedSuffix) bytes (the file system's NAME_MAX is \(NAME_MAX))"
    }
    let longest = target.path.utf8.count + longestDerivedSuffix + longestRelativeOutputPath
    guard longest < Int(PATH_MAX) else {
        return "the path is \(target.path.utf8.count) bytes long; the files in it would pass the system's limit of \(PATH_MAX) bytes"
    }
    guard !target.pathComponents.contains(workFolderName) else {
        return "'\(workFolderName)' is make-report's work folder (locks, staging folders, the run store); give another folder"
    }
    var link = stat(), resolved = stat()
    if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK, stat(path, &resolved) != 0 {
        return "\(quotedUserText(path, keepingEnd: true)) is a symbolic link to nothing; give a folder"
    }
    if let set = OutputOwnership.enclosingSet(of: target.path) {
        return "\(quotedUserText(path, keepingEnd: true)) lies inside \(quotedUserText(set.path, keepingEnd: true)), an output set "
            + "make-report published, and would add files its manifest.json does not list; give a folder outside it"
    }
    if let problem = workFolderProblem(beside: target) { return problem }
    let lockPath = outputFolderLockPath(target: target, work: workFolder(besideOutput: target))
    guard isLockFileContent(atPath: lockPath) else {
        return "\(quotedUserText(lockPath, keepingEnd: true)): \(ForeignLockFileError(path: lockPath).description)"
    }
    let manager = FileManager.default
    var isFolder: ObjCBool = false
    if manager.fileExists(atPath: target.path, isDirectory: &isFolder) {
        guard isFolder.boolValue else { return "\(quotedUserText(path, keepingEnd: true)) is a file, not a folder" }
        if isMountPoint(target) { return "\(quotedUserText(path, keepingEnd: true)) is a mount point; give a folder inside it" }
        if let problem = OutputOwnership.problem(in: target, verified: verified) {
            return "\(quotedUserText(path, keepingEnd: true)) is not make-report's to replace (\(problem)); give a new or empty folder"
        }
        if holdsWorkingFolder(target) {
            return "\(quotedUserText(path, keepingEnd: true)) is the current folder or holds it, and the output folder is replaced as a whole "
                + "(the shell would be left in a removed folder); give a folder inside it, or run make-report from outside it"
        }
        if let problem = writeAccessProblem(target, replaced: replaced) { return problem }
    }
    // The target and .make-report are created in the nearest existing folder above the target.
    return creationProblem(at: target)
}

/// Why this process may not write in the existing output folder `target`, or nil. A shard writes
/// its part file into the folder. When the folder is `replaced` by a new set (a run, `merge`), it is
/// moved into the work folder (moving a folder to another parent needs write access to the folder
/// itself, and, in a folder with the sticky bit such as /tmp, owning it or that folder), and the
/// files of the displaced set are removed from every folder below it. Checked before any work, so
/// that a folder of another user's, or made read-only, fails in one line and not after the whole sweep.
private func writeAccessProblem(_ target: URL, replaced: Bool) -> String? {
    let below = !replaced ? [] : ((try? entriesBelow(target)) ?? []).filter { $0.kind == .folder }.map { target.appendingPathComponent($0.path) }
    let advice = replaced ? "the output folder is written and replaced as a whole, which needs write access to it and every folder in it"
        : "the shard writes its part file there"
    for folder in [target] + below where access(folder.path, W_OK | X_OK) != 0 {
        return "cannot write in \(quotedUserText(folder.path, keepingEnd: true)): \(String(cString: strerror(errno))); \(advice)"
    }
    var own = stat(), parent = stat()
    let user = geteuid(), parentFolder = target.deletingLastPathComponent()
    if replaced, user != 0, stat(target.path, &own) == 0, stat(parentFolder.path, &parent) == 0, parent.st_mode & S_ISVTX != 0,
       own.st_uid != user, parent.st_uid != user {
        return "\(quotedUserText(target.path, keepingEnd: true)) belongs to another user, in \(quotedUserText(parentFolder.path, keepingEnd: true)), "
            + "a folder with the sticky bit (as /tmp) where only its owner may move it, and a new set replaces it by moving it; give a folder of your own"
    }
    return nil
}

/// The folders above `target` that do not exist, deepest first (none when its parent exists).
public func missingFolders(above target: URL) -> [URL] {
    var missing = [URL](), folder = target.deletingLastPathComponent(), status = stat()
    while folder.path != "/" && lstat(folder.path, &status) != 0 && errno == ENOENT {
        missing.append(folder)
        folder.deleteLastPathComponent()
    }
    return missing
}

/// Whether the folder `url` is the working folder or one above it, by device and inode, however
/// it is spelled (".", "..", an absolute path, a symbolic link to it).
func holdsWorkingFolder(_ url: URL) -> Bool {
    var target = stat()
    guard stat(url.path, &target) == 0 else { return false }
    var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true).standardizedFileURL
    while true {
        var status = stat()
        if stat(folder.path, &status) == 0, status.st_dev == target.st_dev, status.st_ino == target.st_ino { return true }
        guard folder.path != "/" else { return false }
        folder.deleteLastPathComponent()
    }
}

/// Whether the folder `url` (symbolic links resolved) is a mount point: on another device than its
/// parent, or listed as a mount point in /proc/self/mountinfo (a bind mount within one device).
func isMountPoint(_ url: URL) -> Bool {
    var own = stat(), parent = stat()
    if stat(url.path, &own) == 0, stat(url.deletingLastPathComponent().path, &parent) == 0, own.st_dev != parent.st_dev { return true }
    guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return false }
    // Field 5 is the mount point, with space, tab, newline and backslash written as octal escapes.
    let escaped = url.path.replacingOccurrences(of: "\\", with: "\\134").replacingOccurrences(of: " ", with: "\\040")
        .replacingOccurrences(of: "\t", with: "\\011").replacingOccurrences(of: "\n", with: "\\012")
    return table.split(separator: "\n").contains { line in
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        return fields.count > 4 && fields[4] == escaped
    }
}

/// Why the work folder beside the output folder `target` cannot hold its lock and staging folder,
/// or nil: when it exists it must be a folder (not a file, not a symbolic link) that this process
/// may write in, on the same file system as the output folder's parent, since the staging folder is
/// renamed into place.
private func workFolderProblem(beside target: URL) -> String? {
    let work = workFolder(besideOutput: target)
    var status = stat(), parent = stat()
    guard lstat(work.path, &status) == 0 else { return nil }
    guard status.st_mode & S_IFMT == S_IFDIR else {
        let kind = status.st_mode & S_IFMT == S_IFLNK ? "a symbolic link, not a folder" : "not a folder"
        return "\(quotedUserText(work.path, keepingEnd: true)) is \(kind); make-report keeps the output folder's lock and staging folder there"
    }
    guard access(work.path, W_OK | X_OK) == 0 else {
        return "cannot write in \(quotedUserText(work.path, keepingEnd: true)): \(String(cString: strerror(errno))); make-report keeps the "
            + "output folder's lock and staging folder there"
    }
    if stat(target.deletingLastPathComponent().path, &parent) == 0, parent.st_dev != status.st_dev {
        return "\(quotedUserText(work.path, keepingEnd: true)) is on another file system than the output folder; the new set could not be renamed into place"
    }
    return nil
}

/// The name of the work folder beside every output folder.
let workFolderName = ".make-report"

/// The most bytes the tool appends to an output folder's name for the names it derives
/// (`.make-report/NAME.staging-PID`, with a PID of up to 10 digits).
private let longestDerivedSuffix = ".staging-".utf8.count + 10

/// A bound on the longest path the tool writes inside an output folder, relative to it
/// (`.make-report/` and a figure's name, with room to spare).
private let longestRelativeOutputPath = 200

/// Writes `data` to a new file at `url` and flushes it to the disk (fsync), with open(2) and
/// write(2) so that a failure carries its errno ("No space left on device", "File too large"). The
/// file is created exclusively (O_EXCL, O_NOFOLLOW): a file, or a symbolic or hard link, already at
/// `url` is never written through, and the write fails with EEXIST.
func writeFile(_ data: Data, to url: URL) throws {
    let descriptor = createNewFile(url.path)
    guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(descriptor) }
    try writeAndFlush(data, to: descriptor)
}

/// Creates the file `path` for writing (mode 644) only when nothing is at its name, never through a
/// symbolic link (O_CREAT | O_EXCL | O_NOFOLLOW): its descriptor, or -1 with errno set (EEXIST when
/// a file or link is already there).
func createNewFile(_ path: String) -> Int32 {
    open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
}

/// Writes `data` to the open file `descriptor` and flushes it to the disk (fsync); throws the errno
/// of a failed write(2) or fsync(2) (ENOSPC for a write that makes no progress).
func writeAndFlush(_ data: Data, to descriptor: Int32) throws {
    try data.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw POSIXError(POSIXErrorCode(rawValue: written < 0 ? errno : ENOSPC) ?? .EIO) }
            offset += written
        }
    }
    guard fsync(descriptor) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
}

/// fsync(2) of a file or folder, so that a rename after it never publishes data still in memory.
private func flushToDisk(_ url: URL) throws {
    let descriptor = open(url.path, O_RDONLY)
    guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
}

/// The lock file of the output folder `target` in its work folder `work`: `.make-report/NAME.lock`.
private func outputFolderLockPath(target: URL, work: URL) -> String {
    work.appendingPathComponent(target.lastPathComponent + ".lock").path
}

/// The exclusive lock on `.make-report/NAME.lock` for the output folder `target`, its file noting
/// this process's id, in the work folder `work`, which it creates when missing (`SharedFolder`, so
/// that another run's end cannot remove the folder meanwhile); throws, in one line, when another run
/// holds the lock (naming its process) or the folder or file cannot be made.
private func outputFolderLock(target: URL, work: URL) throws -> LockFile {
    let path = outputFolderLockPath(target: target, work: work)
    let acquired: LockFile?
    do {
        acquired = try SharedFolder.lockFile(named: (path as NSString).lastPathComponent, in: work, waiting: false)
    } catch let error as ForeignLockFileError {
        throw OutputFolderError(path: path, reason: error.description)
    } catch {
        throw OutputFolderError(path: path, reason: fileErrorReason(error))
    }
    guard let lock = acquired else {
        let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        throw OutputFolderError(path: target.path, reason: "the folder is in use by another make-report run"
            + (holder.isEmpty ? "" : " (process \(holder))") + "; wait for it to finish or give another --output")
    }
    lock.note("\(getpid())\n")
    return lock
}
