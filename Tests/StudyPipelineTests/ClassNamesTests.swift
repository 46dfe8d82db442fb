import Foundation
import Testing
import Plotting
import PoisoningAnalysis
import PoisoningEngine
import PoisoningFigures
import PoisoningReport
import StudyPipeline
import TestSupport

/// A CSV file's labels name the classes in every output: the attacks' labels in the series names,
/// tables and figures, their metrics' meanings, the report's configuration and results.json's
/// `data.classNames`; synthetic data keep class numbers.
@Suite struct ClassNamesTests {
    /// A CSV file of 48 rows in two separable clusters, the first labelled `negative`, the second
    /// `positive`, written in a fresh temporary folder.
    static func csvFile(negative: String, positive: String) throws -> URL {
        var text = "x,y,label\n"
        for row in 0..<48 {
            let side = row % 2 == 0 ? -1.0 : 1.0, offset = Double(row / 2) * 0.05
            text += "\(side * (1 + offset)),\(Double(row % 5) * 0.1),\(row % 2 == 0 ? negative : positive)\n"
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("class-names-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("data.csv")
        try Data(text.utf8).write(to: file)
        return file
    }

    /// A study of the CSV file at `path` (synthetic clusters when nil) with two class flips, 0 → 1 and
    /// 1 → 0, so that the series names show the attacks.
    static func study(data path: URL?) throws -> Study {
        let data = path.map { StudyConfig.component(CSVDataset.kind, ["path": .string($0.path)]) }
            ?? StudyConfig.component(GaussianClusters.kind, ["samples": .int(60), "classes": .int(2), "features": .int(2)])
        let flips = [(0, 1), (1, 0)].map { StudyConfig.component(ClassFlip.kind, ["source": .int($0.0), "target": .int($0.1)]) }
        return try Study(StudyConfig(data: data, models: [StudyConfig.mlp(4)], attacks: flips, fractions: [0, 0.2, 0.4],
                                     seeds: [1, 2], training: TrainingSettings(epochs: 5)))
    }

    /// Every text of the study's figures: panel titles, legend entries and captions.
    func figureTexts(_ results: StudyResults) -> [String] {
        studyFigures(results).flatMap { figure in
            [figure.caption] + figure.chart.legend.map(\.label) + figure.chart.panels.compactMap(\.title)
        }
    }

    @Test func textLabelsNameTheClassesInEveryOutput() throws {
        // Labels sort as text: "cat" is class 0 although the file starts with "dog".
        let file = try Self.csvFile(negative: "dog", positive: "cat")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let study = try Self.study(data: file)
        #expect(study.split.classNames == ["cat", "dog"])
        #expect(study.layout.sizes.classNames == ["cat", "dog"])
        #expect(study.layout.series.map(\.attackLabel) == ["class-flip class cat → class dog", "class-flip class dog → class cat"])
        #expect(study.layout.series.map(\.label) == ["MLP 4, class-flip class cat → class dog", "MLP 4, class-flip class dog → class cat"])
        let success = try #require(study.layout.attackMetrics.first { $0.key == "targetSuccess" })
        #expect(success.meaning == "fraction of the clean test rows of class cat that the model assigns to class dog")

        let results = StudyResults(study: study, runs: runStudy(study, threads: 2).results, toolVersion: "9.9.9")
        // results.json names the classes, and the layout made from it alone (as validate and compare
        // make it, without the data) labels the series as the run did.
        let json = try #require(JSONSerialization.jsonObject(with: results.jsonData()) as? [String: Any])
        #expect((json["data"] as? [String: Any])?["classNames"] as? [String] == ["cat", "dog"])
        #expect(json["schemaVersion"] as? String == "5")
        let decoded = try JSONDecoder().decode(StudyResults.self, from: results.jsonData())
        #expect(decoded.data.classNames == ["cat", "dog"] && decoded.data.problem == nil)
        let relaid = try StudyLayout(design: StudyDesign(document: decoded.config.document), sizes: decoded.data.sizes)
        #expect(relaid.series.map(\.label) == study.layout.series.map(\.label))
        #expect(relaid.attackMetrics.map(\.meaning) == study.layout.attackMetrics.map(\.meaning))

        // The report: its configuration, its attacks table and, rendered, the Markdown report.
        let model = ReportModel(results, command: "make-report")
        #expect(model.parameters.first { $0.name == "Rows" }?.value.hasSuffix("2 features, 2 classes (cat, dog)") == true)
        #expect(model.parameters.first { $0.name == "Attacks" }?.value.contains("class-flip class cat → class dog") == true)
        let report = try renderReport(template: ReportFormat.markdown.definition.shippedTemplate.text, fileName: "report.md",
                                      context: reportContext(for: results, format: .markdown,
                                                             settings: ReportSettings(command: "make-report", figureExtension: "png")),
                                      strict: true).text
        #expect(report.contains("class-flip class cat → class dog") && report.contains("class-flip class dog → class cat"))
        #expect(report.contains("of class cat that the model assigns to class dog"))
        #expect(!report.contains("class 0") && !report.contains("class 1"), "no class is named by its number")

        // The figures: legends, panel titles and captions.
        let texts = figureTexts(results)
        #expect(texts.contains { $0.contains("class-flip class cat → class dog") })
        #expect(!texts.contains { $0.contains("class 0") || $0.contains("class 1") })
    }

    /// Digits are the classes' own names: labels 7 and 1 are classes 0 ("1") and 1 ("7") in numeric
    /// order, and the series say "class 1 → class 7", never the classes' indices.
    @Test func digitLabelsAreTheClassesNames() throws {
        let file = try Self.csvFile(negative: "7", positive: "1")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let study = try Self.study(data: file)
        #expect(study.layout.sizes.classNames == ["1", "7"])
        #expect(study.layout.series.map(\.attackLabel) == ["class-flip class 1 → class 7", "class-flip class 7 → class 1"])
    }

    /// Synthetic data name no classes: labels keep class numbers and results.json has no `classNames`.
    @Test func syntheticClassesKeepTheirNumbers() throws {
        let study = try Self.study(data: nil)
        #expect(study.split.classNames == nil && study.layout.sizes.classNames == nil)
        #expect(study.layout.series.map(\.attackLabel) == ["class-flip class 0 → class 1", "class-flip class 1 → class 0"])
        let results = StudyResults(layout: study.layout, runs: [], toolVersion: "9.9.9")
        #expect(!String(decoding: try results.jsonData(), as: UTF8.self).contains("classNames"))
        #expect(ReportModel(results, command: "make-report").parameters.first { $0.name == "Rows" }?.value.hasSuffix("2 classes") == true)
    }

    /// A data summary whose names do not match its classes is refused (as `validate` refuses it).
    @Test func namesThatDoNotMatchTheClassesAreAProblem() throws {
        func summary(_ names: String) throws -> DataSummary {
            try JSONDecoder().decode(DataSummary.self, from: Data(
                #"{"name": "data.csv", "trainCount": 10, "testCount": 5, "featureCount": 2, "classCount": 2, "classNames": \#(names)}"#.utf8))
        }
        #expect(try summary(#"["a", "b"]"#).problem == nil)
        #expect(try summary(#"["a"]"#).problem == "names 1 classes but has 2")
        #expect(try summary(#"["a", "a"]"#).problem == "names 2 classes, one of them twice, but has 2")
        #expect(try summary(#"["a", "b"]"#).sizes.classNames == ["a", "b"])
    }

    /// A class name is shown as an error line shows user text: a line end in a quoted label as its code
    /// point, so that no label breaks a table row or a legend line.
    @Test func aLineEndInALabelIsShownAsItsCodePoint() {
        #expect(className(0, in: ["a\nb", "c"]) == "a\\u{A}b")
        #expect(className(1, in: nil) == "1")
        #expect(className(1, in: ["x", "y"]) == "y")
    }
}
