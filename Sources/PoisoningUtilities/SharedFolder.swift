import Foundation

/// A folder that several processes share and that any of them removes once it is empty: the work
/// folder `.make-report` beside output folders, which holds each run's output lock, staging folders
/// and, by default, the run store. Putting a lock file in it (creating the folder when missing) and
/// removing it hold a flock(2) on its parent folder, shared and exclusive, so that no run's end can
/// remove the folder between another run's creating it and putting its lock file in it.
public enum SharedFolder {
    /// Takes the lock file `name` in `folder` (`LockFile.acquire`, waiting for another holder when
    /// `waiting`, else nil when another process holds it), creating `folder` and its parents when
    /// missing. Throws the error of a folder or file that cannot be made, opened or locked.
    public static func lockFile(named name: String, in folder: URL, waiting: Bool) throws -> LockFile? {
        let parent = folder.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        // A parent this process may enter but not read cannot be locked: the folder is then made
        // without it (the race the lock closes stays open only there).
        let descriptor = open(parent.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        // Closing the descriptor releases the shared lock.
        defer { if descriptor >= 0 { close(descriptor) } }
        if descriptor >= 0 {
            var result: Int32
            repeat { result = flock(descriptor, LOCK_SH) } while result != 0 && errno == EINTR
            guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try LockFile.acquire(at: folder.appendingPathComponent(name).path, waiting: waiting)
    }

    /// Removes `folder` when it is empty (rmdir(2) removes nothing else, so nothing is lost). It is
    /// left when another process is putting its lock file in it at this moment (that process removes
    /// it at its own end), and its failure is no failure of the caller: another process may have
    /// removed it (ENOENT) or hold its own lock in it (ENOTEMPTY).
    public static func removeIfEmpty(_ folder: URL) {
        let descriptor = open(folder.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if descriptor >= 0 { close(descriptor) } }
        if descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) != 0 { return }
        _ = rmdir(folder.path)
    }
}
