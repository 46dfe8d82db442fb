import Foundation

/// A hidden hook for the tests of interruptions, never set in use: with the environment variable
/// `MAKE_REPORT_TEST_PAUSE=MOMENT:PATH`, the command, on reaching `MOMENT` (`TestPause.Moment`),
/// creates the file `PATH` and waits there, up to 60 s, for a signal to end it (its
/// `InterruptionCleanup` takes the signal on a thread of its own, cleans up and ends the process), then
/// goes on. So a test sends its signal exactly inside the moment, where polling for a file could only
/// catch it by chance. The file is created exclusively: only the first arrival at the moment waits, and
/// a file already at `PATH` (or a `PATH` that cannot be created) makes the command go on at once. The
/// pause points hold no lock an interruption's clean-up takes. docs/testing.md describes it.
public enum TestPause {
    /// The environment variable that sets the pause.
    public static let variable = "MAKE_REPORT_TEST_PAUSE"

    /// Where a command can pause.
    public enum Moment: String, Sendable, CaseIterable {
        /// A single file's atomic write (a shard's part, `compare --output`) is about to create its
        /// temporary file: the folders made for it exist, nothing of the file yet.
        case write
        /// Its temporary file is written and flushed, not yet renamed into place.
        case rename
        /// The file has been renamed into place (the command then reports and ends).
        case written
        /// A staged output folder (`run`, `check`, `merge`) is about to write a file into its staging folder.
        case stage
    }

    /// Pauses at `moment` when the environment asks for it (see `TestPause`); returns at once otherwise.
    static func at(_ moment: Moment) {
        guard let value = ProcessInfo.processInfo.environment[variable], let colon = value.firstIndex(of: ":"),
              value[..<colon] == moment.rawValue else { return }
        let marker = open(String(value[value.index(after: colon)...]), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard marker >= 0 else { return }
        close(marker)
        for _ in 0..<6000 { usleep(10_000) }
    }
}
