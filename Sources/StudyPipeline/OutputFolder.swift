import Foundation
import PoisoningEngine

/// A folder the tool writes single files into (a shard's partial results, a comparison, a benchmark
/// table). Every file is written atomically: into a temporary file beside the target, then renamed
/// over it; a failed write removes its temporary file, so nothing half-written is ever left
/// (a writer killed by SIGKILL, which no clean-up can catch, leaves its hidden `.NAME.tmp-PID`: nothing
/// proves such a file the tool's, so it is never removed).
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

    /// Writes `data` to `name` inside the folder: temp file, then rename(2).
    public func write(_ data: Data, to name: String) throws {
        try writeAtomically(data, to: url.appendingPathComponent(name))
    }

    /// The temporary file `write(_:to:)` writes `name` through: `.NAME.tmp-PID` beside it, which an
    /// interruption's clean-up removes.
    public func temporaryFile(for name: String) -> URL {
        StudyPipeline.temporaryFile(besideTarget: url.appendingPathComponent(name))
    }
}

/// The temporary file beside `target` that `writeAtomically` writes it through: `.NAME.tmp-PID`.
func temporaryFile(besideTarget target: URL) -> URL {
    target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).tmp-\(getpid())")
}

/// Writes `data` to `target` through a temporary file beside it and rename(2); on any failure the
/// temporary file is removed and the error names `target` and the reason in words.
func writeAtomically(_ data: Data, to target: URL) throws {
    let temporary = temporaryFile(besideTarget: target)
    do {
        try writeFile(data, to: temporary)
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw OutputFolderError(path: target.path, reason: fileErrorReason(error))
    }
    guard rename(temporary.path, target.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw OutputFolderError(path: target.path, reason: reason)
    }
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
    let nsError = error as NSError
    if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
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
