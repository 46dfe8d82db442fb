import Foundation
import PoisoningEngine
import Synchronization

/// A folder the tool writes single files into (a shard's partial results, a comparison, a benchmark
/// table). Every file is written atomically: into a temporary file beside the target, then renamed
/// over it; a failed write removes its temporary file, so nothing half-written is ever left
/// (a writer killed by SIGKILL, which no clean-up can catch, leaves its hidden `.NAME.tmp-PID`: nothing
/// proves such a file the tool's, so it is never removed, and a write finding anything at its
/// temporary file's name is refused).
public struct OutputFolder: Sendable {
    /// The folder.
    public let url: URL

    /// Creates the folder if needed.
    public init(path: String) throws {
        guard !path.isEmpty else { throw OutputFolderError(path: path, reason: "the path is empty") }
        url = resolvedFileURL(path, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw OutputFolderError(path: path, reason: fileErrorReason(error))
        }
    }

    /// Writes `data` to `name` inside the folder: temp file, then rename(2) (`writeAtomically`),
    /// through `write`, which an interruption's clean-up can hold.
    public func write(_ data: Data, to name: String, through write: AtomicFileWrite = AtomicFileWrite()) throws {
        try writeAtomically(data, to: url.appendingPathComponent(name), through: write)
    }
}

/// The temporary file beside `target` that `writeAtomically` writes it through: `.NAME.tmp-PID`.
func temporaryFile(besideTarget target: URL) -> URL {
    target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).tmp-\(getpid())")
}

/// The temporary file of one `writeAtomically`, held while it is this process's: from its exclusive
/// creation (O_EXCL, so never a file, symbolic link or hard link already at its name) to its rename
/// or removal. An interruption's clean-up removes it only then (`removeTemporaryFile(then:)`), so a
/// file someone else put at its name is never removed.
public final class AtomicFileWrite: Sendable {
    /// The temporary file this process created, with its device and inode, until it is renamed or removed.
    fileprivate let created = Mutex<CreatedFile?>(nil)

    /// A write that has not begun.
    public init() {}

    /// Removes the temporary file when this process created it and has not renamed it, then runs
    /// `ending`, which ends the process, before the write can rename it (an interruption).
    public func removeTemporaryFile(then ending: () -> Void) {
        created.withLock { file in
            file?.removeIfUnchanged()
            ending()
        }
    }
}

/// A file this process created, by its path and identity (device and inode).
fileprivate struct CreatedFile: Sendable {
    let path: String
    let device: UInt64
    let inode: UInt64

    /// Whether the path still names this very file (lstat: a symbolic link put in its place is not it).
    var isUnchanged: Bool {
        var status = stat()
        return lstat(path, &status) == 0 && UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// Unlinks the path when it still names this file.
    func removeIfUnchanged() {
        if isUnchanged { unlink(path) }
    }
}

/// Writes `data` to `target` through a temporary file beside it (`.NAME.tmp-PID`), created
/// exclusively and never through a symbolic link, then rename(2); throws, naming the temporary file,
/// when anything is already at its name (left as it is), and, naming `target` and the reason in
/// words, on any other failure, after removing the temporary file when it is still the one this
/// process created. `write` holds the temporary file meanwhile, for an interruption's clean-up.
func writeAtomically(_ data: Data, to target: URL, through write: AtomicFileWrite = AtomicFileWrite()) throws {
    TestPause.at(.write)
    let temporary = temporaryFile(besideTarget: target).path
    let descriptor = try write.created.withLock { created in
        let descriptor = createNewFile(temporary)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw OutputFolderError(path: temporary, reason: "something is already at this temporary file's name, which make-report cannot "
                    + "prove its own; it was left as it is; move it away")
            }
            throw OutputFolderError(path: target.path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        fstat(descriptor, &status)
        created = CreatedFile(path: temporary, device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        return descriptor
    }
    do {
        defer { close(descriptor) }
        try writeAndFlush(data, to: descriptor)
    } catch {
        write.created.withLock { created in
            created?.removeIfUnchanged()
            created = nil
        }
        throw OutputFolderError(path: target.path, reason: fileErrorReason(error))
    }
    TestPause.at(.rename)
    try write.created.withLock { created in
        defer { created = nil }
        guard let file = created, file.isUnchanged else {
            throw OutputFolderError(path: temporary, reason: "the temporary file was replaced while it was written; it was left as it is")
        }
        guard rename(temporary, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            file.removeIfUnchanged()
            throw OutputFolderError(path: target.path, reason: reason)
        }
    }
    TestPause.at(.written)
}

/// An output folder or file that cannot be created or written.
public struct OutputFolderError: Error, CustomStringConvertible {
    /// The path that could not be written.
    public let path: String
    /// Why, in words.
    public let reason: String
    public var description: String { "cannot write to \(quotedUserText(path, keepingEnd: true)): \(reason)" }
}

/// The reason of a file-system error in a few words ("No space left on device", "Not a directory"),
/// from the POSIX error underneath Foundation's, instead of Foundation's multi-line description.
public func fileErrorReason(_ error: Error) -> String {
    if let code = posixErrno(of: error) { return String(cString: strerror(code)) }
    let nsError = error as NSError
    switch CocoaError.Code(rawValue: nsError.code) {
    case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
    case .fileWriteOutOfSpace: return "no space left on device"
    case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
    case .fileWriteVolumeReadOnly: return "read-only file system"
    case .fileReadInapplicableStringEncoding, .fileReadCorruptFile: return "not UTF-8 text"
    default: break
    }
    if let error = error as? OutputFolderError { return error.reason }
    return nsError.localizedDescription.split(separator: "\n").first.map(String.init) ?? "unknown error"
}
