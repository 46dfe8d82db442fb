import Foundation
import Synchronization

/// An exclusive flock(2) on a lock file that is removed when the lock is released, so that a
/// finished or interrupted command leaves no lock file behind. Removing a file another process may
/// have opened, and may be waiting to lock, keeps the lock exclusive only because every holder
/// checks, once flock(2) returns, that the path still names the file it locked (the same device and
/// inode) and starts again when it does not: a process that locked a removed file holds nothing, so
/// it opens the path anew. A process killed outright (SIGKILL) leaves the file; the next holder
/// locks and removes it in turn.
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
    /// or locked.
    public static func acquire(at path: String, waiting: Bool) throws -> LockFile? {
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
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
