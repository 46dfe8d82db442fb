import Foundation

/// A folder that several processes share and that any of them removes once it is empty: the work
/// folder `.make-report` beside output folders, which holds each run's output lock, staging folders
/// and, by default, the run store. No lock is taken on the folder or its parent (folders the tool
/// does not own: a lock another program holds there, or one inherited from the parent process, as
/// `flock DIR make-report ...` gives, would make a run wait on it without end). Instead, a process
/// takes its lock file in the folder when the folder is there, and otherwise makes the folder under
/// a temporary name with the lock file already in it, then renames it into place: rename(2)
/// replaces a missing or empty folder at once, and rmdir(2) removes only an empty folder, so no
/// removal of the folder itself, however often it comes, can make the taking fail, and no run's end
/// can remove the folder once a lock file is in it.
public enum SharedFolder {
    /// How many times the taking starts again when, each time, other processes' files came and went
    /// at that very moment (the rename found the folder full, then the lock file's creation found it
    /// removed), or a folder above it was removed as it was made again.
    static let attempts = 1000

    /// Takes the lock file `name` in `folder` (`LockFile.acquire`, waiting for another holder when
    /// `waiting`, else nil when another process holds it), creating `folder` and its parents when
    /// missing, and again when another process removes the empty folder meanwhile. Leftovers of
    /// processes killed while making the folder are removed first. Throws the error of a folder or
    /// file that cannot be made, opened or locked.
    public static func lockFile(named name: String, in folder: URL, waiting: Bool) throws -> LockFile? {
        try lockFile(named: name, in: folder, waiting: waiting, beforeTaking: {})
    }

    /// `lockFile(named:in:waiting:)`, calling `beforeTaking` between seeing the folder there and
    /// creating the lock file in it, and between making the temporary folder and renaming it: the
    /// moments at which another process's removal of the folder used to fail the taking (a test
    /// removes the folder there, every time).
    static func lockFile(named name: String, in folder: URL, waiting: Bool, beforeTaking: () -> Void) throws -> LockFile? {
        let path = folder.appendingPathComponent(name).path
        removeAbandonedFolders(of: folder)
        var failure = POSIXErrorCode.ENOENT
        for _ in 0..<attempts {
            if isFolder(folder.path) {
                beforeTaking()
                do {
                    return try LockFile.acquire(at: path, waiting: waiting)
                } catch let error as POSIXError where error.code == .ENOENT {
                    // Another process removed the empty folder after it was seen: make it below.
                }
            }
            switch try makeFolder(folder, holdingLockFile: name, beforeRenaming: beforeTaking) {
            case .made(let lock): return lock
            case .again(let code): failure = code
            }
        }
        throw POSIXError(failure)
    }

    /// What `makeFolder` did: made the folder with the lock taken in it, or nothing, for the reason
    /// given (the folder was there and held something, ENOTEMPTY; or a folder above it was removed
    /// meanwhile, ENOENT), so that the taking starts again.
    private enum Making {
        case made(LockFile)
        case again(POSIXErrorCode)
    }

    /// Makes `folder` (its parents first, when missing) with the lock file `name` in it, taken: an
    /// empty folder `NAME.make-report-new-PID-N` beside it, the lock file created in it, then renamed
    /// to `folder`, which replaces a missing or empty folder. Whatever fails, what it made is removed
    /// (nobody else knows the temporary folder).
    private static func makeFolder(_ folder: URL, holdingLockFile name: String, beforeRenaming: () -> Void) throws -> Making {
        let parent = folder.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch where posixErrno(of: error) == ENOENT {
            return .again(.ENOENT)
        }
        var temporary: URL
        repeat {
            temporary = parent.appendingPathComponent(temporaryPrefix(of: folder) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            // 0o777, as mkdir(1) and FileManager make folders: the process's umask gives the mode.
            if mkdir(temporary.path, 0o777) == 0 { break }
            if errno == ENOENT { return .again(.ENOENT) }
            guard errno == EEXIST else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } while true
        let lockPath = temporary.appendingPathComponent(name).path
        let made: LockFile
        do {
            // Nobody else knows this folder: the lock is taken at once.
            guard let taken = try LockFile.acquire(at: lockPath, waiting: false) else { throw POSIXError(.EWOULDBLOCK) }
            made = taken
        } catch {
            // The file may have been created before flock(2) failed (ENOLCK on a file system without locks).
            unlink(lockPath)
            rmdir(temporary.path)
            throw error
        }
        beforeRenaming()
        if rename(temporary.path, folder.path) == 0 {
            return .made(made.handedOver(to: folder.appendingPathComponent(name).path))
        }
        let failure = errno
        made.release()
        rmdir(temporary.path)
        switch failure {
        case ENOTEMPTY, EEXIST: return .again(.ENOTEMPTY)
        case ENOENT: return .again(.ENOENT)
        default: throw POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO)
        }
    }

    /// The start of the temporary names `makeFolder` makes `folder` under, beside it:
    /// `NAME.make-report-new-`, then the process id, a hyphen and a random number.
    private static func temporaryPrefix(of folder: URL) -> String {
        folder.lastPathComponent + ".make-report-new-"
    }

    /// Removes the temporary folders of `folder` (`temporaryPrefix`) that a process no longer running
    /// left between `makeFolder`'s making and its rename (it was killed outright): only an entry
    /// whose name has exactly that form, that is a folder itself (lstat: a symbolic link is never
    /// followed), and that holds one regular file named `*lock` holding what a `LockFile` holder
    /// writes, is removed; anything else is left as it is.
    private static func removeAbandonedFolders(of folder: URL) {
        let parent = folder.deletingLastPathComponent()
        let prefix = temporaryPrefix(of: folder)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        for leftover in names where leftover.hasPrefix(prefix) {
            let numbers = leftover.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard numbers.count == 2, numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                  numbers[0] != "\(getpid())", isStaleProcessID(numbers[0]) else { continue }
            let temporary = parent.appendingPathComponent(leftover)
            guard isRealFolder(temporary.path), let files = try? FileManager.default.contentsOfDirectory(atPath: temporary.path),
                  files.count == 1, files[0].hasSuffix("lock") else { continue }
            let lock = temporary.appendingPathComponent(files[0]).path
            var status = stat()
            guard lstat(lock, &status) == 0, status.st_mode & S_IFMT == S_IFREG, isLockFileContent(atPath: lock) else { continue }
            unlink(lock)
            rmdir(temporary.path)
        }
    }

    /// Whether `path` names a folder (following a symbolic link, as the folder's users do).
    private static func isFolder(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// Removes `folder` when it is empty (rmdir(2) removes nothing else, so nothing is lost, and
    /// never a folder holding another process's lock file). Its failure is no failure of the
    /// caller: another process may have removed it (ENOENT) or hold its own lock in it (ENOTEMPTY).
    public static func removeIfEmpty(_ folder: URL) {
        _ = rmdir(folder.path)
    }
}
