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
            try? FileManager.default.removeItem(at: work.appendingPathComponent(leftover))
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

    /// Writes manifest.json (every file but `performance.json`, which differs between identical
    /// runs and names the hash of results.json itself), keeps the shards' partial result files of
    /// the old folder, and exchanges the staging folder with the target; the old set is then removed.
    public func publish() throws {
        precondition(!published, "an output folder is published once")
        let manifest = OutputManifest(toolVersion: toolVersion, files: hashes.filter { $0.key != PerformanceRecord.fileName })
        try write(try sortedJSON(manifest), to: OutputManifest.fileName)
        let manager = FileManager.default
        if manager.fileExists(atPath: target.path) {
            for name in (try? manager.contentsOfDirectory(atPath: target.path)) ?? [] where PartialStudyResults.isFileName(name) {
                try? manager.linkItem(at: target.appendingPathComponent(name), to: staging.appendingPathComponent(name))
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

/// Puts the folder `replacement` in place of the existing folder `target` in one atomic exchange
/// of directory entries, then removes the previous set. On a file system without the exchange, two
/// renames, the old set first moved aside: a moment without the folder, never a mixed one.
private func replaceFolder(_ target: URL, with replacement: URL) throws {
    let manager = FileManager.default
    if file_exchange(replacement.path, target.path) == 0 {
        try? manager.removeItem(at: replacement)   // now the previous set
        return
    }
    guard [EINVAL, ENOSYS, ENOTSUP].contains(errno) else {
        throw OutputFolderError(path: target.path, reason: String(cString: strerror(errno)))
    }
    let aside = replacement.deletingLastPathComponent().appendingPathComponent(target.lastPathComponent + ".previous-\(getpid())")
    guard rename(target.path, aside.path) == 0, rename(replacement.path, target.path) == 0 else {
        throw OutputFolderError(path: target.path, reason: String(cString: strerror(errno)))
    }
    try? manager.removeItem(at: aside)
}

/// `manifest.json`: what belongs to one output set, so that `validate` can tell a complete,
/// consistent folder from a mixed one.
public struct OutputManifest: Codable, Sendable, Equatable {
    /// The file's name.
    public static let fileName = "manifest.json"
    /// The tool version that wrote the set.
    public let toolVersion: String
    /// SHA-256 (hex) of every file of the set, by path relative to the folder.
    public let files: [String: String]
}

/// The hidden folder beside an output folder that holds its lock, its staging folders and, by
/// default, the run store: `PARENT/.make-report/` for the output folder `PARENT/NAME`.
public func workFolder(besideOutput target: URL) -> URL {
    target.deletingLastPathComponent().appendingPathComponent(".make-report", isDirectory: true)
}

/// Why `path` cannot be an output folder, in words, or nil when it can: it must be non-empty, not
/// the file-system root, a folder (or not exist yet) that is empty or holds a previous output set
/// (results.json, manifest.json or shard part files), under a folder where it can be created. Nothing is left behind.
public func outputFolderProblem(_ path: String) -> String? {
    guard !path.isEmpty else { return "the path is empty; give a folder name" }
    let target = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL.resolvingSymlinksInPath()
    guard target.path != "/" else { return "the file-system root cannot be an output folder" }
    let manager = FileManager.default
    var isFolder: ObjCBool = false
    if manager.fileExists(atPath: target.path, isDirectory: &isFolder) {
        guard isFolder.boolValue else { return "'\(path)' is a file, not a folder" }
        let names = ((try? manager.contentsOfDirectory(atPath: target.path)) ?? []).filter { !$0.hasPrefix(".") }
        let isOutputSet = names.contains { ["results.json", OutputManifest.fileName].contains($0) || PartialStudyResults.isFileName($0) }
        if !names.isEmpty && !isOutputSet {
            return "'\(path)' holds files that make-report did not write; give a new or empty folder"
        }
    }
    // The nearest existing folder above the target must be writable (the target and .make-report go there).
    var ancestor = target.deletingLastPathComponent()
    while !manager.fileExists(atPath: ancestor.path, isDirectory: &isFolder) && ancestor.path != "/" {
        ancestor = ancestor.deletingLastPathComponent()
    }
    guard isFolder.boolValue else { return "'\(ancestor.path)' is a file, not a folder" }
    // Proved writable by creating and removing an empty folder (access(2) says yes to root even on /proc).
    var probe = Array((ancestor.path + "/.make-report-probe-XXXXXX").utf8CString)
    guard let created = mkdtemp(&probe) else { return "cannot create anything in '\(ancestor.path)': \(String(cString: strerror(errno)))" }
    rmdir(created)
    return nil
}

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
