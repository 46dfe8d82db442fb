import Foundation
import PoisoningEngine

/// How a store is opened for reading only (`RunStore(readingAt:)`) so that the bytes of its file and
/// of the -wal and -shm files beside it stay as they are, and no file is created beside it. SQLite's
/// read-only connections to a database in WAL mode otherwise create -wal and -shm files beside it
/// and leave them, and replay a -wal left by a killed process into the -shm file.
///
/// - With a -wal file beside the store that is not empty or has a -shm file beside it (a process
///   has it open, or one was killed), SQLite reads them as they are: `mode=ro&readonly_shm=1` (the
///   -wal's runs are seen; the -shm file is never written).
/// - Otherwise, the store is read as immutable (`immutable=1`: no -wal, no -shm, no lock of
///   SQLite's), under an exclusive lock on the database file's lock bytes as SQLite itself takes
///   them, so that no process opens the store until the reading is done (a process that opens it
///   meanwhile waits, as for any writer). When a process holds the store open already, the lock
///   fails and it is read with `mode=ro&readonly_shm=1` as above. A store this process cannot open
///   for writing (a read-only file or file system) cannot be locked, nor written by it, and is read
///   as immutable.
///
/// Such locks are a process's own, and closing any descriptor of the file drops them all (POSIX):
/// a process opens a store for reading only while none of its other connections has it open (the
/// `store` commands open one store, once).
final class ReadOnlyOpening: Sendable {
    /// The SQLite URI to open.
    let uri: String
    /// The descriptor holding the exclusive lock while the store is read as immutable, or -1.
    private let lock: Int32

    /// The opening of the store at `path`, an existing regular file.
    init(path: String) {
        let absolute = literalFileURL(path).standardizedFileURL.path
        let base = "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute)
        // An empty -wal file without a -shm file (left by a process that failed while opening the
        // store) holds nothing to read, and no process has the store open (an open store has its
        // -shm file): it is read as immutable, without them. So is a store with a -shm file and no
        // -wal file (an open store has both, and the index of no log indexes nothing): SQLite would
        // create the -wal file (review r19c, finding 11).
        var wal = stat(), shm = stat()
        let inUse = lstat(path + "-wal", &wal) == 0 && (wal.st_size > 0 || lstat(path + "-shm", &shm) == 0)
        let descriptor = inUse ? -1 : exclusivelyLocked(path)
        lock = descriptor ?? -1
        uri = base + (inUse || descriptor == -1 ? "?mode=ro&readonly_shm=1" : "?immutable=1")
    }

    deinit {
        if lock >= 0 { close(lock) }
    }
}

/// SQLite's lock bytes of a database file (unix VFS): the pending byte at 1 GiB, the reserved byte,
/// then 510 shared bytes. A connection in WAL mode holds a read lock on the shared bytes while it is
/// open; a connection that opens the file needs one.
private let sqliteLockBytes = (start: off_t(0x4000_0000), count: off_t(512))

/// A descriptor of the file at `path` holding a write lock on SQLite's lock bytes; -1 when another
/// process holds a lock there (it has the store open); nil when the file cannot be opened for
/// writing (read only to this process), so that no lock can be taken.
private func exclusivelyLocked(_ path: String) -> Int32? {
    let descriptor = open(path, O_RDWR | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    var lock = flock()
    lock.l_type = Int16(F_WRLCK)
    lock.l_whence = Int16(SEEK_SET)
    lock.l_start = sqliteLockBytes.start
    lock.l_len = sqliteLockBytes.count
    guard fcntl(descriptor, F_SETLK, &lock) == 0 else {
        close(descriptor)
        return -1
    }
    return descriptor
}
