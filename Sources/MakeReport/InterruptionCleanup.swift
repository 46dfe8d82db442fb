import Foundation
import PoisoningEngine
import StudyPipeline
import Synchronization

/// While it exists, an interruption of the command (SIGINT from Ctrl-C, SIGTERM, SIGHUP) first runs
/// the clean-up set last with `cleanUp(with:)` (`run`: while the run store is opened, waiting for a
/// store being built to be whole or removed; while the output is staged, removing the staging
/// folder, or waiting for its publication and the removal of the set it displaced), then ends the
/// process by the same signal, as it would have ended without it. The clean-up is held, and the
/// signal handled, on a thread of its own for as long as this exists, so a signal that arrives while
/// one step ends and the next begins is never lost. A signal the process ignores when this is made
/// (SIGHUP under nohup, SIGINT in a shell script's background job) stays ignored. When it is gone,
/// the signals' default actions are back, and a signal that arrived before (even as the command
/// ended) has ended the process by its signal.
///
/// How no signal is lost: the signals are taken by sigwaitinfo(2) on a thread of this value's own,
/// which handles each at once; a signal reaches it only while every thread blocks it, since a thread
/// that does not may take it first, by the signal's action (before the signals were blocked, 1
/// SIGINT in 30 during a store's building was lost so, and the run ended with exit 0). Each signal
/// is blocked in the thread that makes this, and every other thread blocks it too: Dispatch's
/// threads block every asynchronous signal when they start (libdispatch's `_dispatch_sigmask`), and
/// a thread of another kind is started later by one that blocks it, and inherits its mask; `main`
/// starts none before (the threads of `threadShortage` are joined). So a running command's threads
/// all block SIGINT, SIGTERM and SIGHUP (`everyThreadBlocksTheInterruptionSignals`), and a signal
/// sent once it is blocked here waits, pending, until the thread takes it. Its action is read,
/// never set to SIG_IGN: a signal sent while it is ignored and not blocked is discarded at once, and
/// one pending when its action becomes SIG_IGN is discarded too (POSIX). When the value goes, the
/// thread is woken by a signal sent to it alone (SIGRTMAX, blocked too, by pthread_kill), takes any
/// signal still pending and handles it, and only then ends; the signals are unblocked after it has ended, so one sent later ends the process by its default action. (A
/// Dispatch signal source, used before, lost a signal that came as the command ended: the source was
/// cancelled before its handler ran, and the command exited 0.) A signal sent before the block ends
/// the process by its default action, with nothing to clean up yet.
final class InterruptionCleanup {
    /// The signals blocked while this exists: those handled (not ignored when this was made) and `wake`.
    private let blocked: sigset_t
    /// The thread that takes them, nil when none is handled.
    private let waiter: pthread_t?
    /// The signal sent to the thread alone to end it: the last real-time signal (SIGRTMAX), which
    /// queues apart from the signals handled and is never sent by a terminal.
    private let wake: Int32
    private let current: CurrentCleanUp

    /// Handles the signals; until `cleanUp(with:)` is called an interruption only ends the process.
    /// Called on the main thread, before it starts threads of its own, which inherit its signal mask.
    init() {
        let current = CurrentCleanUp(), wake = __libc_current_sigrtmax()
        (self.current, self.wake) = (current, wake)
        var handled = sigset_t()
        sigemptyset(&handled)
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            // The action read, not changed: an ignored signal is left so, and not handled.
            var action = sigaction()
            sigaction(signalNumber, nil, &action)
            if !isIgnore(action.__sigaction_handler.sa_handler) { sigaddset(&handled, signalNumber) }
        }
        var blocked = handled
        sigaddset(&blocked, wake)
        self.blocked = blocked
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        guard [SIGINT, SIGTERM, SIGHUP].contains(where: { sigismember(&handled, $0) == 1 }) else {
            waiter = nil
            return
        }
        // The thread inherits the mask that blocks the signals.
        let waiting = SignalWaiter(signals: handled, wake: wake, current: current)
        var thread = pthread_t()
        // A small stack (512 KiB, not the default 8 MiB): the thread only waits and runs clean-ups, and
        // the default reservation left a process under a low `ulimit -v` too little address space for
        // the work threads, whose start then never ended (hostile commands-under-a-small-address-space).
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 512 * 1024)
        let started = pthread_create(&thread, &attributes, { context in
            Unmanaged<SignalWaiter>.fromOpaque(context!).takeRetainedValue().takeSignals()
            return nil
        }, Unmanaged.passRetained(waiting).toOpaque())
        precondition(started == 0, "cannot start the thread that handles interruptions: \(String(cString: strerror(started)))")
        waiter = thread
    }

    /// Makes `cleanUp` what an interruption runs from now on, in place of the one before; it is
    /// handed the function that ends the process by the signal, so that it can end it before the
    /// command's work goes on.
    func cleanUp(with cleanUp: @escaping CleanUp) {
        current.set(cleanUp)
    }

    /// Makes something with `make` (a staging folder and its lock) and, in the same step, makes the
    /// clean-up of it (`cleanUp(made)`) what an interruption runs from then on: an interruption either
    /// ends the process before `make` begins or runs that clean-up, so nothing made in between is left
    /// behind (a signal during the store's building used to end the run just after `make`).
    func cleanUp<Made>(makingWith make: () throws -> Made, cleanUp: (Made) -> CleanUp) throws -> Made {
        try current.replace(making: { _ in try make() }, cleanUp: { made, _ in cleanUp(made) })
    }

    /// Writes `data` to the file at `path` as `OutputFolder.write` does (into a temporary file beside
    /// it, then rename(2)), creating the folders above it that are missing. Until the file is in
    /// place, an interruption removes the temporary file and the folders made for it (each when it is
    /// empty), then runs the clean-up set before, which is set again once the write is over; a failed
    /// write removes them too. So nothing half-written, and no folder made for it, is ever left (a
    /// shard's part file, `compare --output`).
    func write(_ data: Data, toFile path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        let write = AtomicFileWrite()
        let (folder, made, previous) = try current.replace(making: { previous in
            let made = missingFolders(above: resolvedFileURL(path, isDirectory: false))
            do {
                return (try OutputFolder(path: parent.isEmpty ? "." : parent), made, previous)
            } catch {
                removeEmptyFolders(made)
                throw error
            }
        }, cleanUp: { madeNow, _ in
            let (_, made, previous) = madeNow
            return { ending in
                write.removeTemporaryFile {
                    removeEmptyFolders(made)
                    if let previous { previous(ending) } else { ending() }
                }
            }
        })
        defer { current.set(previous) }
        do {
            try folder.write(data, to: name, through: write)
        } catch {
            removeEmptyFolders(made)
            throw error
        }
    }

    deinit {
        if let waiter {
            pthread_kill(waiter, wake)
            pthread_join(waiter, nil)
        }
        var blocked = self.blocked
        pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
    }
}

/// What an interruption runs before it ends the process: handed the function that ends it.
typealias CleanUp = @Sendable (_ ending: () -> Void) -> Void

/// The clean-up of an interruption while `staged` is written inside the scratch folder `scratch`
/// (`check`, `bench`): abandons it first (`StagedOutputFolder.interruptionCleanup`, which waits for a
/// write in progress and fails every later one), then removes the scratch folder, then ends the
/// process, so that no write of the command's own puts a file back into the folder while it is removed.
func scratchCleanUp(abandoning staged: StagedOutputFolder, thenRemoving scratch: URL) -> CleanUp {
    let abandon = staged.interruptionCleanup
    return { ending in
        abandon {
            removeScratchFolder(scratch)
            ending()
        }
    }
}

/// Removes each of `folders` (deepest first) when it is empty: rmdir(2) removes nothing else.
private func removeEmptyFolders(_ folders: [URL]) {
    for folder in folders { rmdir(folder.path) }
}

/// The thread of an `InterruptionCleanup`: takes its signals with sigwaitinfo(2) and ends the process
/// by the first one, after the clean-up; woken by `wake` sent to it alone by its own process (the
/// value is gone), it takes a signal still pending, if any, as it would have, and ends.
private final class SignalWaiter: @unchecked Sendable {
    /// The signals handled (blocked in every thread).
    private let signals: sigset_t
    /// The signal, one of `signals`, that the process sends to this thread alone to end it.
    private let wake: Int32
    private let current: CurrentCleanUp

    /// A waiter for `signals`, woken by `wake`, that runs `current`'s clean-up.
    init(signals: sigset_t, wake: Int32, current: CurrentCleanUp) {
        (self.signals, self.wake, self.current) = (signals, wake, current)
    }

    /// Takes the signals until it is woken (runs on the thread of its own).
    func takeSignals() {
        var signals = self.signals, waited = self.signals, information = siginfo_t()
        sigaddset(&waited, wake)
        while true {
            let taken = sigwaitinfo(&waited, &information)
            guard taken > 0 else { continue }   // EINTR
            if taken == wake {
                var now = timespec()
                let pending = sigtimedwait(&signals, &information, &now)
                if pending > 0 { end(by: pending) }
                return
            }
            end(by: taken)
        }
    }

    /// Runs the clean-up, then ends the process by `signalNumber`, by its default action.
    private func end(by signalNumber: Int32) {
        current.run {
            signal(signalNumber, SIG_DFL)
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, signalNumber)
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            raise(signalNumber)
        }
    }
}

/// The clean-up an interruption runs. An interruption holds it while it runs (and ends the process
/// there), so a command that sets the next one waits until the interruption is over.
private final class CurrentCleanUp: Sendable {
    private let cleanUp = Mutex<CleanUp?>(nil)

    /// Makes `next` the clean-up (none: an interruption only ends the process).
    func set(_ next: CleanUp?) {
        cleanUp.withLock { $0 = next }
    }

    /// Makes a value with `make`, which is handed the clean-up set so far, and `next(value, that
    /// clean-up)` the clean-up, while holding the clean-up, so that an interruption runs before `make`
    /// or after the clean-up is set, never in between.
    func replace<Made>(making make: (_ previous: CleanUp?) throws -> Made,
                       cleanUp next: (Made, _ previous: CleanUp?) -> CleanUp) throws -> Made {
        try cleanUp.withLock { current in
            let value = try make(current)
            current = next(value, current)
            return value
        }
    }

    /// Runs the clean-up, then `ending`; `ending` alone when none is set.
    func run(_ ending: () -> Void) {
        cleanUp.withLock { cleanUp in
            if let cleanUp { cleanUp(ending) } else { ending() }
        }
    }
}

/// Whether the signal action `action` is SIG_IGN.
private func isIgnore(_ action: __sighandler_t?) -> Bool {
    unsafeBitCast(action, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
}
