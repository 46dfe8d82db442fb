import Foundation

/// A folder that several processes share and that any of them removes once it is empty: the work
/// folder `.make-report` beside output folders, which holds each run's output lock, staging folders
/// and, by default, the run store. No lock is taken on the folder or its parent (folders the tool
/// does not own: a lock another program holds there, or one inherited from the parent process, as
/// `flock DIR make-report ...` gives, would make a run wait on it without end). Instead, a process
/// makes the folder, then creates its lock file in it, and starts again when that creation finds
/// the folder gone: rmdir(2) removes only an empty folder, and creating a file in a removed folder
/// fails (ENOENT), so no run's end can remove the folder once a lock file is in it, and a removal
/// between the making and the creation costs one more round.
public enum SharedFolder {
    /// How many times the folder is made again after another process removed it before the lock
    /// file was in it: each round needs another process's removal at that very moment.
    static let attempts = 1000

    /// Takes the lock file `name` in `folder` (`LockFile.acquire`, waiting for another holder when
    /// `waiting`, else nil when another process holds it), creating `folder` and its parents when
    /// missing, and again when another process removes the empty folder meanwhile. Throws the error
    /// of a folder or file that cannot be made, opened or locked.
    public static func lockFile(named name: String, in folder: URL, waiting: Bool) throws -> LockFile? {
        let path = folder.appendingPathComponent(name).path
        var attempt = 1
        while true {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            do {
                return try LockFile.acquire(at: path, waiting: waiting)
            } catch let error as POSIXError where error.code == .ENOENT && attempt < attempts {
                // Another process removed the empty folder after it was made: make it again.
                attempt += 1
            }
        }
    }

    /// Removes `folder` when it is empty (rmdir(2) removes nothing else, so nothing is lost, and
    /// never a folder holding another process's lock file). Its failure is no failure of the
    /// caller: another process may have removed it (ENOENT) or hold its own lock in it (ENOTEMPTY).
    public static func removeIfEmpty(_ folder: URL) {
        _ = rmdir(folder.path)
    }
}
