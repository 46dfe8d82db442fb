import Foundation
import Testing
@testable import PoisoningAnalysis
@testable import PoisoningEngine
import TestSupport

struct MergeTests {
    static let study = widthStudy([8, 16], fractions: [0, 0.3, 0.6], seeds: [1, 2], epochs: 10)
    static let config = study.config

    /// Shard k of n, computed for real.
    static func part(_ k: Int, of n: Int, config: StudyConfig = config, version: String = "test") -> PartialStudyResults {
        let shard = Shard(index: k, count: n)
        let runs = runStudy(try! Study(config), threads: 2, shard: shard)
        return PartialStudyResults(toolVersion: version, config: config, shard: shard,
                                   runs: zip(runs.indices, runs.results).map { IndexedRunResult(index: $0, result: $1) })
    }

    @Test func shardsAreDisjointRoundRobinSlicesCoveringEveryRun() {
        let slices = (1...4).map { Shard(index: $0, count: 4).runIndices(total: 10) }
        #expect(slices == [[0, 4, 8], [1, 5, 9], [2, 6], [3, 7]])
        #expect(Shard.whole.runIndices(total: 3) == [0, 1, 2])
    }

    @Test func mergedShardsGiveByteIdenticalResults() throws {
        let single = try StudyResults(study: Self.study, runs: runStudy(Self.study, threads: 2).results, toolVersion: "test").jsonData()
        let parts = [3, 1, 2].map { ("part \($0)", Self.part($0, of: 3)) }
        let merged = try mergePartialResults(parts)
        let data = try StudyResults(layout: merged.study, runs: merged.runs, toolVersion: merged.toolVersion).jsonData()
        #expect(data == single)
    }

    @Test func shardsThatAreNotKOfNDoNotDecode() throws {
        // Shard 11 of 0 once decoded, and its runIndices strode by 0 forever (found by fuzzing).
        for text in [#"{"index": 11, "count": 0}"#, #"{"index": 0, "count": 3}"#, #"{"index": 4, "count": 3}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(Shard.self, from: Data(text.utf8)) }
        }
        #expect(try JSONDecoder().decode(Shard.self, from: Data(#"{"index": 3, "count": 3}"#.utf8)) == Shard(index: 3, count: 3))
    }

    @Test func partialResultsRoundTripThroughJSON() throws {
        let part = Self.part(2, of: 5)
        #expect(try JSONDecoder().decode(PartialStudyResults.self, from: part.jsonData()) == part)
        #expect(PartialStudyResults.fileName(for: part.shard) == "results.part-2-of-5.json")
    }

    /// The part file's and its temporary file's names are told without a regex: the same answers as
    /// the regexes they replaced, on names built from the pieces of both, from digits and from
    /// characters that are not ASCII (a combining accent, a precomposed letter, CR LF).
    @Test func partFileNamesAreToldAsTheRegexesTellThem() {
        var random = Xoshiro256StarStar(seed: 7, purpose: "part file names")
        let pieces = ["results.part-", ".results.part-", "-of-", ".json", ".json.tmp-", "1", "23", "0", "-", ".", "\u{301}", "é", "\r\n", "x", ""]
        var names = ["results.part-1-of-2.json", ".results.part-1-of-2.json.tmp-42", "results.part--of-2.json", "results.part-1-of-2.json\u{301}",
                     "results.part-1\u{301}-of-2.json", ".results.part-1-of-2.json.tmp-", "results.part-١-of-2.json"]
        for _ in 0..<20_000 {
            names.append((0..<random.nextInt(below: 7)).map { _ in pieces[random.nextInt(below: pieces.count)] }.joined())
        }
        for name in names {
            #expect(PartialStudyResults.isFileName(name) == (name.wholeMatch(of: /results\.part-[0-9]+-of-[0-9]+\.json/) != nil), "\(name.debugDescription)")
            #expect(PartialStudyResults.isTemporaryFileName(name)
                    == (name.wholeMatch(of: /\.results\.part-[0-9]+-of-[0-9]+\.json\.tmp-[0-9]+/) != nil), "\(name.debugDescription)")
        }
        #expect(PartialStudyResults.isFileName("results.part-12-of-30.json") && PartialStudyResults.isTemporaryFileName(".results.part-1-of-2.json.tmp-9"))
    }

    @Test func rejectsMissingOverlappingAndMismatchedParts() {
        let one = Self.part(1, of: 2), two = Self.part(2, of: 2)
        #expect(throws: MergeError.missingShards(first: [2], missing: 1, of: 2)) { try mergePartialResults([("a", one)]) }
        #expect(throws: MergeError.duplicateShard(part: "b", shard: Shard(index: 1, count: 2))) {
            try mergePartialResults([("a", one), ("b", one), ("c", two)])
        }
        var other = Self.config
        other.training.epochs = 11
        #expect(throws: MergeError.configurationMismatch(part: "b", first: "a")) {
            try mergePartialResults([("a", one), ("b", Self.part(2, of: 2, config: other))])
        }
        #expect(throws: MergeError.shardCountMismatch(part: "b", count: 3, expected: 2)) {
            try mergePartialResults([("a", one), ("b", Self.part(2, of: 3))])
        }
        #expect(throws: MergeError.toolVersionMismatch(part: "b", version: "other", expected: "test")) {
            try mergePartialResults([("a", one), ("b", Self.part(2, of: 2, version: "other"))])
        }
        let truncated = PartialStudyResults(toolVersion: "test", config: Self.config, shard: two.shard, runs: Array(two.runs.dropLast()))
        #expect(throws: MergeError.wrongRuns(part: "b")) { try mergePartialResults([("a", one), ("b", truncated)]) }
        #expect(throws: MergeError.noParts) { try mergePartialResults([]) }
    }

    @Test func rejectsRunsThatAreNotTheStudysOrHoldImpossibleMetrics() {
        let one = Self.part(1, of: 2), two = Self.part(2, of: 2)
        /// Part two with its first run replaced by `run`.
        func withFirstRun(_ run: RunResult) -> PartialStudyResults {
            PartialStudyResults(toolVersion: "test", config: Self.config, shard: two.shard,
                                runs: [IndexedRunResult(index: two.runs[0].index, result: run)] + two.runs.dropFirst())
        }
        let original = two.runs[0].result
        // A series the study does not have (it once merged into "n/a" rows and a NaN that failed to encode).
        let otherSeries = original.withSeries(5)
        #expect(throws: MergeError.invalidRun(part: "b", index: 1, reason: "is not the study's run at that index (fraction 0.0, series 0, seed 2)")) {
            try mergePartialResults([("a", one), ("b", withFirstRun(otherSeries))])
        }
        /// The first run of part two with the metric `key` set to `value`, and `divergence`.
        func edited(_ key: String, _ value: Double, divergence: String? = nil) -> RunResult {
            var metrics = original.metrics!
            metrics[key] = value
            return RunResult(fraction: original.fraction, series: original.series, seed: original.seed, poisonedCount: 0,
                             realisedFraction: 0, metrics: metrics, divergence: divergence)
        }
        // The checks of a stored run (`RunResult.problem`): a range, a metric its series does not
        // record, a gap that is not train - test, a divergence beside metrics; and a loss so large
        // that the aggregates' squares overflowed (results.json then failed to encode: exit 1).
        let (train, test) = (original.metrics![MetricKey.trainAccuracy]!, original.metrics![MetricKey.testAccuracy]!)
        let cases = [
            (edited(MetricKey.testAccuracy, .infinity), "its testAccuracy is inf, outside 0.0...1.0"),
            (edited("zzz", 0.5), "it has zzz, a metric its series does not record"),
            (edited(MetricKey.stoppingEpoch, 3), "it has stoppingEpoch, a metric its series does not record"),
            (edited(MetricKey.generalizationGap, 0.5), "its generalizationGap is 0.5, expected its trainAccuracy \(train) - testAccuracy \(test) "
                + "= \(train - test) (to within \(String(format: "%.3g", gapTolerance(train, test, 0.5))), the rounding its numbers show)"),
            (edited(MetricKey.finalLoss, 1e300), "its finalLoss is 1e+300, outside 0.0...1e+100"),
            (edited(MetricKey.finalLoss, 0.5, divergence: "x"), "it has both metrics and the reason it diverged"),
        ]
        for (run, problem) in cases {
            #expect(throws: MergeError.invalidRun(part: "b", index: 1, reason: "is impossible: \(problem)")) {
                try mergePartialResults([("a", one), ("b", withFirstRun(run))])
            }
        }
        // Review r19c, finding 3: an accuracy that is no whole number of the study's test rows,
        // with a consistent gap, as the run store refuses it (`RunResult.countProblem`).
        var metrics = original.metrics!
        metrics[MetricKey.testAccuracy] = 0.1234567
        metrics[MetricKey.generalizationGap] = train - 0.1234567
        let offGrid = RunResult(fraction: original.fraction, series: original.series, seed: original.seed, poisonedCount: 0,
                                realisedFraction: 0, metrics: metrics, divergence: nil)
        let testRows = Self.study.split.test.count
        #expect(throws: MergeError.invalidRun(part: "b", index: 1,
                                              reason: "is impossible: its testAccuracy 0.1234567 is not a whole number of its study's \(testRows) test rows")) {
            try mergePartialResults([("a", one), ("b", withFirstRun(offGrid))])
        }
    }

    @Test func aSplitIntoMoreShardsThanRunsIsRefusedAtOnceAndMissingShardsAreNamedBriefly() throws {
        // Shard 1 of 1,000,000 of a 12-run study once had merge walk a million shard numbers and
        // print a 16 MB line naming each.
        let one = Self.part(1, of: 2)
        let claimed = PartialStudyResults(toolVersion: "test", config: Self.config, shard: Shard(index: 1, count: 1_000_000), runs: one.runs)
        #expect(throws: MergeError.tooManyShards(part: "a", count: 1_000_000, runs: 12)) { try mergePartialResults([("a", claimed)]) }
        do {
            _ = try mergePartialResults([("a", Self.part(1, of: 12))])
            Issue.record("merged one shard of 12")
        } catch {
            #expect("\(error)" == "missing shards 2/12, 3/12, 4/12, ... (8 more)")
        }
    }

    /// A study of logistic regression on a small CSV file at `path` (two features, two classes).
    static func csvConfig(_ path: String) -> StudyConfig {
        StudyConfig(data: StudyConfig.component(CSVDataset.kind, ["path": .string(path)]), models: [StudyConfig.component("logistic")],
                    fractions: [0, 0.2], seeds: [1], training: TrainingSettings(epochs: 2))
    }

    @Test func aPartHasOnlyTheDataFileItsShardReadParsed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("merge-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let data = folder.appendingPathComponent("data.csv"), secret = folder.appendingPathComponent("secret.txt")
        try ("x,y,label\n" + (0..<40).map { "\($0),\($0 % 7),\($0 % 2)" }.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
        try "TOPSECRET,a\n1,2\n".write(to: secret, atomically: true, encoding: .utf8)
        let config = Self.csvConfig(data.path)
        let hash = try #require(try dataFileSHA256(of: config))
        let parts = (1...2).map { k in
            let runs = runStudy(try! Study(config), threads: 1, shard: Shard(index: k, count: 2))
            return PartialStudyResults(toolVersion: "test", config: config, dataFileSHA256: hash, shard: Shard(index: k, count: 2),
                                       runs: zip(runs.indices, runs.results).map { IndexedRunResult(index: $0, result: $1) })
        }
        #expect(try mergePartialResults([("a", parts[0]), ("b", parts[1])]).runs.count == 2)
        /// Both parts with the study's data file at `path` and the given hash.
        func crafted(_ path: String, hash: String?) -> [(name: String, results: PartialStudyResults)] {
            parts.enumerated().map { index, part in
                (name: "p\(index + 1)", results: PartialStudyResults(toolVersion: "test", config: Self.csvConfig(path), dataFileSHA256: hash,
                                                                     shard: part.shard, runs: part.runs))
            }
        }
        #expect(throws: MergeError.dataFile(part: "p1", reason: "\(quotedUserText(secret.path, keepingEnd: true)), the data file its study names, is not the file its "
            + "shard read (its SHA-256 differs: edited since, or another file)")) { try mergePartialResults(crafted(secret.path, hash: hash)) }
        #expect(throws: MergeError.dataFile(part: "p1", reason: "it carries no SHA-256 of the data file \(quotedUserText(secret.path, keepingEnd: true)) its study names")) {
            try mergePartialResults(crafted(secret.path, hash: nil))
        }
        #expect(throws: MergeError.dataFile(part: "p1", reason: "its study's data file cannot be read: '/dev/zero' is not a regular file")) {
            try mergePartialResults(crafted("/dev/zero", hash: hash))
        }
        // The data file edited after the shards ran.
        try "x,y,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n".write(to: data, atomically: true, encoding: .utf8)
        #expect(throws: MergeError.self) { try mergePartialResults([("a", parts[0]), ("b", parts[1])]) }
        let mixed = PartialStudyResults(toolVersion: "test", config: config, dataFileSHA256: String(repeating: "0", count: 64),
                                        shard: parts[1].shard, runs: parts[1].runs)
        #expect(throws: MergeError.dataMismatch(part: "b", first: "a")) { try mergePartialResults([("a", parts[0]), ("b", mixed)]) }
    }

    /// Issue 19: merge made the study's data (parsed its data file, or drew the clusters) only to
    /// learn the split's sizes. Parts record them (`dataSizes`), and merge lays the study out from
    /// them, never from the data: parts recording 3 features of a 2-feature file merge into a study of
    /// 3 features (the file is only hashed, to find it unchanged), and otherwise into the results of a
    /// single run; parts that disagree on the sizes, or whose sizes are not those synthetic data's
    /// settings give, are refused.
    @Test func partsThatRecordTheirSplitSizesMergeWithoutTheData() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("merge-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.csv")
        try ("x,y,label\n" + (0..<40).map { "\($0),\($0 % 7),\($0 % 2)" }.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
        let config = Self.csvConfig(data.path), study = try Study(config)
        let hash = try #require(try dataFileSHA256(of: config))
        let single = try StudyResults(study: study, runs: runStudy(study, threads: 1).results, toolVersion: "test").jsonData()
        /// The two parts of the study, recording `sizes`.
        func parts(recording sizes: SplitSizes) -> [(name: String, results: PartialStudyResults)] {
            (1...2).map { k in
                let runs = runStudy(study, threads: 1, shard: Shard(index: k, count: 2))
                return (name: "p\(k)", results: PartialStudyResults(toolVersion: "test", config: config, dataFileSHA256: hash, dataSizes: sizes,
                                                                     shard: Shard(index: k, count: 2),
                                                                     runs: zip(runs.indices, runs.results).map { IndexedRunResult(index: $0, result: $1) }))
            }
        }
        let merged = try mergePartialResults(parts(recording: study.split.sizes))
        #expect(try StudyResults(layout: merged.study, runs: merged.runs, toolVersion: merged.toolVersion).jsonData() == single)
        let sizes = study.split.sizes
        let threeFeatures = SplitSizes(trainRows: sizes.trainRows, testRows: sizes.testRows, features: 3, classes: sizes.classes)
        #expect(try mergePartialResults(parts(recording: threeFeatures)).study.sizes == threeFeatures)
        let other = SplitSizes(trainRows: study.split.sizes.trainRows + 1, testRows: study.split.sizes.testRows - 1, features: 2, classes: 2)
        let recorded = parts(recording: sizes), resized = parts(recording: other)
        #expect(throws: MergeError.dataMismatch(part: "b", first: "a")) { try mergePartialResults([("a", recorded[0].results), ("b", resized[1].results)]) }
        // Gaussian clusters: their settings give the sizes, which a part must record.
        let gaussian = Self.part(1, of: 1), gaussianSizes = try Study(Self.config).split.sizes
        let withSizes = PartialStudyResults(toolVersion: "test", config: Self.config, dataSizes: gaussianSizes, shard: gaussian.shard, runs: gaussian.runs)
        #expect(try mergePartialResults([("a", withSizes)]).runs == mergePartialResults([("a", gaussian)]).runs)
        let wrong = PartialStudyResults(toolVersion: "test", config: Self.config, dataSizes: other, shard: gaussian.shard, runs: gaussian.runs)
        #expect(throws: MergeError.invalidStudy(part: "a", reason: "its split's sizes (\(other.trainRows) training rows, \(other.testRows) test rows, 2 features, "
            + "2 classes) are not those of its configuration's data")) { try mergePartialResults([("a", wrong)]) }
    }
}

/// A results.json whose data summary is not its configuration's, named with what differs; one whose
/// data file changed is still read (validate and compare never read the data).
struct DataChangeTests {
    func summary(_ train: Int, _ test: Int, features: Int = 2, classes: Int = 2) throws -> DataSummary {
        try JSONDecoder().decode(DataSummary.self, from: Data("""
            {"name": "d.csv", "trainCount": \(train), "testCount": \(test), "featureCount": \(features), "classCount": \(classes)}
            """.utf8))
    }

    @Test func anEditedDataSummaryIsNamedWithWhatChanged() throws {
        #expect(StudyResults.dataChange(recorded: try summary(21, 9), now: try summary(21, 9)) == nil)
        #expect(StudyResults.dataChange(recorded: try summary(21, 9), now: try summary(21, 9, classes: 3))
            == "records data of 21 training and 9 test rows, 2 features, 2 classes, and its configuration makes 21 training and 9 test "
            + "rows, 2 features, 3 classes")
    }

    /// validate and compare read a results.json without its data (issue 22): a CSV file changed, or
    /// gone, after the run does not stop them; `check` and `merge`, which read the data, see it.
    @Test func resultsAreReadWithoutTheirDataFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("data-change-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("d.csv")
        let rows = (0..<30).map { "\($0 % 7).\($0 % 3),\($0 % 5),\($0 % 2 == 0 ? "a" : "b")" }
        try ("x,y,label\n" + rows.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let config = StudyConfig(data: StudyConfig.component(CSVDataset.kind, ["path": .string(file.path)]), models: [StudyConfig.mlp(4)],
                                 fractions: [0, 0.2], seeds: [1], training: TrainingSettings(epochs: 1, batchSize: 8, learningRate: 0.05))
        let study = try Study(config)
        let runs = runStudy(study, threads: 1)
        let bytes = try StudyResults(study: study, runs: runs.results, toolVersion: "9.9.9").jsonData()
        let original = try StudyResults.read(bytes)
        try ("x,y,label\n" + rows.dropLast(3).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(try StudyResults.read(bytes).jsonData() == original.jsonData())
        try FileManager.default.removeItem(at: file)
        #expect(try StudyResults.read(bytes).jsonData() == original.jsonData())
    }
}
