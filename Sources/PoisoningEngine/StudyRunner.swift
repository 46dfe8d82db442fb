import Dispatch
import PoisoningAttacks
import PoisoningData
import PoisoningDefenses
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities
import Synchronization

/// A finished run as the progress callback sees it.
public struct RunProgress: Sendable {
    /// Runs finished so far, this one included.
    public let completed: Int
    /// Runs in the sweep.
    public let total: Int
    /// The run's index in `Study.runSpecs`.
    public let index: Int
    /// The run that just finished.
    public let result: RunResult
    /// Its wall time in seconds.
    public let seconds: Double
}

/// One of N disjoint, deterministic slices of a sweep, for spreading it over machines: shard K of
/// N holds the runs whose index in `Study.runSpecs` is K-1, K-1+N, K-1+2N, ... (round robin,
/// so that every shard gets a similar mix of widths).
public struct Shard: Sendable, Codable, Equatable, CustomStringConvertible {
    /// 1-based shard number.
    public let index: Int
    /// Number of shards.
    public let count: Int

    /// Shard `index` of `count` (1 <= index <= count).
    public init(index: Int, count: Int) {
        precondition(count >= 1 && (1...count).contains(index), "a shard is K/N with 1 <= K <= N")
        self.index = index
        self.count = count
    }

    /// Decodes a shard, refusing one that is not K/N with 1 <= K <= N (a count of 0 would make
    /// `runIndices` stride by 0 forever).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let index = try container.decode(Int.self, forKey: .index), count = try container.decode(Int.self, forKey: .count)
        guard count >= 1 && (1...count).contains(index) else {
            throw DecodingError.dataCorruptedError(forKey: .count, in: container,
                                                   debugDescription: "shard \(index)/\(count) is not K/N with 1 <= K <= N")
        }
        self.init(index: index, count: count)
    }

    /// The whole sweep.
    public static let whole = Shard(index: 1, count: 1)

    /// The run indices of this shard in a sweep of `total` runs.
    public func runIndices(total: Int) -> [Int] { Array(stride(from: index - 1, to: total, by: count)) }

    /// "K/N".
    public var description: String { "\(index)/\(count)" }
}

/// The runs of a study (or of one shard of it), with their indices in `Study.runSpecs` and their
/// wall times (kept apart from the results so that results stay byte-identical across reruns).
public struct StudyRuns: Sendable {
    /// Index in `Study.runSpecs` of each result.
    public let indices: [Int]
    /// One result per index.
    public let results: [RunResult]
    /// Wall seconds of each run.
    public let runSeconds: [Double]

    /// Runs with their indices and times.
    public init(indices: [Int], results: [RunResult], runSeconds: [Double]) {
        self.indices = indices
        self.results = results
        self.runSeconds = runSeconds
    }
}

/// Runs the cells of the sweep that belong to `shard` on `threads` worker threads. Each run depends
/// only on its own spec, so the results are identical for any thread count and any sharding;
/// `progress` is called once per finished run, one call at a time.
public func runStudy(_ study: Study, threads: Int, shard: Shard = .whole,
                     progress: (@Sendable (RunProgress) -> Void)? = nil) -> StudyRuns {
    runStudy(study, threads: threads, indices: shard.runIndices(total: study.runSpecs.count), progress: progress)
}

/// Runs the runs at `indices` of `Study.runSpecs` on `threads` worker threads; `progress` is called
/// once per finished run, one call at a time. The runs of a series are handed out up to
/// `packedRunCount` at a time (fewer when the runs are too few to give every thread eight), so
/// that `executeRuns` can train them in one packed pass; the
/// results (in `indices` order) are the same bits as one `executeRun` per index.
public func runStudy(_ study: Study, threads: Int, indices: [Int],
                     progress: (@Sendable (RunProgress) -> Void)? = nil) -> StudyRuns {
    let specs = study.runSpecs
    // Positions in `indices`, by series, in chunks of `runsPerChunk`.
    let chunkSize = runsPerChunk(runs: indices.count, threads: threads)
    var bySeries = [Int: [Int]](), seriesOrder = [Int]()
    for (position, index) in indices.enumerated() {
        let series = specs[index].series
        if bySeries[series] == nil { seriesOrder.append(series) }
        bySeries[series, default: []].append(position)
    }
    // The largest models first, so that no thread starts a long chunk while the others finish.
    let split = study.split
    func parameterCount(_ series: Int) -> Int {
        study.models[study.series[series].model].model(for: split.sizes).parameterCount
    }
    let chunks = seriesOrder.map { (series: $0, parameters: parameterCount($0)) }
        .enumerated().sorted { ($0.element.parameters, -$0.offset) > ($1.element.parameters, -$1.offset) }
        .flatMap { entry in
            let positions = bySeries[entry.element.series]!
            return stride(from: 0, to: positions.count, by: chunkSize).map { Array(positions[$0..<min($0 + chunkSize, positions.count)]) }
        }
    let finished = Mutex(0)
    let timed = parallelMap(count: chunks.count, threads: threads) { chunk in
        let start = ContinuousClock.now
        let results = executeRuns(chunks[chunk].map { specs[indices[$0]] }, study: study)
        // A chunk's runs share their passes, so each is given an equal share of its wall time.
        let seconds = secondsElapsed(since: start) / Double(results.count)
        return zip(chunks[chunk], results).map { (position: $0, result: $1, seconds: seconds) }
    } onEach: { _, runs in
        for run in runs {
            let completed = finished.withLock { count -> Int in
                count += 1
                return count
            }
            progress?(RunProgress(completed: completed, total: indices.count, index: indices[run.position], result: run.result,
                                  seconds: run.seconds))
        }
    }
    var results = [RunResult?](repeating: nil, count: indices.count), runSeconds = [Double](repeating: 0, count: indices.count)
    for run in timed.joined() {
        results[run.position] = run.result
        runSeconds[run.position] = run.seconds
    }
    return StudyRuns(indices: indices, results: results.map { $0! }, runSeconds: runSeconds)
}

/// How many runs of a series `runStudy` hands a worker at once when it runs `runs` runs on `threads`
/// threads: up to `packedRunCount`, fewer when there are too few runs for eight per thread, so that
/// packing never leaves a thread idle.
public func runsPerChunk(runs: Int, threads: Int) -> Int {
    max(1, min(packedRunCount, runs / max(threads, 1)))
}

/// `(0..<count).map(body)` on `threads` workers that take indices in turn; element i of the
/// result is body(i) whatever the thread count. `onEach(completedSoFar, value)` runs under a
/// lock after each element.
public func parallelMap<Value: Sendable>(count: Int, threads: Int, _ body: @Sendable (Int) -> Value,
                                         onEach: @Sendable (Int, Value) -> Void = { _, _ in }) -> [Value] {
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
