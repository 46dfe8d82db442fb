import Foundation
import Synchronization

/// An exclusive flock(2) on a lock file that is removed when the lock is released, so that a
/// finished or interrupted command leaves no lock file behind. Removing a file another process may
/// have opened, and may be waiting to lock, keeps the lock exclusive only because every holder
/// checks, once flock(2) returns, that the path still names the file it locked (the same device and
/// inode) and starts again when it does not: a process that locked a removed file holds nothing, so
/// it opens the path anew. A process killed outright (SIGKILL) leaves the file; the next holder
/// locks and removes it in turn. A file at the path that holds anything but what a holder writes
/// (nothing, or a process id and a newline: `isLockFileContent`), a symbolic link, or a file with
/// more than one name (a hard link to a file of the user's, which writing the process id would
/// change) is not a lock file of this tool: it is left as it is, unchanged, and taking the lock
/// fails (`ForeignLockFileError`).
public final class LockFile: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Int32
    private let released = Mutex(false)

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Takes the lock at `path`, creating the file: waiting for another holder when `waiting`, else
    /// nil at once when another process holds it. Throws the error of a file that cannot be opened
    /// or locked, and `ForeignLockFileError` for a file at `path` that this tool did not write
    /// (a symbolic link is never followed, a file with more than one name never written).
    public static func acquire(at path: String, waiting: Bool) throws -> LockFile? {
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard descriptor >= 0 else {
                if errno == ELOOP { throw ForeignLockFileError(path: path) }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            var result: Int32
            repeat { result = flock(descriptor, LOCK_EX | (waiting ? 0 : LOCK_NB)) } while result != 0 && errno == EINTR
            guard result == 0 else {
                let failure = errno
                close(descriptor)
                if failure == EWOULDBLOCK { return nil }
                throw POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO)
            }
            var locked = stat(), named = stat()
            if fstat(descriptor, &locked) == 0, stat(path, &named) == 0, locked.st_dev == named.st_dev, locked.st_ino == named.st_ino {
                guard locked.st_nlink == 1, isLockFileContent(descriptor: descriptor, size: Int(locked.st_size)) else {
                    close(descriptor)
                    throw ForeignLockFileError(path: path)
                }
                return LockFile(path: path, descriptor: descriptor)
            }
            // The holder before removed the file this process locked: the path names another file, or none.
            close(descriptor)
        }
    }

    /// Writes `text` as the file's whole content (the holder's process id, for a message to the next one).
    public func note(_ text: String) {
        let bytes = Array(text.utf8)
        _ = ftruncate(descriptor, 0)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// The same lock, held under `path`, a new name of its file (the folder holding it was renamed):
    /// this holder is spent, and no longer removes the file or releases the lock.
    func handedOver(to path: String) -> LockFile {
        released.withLock { $0 = true }
        return LockFile(path: path, descriptor: descriptor)
    }

    /// Removes the file, then releases the lock, once: safe from any thread, at any moment (an
    /// interruption's clean-up calls it before the process ends by its signal).
    public func release() {
        released.withLock { done in
            guard !done else { return }
            done = true
            unlink(path)
            close(descriptor)
        }
    }

    deinit { release() }
}

/// A file at a lock file's path that is not what a holder makes (`isLockFileContent`): the user's,
/// so it is neither used nor removed.
public struct ForeignLockFileError: Error, CustomStringConvertible {
    /// The file.
    public let path: String
    /// Why the file is refused, in words (the caller names the file).
    public let description: String

    /// The error of the file at `path`, its reason read from what is at `path` now: a symbolic link,
    /// a file with more than one name (hard links), or content make-report did not write.
    public init(path: String) {
        self.path = path
        var status = stat()
        let kind = lstat(path, &status) == 0 ? status.st_mode & S_IFMT : S_IFREG
        if kind == S_IFLNK {
            description = "it is a symbolic link, so it is not make-report's lock file and was left as it is; move it away"
        } else if kind == S_IFREG && status.st_nlink > 1 {
            description = "it has \(status.st_nlink) names (hard links), so writing it would change another file; it is not make-report's "
                + "lock file and was left as it is; move it away"
        } else {
            description = "it holds content make-report did not write, so it is not make-report's lock file and was left as it is; move it away"
        }
    }
}

/// Whether nothing is at `path`, or a regular file of one name (no hard link to it) that holds
/// what a `LockFile` holder writes: nothing, or a process id and a newline (`note`). Anything else
/// is a file the tool did not write.
public func isLockFileContent(atPath path: String) -> Bool {
    var status = stat()
    guard lstat(path, &status) == 0 else { return true }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_nlink == 1 else { return false }
    return isLockFileContent(descriptor: descriptor, size: Int(status.st_size))
}

/// Whether the open file `descriptor` of `size` bytes holds nothing, or ASCII digits (at most 20)
/// and one newline.
private func isLockFileContent(descriptor: Int32, size: Int) -> Bool {
    guard size > 0 else { return true }
    guard size <= 21 else { return false }
    var bytes = [UInt8](repeating: 0, count: size)
    guard bytes.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress, size, 0) }) == size, bytes.last == UInt8(ascii: "\n") else { return false }
    return bytes.count > 1 && bytes.dropLast().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
}
