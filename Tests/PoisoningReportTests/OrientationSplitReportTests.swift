import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// A detection AUROC whose seeds split in orientation (`splitDetectionStudy`: 0.02, 0.05, 0.95, 0.98
/// at 30%, whose mean is exactly 0.5) is quoted by its split in every format, never by its mean; the
/// unsplit cell at 10% (0.90 to 0.98) keeps its mean.
struct OrientationSplitReportTests {
    static let results: StudyResults = {
        let (study, runs) = splitDetectionStudy()
        return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
    }()
    static let splitText = "split: 2 of 4 seeds below 0.5 (0.02 to 0.05), 2 above (0.95 to 0.98)"

    @Test func theFindingsNameTheSplitAndQuoteNoMean() throws {
        let sentences = findingSentences(Self.results)
        let label = Self.results.series[1].label
        #expect(sentences.contains("The AUROC's seeds do not share one orientation (seeds at most 0.25 and seeds at least 0.75), so no "
            + "mean is quoted for \(label) at 30.0% (\(Self.splitText)): on those seeds the scores separate poisoned from clean rows, on "
            + "some in reverse, and a mean would read as a random score."), "\(sentences)")
        let text = sentences.joined(separator: " ")
        #expect(!text.contains("0.500") && !text.contains("ranks the poisons as clean"), "\(text)")
        #expect(text.contains("activation clustering (MLP 8, random label flip: AUROC 0.95)"), "the unsplit cell at the budget keeps its mean: \(text)")
    }

    @Test func everyReportPrintsTheSplitInsteadOfAMeanAndKeepsTheUnsplitMean() throws {
        let rows = try #require(reportContext(for: Self.results, format: .markdown,
                                              settings: ReportSettings(command: "make-report", figureExtension: "png"))["detectionRows"]?.list)
        #expect(rows.map { $0["auroc"]?.text } == ["n/a", "0.950 ± 0.036", Self.splitText])
        #expect(rows.map { $0["tpr"]?.text } == ["n/a", "1.000 ± 0.000", "0.500 ± 0.577"])
        for template in ShippedTemplate.allCases {
            let format = try #require(ReportFormat(fileName: template.fileName))
            let context = reportContext(for: Self.results, format: format, settings: ReportSettings(command: "make-report", figureExtension: "png"))
            let text = try renderReport(template: template.text, fileName: template.fileName, context: context, strict: true).text
            let row = switch format.rawValue {
            case "tex": "30.0\\% & 0.000 \\ensuremath{\\pm} 0.000 & n/a & 0.000 \\ensuremath{\\pm} 0.000 & \(Self.splitText) & 0.500 \\ensuremath{\\pm} 0.577 \\\\"
            case "html": "<td class=\"num\" data-sort-value=\"\">\(Self.splitText)</td>"
            default: "| 30.0% | 0.000 ± 0.000 | n/a | 0.000 ± 0.000 | \(Self.splitText) | 0.500 ± 0.577 |"
            }
            #expect(text.contains(row), "\(format.rawValue)")
            #expect(text.contains(format == .latex ? "0.950 \\ensuremath{\\pm} 0.036" : "0.950 ± 0.036"), "\(format.rawValue)")
            #expect(text.contains("An AUROC split in orientation (seeds at most 0.25, where the scores rank the poisoned rows as clean, and seeds at least 0.75) gets no mean"), "\(format.rawValue)")
            // The split AUROC's mean and std over seeds would be 0.500 ± 0.537 (TPR's 0.500 ± 0.577 is a mean to keep).
            #expect(!text.contains("± 0.537") && !text.contains("\\pm} 0.537"), "no mean of the split AUROC: \(format.rawValue)")
        }
    }

    @Test func aStudyWithoutASplitHasNoNote() throws {
        let (study, runs) = detectionStudy()
        let results = StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
        let context = reportContext(for: results, format: .markdown, settings: ReportSettings(command: "make-report", figureExtension: "png"))
        #expect(context["hasDetectionSplit"] == .flag(false))
        #expect(results.points.allSatisfy { $0.orientationSplits == nil } && results.findings.detectionSplits == nil)
    }
}
