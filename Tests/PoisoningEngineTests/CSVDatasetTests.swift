import Foundation
import Testing
@testable import PoisoningEngine

/// The csv data source: parsing, the stratified and the given split, standardisation, and one
/// "file:line: why" line for every kind of bad file.
struct CSVDatasetTests {
    func split(_ text: String, _ parameters: [String: ParameterValue] = [:]) throws -> TrainTestSplit {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("csv-test-\(UUID().uuidString)/d.csv")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        var entries = [ParameterEntry(key: "path", value: .string(file.path))]
        entries += parameters.sorted { $0.key < $1.key }.map { ParameterEntry(key: $0.key, value: $0.value) }
        var reader = ParameterReader(entries, path: "data", locations: SourceLocations())
        let source = try CSVDataset(parameters: &reader)
        try reader.finish()
        return try source.makeSplit()
    }

    func error(_ text: String, _ parameters: [String: ParameterValue] = [:]) -> String {
        do {
            _ = try split(text, parameters)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    /// 10 rows of class a and 20 of class b, features (i, 2i).
    var twoClasses: String {
        "x,y,label\n" + (0..<30).map { "\($0),\(2 * $0),\($0 < 10 ? "a" : "b")" }.joined(separator: "\n") + "\n"
    }

    @Test func theStratifiedSplitKeepsEachClassShare() throws {
        let data = try split(twoClasses, ["train-fraction": .double(0.7)])
        #expect(data.train.count == 21 && data.test.count == 9)          // 7 + 14 and 3 + 6
        #expect(data.train.labels.filter { $0 == 0 }.count == 7 && data.test.labels.filter { $0 == 0 }.count == 3)
        #expect(data.train.classCount == 2 && data.train.featureCount == 2)
        // Every row appears once, with its features intact: y = 2x.
        let xs = stride(from: 0, to: data.train.features.count, by: 2).map { data.train.features[$0] }
            + stride(from: 0, to: data.test.features.count, by: 2).map { data.test.features[$0] }
        #expect(Set(xs) == Set((0..<30).map(Float.init)))
        #expect(try split(twoClasses, ["train-fraction": .double(0.7)]) == data, "seeded: the same split every time")
        #expect(try split(twoClasses, ["seed": .int(7)]) != data)
    }

    @Test func aSplitColumnAndStandardisation() throws {
        let text = "f,split,class\n1,train,0\n3,train,1\n5,test,0\n7,test,1\n"
        let data = try split(text, ["split-column": .string("split"), "label-column": .int(2), "standardize": .bool(true)])
        #expect(data.train.count == 2 && data.test.count == 2)
        // Training mean 2, standard deviation 1: 1 -> -1, 3 -> 1, 5 -> 3, 7 -> 5.
        #expect(data.train.features == [-1, 1] && data.test.features == [3, 5])
    }

    @Test func badFilesEndInOneLineWithFileAndLine() {
        #expect(error("") == "d.csv: the file is empty")
        #expect(error("a,b,label\n1,2,x\n3,y\n") == "d.csv:3: has 2 cells, expected 3")
        #expect(error("a,b,label\n1,2,x\n3,oops,y\n") == "d.csv:3: column b is not a number: 'oops'")
        #expect(error("a,b,label\n1,,x\n") == "d.csv:2: column b is empty")
        #expect(error("a,b,label\n1,2,x\n3,4,x\n") == "d.csv: has a single class ('x'); a study needs at least two")
        #expect(error("a,b,label\n1,2,x\n", ["label-column": .string("digit")]) == "d.csv:1: the label column 'digit' does not exist (3 columns: a, b, label)")
        #expect(error(twoClasses, ["max-rows": .int(20)]) == "d.csv: has 30 rows, more than max-rows (20)")
        #expect(error("a,s,label\n1,train,x\n2,dev,y\n", ["split-column": .string("s")]) == "d.csv:3: the split column holds 'dev', expected train or test")
    }

    @Test func theShippedDigitsReadAsTenBalancedClassesOf64Pixels() throws {
        var reader = ParameterReader([ParameterEntry(key: "path", value: .string("examples/digits/digits.csv")),
                                      ParameterEntry(key: "label-column", value: .string("digit"))],
                                     path: "data", locations: SourceLocations())
        let source = try CSVDataset(parameters: &reader)
        // `swift test` runs from the package root.
        try #require(FileManager.default.fileExists(atPath: source.path), "examples/digits/digits.csv is missing")
        let data = try source.makeSplit()
        #expect(data.train.count + data.test.count == 1797)
        #expect(data.train.featureCount == 64 && data.train.classCount == 10)
        #expect(data.train.features.allSatisfy { (0...16).contains($0) })
    }
}
