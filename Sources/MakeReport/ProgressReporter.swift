import Foundation
import Synchronization

/// What a command tells the user while it works and when it is done. Progress goes to standard
/// error: on a terminal one line, rewritten in place after every run (runs done of the total, runs
/// per second, the time left) and cut to the window's width, so that it never wraps; elsewhere (a log, a pipe) one plain line each time another tenth of
/// the runs is done. The summary (the key findings, the files written) goes to standard output.
/// With `--quiet` it says nothing: only errors are printed, no warning (not even of diverged runs, which
/// the report lists). Nothing it prints reaches
/// an output file.
struct ProgressReporter: Sendable {
    /// How progress is shown.
    enum Style: Sendable, Equatable {
        /// A line rewritten in place (standard error is a terminal).
        case terminal
        /// A plain line per tenth of the runs.
        case lines
        /// Nothing, and no summary (`--quiet`).
        case silent
    }

    /// How progress is shown.
    let style: Style
    /// The terminal's width in columns: a terminal line is cut to one column less.
    let columns: Int

    /// A reporter in `style`, for a terminal `columns` wide.
    init(style: Style, columns: Int = defaultTerminalColumns) {
        self.style = style
        self.columns = columns
    }

    /// The reporter of a command run with or without `--quiet`: on a terminal when standard error is
    /// one, as wide as its window.
    init(quiet: Bool) {
        let terminal = isatty(STDERR_FILENO) == 1
        self.init(style: quiet ? .silent : terminal ? .terminal : .lines,
                  columns: terminal ? terminalColumns(of: STDERR_FILENO) ?? defaultTerminalColumns : defaultTerminalColumns)
    }

    /// Writes `line` to standard error, a note on the work (a look of an adaptive study), unless silent.
    func note(_ line: String) {
        if style != .silent { printError(line) }
    }

    /// Writes "warning: " and `text` to standard error, unless silent: `--quiet` prints nothing but errors.
    func warning(_ text: String) {
        if style != .silent { printError("warning: \(text)") }
    }

    /// Writes `line` to standard output, part of the summary, unless silent.
    func summary(_ line: String) {
        if style != .silent { print(line) }
    }

    /// Writes the progress after run `completed` of `total` finished, `elapsed` seconds into the
    /// sweep, at `rate` runs per second (`RunRate`; nil for the average since the start), `detail` saying
    /// which run it was and how it ended, as `text` gives it.
    func runFinished(completed: Int, total: Int, elapsed: Double, rate: Double? = nil, detail: String) {
        if let text = text(completed: completed, total: total, elapsed: elapsed, rate: rate, detail: detail) {
            writeToStandardError(text)
        }
    }

    /// What to write to standard error after run `completed` of `total` finished, `elapsed` seconds
    /// into the sweep, at `rate` runs per second (nil: `completed / elapsed`), or nil for nothing; the time
    /// left is the runs left at that rate. On a terminal: a carriage return, an erased line and
    /// "[ 12/81] 14.8 runs/s, 5 s left · DETAIL", cut with "…" to `columns - 1` characters (a line as
    /// wide as the window would wrap on some terminals, and the next carriage return would then
    /// rewrite only its second half), with a line end after the last run. As lines: at
    /// the run that completes another tenth of the total (only one line when a run completes
    /// several), "12 of 81 runs (14%), 14.8 runs/s, 5 s left", the last "81 of 81 runs (100%), 14.8 runs/s".
    func text(completed: Int, total: Int, elapsed: Double, rate given: Double? = nil, detail: String) -> String? {
        let rate = given.flatMap { $0 > 0 ? $0 : nil } ?? (elapsed > 0 ? Double(completed) / elapsed : nil)
        let speed = rate.map { String(format: "%.1f runs/s", $0) }
        let left = completed < total ? rate.map { durationText(Double(total - completed) / $0) + " left" } : nil
        let figures = [speed, left].compactMap { $0 }.joined(separator: ", ")
        switch style {
        case .silent:
            return nil
        case .terminal:
            let done = String(completed), width = String(total).count
            let count = "[" + String(repeating: " ", count: max(0, width - done.count)) + done + "/\(total)]"
            let line = "\(count) \(figures.isEmpty ? "" : figures + " · ")\(detail)"
            return "\r\u{1B}[K" + cut(line, to: columns - 1) + (completed == total ? "\n" : "")
        case .lines:
            guard completed * 10 / total > (completed - 1) * 10 / total else { return nil }
            return "\(completed) of \(total) runs (\(completed * 100 / total)%)\(figures.isEmpty ? "" : ", " + figures)\n"
        }
    }
}

/// Runs per second over about the last `timeConstant` seconds, for the progress line, so that its rate
/// and time left follow a sweep whose runs speed up or slow down without jumping at each run (runs
/// finish in bursts, one per worker). Each finished run counts with weight exp(−age / τ), τ the time
/// constant; the rate at time t is that weighted count over ∫₀ᵗ exp(−s / τ) ds = τ (1 − exp(−t / τ)),
/// the weight a steady rate of one run per second would have, so that a steady rate r reads r from
/// the first runs on (where it is the average since the start) and a change of speed shows within
/// about τ.
struct RunRate: Sendable, Equatable {
    /// τ, in seconds.
    let timeConstant: Double
    /// The weighted count of finished runs at `time`.
    private var weight = 0.0
    /// When the last runs finished, seconds since the start.
    private var time = 0.0

    /// An estimator with time constant `timeConstant` seconds (10 by default).
    init(timeConstant: Double = 10) {
        precondition(timeConstant > 0, "a positive time constant")
        self.timeConstant = timeConstant
    }

    /// Counts `runs` runs finished at `time` seconds since the start (never before the last) and
    /// returns the rate then (`rate(at:)`).
    mutating func record(_ runs: Int = 1, at time: Double) -> Double? {
        let now = max(time, self.time)
        weight = weight * exp(-(now - self.time) / timeConstant) + Double(runs)
        self.time = now
        return rate(at: now)
    }

    /// Runs per second at `time` (not before the last run counted); nil before any time has passed.
    func rate(at time: Double) -> Double? {
        guard time > 0 else { return nil }
        let decayed = weight * exp(-(max(time, self.time) - self.time) / timeConstant)
        return decayed / (timeConstant * -expm1(-time / timeConstant))
    }
}

/// A `RunRate` that the progress callback of a sweep (called one run at a time, from any thread) updates.
final class SharedRunRate: Sendable {
    private let rate = Mutex(RunRate())

    /// Counts a run finished at `time` seconds since the start; the rate then.
    func record(at time: Double) -> Double? {
        rate.withLock { $0.record(at: time) }
    }
}

/// A duration for a person, rounded up: "4 s", "2 min 05 s", "1 h 02 min" (at most 1,000,000,000 s);
/// "<1 s" below a second, which rounding up would call "1 s" however fast the runs go.
func durationText(_ seconds: Double) -> String {
    if seconds < 1 { return "<1 s" }
    let whole = Int(min(seconds, 1e9).rounded(.up))
    if whole < 60 { return "\(whole) s" }
    if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
    return String(format: "%d h %02d min", whole / 3600, whole % 3600 / 60)
}

/// The width assumed for a terminal that does not tell its own.
let defaultTerminalColumns = 80

/// The width in columns of the terminal open as `descriptor` (TIOCGWINSZ); nil when it is not one or
/// does not know its width.
func terminalColumns(of descriptor: Int32) -> Int? {
    var size = winsize()
    guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
}

/// `text` when it has at most `limit` characters, else its first `limit - 1` and "…" (at least "…").
func cut(_ text: String, to limit: Int) -> String {
    guard text.count > limit else { return text }
    return text.prefix(max(0, limit - 1)) + "…"
}
