import Foundation
import GRDB
import Testing
import PoisoningEngine
import RunStore
import TestSupport

/// The run store: keys that change exactly when a run's result can, and sweeps through a store that
/// give the same results as sweeps without one while training only what the store lacks.
@Suite struct RunStoreTests {
    /// A new store in a folder of its own.
    func scratchStore() throws -> RunStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-store-test-\(UUID().uuidString)")
        return try RunStore(path: folder.appendingPathComponent("runs.sqlite").path)
    }

    func remove(_ store: RunStore) { try? FileManager.default.removeItem(at: URL(fileURLWithPath: store.path).deletingLastPathComponent()) }

    @Test func keysChangeWithWhatDeterminesARunAndNothingElse() throws {
        let study = widthStudy([8, 16], fractions: [0, 0.3], seeds: [1, 2], epochs: 5)
        let keys = RunKeys(study: study).keys
        #expect(Set(keys).count == keys.count)
        #expect(RunKeys(study: widthStudy([8, 16], fractions: [0, 0.3], seeds: [1, 2], epochs: 5)).keys == keys)
        // A width added in front: every old run keeps its key, at its new index.
        let wider = widthStudy([4, 8, 16], fractions: [0, 0.3], seeds: [1, 2], epochs: 5)
        let widerKeys = RunKeys(study: wider).keys
        for (index, spec) in study.runSpecs.enumerated() {
            let same = try #require(wider.runSpecs.firstIndex { $0.fraction == spec.fraction && $0.seed == spec.seed
                && wider.width(of: $0) == study.width(of: spec) })
            #expect(widerKeys[same] == keys[index])
        }
        #expect(Set(widerKeys).subtracting(keys).count == 4)
        // Other training settings, other data: every key changes.
        let longer = widthStudy([8, 16], fractions: [0, 0.3], seeds: [1, 2], epochs: 6)
        #expect(Set(RunKeys(study: longer).keys).isDisjoint(with: keys))
        var config = study.config
        config.data = .mapping([ParameterEntry(key: "kind", value: .string(GaussianClusters.kind)),
                                ParameterEntry(key: "samples", value: .int(700))])
        #expect(Set(RunKeys(study: try Study(config)).keys).isDisjoint(with: keys))
    }

    @Test func aSweepThroughTheStoreGivesTheSameResultsAndTrainsOnlyWhatIsMissing() throws {
        let store = try scratchStore()
        defer { remove(store) }
        let small = widthStudy([8, 16], fractions: [0, 0.3, 0.6], seeds: [1, 2], epochs: 10)
        let first = try runStudy(small, threads: 2, store: store)
        #expect(first.fromStore == 0)
        #expect(first.runs.results == runStudy(small, threads: 1).results)

        let again = try runStudy(small, threads: 2, store: store)
        #expect(again.fromStore == small.runSpecs.count)
        #expect(again.runs.results == first.runs.results)
        #expect(try storedJSON(again.runs.results) == storedJSON(first.runs.results))

        // A seed and a width added: only the new runs are trained.
        let larger = widthStudy([4, 8, 16], fractions: [0, 0.3, 0.6], seeds: [1, 2, 3], epochs: 10)
        let counter = TrainedCounter()
        let extended = try runStudy(larger, threads: 2, store: store) { _ in counter.add() }
        #expect(extended.fromStore == small.runSpecs.count)
        #expect(counter.count == larger.runSpecs.count - small.runSpecs.count)
        #expect(extended.runs.results == runStudy(larger, threads: 2).results)

        let info = try store.info()
        #expect(info.runsByEngineVersion == [engineVersion: larger.runSpecs.count])
        #expect(try store.prune(all: false) == 0)
        #expect(try store.prune(all: true) == larger.runSpecs.count)
        #expect(try store.info().runsByEngineVersion.isEmpty)
    }

    @Test func divergedRunsAreNotStored() throws {
        let store = try scratchStore()
        defer { remove(store) }
        var config = widthStudy([8], fractions: [0, 0.5], seeds: [1], epochs: 5).config
        config.training.learningRate = 1e6
        let diverging = try Study(config)
        let runs = try runStudy(diverging, threads: 1, store: store)
        #expect(runs.runs.results.allSatisfy { $0.metrics == nil })
        #expect(try store.info().runsByEngineVersion.isEmpty)
    }

    @Test func storedRunsThatFailTheirCheckAreTrainedAgainAndReplaced() throws {
        let store = try scratchStore()
        defer { remove(store) }
        let study = widthStudy([8], fractions: [0, 0.5], seeds: [1, 2], epochs: 5)
        let clean = try runStudy(study, threads: 1, store: store)
        let keys = RunKeys(study: study).keys
        // Values of the wrong SQLite type, an impossible metric with a forged checksum, and a payload
        // moved to another run's key: each run is trained again, nothing stops the sweep.
        let database = try DatabaseQueue(path: store.path)
        try database.write { db in
            try db.execute(sql: "UPDATE runs SET result = 42 WHERE key = ?", arguments: [keys[0]])
            let forged = Data(#"{"fraction":0,"metrics":{"finalLoss":0.1,"generalizationGap":0,"testAccuracy":1.5,"trainAccuracy":0.9,"trainCleanAccuracy":0.9},"poisonedCount":0,"realisedFraction":0,"seed":2,"series":0}"#.utf8)
            try db.execute(sql: "UPDATE runs SET result = ?, checksum = ? WHERE key = ?",
                           arguments: [forged, storedRunChecksum(key: keys[1], payload: forged), keys[1]])
            let moved = try Data.fetchOne(db, sql: "SELECT result FROM runs WHERE key = ?", arguments: [keys[3]])!
            try db.execute(sql: "UPDATE runs SET result = ?, checksum = ? WHERE key = ?",
                           arguments: [moved, storedRunChecksum(key: keys[2], payload: moved), keys[2]])
        }
        try database.close()
        let (runs, failures) = try store.verify()
        #expect(runs == 4)
        #expect(failures.sorted() == ["run \(keys[0].prefix(16)): its row holds a value of the wrong type",
                                      "run \(keys[1].prefix(16)): its testAccuracy is 1.5, outside 0.0...1.0"].sorted())
        let again = try runStudy(study, threads: 1, store: store)
        #expect(again.rejectedFromStore == 3)
        #expect(again.fromStore == 1)
        #expect(again.runs.results == clean.runs.results)
        let third = try runStudy(study, threads: 1, store: store)
        #expect(third.rejectedFromStore == 0 && third.fromStore == 4)
        #expect(try store.verify().failures.isEmpty)
    }

    @Test func storedRunChecksApplyMergesRules() throws {
        let good = RunResult(fraction: 0.5, series: 0, seed: 3, poisonedCount: 10, realisedFraction: 0.5, metrics:
            [MetricKey.testAccuracy: 0.8, MetricKey.trainAccuracy: 0.9, MetricKey.trainCleanAccuracy: 0.7,
             MetricKey.generalizationGap: 0.1, MetricKey.finalLoss: 0.3], divergence: nil)
        let spec = RunSpec(fraction: 0.5, series: 4, seed: 3)
        #expect(storedRunProblem(good, spec: spec, trainingRows: 20) == nil)
        #expect(storedRunProblem(good, spec: RunSpec(fraction: 0.5, series: 4, seed: 4), trainingRows: 20)
            == "it is the run of fraction 0.5 and seed 3, not of fraction 0.5 and seed 4")
        #expect(storedRunProblem(good, spec: spec, trainingRows: 9) == "its poisoned count 10 or realised fraction 0.5 is impossible")
        #expect(storedRunProblem(good, spec: spec, trainingRows: 40) == "its realised fraction 0.5 is not its 10 poisoned rows' share")
        func with(_ key: String, _ value: Double?) -> RunResult {
            var metrics = good.metrics!
            metrics[key] = value
            return RunResult(fraction: 0.5, series: 0, seed: 3, poisonedCount: 10, realisedFraction: 0.5, metrics: metrics, divergence: nil)
        }
        #expect(storedRunProblem(with(MetricKey.finalLoss, nil), spec: spec, trainingRows: 20) == "it has no finalLoss")
        #expect(storedRunProblem(with(MetricKey.testAccuracy, .nan), spec: spec, trainingRows: 20) == "its testAccuracy is nan, outside 0.0...1.0")
        #expect(storedRunProblem(with(MetricKey.generalizationGap, -1.5), spec: spec, trainingRows: 20)
            == "its generalizationGap is -1.5, outside -1.0...1.0")
        let diverged = RunResult(fraction: 0.5, series: 0, seed: 3, poisonedCount: 10, realisedFraction: 0.5, metrics: nil, divergence: "x")
        #expect(storedRunProblem(diverged, spec: spec, trainingRows: 20) == "it has no metrics")
    }

    /// The results as the results file encodes them.
    func storedJSON(_ results: [RunResult]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(results)
    }
}

/// Counts progress callbacks from the worker threads.
final class TrainedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
