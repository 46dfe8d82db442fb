import Foundation
import PoisoningEngine
import Synchronization

/// A sweep run through a store: the runs, and how many came from the store.
public struct StoredStudyRuns: Sendable {
    /// Every run of the shard, in run order (a stored run's time is 0).
    public let runs: StudyRuns
    /// Runs taken from the store.
    public let fromStore: Int
    /// Why finished runs could not be stored, if they could not (the sweep goes on without).
    public let storeFailure: String?
    /// Stored runs that failed their check (checksum, payload, `storedRunProblem`) and were trained again.
    public let rejectedFromStore: Int
}

/// Runs the runs of `shard` that `store` does not have, storing each as it finishes (one
/// transaction per second of finished runs, and one at the end), and returns them with the stored
/// ones, in run order: the same results, byte for byte, as running them all. A stored run that
/// fails its check is trained again (and replaced in the store). Diverged runs are never stored
/// (their message names the series as the study labels it); they run again.
/// `progress` sees the runs trained, with `total` the number to train.
public func runStudy(_ study: Study, threads: Int, shard: Shard = .whole, store: RunStore?,
                     progress: (@Sendable (RunProgress) -> Void)? = nil) throws -> StoredStudyRuns {
    let indices = shard.runIndices(total: study.runSpecs.count)
    guard let store else {
        return StoredStudyRuns(runs: runStudy(study, threads: threads, indices: indices, progress: progress), fromStore: 0, storeFailure: nil,
                               rejectedFromStore: 0)
    }
    let keys = RunKeys(study: study).keys
    let specs = study.runSpecs
    let (stored, rejected) = try store.results(for: indices.map { keys[$0] }, specs: indices.map { specs[$0] },
                                               trainingRows: study.split.train.count, testRows: study.split.test.count,
                                               recordable: study.series.indices.map(study.recordableMetrics(of:)))
    let missing = indices.filter { stored[keys[$0]] == nil }
    let pending = Mutex(PendingRuns())
    /// Writes the pending runs in one transaction; a failure is kept, and later runs are not stored.
    @Sendable func flush(_ batch: inout PendingRuns) {
        guard batch.failure == nil, !batch.runs.isEmpty else { return }
        do {
            try store.store(batch.runs, trainingRows: study.split.train.count, testRows: study.split.test.count)
        } catch {
            batch.failure = "\(error)"
        }
        batch.runs.removeAll()
        batch.lastWrite = .now
    }
    let trained = runStudy(study, threads: threads, indices: missing) { finished in
        progress?(finished)
        pending.withLock { batch in
            if finished.result.metrics != nil { batch.runs.append((keys[finished.index], finished.result)) }
            if ContinuousClock.now - batch.lastWrite >= .seconds(1) { flush(&batch) }
        }
    }
    let failure = pending.withLock { batch in
        flush(&batch)
        return batch.failure
    }
    // The trained runs and the stored ones (with this study's series index), in run order.
    var byIndex = [Int: (result: RunResult, seconds: Double)]()
    for (index, (result, seconds)) in zip(trained.indices, zip(trained.results, trained.runSeconds)) { byIndex[index] = (result, seconds) }
    let results = indices.map { index in byIndex[index]?.result ?? stored[keys[index]]!.withSeries(specs[index].series) }
    return StoredStudyRuns(runs: StudyRuns(indices: indices, results: results, runSeconds: indices.map { byIndex[$0]?.seconds ?? 0 }),
                           fromStore: indices.count - missing.count, storeFailure: failure, rejectedFromStore: rejected)
}

/// Finished runs not yet written to the store.
private struct PendingRuns {
    var runs = [(key: String, result: RunResult)]()
    var lastWrite = ContinuousClock.now
    var failure: String?
}
