// `stdout` is a C global that Swift 6 counts as shared mutable state; only the main thread uses it,
// once the command has run. The C library alone is imported here, so that this file's import decides.
@preconcurrency import Glibc

/// Writes out what is still buffered for standard output and throws when that or any earlier write
/// to it failed (`make-report study > study.yaml` on a full disk), so that the command does not end
/// in success with its output lost. A reader that closed the pipe (`make-report ... | head`) wanted
/// no more, and is no failure. The C library keeps no reason for an earlier failed write, so the
/// reason is given only when the last one fails.
func checkStandardOutput() throws {
    let reason = fflush(stdout) == 0 ? nil : errno
    guard reason != nil || ferror(stdout) != 0, reason != EPIPE, !standardOutputReaderClosed() else { return }
    throw StandardOutputError(description: "cannot write to standard output: "
        + (reason.map { String(cString: strerror($0)) } ?? "a write failed, so the output is incomplete"))
}

/// Whether standard output is a pipe or socket whose reading end is closed (poll(2) reports an error on it).
private func standardOutputReaderClosed() -> Bool {
    var status = stat()
    guard fstat(STDOUT_FILENO, &status) == 0, [S_IFIFO, S_IFSOCK].contains(status.st_mode & S_IFMT) else { return false }
    var descriptor = pollfd(fd: STDOUT_FILENO, events: Int16(POLLOUT), revents: 0)
    return poll(&descriptor, 1, 0) == 1 && descriptor.revents & Int16(POLLERR) != 0
}

/// A failed write to standard output (exit code 1).
struct StandardOutputError: Error, CustomStringConvertible {
    /// The error line.
    let description: String
}
