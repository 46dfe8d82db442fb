import Dispatch
import Foundation
import Synchronization

/// While it exists, an interruption of the command (SIGINT from Ctrl-C, SIGTERM, SIGHUP) first runs
/// the clean-up set last with `cleanUp(with:)` (`run`: while the run store is opened, waiting for a
/// store being built to be whole or removed; while the output is staged, removing the staging
/// folder, or waiting for its publication and the removal of the set it displaced), then ends the
/// process by the same signal, as it would have ended without it. The clean-up is held, and the
/// signal handled, on a thread of its own for as long as this exists, so a signal that arrives while
/// one step ends and the next begins is never lost. A signal the process ignores when this is made
/// (SIGHUP under nohup, SIGINT in a shell script's background job) stays ignored. When it is gone,
/// the signals' default actions are back.
///
/// How no signal is lost (Linux, where Dispatch reads a signal source's signals from a signalfd):
/// a signal reaches the signalfd only while every thread blocks it; a thread that does not may take
/// it first, by the signal's action (before the signals were blocked, 1 SIGINT in 30 during a
/// store's building was lost so, and the run ended with exit 0). Each signal is blocked in the
/// thread that makes this, and every other thread blocks it too: Dispatch's threads block every
/// asynchronous signal when they start (libdispatch's `_dispatch_sigmask`), and a thread of another
/// kind is started later by one that blocks it, and inherits its mask; `main` starts none before
/// (the threads of `threadShortage` are joined). So a running command's threads all block SIGINT,
/// SIGTERM and SIGHUP (`everyThreadBlocksTheInterruptionSignals`), and a signal sent once it is
/// blocked here waits, pending, until the source reads it. Its action is read, never set to
/// SIG_IGN: a signal sent while it is ignored and not blocked is discarded at once, and one pending
/// when its action becomes SIG_IGN is discarded too (POSIX), so ignoring it before blocking it (as
/// this did) or after would each lose a signal sent in between. A signal sent before the block ends
/// the process by its default action, with nothing to clean up yet.
final class InterruptionCleanup {
    private let sources: [DispatchSourceSignal]
    private let current: CurrentCleanUp

    /// Handles the signals; until `cleanUp(with:)` is called an interruption only ends the process.
    /// Called on the main thread, before it starts threads of its own, which inherit its signal mask.
    init() {
        let current = CurrentCleanUp()
        self.current = current
        sources = [SIGINT, SIGTERM, SIGHUP].compactMap { signalNumber in
            // The action read, not changed: an ignored signal is left so, and not handled.
            var action = sigaction()
            sigaction(signalNumber, nil, &action)
            guard !isIgnore(action.__sigaction_handler.sa_handler) else { return nil }
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, signalNumber)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                current.run {
                    // Dispatch blocks the signal in its threads: the default action, unblocked here.
                    signal(signalNumber, SIG_DFL)
                    var signals = sigset_t()
                    sigemptyset(&signals)
                    sigaddset(&signals, signalNumber)
                    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
                    raise(signalNumber)
                }
            }
            source.resume()
            return source
        }
    }

    /// Makes `cleanUp` what an interruption runs from now on, in place of the one before; it is
    /// handed the function that ends the process by the signal, so that it can end it before the
    /// command's work goes on.
    func cleanUp(with cleanUp: @escaping @Sendable (_ ending: () -> Void) -> Void) {
        current.set(cleanUp)
    }

    /// Makes something with `make` (a staging folder and its lock) and, in the same step, makes the
    /// clean-up of it (`cleanUp(made)`) what an interruption runs from then on: an interruption either
    /// ends the process before `make` begins or runs that clean-up, so nothing made in between is left
    /// behind (a signal during the store's building used to end the run just after `make`).
    func cleanUp<Made>(makingWith make: () throws -> Made,
                       cleanUp: (Made) -> @Sendable (_ ending: () -> Void) -> Void) throws -> Made {
        try current.replace(making: make, cleanUp: cleanUp)
    }

    deinit {
        var handled = sigset_t()
        sigemptyset(&handled)
        for source in sources {
            source.cancel()
            signal(Int32(source.handle), SIG_DFL)
            sigaddset(&handled, Int32(source.handle))
        }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    }
}

/// The clean-up an interruption runs. An interruption holds it while it runs (and ends the process
/// there), so a command that sets the next one waits until the interruption is over.
private final class CurrentCleanUp: Sendable {
    private let cleanUp = Mutex<(@Sendable (_ ending: () -> Void) -> Void)?>(nil)

    /// Makes `next` the clean-up.
    func set(_ next: @escaping @Sendable (_ ending: () -> Void) -> Void) {
        cleanUp.withLock { $0 = next }
    }

    /// Makes a value with `make` and `next(value)` the clean-up while holding the clean-up, so that an
    /// interruption runs before `make` or after the clean-up is set, never in between.
    func replace<Made>(making make: () throws -> Made,
                       cleanUp next: (Made) -> @Sendable (_ ending: () -> Void) -> Void) throws -> Made {
        var made: Made?
        try cleanUp.withLock { current in
            let value = try make()
            current = next(value)
            made = value
        }
        return made!
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
