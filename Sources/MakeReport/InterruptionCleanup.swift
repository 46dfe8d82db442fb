import Dispatch
import Foundation

/// While it exists, an interruption of the command (SIGINT from Ctrl-C, SIGTERM, SIGHUP) first runs
/// `cleanUp` (`run`: while the run store is opened, waiting for a store being built to be whole or
/// removed; while the output is staged, removing the staging folder, or waiting for its publication
/// and the removal of the set it displaced), then ends the process by the same signal,
/// as it would have ended without it. A signal the process ignores when this is made (SIGHUP under
/// nohup, SIGINT in a shell script's background job) stays ignored. When it is gone, the signals'
/// default actions are back.
final class InterruptionCleanup {
    private let sources: [DispatchSourceSignal]

    /// Runs `cleanUp` on an interruption, on a thread of its own, handing it the function that ends
    /// the process by the signal (so that `cleanUp` can end it before the command's work goes on).
    init(_ cleanUp: @escaping @Sendable (_ ending: () -> Void) -> Void) {
        sources = [SIGINT, SIGTERM, SIGHUP].compactMap { signalNumber in
            // The signal is delivered to the source only while its own action is to be ignored.
            let previous = signal(signalNumber, SIG_IGN)
            guard !isIgnore(previous) else { return nil }
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                cleanUp {
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

    deinit {
        for source in sources {
            source.cancel()
            signal(Int32(source.handle), SIG_DFL)
        }
    }
}

/// Whether the signal action `action` is SIG_IGN.
private func isIgnore(_ action: __sighandler_t?) -> Bool {
    unsafeBitCast(action, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
}
