import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// Detection in the findings, their sentences and the report's tables: quoted at named fractions,
/// never averaged over them, and a score that ranks the poison as clean said to be one.
struct DetectionReportTests {
    static let results: StudyResults = {
        let (study, runs) = detectionStudy()
        return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
    }()

    @Test func aurocBelowOneHalfIsReportedAsRankingThePoisonsAsClean() throws {
        let findings = Self.results.findings
        #expect(findings.comparisonBudget == 0.1)
        #expect(findings.detectionBelowChance.map { [Double($0.series), $0.fraction, $0.value.mean] } == [[1, 0.3, 0.03]])
        let defense = try #require(findings.defenses.first)
        #expect(defense.series == 1 && defense.aurocAtBudget == 1)
        let sentences = findingSentences(Self.results)
        let label = Self.results.series[1].label
        #expect(sentences.contains("\(label) ranks the poisons as clean at 30.0% (AUROC 0.030 ± 0.014); the reversed score "
            + "would find them (AUROC 0.970; the 95% interval over seeds of each AUROC lies below 0.5)."))
        let defenses = try #require(sentences.last)
        #expect(defenses.contains("Find the poisoned rows at 10.0% (AUROC at least 0.8) but do not move the threshold beyond seed "
            + "noise: activation clustering (MLP 8, random label flip: AUROC 1.00)."), "\(defenses)")
        // Nothing averages detection over the fractions (it would read (1 + 0.03) / 2 = 0.52).
        #expect(!sentences.joined().contains("0.52") && !sentences.joined().lowercased().contains("mean auroc"))
    }

    @Test func theTablesCarryTPRAtFivePercentFPRPerFractionAndNoAveragedAUROC() throws {
        let context = reportContext(for: Self.results, format: .markdown, settings: ReportSettings(command: "make-report", figureExtension: "png"))
        let rows = try #require(context["detectionRows"]?.list)
        #expect(rows.map { $0["fraction"]?.text } == ["0.0%", "10.0%", "30.0%"])
        #expect(rows.map { $0["tpr"]?.text } == ["n/a", "1.000 ± 0.000", "0.000 ± 0.000"])
        #expect(rows.map { $0["auroc"]?.text } == ["n/a", "1.000 ± 0.000", "0.030 ± 0.014"])
        let defenseRows = try #require(context["defenseRows"]?.list)
        #expect(defenseRows.count == 1 && defenseRows[0]["auroc"] == nil)
        for template in ShippedTemplate.allCases {
            let format = try #require(ReportFormat(fileName: template.fileName))
            let context = reportContext(for: Self.results, format: format, settings: ReportSettings(command: "make-report", figureExtension: "png"))
            let report = try renderReport(template: template.text, fileName: template.fileName, context: context, strict: true)
            #expect(report.unknownVariables.isEmpty)
            #expect(report.text.contains(format == .latex ? "TPR at 5\\% FPR" : "TPR at 5% FPR"))
            let row = switch format.rawValue {
            case "tex": "\\% & 0.000 \\ensuremath{\\pm} 0.000 & n/a & 0.000 \\ensuremath{\\pm} 0.000 & 0.030 \\ensuremath{\\pm} 0.014 & 0.000 \\ensuremath{\\pm} 0.000 \\\\"
            case "html": "<td class=\"num\" data-sort-value=\"30\">30.0%</td><td class=\"num\" data-sort-value=\"0\">0.000 ± 0.000</td>"
                + "<td class=\"num\" data-sort-value=\"\">n/a</td><td class=\"num\" data-sort-value=\"0\">0.000 ± 0.000</td>"
                + "<td class=\"num\" data-sort-value=\"0.03\">0.030 ± 0.014</td><td class=\"num\" data-sort-value=\"0\">0.000 ± 0.000</td></tr>"
            default: "| 30.0% | 0.000 ± 0.000 | n/a | 0.000 ± 0.000 | 0.030 ± 0.014 | 0.000 ± 0.000 |"
            }
            #expect(report.text.contains(row), "\(format.rawValue)")
        }
    }

    /// The sentence that points to the detection table, in each format (LaTeX puts it in a caption).
    static let pointer = "How well each defense finds the poisoned rows is in the detection table, fraction by fraction."

    /// Every shipped report of `results`, by format.
    static func reports(_ results: StudyResults) throws -> [(format: ReportFormat, text: String)] {
        try ShippedTemplate.allCases.map { template in
            let format = try #require(ReportFormat(fileName: template.fileName))
            let context = reportContext(for: results, format: format, settings: ReportSettings(command: "make-report", figureExtension: "png"))
            return (format, try renderReport(template: template.text, fileName: template.fileName, context: context, strict: true).text)
        }
    }

    @Test func theDefenseSectionPointsToTheDetectionTableOnlyWhenThereIsOne() throws {
        for (format, text) in try Self.reports(Self.results) {
            #expect(text.contains(Self.pointer) && text.contains("Detection"), "\(format.rawValue)")
        }
        // Weight decay only changes training: it scores no rows, so there is no detection table, yet
        // the study's flag (a defense other than none) is true and the defenses are compared.
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(8)], defenses: [StudyConfig.component(NoDefense.kind),
                                                                                   StudyConfig.component(WeightDecay.kind)],
                                          fractions: [0, 0.1, 0.3], seeds: [1, 2], training: TrainingSettings(epochs: 5)))
        let runs = study.runSpecs.map { spec in
            madeUpRun(spec, in: study, metrics: runMetrics(test: 0.9 - 0.5 * spec.fraction + (spec.seed == 1 ? 0.01 : -0.01),
                                                           train: 0.95, trainClean: 0.95, loss: 0.3))
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
        #expect(results.hasDefense)
        for (format, text) in try Self.reports(results) {
            #expect(text.contains(format == .latex ? "\\section{Defenses compared}" : "Defenses compared"), "\(format.rawValue)")
            #expect(!text.contains("detection table") && !text.contains("Detection"), "\(format.rawValue)")
        }
    }
}
