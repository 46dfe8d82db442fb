import Foundation

/// A folder the tool writes its outputs into. Every file is written atomically: into a temporary
/// file beside the target, then renamed over it, so an interrupted run never leaves a half-written file.
public struct OutputFolder: Sendable {
    /// The folder.
    public let url: URL

    /// Creates the folder if needed and proves it writable by creating and removing a probe file.
    public init(path: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            let probe = url.appendingPathComponent(".write-probe-\(getpid())")
            try Data().write(to: probe)
            try FileManager.default.removeItem(at: probe)
        } catch {
            throw OutputFolderError(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Writes `data` to `name` inside the folder: temp file, then rename(2).
    public func write(_ data: Data, to name: String) throws {
        let target = url.appendingPathComponent(name)
        let temporary = url.appendingPathComponent(".\(name).tmp-\(getpid())")
        try data.write(to: temporary)
        guard rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw OutputFolderError(path: target.path, reason: reason)
        }
    }
}

/// An output folder that cannot be created or written.
public struct OutputFolderError: Error, CustomStringConvertible {
    /// The path that could not be written.
    public let path: String
    /// Why, in words.
    public let reason: String
    public var description: String { "cannot write to '\(path)': \(reason)" }
}
