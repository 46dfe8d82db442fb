import Foundation
import Testing
import Plotting
import PoisoningAnalysis
import PoisoningEngine
import PoisoningReport
import StudyPipeline
import TestSupport

/// The pipeline driven without the binary: a small study's outputs written, compared and validated.
@Suite struct StudyPipelineTests {
    static let study = widthStudy([8, 16], fractions: [0, 0.3, 0.6], seeds: [1, 2], epochs: 20)

    /// The analysed results of `study`.
    static func results() -> StudyResults {
        StudyResults(study: study, runs: runStudy(study, threads: 2).results, toolVersion: toolVersion)
    }

    /// A fresh folder under the temporary directory.
    func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-test-\(UUID().uuidString)")
    }

    /// The outputs of `results` with the shipped templates and the given formats, in `folder`.
    func write(_ results: StudyResults, into folder: URL, formats: [ImageFormat] = [.png]) throws -> WrittenOutputs {
        let settings = OutputSettings(figureFormats: formats, dpi: 60, templates: try ReportTemplate.shipped(), strict: false,
                                      command: "make-report --widths 8,16")
        return try writeStudyOutputs(results, study: Self.study, settings: settings, into: folder.path)
    }

    @Test func writesTheStudyFileResultsFiguresAndBothReports() throws {
        let folder = scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let results = Self.results()
        let written = try write(results, into: folder, formats: [.png, .svg])
        #expect(written.files == ["study.yaml", "results.json"]
            + ["accuracy_vs_poison", "generalization_gap", "train_vs_test"].flatMap { ["figures/\($0).png", "figures/\($0).svg"] }
            + ["report.md", "report.tex"])
        #expect(written.reports == ["report.md", "report.tex"])
        #expect(written.warnings.isEmpty)
        let decoded = try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: folder.appendingPathComponent("results.json")))
        #expect(decoded == results)
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("make-report --widths 8,16"))
        #expect(report.contains("figures/accuracy_vs_poison.png"))
        // No temporary file is left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func comparisonFindsChangedAndMissingFilesAndNothingElse() throws {
        let (fresh, committed) = (scratch(), scratch())
        defer { for folder in [fresh, committed] { try? FileManager.default.removeItem(at: folder) } }
        let results = Self.results()
        let names = try write(results, into: fresh).files
        _ = try write(results, into: committed)
        #expect(try artifactDifferences(regenerated: fresh, committed: committed, names: names).isEmpty)

        let resultsFile = committed.appendingPathComponent("results.json")
        var lines = try String(contentsOf: resultsFile, encoding: .utf8).components(separatedBy: "\n")
        lines[1] = "  \"changed\" : true,"
        try lines.joined(separator: "\n").write(to: resultsFile, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: committed.appendingPathComponent("figures/train_vs_test.png"))
        let differences = try artifactDifferences(regenerated: fresh, committed: committed, names: names)
        #expect(differences.count == 2)
        #expect(differences.first?.hasPrefix("results.json: differs\n  2 - {...}".replacingOccurrences(of: "{...}", with: "  \"changed\" : true,")) == true)
        #expect(differences.last == "figures/train_vs_test.png: missing in \(committed.path)/")
    }

    @Test func binaryDifferencesGiveSizes() {
        #expect(describeDifference("figures/a.png", committed: Data([1, 2, 3]), regenerated: Data([1, 2]))
            == "figures/a.png: differs (3 bytes committed, 2 bytes regenerated)")
    }

    @Test func validationNamesMissingAndBrokenFiles() throws {
        let folder = scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try write(Self.results(), into: folder)
        let figure = folder.appendingPathComponent("figures/generalization_gap.png")
        try Data("not a png".utf8).write(to: figure)
        let failures = outputFolderFailures(folder)
        #expect(failures.contains("performance.json is missing"))
        #expect(failures.contains("figures/generalization_gap.png is missing or not a PNG file"))
        #expect(!failures.contains { $0.contains("accuracy_vs_poison") })

        try FileManager.default.removeItem(at: folder.appendingPathComponent("results.json"))
        #expect(outputFolderFailures(folder).first == "results.json is missing")
    }

    @Test func unknownTemplateVariablesWarnWithTheirPositionOrFailWhenStrict() throws {
        let folder = scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let template = ReportTemplate(name: "mine.md", text: "# {{title}}\n\nvalue: {{nonsense}}\n", format: .markdown)
        var settings = OutputSettings(figureFormats: [.png], dpi: 60, templates: [template], strict: false, command: "make-report")
        let written = try writeStudyOutputs(Self.results(), study: Self.study, settings: settings, into: folder.path)
        #expect(written.warnings == ["mine.md:3:8: unknown variable 'nonsense' renders as empty text"])
        settings.strict = true
        #expect(throws: TemplateError.self) {
            try writeStudyOutputs(Self.results(), study: Self.study, settings: settings, into: folder.path)
        }
    }

    @Test func templateFilesNeedAKnownFormat() throws {
        let file = scratch().appendingPathExtension("txt")
        try "{{title}}".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: ReportTemplateError.self) { try ReportTemplate(path: file.path, format: nil) }
        #expect(try ReportTemplate(path: file.path, format: .latex).format == .latex)
        #expect(throws: ReportTemplateError.self) { try ReportTemplate(path: "/nonexistent/x.md", format: nil) }
    }

    @Test func divergenceWarningsNameThreeRunsThenCount() {
        let diverged = (0..<5).map { index in
            RunResult(fraction: 0.1, series: 0, seed: UInt64(index), poisonedCount: 0, realisedFraction: 0, metrics: nil,
                      divergence: "run \(index) diverged")
        }
        let fine = RunResult(fraction: 0, series: 0, seed: 9, poisonedCount: 0, realisedFraction: 0,
                             metrics: runMetrics(test: 0.9, train: 0.9, trainClean: 0.9, loss: 0.1), divergence: nil)
        #expect(divergenceWarnings(diverged + [fine]) == [
            "run 0 diverged; left out of the averages", "run 1 diverged; left out of the averages",
            "run 2 diverged; left out of the averages",
            "5 of 6 runs diverged in all (listed in results.json); a smaller --lr usually helps",
        ])
        #expect(divergenceWarnings([fine]).isEmpty)
    }
}
