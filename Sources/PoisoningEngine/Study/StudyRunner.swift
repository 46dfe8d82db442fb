import Dispatch
import Synchronization

/// A finished run as the progress callback sees it.
public struct RunProgress: Sendable {
    /// Runs finished so far, this one included.
    public let completed: Int
    /// Runs in the sweep.
    public let total: Int
    /// The run that just finished.
    public let result: RunResult
    /// Its wall time in seconds.
    public let seconds: Double
}

/// All runs of a study in `config.runSpecs` order, with their wall times (kept apart from the
/// results so that results stay byte-identical across reruns).
public struct StudyRuns: Sendable {
    /// One result per run spec, in spec order.
    public let results: [RunResult]
    /// Wall seconds of each run, in spec order.
    public let runSeconds: [Double]
}

/// Runs every cell of the sweep on `threads` worker threads. Each run depends only on its own
/// spec, so the results are identical for any thread count; `progress` is called once per
/// finished run, one call at a time.
public func runStudy(_ config: StudyConfig, threads: Int,
                     progress: (@Sendable (RunProgress) -> Void)? = nil) -> StudyRuns {
    let split = config.data.makeSplit()
    let specs = config.runSpecs
    let timed = parallelMap(count: specs.count, threads: threads) { index in
        let start = ContinuousClock.now
        let result = executeRun(specs[index], config: config, split: split)
        let elapsed = ContinuousClock.now - start
        return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    } onEach: { completed, value in
        progress?(RunProgress(completed: completed, total: specs.count, result: value.0, seconds: value.1))
    }
    return StudyRuns(results: timed.map(\.0), runSeconds: timed.map(\.1))
}

/// `(0..<count).map(body)` on `threads` workers that take indices in turn; element i of the
/// result is body(i) whatever the thread count. `onEach(completedSoFar, value)` runs under a
/// lock after each element.
func parallelMap<Value: Sendable>(count: Int, threads: Int, _ body: @Sendable (Int) -> Value,
                                  onEach: @Sendable (Int, Value) -> Void) -> [Value] {
    let shared = Mutex(ParallelMapState<Value>(values: Array(repeating: nil, count: count)))
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
        while true {
            let index = shared.withLock { state -> Int? in
                guard state.next < count else { return nil }
                defer { state.next += 1 }
                return state.next
            }
            guard let index else { return }
            let value = body(index)
            shared.withLock { state in
                state.values[index] = value
                state.completed += 1
                onEach(state.completed, value)
            }
        }
    }
    return shared.withLock { $0.values.map { $0! } }
}

/// The work queue and result slots `parallelMap` shares between its workers.
private struct ParallelMapState<Value> {
    var next = 0
    var completed = 0
    var values: [Value?]
}
