import CFileExchange
import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// An output folder written as a whole. The files go into a staging folder in `.make-report/`
/// beside the target; `publish()` writes `manifest.json` (the SHA-256 of every file) and puts the
/// staging folder in place of the target in one atomic exchange of directory entries. So the target
/// always holds one complete set from one run: a run killed at any moment, a full disk or a failed
/// template leaves the previous set untouched, and a lock stops a second run into the same folder.
public final class StagedOutputFolder {
    /// The output folder, absolute, symbolic links resolved.
    public let target: URL
    /// Where the files are written until `publish()`.
    public let staging: URL
    /// The exclusive lock on the target, held from `init` until this value is gone.
    private let lock: OutputFolderLock
    /// SHA-256 of every file written, by path relative to the folder.
    private var hashes = [String: String]()
    private var published = false

    /// Takes the target's lock (failing at once, with one line, when another run holds it), removes
    /// staging folders left by killed runs, and creates an empty staging folder.
    public init(path: String) throws {
        if let problem = outputFolderProblem(path) { throw OutputFolderError(path: path, reason: problem) }
        target = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL.resolvingSymlinksInPath()
        let work = workFolder(besideOutput: target)
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        } catch {
            throw OutputFolderError(path: work.path, reason: fileErrorReason(error))
        }
        lock = try OutputFolderLock(target: target, work: work)
        let prefix = target.lastPathComponent + ".staging-"
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []
        where leftover.hasPrefix(prefix) || leftover.hasPrefix(target.lastPathComponent + ".previous-") {
            removeLeftover(work.appendingPathComponent(leftover))
        }
        staging = work.appendingPathComponent(prefix + "\(getpid())", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw OutputFolderError(path: staging.path, reason: fileErrorReason(error))
        }
    }

    deinit {
        if !published { try? FileManager.default.removeItem(at: staging) }
    }

    /// Writes `data` to `relativePath` (e.g. "figures/accuracy.png") in the staging folder, flushed
    /// to the disk, and records its hash for the manifest.
    public func write(_ data: Data, to relativePath: String) throws {
        let url = staging.appendingPathComponent(relativePath)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try writeFile(data, to: url)
        } catch {
            throw OutputFolderError(path: target.appendingPathComponent(relativePath).path, reason: fileErrorReason(error))
        }
        hashes[relativePath] = SHA256.hexDigest(of: data)
    }

    /// The SHA-256 of a file written so far.
    public func hash(of relativePath: String) -> String? { hashes[relativePath] }

    /// Writes manifest.json (every file, `performance.json` listed without its hash: it differs
    /// between identical runs and names the hash of results.json itself), keeps the files that stay
    /// beside a set (shard part files, report.pdf) of the old folder, and exchanges the staging
    /// folder with the target. The old set is then removed file by file as its manifest lists them,
    /// so nothing else is ever deleted. The ownership rule is checked again first, under the lock:
    /// a file put into the folder during the run stops the publication.
    public func publish() throws {
        precondition(!published, "an output folder is published once")
        let unhashed = hashes.keys.filter { $0 == PerformanceRecord.fileName }.sorted()
        let manifest = OutputManifest(toolVersion: toolVersion, files: hashes.filter { !unhashed.contains($0.key) },
                                      unhashedFiles: unhashed)
        try write(try sortedJSON(manifest), to: OutputManifest.fileName)
        let manager = FileManager.default
        if manager.fileExists(atPath: target.path) {
            if let problem = OutputOwnership.problem(in: target) {
                throw OutputFolderError(path: target.path, reason: "\(problem); nothing was replaced")
            }
            for name in (try? manager.contentsOfDirectory(atPath: target.path)) ?? []
            where OutputOwnership.isKeptBesideSet(name) && hashes[name] == nil {
                guard link(target.appendingPathComponent(name).path, staging.appendingPathComponent(name).path) == 0 else {
                    throw OutputFolderError(path: target.appendingPathComponent(name).path,
                                            reason: "cannot keep it in the new set: \(String(cString: strerror(errno)))")
                }
            }
            try replaceFolder(target, with: staging)
        } else {
            guard rename(staging.path, target.path) == 0 else {
                throw OutputFolderError(path: target.path, reason: String(cString: strerror(errno)))
            }
        }
        published = true
        try? flushToDisk(target.deletingLastPathComponent())
    }
}

/// Removes what a killed run left in the work folder: a staging folder that never got a manifest
/// holds only files this tool wrote and goes whole; a folder with a manifest is a displaced output
/// set and loses only the files its manifest lists.
private func removeLeftover(_ folder: URL) {
    if isRegularFile(folder.appendingPathComponent(OutputManifest.fileName)) {
        OutputOwnership.removeSet(at: folder)
    } else {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Puts the folder `replacement` in place of the existing folder `target` in one atomic exchange
/// of directory entries, then removes the previous set (only the files its manifest lists). On a
/// file system without the exchange, two renames, the old set first moved aside: a moment without
/// the folder, never a mixed one.
private func replaceFolder(_ target: URL, with replacement: URL) throws {
    if file_exchange(replacement.path, target.path) == 0 {
        OutputOwnership.removeSet(at: replacement)   // now the previous set
        return
    }
    guard [EINVAL, ENOSYS, ENOTSUP].contains(errno) else {
        throw OutputFolderError(path: target.path, reason: String(cString: strerror(errno)))
    }
    let aside = replacement.deletingLastPathComponent().appendingPathComponent(target.lastPathComponent + ".previous-\(getpid())")
    guard rename(target.path, aside.path) == 0, rename(replacement.path, target.path) == 0 else {
        throw OutputFolderError(path: target.path, reason: String(cString: strerror(errno)))
    }
    OutputOwnership.removeSet(at: aside)
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
    /// Files of the set listed without a hash, because their content differs between identical runs
    /// (`performance.json`).
    public let unhashedFiles: [String]

    /// A manifest written by this build.
    public init(toolVersion: String, files: [String: String], unhashedFiles: [String]) {
        tool = Self.toolName
        manifestVersion = Self.currentVersion
        self.toolVersion = toolVersion
        self.files = files
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
/// parent), not make-report's work folder `.make-report` or inside one, short enough for the names
/// the tool derives from it (`NAME.staging-PID` within NAME_MAX bytes, every path within PATH_MAX),
/// under a folder where it can be created, and either missing or a folder that is make-report's by
/// `OutputOwnership`. Nothing is created or left behind.
public func outputFolderProblem(_ path: String) -> String? {
    guard !path.isEmpty else { return "the path is empty; give a folder name" }
    let target = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL.resolvingSymlinksInPath()
    guard target.path != "/" else { return "the file-system root cannot be an output folder" }
    if let component = target.pathComponents.first(where: { $0.utf8.count + longestDerivedSuffix > Int(NAME_MAX) }) {
        return "the name '\(component.prefix(40))...' is \(component.utf8.count) bytes long; names may have at most "
            + "\(Int(NAME_MAX) - longestDerivedSuffix) bytes (the file system's NAME_MAX is \(NAME_MAX))"
    }
    let longest = target.path.utf8.count + longestDerivedSuffix + longestRelativeOutputPath
    guard longest < Int(PATH_MAX) else {
        return "the path is \(target.path.utf8.count) bytes long; the files in it would pass the system's limit of \(PATH_MAX) bytes"
    }
    guard !target.pathComponents.contains(workFolderName) else {
        return "'\(workFolderName)' is make-report's work folder (locks, staging folders, the run store); give another folder"
    }
    let manager = FileManager.default
    var isFolder: ObjCBool = false
    if manager.fileExists(atPath: target.path, isDirectory: &isFolder) {
        guard isFolder.boolValue else { return "'\(path)' is a file, not a folder" }
        if isMountPoint(target) { return "'\(path)' is a mount point; give a folder inside it" }
        if let problem = OutputOwnership.problem(in: target) {
            return "'\(path)' is not make-report's to replace (\(problem)); give a new or empty folder"
        }
    }
    // The target and .make-report are created in the nearest existing folder above the target.
    return creationProblem(at: target)
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

/// The name of the work folder beside every output folder.
let workFolderName = ".make-report"

/// The most bytes the tool appends to an output folder's name for the names it derives
/// (`.make-report/NAME.staging-PID`, with a PID of up to 10 digits).
private let longestDerivedSuffix = ".staging-".utf8.count + 10

/// A bound on the longest path the tool writes inside an output folder, relative to it
/// (`.make-report/` and a figure's name, with room to spare).
private let longestRelativeOutputPath = 200

/// Writes `data` to a new file at `url` and flushes it to the disk (fsync), with open(2) and
/// write(2) so that a failure carries its errno ("No space left on device", "File too large").
func writeFile(_ data: Data, to url: URL) throws {
    let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(descriptor) }
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

/// An exclusive flock(2) on `.make-report/NAME.lock`, released when the value is gone (or the
/// process dies, however it dies).
private final class OutputFolderLock {
    private let descriptor: Int32

    init(target: URL, work: URL) throws {
        let path = work.appendingPathComponent(target.lastPathComponent + ".lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OutputFolderError(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw OutputFolderError(path: target.path, reason: "the folder is in use by another make-report run"
                + (holder.isEmpty ? "" : " (process \(holder))") + "; wait for it to finish or give another --output")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(descriptor) }
}
