import Foundation
import GRDB
import Testing
import PoisoningEngine
import RunStore
import Synchronization
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
        // Targets, which every run then measures, and their settings: every key changes.
        var targeted = study.config
        targeted.targets = [.mapping([ParameterEntry(key: "kind", value: .string("label-flip"))])]
        let targetedKeys = RunKeys(study: try Study(targeted)).keys
        #expect(Set(targetedKeys).isDisjoint(with: keys))
        targeted.targets = [.mapping([ParameterEntry(key: "kind", value: .string("label-flip")), ParameterEntry(key: "fraction", value: .double(0.3))])]
        #expect(Set(RunKeys(study: try Study(targeted)).keys).isDisjoint(with: targetedKeys))
        // Measurements: every key changes, and an empty list is none.
        var measured = study.config
        measured.measure = ["input-curvature"]
        #expect(Set(RunKeys(study: try Study(measured)).keys).isDisjoint(with: keys))
        measured.measure = []
        #expect(RunKeys(study: try Study(measured)).keys == keys)
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
        #expect(try store.prune(all: false).removed == 0)
        #expect(try store.prune(all: true).removed == larger.runSpecs.count)
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
        let (runs, failures, _) = try store.verify()
        #expect(runs == 4)
        #expect(failures.map(\.description).sorted() == ["run \(keys[0].prefix(16)): its row holds a value of the wrong type",
                                      "run \(keys[1].prefix(16)): its testAccuracy is 1.5, outside 0.0...1.0"].sorted())
        let again = try runStudy(study, threads: 1, store: store)
        #expect(again.rejectedFromStore == 3)
        #expect(again.fromStore == 1)
        #expect(again.runs.results == clean.runs.results)
        let third = try runStudy(study, threads: 1, store: store)
        #expect(third.rejectedFromStore == 0 && third.fromStore == 4)
        #expect(try store.verify().failures.isEmpty)
    }

    /// Issue 19: `store verify` knew no study, so it could not check that a stored run's accuracies are
    /// shares of whole rows, and passed a forged entry whose checksum was recomputed. Each payload now
    /// records the split's sizes (under the checksum), and verify checks them; an entry stored before
    /// (without sizes) still passes, counted as unchecked; a run asks for the study's own sizes.
    @Test func verifyChecksTheRowCountsEachPayloadRecords() throws {
        let store = try scratchStore()
        defer { remove(store) }
        let study = widthStudy([8], fractions: [0, 0.5], seeds: [1, 2], epochs: 5)
        let clean = try runStudy(study, threads: 1, store: store)
        let keys = RunKeys(study: study).keys
        let (trainingRows, testRows) = (study.split.train.count, study.split.test.count)
        #expect(try store.verify().withoutSizes == 0)
        /// The payload of `key` changed by `change`, under a recomputed checksum.
        func forge(_ db: Database, _ key: String, _ change: (inout [String: Any]) -> Void) throws {
            let payload = try Data.fetchOne(db, sql: "SELECT result FROM runs WHERE key = ?", arguments: [key])!
            var object = try JSONSerialization.jsonObject(with: payload) as! [String: Any]
            #expect(object["trainingRows"] as? Int == trainingRows && object["testRows"] as? Int == testRows)
            change(&object)
            let forged = try JSONSerialization.data(withJSONObject: object, options: .sortedKeys)
            try db.execute(sql: "UPDATE runs SET result = ?, checksum = ? WHERE key = ?",
                           arguments: [forged, storedRunChecksum(key: key, payload: forged), key])
        }
        let database = try DatabaseQueue(path: store.path)
        let forgedAccuracy = try database.write { db -> Double in
            // A test accuracy a third of a row off, the gap made to agree: only the row count can tell.
            var forgedAccuracy = 0.0
            try forge(db, keys[0]) { object in
                var metrics = object["metrics"] as! [String: Double]
                forgedAccuracy = metrics[MetricKey.testAccuracy]! - 1 / Double(3 * testRows)
                metrics[MetricKey.testAccuracy] = forgedAccuracy
                metrics[MetricKey.generalizationGap] = metrics[MetricKey.trainAccuracy]! - forgedAccuracy
                object["metrics"] = metrics
            }
            // An entry as make-report stored it before the sizes were recorded.
            try forge(db, keys[1]) { object in object["trainingRows"] = nil; object["testRows"] = nil }
            // Sizes of another split: the entry cannot be this study's run.
            try forge(db, keys[2]) { object in object["trainingRows"] = trainingRows + 1 }
            return forgedAccuracy
        }
        try database.close()
        let (runs, failures, withoutSizes) = try store.verify()
        #expect(runs == 4 && withoutSizes == 1)
        // The entry of fraction 0.5 with one training row more: its poisoned rows are no longer half of them.
        #expect(failures.map(\.description).sorted() == [
            "run \(keys[0].prefix(16)): its testAccuracy \(forgedAccuracy) is not a whole number of its study's \(testRows) test rows",
            "run \(keys[2].prefix(16)): its realised fraction 0.5 is not its \(trainingRows / 2) poisoned rows' share",
        ].sorted())
        let again = try runStudy(study, threads: 1, store: store)
        #expect(again.rejectedFromStore == 2 && again.fromStore == 2)
        #expect(again.runs.results == clean.runs.results)
    }

    /// A finished run of series 0 of `widthStudy` (no defense), fraction 0.5, seed 3, 10 of 20 rows poisoned.
    static let good = RunResult(fraction: 0.5, series: 0, seed: 3, poisonedCount: 10, realisedFraction: 0.5, metrics:
        [MetricKey.testAccuracy: 0.8, MetricKey.trainAccuracy: 0.9, MetricKey.trainCleanAccuracy: 0.7,
         MetricKey.generalizationGap: 0.9 - 0.8, MetricKey.finalLoss: 0.3], divergence: nil)

    /// `good` with the metric `key` set to `value` (removed when nil), and `divergence`.
    func good(with key: String, _ value: Double?, divergence: String? = nil, fraction: Double = 0.5) -> RunResult {
        var metrics = Self.good.metrics!
        metrics[key] = value
        return RunResult(fraction: fraction, series: 0, seed: 3, poisonedCount: 10, realisedFraction: 0.5, metrics: metrics, divergence: divergence)
    }

    @Test func storedRunChecksApplyMergesRules() throws {
        let good = Self.good, base = Set(MetricKey.recordedByEveryRun)
        let spec = RunSpec(fraction: 0.5, series: 4, seed: 3)
        #expect(storedRunProblem(good, spec: spec, trainingRows: 20, testRows: 10, recordable: base) == nil)
        #expect(storedRunProblem(good, spec: RunSpec(fraction: 0.5, series: 4, seed: 4), trainingRows: 20, testRows: 10, recordable: base)
            == "it is the run of fraction 0.5 and seed 3, not of fraction 0.5 and seed 4")
        #expect(storedRunProblem(good, spec: spec, trainingRows: 9, testRows: 10, recordable: base)
            == "its poisoned count 10 exceeds the 4 rows its fraction 0.5 asks of 9 training rows")
        // Review r19e, finding 6: a poisoned count above its fraction's budget, its realised fraction
        // edited to match, passed (the count was only bounded by the training rows).
        let overBudget = RunResult(fraction: 0.5, series: 0, seed: 3, poisonedCount: 12, realisedFraction: 0.6, metrics: good.metrics, divergence: nil)
        #expect(storedRunProblem(overBudget, spec: spec, trainingRows: 20, testRows: 10, recordable: base)
            == "its poisoned count 12 exceeds the 10 rows its fraction 0.5 asks of 20 training rows")
        let poisonedAtZero = RunResult(fraction: 0, series: 0, seed: 3, poisonedCount: 2, realisedFraction: 0.1, metrics: good.metrics, divergence: nil)
        #expect(storedRunProblem(poisonedAtZero, spec: RunSpec(fraction: 0, series: 4, seed: 3), trainingRows: 20, testRows: 10, recordable: base)
            == "its poisoned count 2 exceeds the 0 rows its fraction 0.0 asks of 20 training rows")
        #expect(storedRunProblem(good, spec: spec, trainingRows: 21, testRows: 10, recordable: base)
            == "its realised fraction 0.5 is not its 10 poisoned rows' share")
        #expect(storedRunProblem(good, spec: spec, trainingRows: 40, testRows: 10, recordable: base) == "its realised fraction 0.5 is not its 10 poisoned rows' share")
        #expect(storedRunProblem(self.good(with: MetricKey.finalLoss, nil), spec: spec, trainingRows: 20, testRows: 10, recordable: base) == "it has no finalLoss")
        #expect(storedRunProblem(self.good(with: MetricKey.testAccuracy, .nan), spec: spec, trainingRows: 20, testRows: 10, recordable: base)
            == "its testAccuracy is nan, outside 0.0...1.0")
        #expect(storedRunProblem(self.good(with: MetricKey.generalizationGap, -1.5), spec: spec, trainingRows: 20, testRows: 10, recordable: base)
            == "its generalizationGap is -1.5, outside -1.0...1.0")
        let diverged = RunResult(fraction: 0.5, series: 0, seed: 3, poisonedCount: 10, realisedFraction: 0.5, metrics: nil, divergence: "x")
        #expect(storedRunProblem(diverged, spec: spec, trainingRows: 20, testRows: 10, recordable: base) == "it has no metrics")
    }

    /// Issue 19, section 5: entries with a checksum recomputed after the payload was edited, each of
    /// which a reader can tell from a real run without training it; and section 6: a loss so large
    /// that the aggregates' squares overflow.
    @Test func storedRunsThatNoRunCouldHaveWrittenAreRejected() throws {
        let study = widthStudy([8], fractions: [0, 0.5], seeds: [3])
        let recordable = study.recordableMetrics(of: 0)
        #expect(recordable == Set(MetricKey.recordedByEveryRun))
        let spec = RunSpec(fraction: 0.5, series: 0, seed: 3)
        func problem(_ result: RunResult, spec: RunSpec = spec) -> String? {
            storedRunProblem(result, spec: spec, trainingRows: 20, testRows: 10, recordable: recordable)
        }
        #expect(problem(Self.good) == nil)
        #expect(problem(good(with: MetricKey.testAccuracy, 0.8, divergence: "loss became non-finite")) == "it has both metrics and the reason it diverged")
        #expect(problem(good(with: MetricKey.testAccuracy, 0.8, fraction: -0.0), spec: RunSpec(fraction: 0, series: 0, seed: 3))
            == "it is the run of fraction -0.0 and seed 3, not of fraction 0.0 and seed 3")
        #expect(problem(good(with: "zzz", 0.5)) == "it has zzz, a metric its series does not record")
        #expect(problem(good(with: MetricKey.stoppingEpoch, 4)) == "it has stoppingEpoch, a metric its series does not record")
        #expect(problem(good(with: "a\nb", 0.5)) == #"it has 'a\u{A}b', a metric its series does not record"#)
        // A gap within the rounding its numbers show passes (0.1 for 0.9 - 0.8, which is 0.09999999999999998).
        #expect(problem(good(with: MetricKey.generalizationGap, 0.1)) == nil)
        #expect(problem(good(with: MetricKey.generalizationGap, 0.11)) == "its generalizationGap is 0.11, expected its trainAccuracy 0.9 "
            + "- testAccuracy 0.8 = \(0.9 - 0.8) (to within 0.0015, the rounding its numbers show)")
        #expect(problem(good(with: MetricKey.finalLoss, 1e300)) == "its finalLoss is 1e+300, outside 0.0...1e+100")
        #expect(problem(good(with: MetricKey.finalLoss, 1e100)) == nil)
        // Without the study, an unknown metric is judged by its range only.
        #expect(storedRunProblem(good(with: "zzz", 0.5), spec: nil, trainingRows: nil, testRows: nil, recordable: nil) == nil)
    }

    /// Review r19: the checksum is plain SHA-256, which a forger recomputes. A stored run's shares
    /// must be of whole rows, as a run computes them, and its detection metrics present together.
    @Test func storedSharesMustBeOfWholeRows() throws {
        let base = Set(MetricKey.recordedByEveryRun), spec = RunSpec(fraction: 0.5, series: 0, seed: 3)
        let detection = base.union(MetricKey.detection)
        func run(_ edits: [String: Double?], poisoned: Int = 10) -> RunResult {
            var metrics = Self.good.metrics!
            for (key, value) in edits { metrics[key] = value }
            return RunResult(fraction: 0.5, series: 0, seed: 3, poisonedCount: poisoned, realisedFraction: Double(poisoned) / 20,
                             metrics: metrics, divergence: nil)
        }
        func problem(_ result: RunResult, recordable: Set<String> = base) -> String? {
            storedRunProblem(result, spec: spec, trainingRows: 20, testRows: 10, recordable: recordable)
        }
        #expect(problem(Self.good) == nil)
        // 0.85 of 10 test rows is 8.5 rows, its gap moved along so that every other check holds.
        #expect(problem(run([MetricKey.testAccuracy: 0.85, MetricKey.generalizationGap: 0.9 - 0.85]))
            == "its testAccuracy 0.85 is not a whole number of its study's 10 test rows")
        // A forger who counts passes: 9 of 10 rows (docs/command-line.md says so).
        #expect(problem(run([MetricKey.testAccuracy: 0.9, MetricKey.generalizationGap: 0.0])) == nil)
        // Train accuracies: shares of one count of at most 20 + 10 rows. 9/10 with 1/3 (30 rows) passes,
        // with 1/7 (70 rows) or 0.123 (1,000 rows) it does not.
        #expect(problem(run([MetricKey.trainCleanAccuracy: 1.0 / 3])) == nil)
        for clean in [1.0 / 7, 0.123] {
            #expect(problem(run([MetricKey.trainCleanAccuracy: clean]))
                == "its trainAccuracy and trainCleanAccuracy are not shares of one count of at most 30 training rows")
        }
        // Detection: precision exactly when something was flagged, recall exactly when rows were
        // poisoned, each a share of its count.
        let detected: [String: Double?] = [MetricKey.removedFraction: 0.25, MetricKey.detectionPrecision: 0.4, MetricKey.detectionRecall: 0.2,
                        MetricKey.detectionAUROC: 0.7, MetricKey.detectionTPRAt5FPR: 0.1]
        #expect(problem(run(detected), recordable: detection) == nil)
        #expect(problem(run(detected.merging([MetricKey.removedFraction: 0]) { $1 }), recordable: detection)
            == "it has a detectionPrecision with removedFraction 0.0")
        #expect(problem(run(detected.merging([MetricKey.removedFraction: nil]) { $1 }), recordable: detection)
            == "it has detection metrics without removedFraction")
        #expect(problem(run(detected.merging([MetricKey.detectionRecall: 0.15]) { $1 }), recordable: detection)
            == "its detectionRecall 0.15 is not a share of its 10 poisoned rows")
        #expect(problem(run(detected.merging([MetricKey.detectionRecall: nil]) { $1 }), recordable: detection)
            == "it has no detectionRecall with 10 poisoned rows")
        #expect(problem(run(detected.merging([MetricKey.removedFraction: 0.123]) { $1 }), recordable: detection)
            == "its removedFraction or detectionPrecision is not a share of at most 30 training rows")
        // Without the study's row counts (store verify), the counts are not checked.
        #expect(storedRunProblem(run([MetricKey.testAccuracy: 0.85, MetricKey.generalizationGap: 0.9 - 0.85]), spec: nil,
                                 trainingRows: nil, testRows: nil, recordable: nil) == nil)
    }

    /// A real sweep through the store: an accuracy forged by hand under a recomputed checksum is
    /// trained again; one forged with the right count is not (a forger who counts is not caught).
    @Test func aStoredAccuracyForgedByHandIsTrainedAgain() throws {
        let store = try scratchStore()
        defer { remove(store) }
        let study = widthStudy([8], fractions: [0, 0.5], seeds: [1, 2], epochs: 5)
        let clean = try runStudy(study, threads: 1, store: store)
        let keys = RunKeys(study: study).keys, testRows = study.split.test.count
        #expect(testRows == 150)
        let database = try DatabaseQueue(path: store.path)
        /// Sets run `index`'s test accuracy to `accuracy`, and its gap with it, under a checksum that holds.
        func forge(_ index: Int, testAccuracy accuracy: Double) throws {
            try database.write { db in
                let payload = try Data.fetchOne(db, sql: "SELECT result FROM runs WHERE key = ?", arguments: [keys[index]])!
                var object = try JSONSerialization.jsonObject(with: payload) as! [String: Any]
                var metrics = object["metrics"] as! [String: Any]
                metrics[MetricKey.testAccuracy] = accuracy
                metrics[MetricKey.generalizationGap] = (metrics[MetricKey.trainAccuracy] as! Double) - accuracy
                object["metrics"] = metrics
                let forged = try JSONSerialization.data(withJSONObject: object, options: .sortedKeys)
                try db.execute(sql: "UPDATE runs SET result = ?, checksum = ? WHERE key = ?",
                               arguments: [forged, storedRunChecksum(key: keys[index], payload: forged), keys[index]])
            }
        }
        try forge(0, testAccuracy: 0.95)
        try forge(1, testAccuracy: 140.0 / 150)
        try database.close()
        let again = try runStudy(study, threads: 1, store: store)
        #expect(again.rejectedFromStore == 1 && again.fromStore == 3)
        #expect(again.runs.results[0] == clean.runs.results[0])
        #expect(again.runs.results[1].metrics?[MetricKey.testAccuracy] == 140.0 / 150)
    }

    @Test func aSweepTrainsAgainEveryStoredRunThatNoRunCouldHaveWritten() throws {
        let store = try scratchStore()
        defer { remove(store) }
        let study = widthStudy([8], fractions: [0, 0.5], seeds: [1, 2, 3], epochs: 5)
        let clean = try runStudy(study, threads: 1, store: store)
        let keys = RunKeys(study: study).keys
        /// Rewrites the payload of run `index` with `edit` applied to its JSON object, under a checksum that holds.
        func forge(_ db: Database, _ index: Int, _ edit: (inout [String: Any]) -> Void) throws {
            let payload = try Data.fetchOne(db, sql: "SELECT result FROM runs WHERE key = ?", arguments: [keys[index]])!
            var object = try JSONSerialization.jsonObject(with: payload) as! [String: Any]
            edit(&object)
            let forged = try JSONSerialization.data(withJSONObject: object, options: .sortedKeys)
            try db.execute(sql: "UPDATE runs SET result = ?, checksum = ? WHERE key = ?",
                           arguments: [forged, storedRunChecksum(key: keys[index], payload: forged), keys[index]])
        }
        func setMetric(_ key: String, _ value: Double) -> (inout [String: Any]) -> Void {
            { object in
                var metrics = object["metrics"] as! [String: Any]
                metrics[key] = value
                object["metrics"] = metrics
            }
        }
        let database = try DatabaseQueue(path: store.path)
        try database.write { db in
            try forge(db, 0) { $0["divergence"] = "loss became non-finite" }
            try forge(db, 1) { $0["fraction"] = -0.0 }
            try forge(db, 2, setMetric("zzz", 0.5))
            try forge(db, 3, setMetric(MetricKey.stoppingEpoch, 3))
            try forge(db, 4, setMetric(MetricKey.generalizationGap, 0.25))
            try forge(db, 5, setMetric(MetricKey.finalLoss, 1e300))
        }
        try database.close()
        #expect(study.runSpecs[1].fraction == 0)
        let again = try runStudy(study, threads: 1, store: store)
        #expect(again.rejectedFromStore == 6 && again.fromStore == 0)
        #expect(again.runs.results == clean.runs.results)
        #expect(try runStudy(study, threads: 1, store: store).fromStore == 6)
    }

    /// Issue 19, section 16: rows whose key no study can look up (a blob, upper-case digits) failed
    /// `verify` forever; `prune` removes them, and every other row that fails the check.
    @Test func pruneRemovesEveryRowThatFailsVerify() throws {
        let store = try scratchStore()
        defer { remove(store) }
        let study = widthStudy([8], fractions: [0, 0.5], seeds: [1, 2], epochs: 5)
        _ = try runStudy(study, threads: 1, store: store)
        let keys = RunKeys(study: study).keys
        let database = try DatabaseQueue(path: store.path)
        try database.write { db in
            let payload = try Data.fetchOne(db, sql: "SELECT result FROM runs WHERE key = ?", arguments: [keys[0]])!
            let upper = keys[0].uppercased()
            try db.execute(sql: "INSERT INTO runs VALUES (?, ?, ?, ?, 0)",
                           arguments: [upper, engineVersion, payload, storedRunChecksum(key: upper, payload: payload)])
            try db.execute(sql: "INSERT INTO runs VALUES (?, ?, ?, ?, 0)",
                           arguments: [Data(keys[1].utf8), engineVersion, payload, storedRunChecksum(key: keys[1], payload: payload)])
            try db.execute(sql: "UPDATE runs SET checksum = 'x' WHERE key = ?", arguments: [keys[2]])
        }
        try database.close()
        let (runs, failures, _) = try store.verify()
        #expect(runs == 6)
        #expect(Set(failures.map(\.key)) == [keys[0].uppercased(), nil, keys[2]])
        #expect(failures.map(\.description).sorted() == [
            "a run whose key is not text: its row holds a value of the wrong type",
            "run \(String(reflecting: String(keys[0].uppercased().prefix(16))))...: its key is not 64 lowercase hexadecimal digits, so no study can find it",
            "run \(keys[2].prefix(16)): its checksum does not match its payload",
        ].sorted())
        let pruned = try store.prune(all: false)
        #expect(pruned.removed == 3 && pruned.failedCheck == 3)
        #expect(try store.verify().runs == 3 && store.verify().failures.isEmpty)
        #expect(try runStudy(study, threads: 1, store: store).fromStore == 3)
    }

    /// Issue 19, sections 7, 10 and 11: paths that would make something other than a store, or a
    /// store SQLite fills from another database's leftovers, are refused before anything is created.
    @Test func pathsThatCannotBecomeAStoreAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-store-paths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = { (name: String) in folder.path + "/" + name }
        for name in ["newdir/", "newdir/.", "newdir/.."] {
            #expect(runStoreProblem(path(name)) == "it names a folder, not a file; give a file name")
        }
        #expect(symlink(path("missing-target"), path("link.sqlite")) == 0)
        #expect(runStoreProblem(path("link.sqlite")) == "it is a symbolic link to a file that does not exist; give the file itself")
        for suffix in ["-wal", "-shm", "-journal"] {
            #expect(FileManager.default.createFile(atPath: path("runs.sqlite" + suffix), contents: Data("x".utf8)))
            #expect(runStoreProblem(path("runs.sqlite")) == "a leftover 'runs.sqlite\(suffix)' lies beside it (SQLite would replay it "
                + "into a new store); remove it too")
            #expect(unlink(path("runs.sqlite" + suffix)) == 0)
        }
        #expect(runStoreProblem(path("runs.sqlite")) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["link.sqlite"])
    }

    /// Review r19b, finding 12: a symbolic link, a folder or a FIFO at the place of a store's -wal or
    /// -shm file is refused, naming it, before SQLite follows, fails on or blocks on it; an empty -wal
    /// without a -shm (left by a failed opening) is read as the store it is.
    @Test func oddFilesBesideAStoreAreRefusedAndAnEmptyLogIsRead() throws {
        let store = try scratchStore()
        defer { remove(store) }
        let study = widthStudy([8], fractions: [0, 0.5], seeds: [1, 2], epochs: 5)
        _ = try runStudy(study, threads: 1, store: store)
        store.closeConnections()
        let folder = URL(fileURLWithPath: store.path).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["runs.sqlite"])
        let wal = store.path + "-wal", shm = store.path + "-shm"
        #expect(symlink(folder + "/precious.txt", wal) == 0)
        #expect(runStoreProblem(store.path)?.hasSuffix("runs.sqlite-wal' beside it is a symbolic link, not SQLite's -wal file; move it away") == true)
        #expect(unlink(wal) == 0 && mkdir(shm, 0o755) == 0)
        #expect(runStoreProblem(store.path)?.hasSuffix("runs.sqlite-shm' beside it is a folder, not SQLite's -shm file; move it away") == true)
        #expect(rmdir(shm) == 0 && mkfifo(shm, 0o644) == 0)
        #expect(runStoreProblem(store.path)?.hasSuffix("runs.sqlite-shm' beside it is a FIFO, not SQLite's -shm file; move it away") == true)
        #expect(throws: RunStoreRefusal.self) { try RunStore(readingAt: store.path) }
        #expect(unlink(shm) == 0 && FileManager.default.createFile(atPath: wal, contents: Data()))
        #expect(runStoreProblem(store.path) == nil)
        let reader = try RunStore(readingAt: store.path)
        #expect(try reader.info().runsByEngineVersion == [engineVersion: 4])
        #expect(try reader.verify().failures.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["runs.sqlite", "runs.sqlite-wal"])
    }

    /// Review r19c, findings 2, 8 and 11: a -wal or -shm beside a store that is hard-linked to
    /// another file, or that holds what SQLite does not write there, was written into or deleted by
    /// SQLite (a user's file changed, a 5000-byte -wal removed); a rollback journal beside a store
    /// failed it with "attempt to write a readonly database". Each is refused in one line, naming
    /// it, before anything is opened, and keeps its bytes; SQLite's own files pass, and a store with
    /// a -shm and no -wal is read without creating one.
    @Test func companionFilesSQLiteDidNotWriteAreRefusedAndKept() throws {
        let store = try scratchStore()
        defer { remove(store) }
        _ = try runStudy(widthStudy([8], fractions: [0, 0.5], seeds: [1], epochs: 5), threads: 1, store: store)
        store.closeConnections()
        let folder = URL(fileURLWithPath: store.path).deletingLastPathComponent()
        let wal = store.path + "-wal", shm = store.path + "-shm", journal = store.path + "-journal"
        let user = folder.appendingPathComponent("user.txt")
        let text = Data((1...1000).map { "\($0)\n" }.joined().utf8)
        try text.write(to: user)
        /// The refusal of the store, by `RunStore(path:)` and `RunStore(readingAt:)` alike; the folder's files keep their bytes.
        func refusal() throws -> String? {
            let before = try contents(of: folder)
            var reasons = [String?]()
            for open in [{ _ = try RunStore(path: store.path) }, { _ = try RunStore(readingAt: store.path) }] {
                do {
                    try open()
                    reasons.append(nil)
                } catch let refusal as RunStoreRefusal {
                    reasons.append(refusal.reason)
                }
            }
            #expect(try contents(of: folder) == before)
            #expect(reasons[0] == reasons[1])
            return reasons[0]
        }
        for companion in [wal, shm] {
            #expect(link(user.path, companion) == 0)
            #expect(try refusal()?.hasSuffix("\(companion.suffix(4))' beside it has 2 names (hard links), so SQLite would write into another file; "
                + "move it away") == true)
            #expect(unlink(companion) == 0)
        }
        #expect(FileManager.default.createFile(atPath: wal, contents: Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) })))
        #expect(try refusal()?.hasSuffix("-wal' beside it does not hold what SQLite writes in its -wal file, so it is not the store's; move it away") == true)
        #expect(unlink(wal) == 0)
        #expect(FileManager.default.createFile(atPath: shm, contents: Data((1...5000).map { "\($0)\n" }.joined().utf8)))
        #expect(try refusal()?.hasSuffix("-shm' beside it does not hold what SQLite writes in its -shm file, so it is not the store's; move it away") == true)
        #expect(unlink(shm) == 0)
        #expect(FileManager.default.createFile(atPath: journal, contents: text))
        #expect(try refusal() == "a leftover 'runs.sqlite-journal' lies beside it (SQLite would replay it into the store); remove it too")
        #expect(unlink(journal) == 0)
        #expect(try Data(contentsOf: user) == text)

        // SQLite's own: a -wal that begins with its header, a -shm whose header is version 3007000,
        // or still all zeros, as a connection that has just made it leaves it for a moment.
        var walHeader = Data([0x37, 0x7F, 0x06, 0x82, 0x00, 0x2D, 0xE2, 0x18]) + Data(count: 24)
        #expect(isCompanion(walHeader, kind: "-wal"))
        walHeader[3] = 0x84
        #expect(!isCompanion(walHeader, kind: "-wal"))
        var index = Data(count: 32_768)
        #expect(isCompanion(index, kind: "-shm"))
        index.replaceSubrange(0..<4, with: withUnsafeBytes(of: UInt32(3_007_000)) { Data($0) })
        #expect(isCompanion(index, kind: "-shm"))
        index[100] = 1
        #expect(isCompanion(index, kind: "-shm"))
        index.replaceSubrange(0..<4, with: [0, 0, 0, 0])
        #expect(!isCompanion(index, kind: "-shm"), "a header of zeros with something after it")

        // A store with a -shm file and no -wal file is read as immutable: no -wal is created.
        try index.write(to: URL(fileURLWithPath: shm))
        index.replaceSubrange(0..<4, with: withUnsafeBytes(of: UInt32(3_007_000)) { Data($0) })
        index[100] = 0
        try index.write(to: URL(fileURLWithPath: shm))
        let before = try contents(of: folder)
        #expect(try RunStore(readingAt: store.path).info().runsByEngineVersion == [engineVersion: 2])
        #expect(try contents(of: folder) == before)
    }

    /// `isSQLiteCompanion` of a file holding `bytes`, written to a scratch file.
    func isCompanion(_ bytes: Data, kind: String) -> Bool {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("companion-\(UUID().uuidString)").path
        defer { unlink(path) }
        _ = FileManager.default.createFile(atPath: path, contents: bytes)
        return isSQLiteCompanion(path, kind: kind, size: bytes.count)
    }

    /// Review r19c, finding 7: a build killed before SQLite synced its journal leaves the journal's
    /// header with 12 zero bytes in place of its magic number; a later opening removed the build's
    /// empty database but kept that journal, and warned about it on every run after. A journal with
    /// that header (bytes as a killed build left them), beside its build's database or alone, is
    /// removed with it; one of other content, or hard-linked, is kept with a warning.
    @Test func aKilledBuildsUnsyncedJournalIsRemovedWithItsDatabase() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-store-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Zeros for the magic number and the record count, a nonce, the database's size 0, sector
        // size 512 and page size 4096, then zeros to the sector's end: 512 bytes.
        let header = Data(count: 12) + Data([0x66, 0x70, 0xF0, 0x1E, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0x10, 0]) + Data(count: 484)
        let (built, alone, foreign, linked) = (try endedProcessID(), try endedProcessID(), try endedProcessID(), try endedProcessID())
        let name = { (suffix: String) in folder.appendingPathComponent("runs.sqlite.new-" + suffix) }
        try Data().write(to: name("\(built)"))
        try header.write(to: name("\(built)-journal"))
        try header.write(to: name("\(alone)-journal"))
        var odd = header
        odd[23] = 0x03   // sector size 515
        try odd.write(to: name("\(foreign)-journal"))
        try header.write(to: folder.appendingPathComponent("user.bin"))
        #expect(link(folder.appendingPathComponent("user.bin").path, name("\(linked)-journal").path) == 0)
        let store = try RunStore(path: folder.appendingPathComponent("runs.sqlite").path)
        store.closeConnections()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            == ["runs.sqlite", "runs.sqlite.new-\(foreign)-journal", "runs.sqlite.new-\(linked)-journal", "user.bin"].sorted())
        #expect(store.leftoverWarnings.count == 2 && store.leftoverWarnings.allSatisfy { $0.hasSuffix("does not prove it one; it was left as it is") })
        #expect(try Data(contentsOf: folder.appendingPathComponent("user.bin")) == header)
    }

    /// Issue 19 (open list): the leftovers of a killed build were judged with access(F_OK), which
    /// follows a symbolic link, so a link named like an ended build's database that points to
    /// nothing counted as no database: the link was removed, and so was a journal beside it. A link
    /// is judged as itself (lstat): links to nothing and to a file elsewhere, and the journal beside
    /// them, are kept with a warning each, and what they point to is left as it is.
    @Test func aLinkNamedLikeABuildsDatabaseIsNeverTakenForNone() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("run-store-link-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("store"), outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let journal = Data([0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7])
        try Data().write(to: outside.appendingPathComponent("empty.db"))
        let (dangling, elsewhere) = (try endedProcessID(), try endedProcessID())
        let name = { (suffix: String) in folder.appendingPathComponent("runs.sqlite.new-" + suffix).path }
        #expect(symlink(outside.appendingPathComponent("missing.db").path, name("\(dangling)")) == 0)
        try journal.write(to: URL(fileURLWithPath: name("\(dangling)-journal")))
        #expect(symlink(outside.appendingPathComponent("empty.db").path, name("\(elsewhere)")) == 0)
        try journal.write(to: URL(fileURLWithPath: name("\(elsewhere)-journal")))
        let store = try RunStore(path: folder.appendingPathComponent("runs.sqlite").path)
        store.closeConnections()
        let kept = ["\(dangling)", "\(dangling)-journal", "\(elsewhere)", "\(elsewhere)-journal"].map { "runs.sqlite.new-" + $0 }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == (["runs.sqlite"] + kept).sorted())
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: name("\(dangling)")) == outside.appendingPathComponent("missing.db").path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: name("\(dangling)-journal"))) == journal)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["empty.db"])
        #expect(try Data(contentsOf: outside.appendingPathComponent("empty.db")).isEmpty)
        #expect(store.leftoverWarnings.count == 4 && store.leftoverWarnings.allSatisfy { $0.hasSuffix("does not prove it one; it was left as it is") },
                "\(store.leftoverWarnings)")
    }

    /// Issue 19, section 9: a store whose table was dropped or lost a column, or whose file was cut
    /// short or has an impossible page size, is refused when it is opened, not at its first read.
    @Test func aDamagedStoreIsRefusedWhenOpened() throws {
        let store = try scratchStore()
        defer { remove(store) }
        _ = try runStudy(widthStudy([8], fractions: [0, 0.5], seeds: [1], epochs: 5), threads: 1, store: store)
        let original = try Data(contentsOf: URL(fileURLWithPath: store.path))
        let damaged = store.path + ".damaged"
        /// The refusal of `damaged` after `damage` was done to a copy of the store; opened for reading
        /// only, it is refused for the same reason, and its file keeps its bytes.
        func refusal(_ damage: () throws -> Void) throws -> String? {
            for suffix in ["", "-wal", "-shm"] { unlink(damaged + suffix) }
            try original.write(to: URL(fileURLWithPath: damaged))
            try damage()
            let bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
            var reasons = [String?]()
            for open in [{ _ = try RunStore(readingAt: damaged) }, { _ = try RunStore(path: damaged) }] {
                do {
                    try open()
                    reasons.append(nil)
                } catch let refusal as RunStoreRefusal {
                    reasons.append(refusal.reason)
                }
            }
            #expect(reasons[0] == reasons[1])
            #expect(try Data(contentsOf: URL(fileURLWithPath: damaged)) == bytes)
            return reasons[1]
        }
        /// Runs `sql` on the damaged copy.
        func execute(_ sql: String) throws {
            let database = try DatabaseQueue(path: damaged)
            try database.write { try $0.execute(sql: sql) }
            try database.close()
        }
        let advice = "; remove it and its -wal and -shm files"
        #expect(try refusal { try execute("DROP TABLE runs") } == "it is a damaged run store (SQLite: no such table: runs)" + advice)
        #expect(try refusal { try execute("ALTER TABLE runs RENAME COLUMN result TO payload") }
            == "it is a damaged run store (SQLite: no such column: result)" + advice)
        #expect(try refusal { try FileHandle(forWritingTo: URL(fileURLWithPath: damaged)).truncate(atOffset: 100) }
            == "it is a damaged run store (SQLite: database disk image is malformed)" + advice)
        #expect(try refusal {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: damaged))
            try handle.seek(toOffset: 16)
            try handle.write(contentsOf: Data([0x00, 0x07]))   // page size 7
            try handle.close()
        } == "it is a damaged run store (SQLite: file is not a database)" + advice)
    }

    /// The results as the results file encodes them.
    func storedJSON(_ results: [RunResult]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(results)
    }

    /// The bytes of every file in `folder`, by name, to compare before and after.
    func contents(of folder: URL) throws -> [String: Data] {
        var files = [String: Data]()
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    /// Issue 19 follow-up: `store info` and `store verify` opened the store for writing (GRDB's pool
    /// writes to the file, and SQLite makes -wal and -shm files beside it). Opened for reading only, a
    /// store keeps the bytes of its file, nothing appears beside it, and writing is refused: a closed
    /// store (read as immutable), and one with a killed writer's -wal and -shm beside it (whose runs
    /// are read, and which keep their bytes too).
    @Test func aStoreOpenedForReadingKeepsItsBytesAndCreatesNothing() throws {
        let store = try scratchStore()
        defer { remove(store) }
        let folder = URL(fileURLWithPath: store.path).deletingLastPathComponent()
        let study = widthStudy([8], fractions: [0, 0.5], seeds: [1, 2], epochs: 5)
        _ = try runStudy(study, threads: 1, store: store)
        var configuration = Configuration()
        configuration.prepareDatabase { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        let writer = try DatabasePool(path: store.path, configuration: configuration)
        // A closed store: every run in its file.
        try writer.writeWithoutTransaction { _ = try $0.checkpoint(Database.CheckpointMode.truncate) }
        let closed = folder.appendingPathComponent("closed", isDirectory: true)
        try FileManager.default.createDirectory(at: closed, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: store.path, toPath: closed.appendingPathComponent("runs.sqlite").path)
        // A killed writer: the files of a store whose writer deleted a run, copied while it is open.
        let killed = folder.appendingPathComponent("killed", isDirectory: true)
        try FileManager.default.createDirectory(at: killed, withIntermediateDirectories: false)
        try writer.write { try $0.execute(sql: "DELETE FROM runs WHERE rowid = 1") }
        for suffix in ["", "-wal", "-shm"] {
            try FileManager.default.copyItem(atPath: store.path + suffix, toPath: killed.appendingPathComponent("runs.sqlite" + suffix).path)
        }
        try writer.close()

        for (copy, runs) in [(closed, 4), (killed, 3)] {
            let before = try contents(of: copy)
            #expect(before.keys.sorted() == (copy == closed ? ["runs.sqlite"] : ["runs.sqlite", "runs.sqlite-shm", "runs.sqlite-wal"]))
            let reader = try RunStore(readingAt: copy.appendingPathComponent("runs.sqlite").path)
            #expect(try reader.info().runsByEngineVersion == [engineVersion: runs])
            let verified = try reader.verify()
            #expect(verified.runs == runs && verified.failures.isEmpty)
            #expect(try reader.results(for: RunKeys(study: study).keys, specs: study.runSpecs, trainingRows: study.split.train.count,
                                       testRows: study.split.test.count, recordable: study.series.indices.map(study.recordableMetrics(of:))).found.count == runs)
            #expect(throws: RunStoreError.self) { try reader.prune(all: true) }
            #expect(try contents(of: copy) == before, "\(copy.lastPathComponent)")
        }
        // The stores open for reading are gone: their files are still as they were.
        #expect(try contents(of: closed).keys.sorted() == ["runs.sqlite"])
    }

    /// A store in a read-only folder, or a read-only store file, is read by `RunStore(readingAt:)` and
    /// refused for writing (`runStoreWriteProblem`). Root writes whatever the permissions say, so
    /// this part needs another user (the command-line tests make a read-only mount instead).
    @Test(.enabled(if: getuid() != 0, "permissions do not bind root")) func aReadOnlyStoreIsReadAndRefusedForWriting() throws {
        let store = try scratchStore()
        let folder = URL(fileURLWithPath: store.path).deletingLastPathComponent()
        defer {
            chmod(folder.path, 0o755)
            remove(store)
        }
        _ = try runStudy(widthStudy([8], fractions: [0, 0.5], seeds: [1], epochs: 5), threads: 1, store: store)
        unlink(store.path + ".open-lock")
        #expect(chmod(store.path, 0o444) == 0)
        #expect(runStoreWriteProblem(store.path) == "it is read-only (Permission denied)")
        #expect(chmod(store.path, 0o644) == 0 && chmod(folder.path, 0o555) == 0)
        #expect(runStoreWriteProblem(store.path)
            == "its folder is read-only (Permission denied), and SQLite writes its -wal and -shm files there")
        let before = try contents(of: folder)
        #expect(try RunStore(readingAt: store.path).verify().runs == 2)
        #expect(throws: RunStoreRefusal.self) { try RunStore(path: store.path) }
        #expect(try contents(of: folder) == before)
    }

    /// Issue 19, review r19e finding 2: a build opened `runs.sqlite.new-PID` with SQLite whatever was
    /// there (a user's database became the store; a symbolic link was removed by the build's clean-up).
    /// Anything at the build's names that is not proven a build's is kept, with what it leads to, and
    /// the build is refused with one line naming it.
    @Test(arguments: ["database", "symbolic link", "journal"]) func aBuildNeverAdoptsNorRemovesWhatIsAtItsName(_ kind: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("run-store-adopt-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let userDatabase = root.appendingPathComponent("user.sqlite")
        let queue = try DatabaseQueue(path: userDatabase.path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE mine (x); INSERT INTO mine VALUES (42)") }
        try queue.close()
        let before = try Data(contentsOf: userDatabase)
        let temporary = folder.appendingPathComponent("runs.sqlite.new-\(getpid())").path
        let planted = kind == "journal" ? temporary + "-journal" : temporary
        switch kind {
        case "database": try FileManager.default.copyItem(atPath: userDatabase.path, toPath: planted)
        case "symbolic link": #expect(symlink(userDatabase.path, planted) == 0)
        default: try Data("my notes\n".utf8).write(to: URL(fileURLWithPath: planted))
        }
        let failure = try #require(throws: RunStoreError.self) { try RunStore(path: folder.appendingPathComponent("runs.sqlite").path) }
        #expect(failure.description == "run store \(quotedUserText(planted, keepingEnd: true)): something is already at this name, where "
            + "make-report builds a new store, which it cannot prove its own; it was left as it is; move it away")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [(planted as NSString).lastPathComponent])
        #expect(try Data(contentsOf: userDatabase) == before)
        if kind == "database" { #expect(try Data(contentsOf: URL(fileURLWithPath: planted)) == before) }
        if kind == "symbolic link" { #expect(try FileManager.default.destinationOfSymbolicLink(atPath: planted) == userDatabase.path) }
    }

    /// Issue 19, review r19e finding 3: an interruption waited out SQLite's 30 s busy timeout while
    /// another process held the store locked: the interruption's clean-up (`closeConnections(then:)`)
    /// waits for the access under way. The access's wait for the lock gives up at its next try once
    /// the interruption has come, and the clean-up ends within a second. (The access then parks for
    /// good, as the interruption ends the process: here its thread is left parked.)
    @Test func anInterruptionEndsAWaitForAnotherProcesssLock() throws {
        let store = try scratchStore()
        defer { remove(store) }
        var holding = Configuration()
        holding.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: store.path, configuration: holding)
        try holder.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let study = widthStudy([8], fractions: [0], seeds: [1], epochs: 2)
        let run = runStudy(study, threads: 1).results[0]
        let key = RunKeys(study: study).keys[0]
        let started = Mutex(false)
        let writer = Thread {
            started.withLock { $0 = true }
            try? store.store([(key, run)], trainingRows: study.split.train.count, testRows: study.split.test.count)
        }
        writer.start()
        while !started.withLock({ $0 }) { usleep(1_000) }
        usleep(500_000)   // the write is waiting for the lock
        let clock = ContinuousClock(), start = clock.now
        let ended = Mutex(false)
        store.closeConnections(then: { ended.withLock { $0 = true } })
        let waited = clock.now - start
        #expect(ended.withLock { $0 } && waited < .seconds(2), "the interruption waited \(waited)")
        try holder.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        try holder.close()
    }

    /// Review r19d, finding 1: an opening whose lock another process held waited without bound and
    /// silent. With the lock held (flock(2) through a descriptor of its own, as another process's),
    /// the opening tells once, after `noticeAfter`, which process holds it (this one, from
    /// /proc/locks), gives up after `limit` with one sentence naming it, and creates no store; with
    /// the lock let go meanwhile, it opens the store.
    @Test func anOpeningWaitsForAHeldLockWithABound() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-store-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("runs.sqlite").path
        let held = open(path + ".open-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        #expect(held >= 0 && flock(held, LOCK_EX) == 0)
        let notices = NoticeList()
        let clock = ContinuousClock(), start = clock.now
        let bounded = OpenLockWait(noticeAfter: .milliseconds(300), limit: .seconds(1), notice: { notices.add($0) })
        let failure = try #require(throws: RunStoreError.self) { try RunStore(path: path, waiting: bounded) }
        let waited = clock.now - start
        #expect(waited >= .seconds(1) && waited < .seconds(4), "waited \(waited)")
        let holder = "process \(getpid()) ("
        #expect(notices.lines.count == 1 && notices.lines[0].hasPrefix("run store '") && notices.lines[0].contains(": waiting for \(holder)")
                && notices.lines[0].hasSuffix("runs.sqlite.open-lock'; giving up after 1 s"), "\(notices.lines)")
        #expect(failure.description.contains("runs.sqlite.open-lock' was held by \(holder)")
                && failure.description.contains(" for 1 s, and an opening takes milliseconds; end or resume that process"), "\(failure)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["runs.sqlite.open-lock"])
        // The lock let go after 0.5 s: the opening goes on, well before its limit.
        let letGo = Thread { usleep(500_000); close(held) }
        letGo.start()
        let again = clock.now
        let store = try RunStore(path: path, waiting: OpenLockWait(noticeAfter: .seconds(20), limit: .seconds(30), notice: { notices.add($0) }))
        #expect(clock.now - again < .seconds(10) && notices.lines.count == 1)
        #expect(try store.info().runsByEngineVersion.isEmpty)
        store.closeConnections()
    }
}

/// The notices of an opening's wait, in order.
final class NoticeList: @unchecked Sendable {
    private let lock = NSLock()
    private var all = [String]()
    func add(_ line: String) { lock.withLock { all.append(line) } }
    var lines: [String] { lock.withLock { all } }
}

/// Counts progress callbacks from the worker threads.
final class TrainedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
