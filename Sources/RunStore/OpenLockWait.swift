import Foundation
import PoisoningEngine

/// How the opening of a store for writing (`RunStore.init(path:building:waiting:)`) waits for its
/// opening lock (`PATH.open-lock`) while another process holds it: that process creates or opens the
/// same store, which takes milliseconds, so a lock held for seconds belongs to a stopped process
/// (Ctrl-Z), one hung on its file system, or another program. The wait tries the lock without
/// blocking, every 10 to 100 ms, and holds nothing between tries, so an interruption ends it at once
/// (an opening that blocked on the lock held the building's step, which the interruption waits for,
/// and ignored SIGINT, SIGTERM and SIGHUP until the lock was released). After `noticeAfter` it says
/// once, through `notice`, which process holds the lock (`lockHolder`); after `limit` it gives up
/// with a `RunStoreError` naming it.
public struct OpenLockWait: Sendable {
    /// How long the wait lasts before `notice` is told which process holds the lock.
    public let noticeAfter: Duration
    /// How long the wait lasts before it gives up.
    public let limit: Duration
    /// Receives the one sentence said after `noticeAfter`.
    public let notice: @Sendable (String) -> Void

    /// The default wait: a notice after 3 s, giving up after 30 s (SQLite's busy timeout in the
    /// store, `RunStore`'s other wait for another process).
    public static let standardNoticeAfter = Duration.seconds(3), standardLimit = Duration.seconds(30)

    /// A wait that tells `notice` after `noticeAfter` and gives up after `limit`.
    public init(noticeAfter: Duration = standardNoticeAfter, limit: Duration = standardLimit,
                notice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.noticeAfter = noticeAfter
        self.limit = limit
        self.notice = notice
    }

    /// Calls `attempt` until it returns a value, which this returns; `attempt` returns nil while the
    /// lock at `lockPath` of the store `path` is held by another process. Throws what `attempt`
    /// throws, and a `RunStoreError` once `limit` has passed.
    func wait<Opened>(forLockAt lockPath: String, of path: String, attempt: () throws -> Opened?) throws -> Opened {
        let clock = ContinuousClock(), start = clock.now
        var noticed = false
        var pause = Duration.milliseconds(10)
        while true {
            if let opened = try attempt() { return opened }
            let waited = clock.now - start
            let lock = quotedUserText(lockPath, keepingEnd: true)
            if waited >= limit {
                throw RunStoreError(path: path, reason: "its opening lock \(lock) was held by \(lockHolder(lockPath)) for \(seconds(limit)), "
                    + "and an opening takes milliseconds; end or resume that process (kill -CONT), then run again")
            }
            if !noticed, waited >= noticeAfter {
                noticed = true
                notice("run store \(quotedUserText(path, keepingEnd: true)): waiting for \(lockHolder(lockPath)), which holds its opening lock "
                    + "\(lock); giving up after \(seconds(limit))")
            }
            Thread.sleep(forTimeInterval: secondsValue(pause))
            pause = min(pause * 2, .milliseconds(100))
        }
    }
}

/// `duration` in seconds.
private func secondsValue(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// `duration` as "30 s", or with one decimal when it is no whole number of seconds ("0.5 s").
private func seconds(_ duration: Duration) -> String {
    let value = secondsValue(duration)
    return value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
}

/// The process that holds the flock(2) lock on the file at `lockPath`, in words: "process 1234
/// (make-report)", its name from /proc/PID/comm, or "process 1234" without it. Its id is read from
/// /proc/locks, the kernel's list of held locks, whose FLOCK line for the file's device and inode
/// names the process that took the lock (waiting processes' lines, marked "->", are skipped); else
/// from the file's content, the process id a make-report holder writes there (`LockFile.note`).
/// "another process" when neither tells.
func lockHolder(_ lockPath: String) -> String {
    guard let id = lockHolderFromKernel(lockPath) ?? lockHolderFromContent(lockPath) else { return "another process" }
    let name = (try? String(contentsOfFile: "/proc/\(id)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    return name.isEmpty ? "process \(id)" : "process \(id) (\(name))"
}

/// The id of the process whose FLOCK line in /proc/locks is on the file at `path`, or nil. A line
/// reads "1: FLOCK  ADVISORY  WRITE 1234 fe:00:16236889 0 EOF": the process id, then the file's
/// device (major and minor number, hexadecimal) and inode (decimal).
private func lockHolderFromKernel(_ path: String) -> Int32? {
    var status = stat()
    guard stat(path, &status) == 0, let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
    // The device number's major and minor parts, as glibc's gnu_dev_major and gnu_dev_minor split it.
    let device = UInt64(status.st_dev)
    let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
    let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
    let file = String(format: "%02llx:%02llx:", major, minor) + "\(status.st_ino)"
    for line in locks.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count >= 6, fields[1] == "FLOCK", fields[5] == file, let id = Int32(fields[4]), id > 0 else { continue }
        return id
    }
    return nil
}

/// The process id a make-report holder wrote in the lock file at `path` (digits and a newline), or nil.
private func lockHolderFromContent(_ path: String) -> Int32? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") else { return nil }
    return Int32(text.dropLast()).flatMap { $0 > 0 ? $0 : nil }
}
