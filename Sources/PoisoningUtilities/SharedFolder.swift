import Foundation

/// A folder that several processes share and that any of them removes once it is empty: the work
/// folder `.make-report` beside output folders, which holds each run's output lock, staging folders
/// and, by default, the run store. No lock is taken on the folder or its parent (folders the tool
/// does not own: a lock another program holds there, or one inherited from the parent process, as
/// `flock DIR make-report ...` gives, would make a run wait on it without end). Instead, a process
/// takes its lock file in the folder when the folder is there, and otherwise makes the folder under
/// a temporary name with the lock file already in it, then renames it into place: rename(2)
/// replaces a missing or empty folder at once, and rmdir(2) removes only an empty folder, so no
/// run's end can remove the folder once a lock file is in it, and no removal, however often it
/// comes, can make the taking fail.
public enum SharedFolder {
    /// How many times the taking starts again when the folder it found gone was filled by another
    /// process before the rename (so the rename fails) and emptied and removed before the lock file
    /// could be created in it: each round needs other processes' locks to come and go at that very moment.
    static let attempts = 1000

    /// Takes the lock file `name` in `folder` (`LockFile.acquire`, waiting for another holder when
    /// `waiting`, else nil when another process holds it), creating `folder` and its parents when
    /// missing, and again when another process removes the empty folder meanwhile. Throws the error
    /// of a folder or file that cannot be made, opened or locked.
    public static func lockFile(named name: String, in folder: URL, waiting: Bool) throws -> LockFile? {
        let path = folder.appendingPathComponent(name).path
        var attempt = 1
        while true {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue {
                do {
                    return try LockFile.acquire(at: path, waiting: waiting)
                } catch let error as POSIXError where error.code == .ENOENT {
                    // Another process removed the empty folder after it was seen: make it below.
                }
            }
            if let lock = try makeFolder(folder, holdingLockFile: name) { return lock }
            // The folder was there again, with another process's files in it: take the lock in it.
            guard attempt < attempts else { throw POSIXError(.ENOTEMPTY) }
            attempt += 1
        }
    }

    /// Makes `folder` (its parents first, when missing) with the lock file `name` in it, taken: an
    /// empty folder `NAME.new-PID-N` beside it, the lock file created in it, then renamed to `folder`,
    /// which replaces a missing or empty folder. Returns nil, having removed what it made, when
    /// `folder` is there and holds something (rename(2) fails with ENOTEMPTY or EEXIST). Leftovers
    /// of processes that died between the making and the rename are removed first.
    private static func makeFolder(_ folder: URL, holdingLockFile name: String) throws -> LockFile? {
        let parent = folder.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let prefix = folder.lastPathComponent + ".new-"
        removeAbandonedFolders(in: parent, named: prefix)
        var temporary: URL
        repeat {
            temporary = parent.appendingPathComponent(prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            // 0o777, as mkdir(1) and FileManager make folders: the process's umask gives the mode.
            if mkdir(temporary.path, 0o777) == 0 { break }
            guard errno == EEXIST else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } while true
        let made: LockFile
        do {
            // Nobody else knows this folder: the lock is taken at once.
            guard let taken = try LockFile.acquire(at: temporary.appendingPathComponent(name).path, waiting: false) else {
                throw POSIXError(.EWOULDBLOCK)
            }
            made = taken
        } catch {
            rmdir(temporary.path)
            throw error
        }
        if rename(temporary.path, folder.path) == 0 {
            return made.handedOver(to: folder.appendingPathComponent(name).path)
        }
        let failure = errno
        made.release()
        rmdir(temporary.path)
        if failure == ENOTEMPTY || failure == EEXIST { return nil }
        throw POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO)
    }

    /// Removes the folders `PREFIXPID-N` in `parent` that a process no longer running left between
    /// `makeFolder`'s making and its rename: each holds at most a lock file, removed when it holds
    /// what a `LockFile` holder writes; a folder holding anything else is left as it is.
    private static func removeAbandonedFolders(in parent: URL, named prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        for leftover in names where leftover.hasPrefix(prefix) {
            let process = leftover.dropFirst(prefix.count).prefix { $0 != "-" }
            guard isStaleProcessID(process), process != "\(getpid())" else { continue }
            let folder = parent.appendingPathComponent(leftover)
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                let path = folder.appendingPathComponent(file).path
                if isLockFileContent(atPath: path) { unlink(path) }
            }
            rmdir(folder.path)
        }
    }

    /// Removes `folder` when it is empty (rmdir(2) removes nothing else, so nothing is lost, and
    /// never a folder holding another process's lock file). Its failure is no failure of the
    /// caller: another process may have removed it (ENOENT) or hold its own lock in it (ENOTEMPTY).
    public static func removeIfEmpty(_ folder: URL) {
        _ = rmdir(folder.path)
    }
}
