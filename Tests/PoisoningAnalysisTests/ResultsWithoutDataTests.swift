import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine

/// A results.json is checked from its own configuration and data summary (`StudyLayout`), never from
/// its data set: `validate` and `compare` work wherever the data are, and a summary that no split
/// could have, or that is not the one its configuration gives, is refused.
struct ResultsWithoutDataTests {
    /// A small study's results on the data `data`, analysed with few replicates.
    func results(data: ParameterValue = .mapping([ParameterEntry(key: "kind", value: .string(GaussianClusters.kind))])) throws -> StudyResults {
        let config = StudyConfig(data: data, models: [StudyConfig.mlp(4)], fractions: [0, 0.5], seeds: [1, 2],
                                 training: TrainingSettings(epochs: 3), analysis: AnalysisSettings(replicates: 200))
        let study = try Study(config)
        return StudyResults(study: study, runs: runStudy(study, threads: 1).results, toolVersion: "test", threads: 1)
    }

    @Test func aCSVStudysResultsAreReadWithTheirDataFileGone() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("make-report-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("rows.csv")
        try ("x,y,label\n" + (0..<30).map { "\($0 % 5),\($0 % 3),\($0 % 2)" }.joined(separator: "\n") + "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let made = try results(data: StudyConfig.component(CSVDataset.kind, ["path": .string(file.path), "label-column": .string("label")]))
        let bytes = try made.jsonData()
        try FileManager.default.removeItem(at: file)
        #expect(try StudyResults.read(bytes) == made)
        #expect(try StudyResults.read(bytes).data == made.data)
    }

    /// `bytes` with the first `"key" : value` replaced by `"key" : replacement`.
    func editing(_ bytes: Data, _ key: String, to replacement: String) -> Data {
        let text = String(decoding: bytes, as: UTF8.self)
        return Data(text.replacingOccurrences(of: #""\#(key)" : [0-9]+"#, with: #""\#(key)" : \#(replacement)"#, options: .regularExpression).utf8)
    }

    @Test func aDataSummaryNoSplitCouldHaveIsRefused() throws {
        let bytes = try results().jsonData()
        for (key, value, reason) in [
            ("testCount", "0", "results.json its data summary has 350 training and 0 test rows; a split has at least one of each and at most 100,000,000 in all"),
            ("trainCount", "100000000", "results.json its data summary has 100000000 training and 150 test rows; a split has at least one of each and at most 100,000,000 in all"),
            ("featureCount", "1073741825", "results.json its data summary has 1073741825 features; a split has 1 to 2^30"),
            ("classCount", "1", "results.json its data summary has 1 classes; a split has 2 to one per row"),
        ] {
            #expect("\(try #require(throws: ResultsFileError.self) { try StudyResults.read(editing(bytes, key, to: value)) })" == reason)
        }
    }

    @Test func aDataSummaryThatIsNotTheConfigurationsIsRefused() throws {
        let bytes = try results().jsonData()
        let error = try #require(throws: ResultsFileError.self) { try StudyResults.read(editing(bytes, "testCount", to: "151")) }
        #expect("\(error)" == "results.json its data summary (350 training rows, 151 test rows, 10 features, 5 classes) is not that of "
            + "its configuration's data (350 training rows, 150 test rows, 10 features, 5 classes)")
    }
}
