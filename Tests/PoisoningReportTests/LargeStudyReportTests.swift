import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// A study of more than `largeStudySeries` series gets a report a reader can get through: its confidence
/// table keeps the resolved differences and counts the rest (differences.csv holds every one), and its
/// findings give each per-series quantity's range, lowest and highest with their series, pointing to the
/// table that holds every series. A small study's report lists everything, as before.
struct LargeStudyReportTests {
    /// Results of MLPs of `count` widths whose accuracy follows a sigmoid whose midpoint moves 0.01 per
    /// series, so some differences between series are resolved and others are not; two seeds ±0.01.
    static func results(seriesCount count: Int) -> StudyResults {
        let study = widthStudy((1...count).map { 4 * $0 }, fractions: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], seeds: [1, 2])
        let runs = study.runSpecs.map { spec -> RunResult in
            let curve = SigmoidParameters(amplitude: 0.7, steepness: 12, midpoint: 0.2 + 0.01 * Double(spec.series), floor: 0.2)
            let test = curve.value(at: spec.fraction) + (spec.seed == 1 ? 0.01 : -0.01) * (1 + 0.1 * Double(spec.series % 3))
            return madeUpRun(spec, in: study, metrics: runMetrics(test: test, train: 1 - 0.3 * spec.fraction, trainClean: 0.95, loss: 0.2))
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    @Test func aLargeStudyTablesOnlyResolvedDifferencesAndCountsTheRest() throws {
        let results = Self.results(seriesCount: largeStudySeries + 1)
        let shown = shownDifferences(results)
        let resolved = shown.filter { $0.decision == .resolved }
        #expect(!resolved.isEmpty && resolved.count < shown.count, "the fixture has both kinds")
        let model = ReportModel(results, command: "make-report")
        #expect(model.differenceRows.count == resolved.count && model.differenceRows.allSatisfy { $0.decision == .resolved })
        let note = try #require(model.differencesNote)
        #expect(note.contains("\(shown.count - resolved.count) differences the runs do not resolve"), "\(note)")
        #expect(note.contains("differences.csv lists all \(results.statistics.differences.count) differences"), "\(note)")
        // Every difference, resolved or not, is a row of differences.csv.
        let csv = TidyTables.differencesCSV(results).split(separator: "\n")
        #expect(csv.count == results.statistics.differences.count + 1)
    }

    @Test func aLargeStudysFindingsGiveRangesNotEverySeries() throws {
        let results = Self.results(seriesCount: largeStudySeries + 1)
        let findings = findingSentences(results)
        let clean = try #require(findings.first { $0.hasPrefix("Clean test accuracy") })
        #expect(clean.contains("over the \(largeStudySeries + 1) series (the sigmoid fits table gives every one)"), "\(clean)")
        // Only the two extremes are named: the lowest and highest clean accuracy.
        let values = results.statistics.series.map { $0.cleanAccuracy.value! }
        let low = values.indices.min { values[$0] < values[$1] }!, high = values.indices.max { values[$0] < values[$1] }!
        #expect(clean.contains("from \(fixed(values[low], decimals: 3)) (") && clean.contains("(\(results.series[low].label))"), "\(clean)")
        #expect(clean.contains("(\(results.series[high].label)) over"), "\(clean)")
        let named = results.series.filter { clean.contains("(\($0.label))") }.count
        #expect(named == 2, "\(clean)")
        let thresholds = try #require(findings.first { $0.hasPrefix("Critical thresholds") })
        #expect(thresholds.contains("over the \(largeStudySeries + 1) series (the sigmoid fits table gives every one)"))
        let shape = try #require(findings.first { $0.hasPrefix("Of the \(largeStudySeries + 1) series, the transition is") })
        #expect(shape.contains("the curve table's Decided column gives each series"))
        // No finding runs to a list of every series.
        #expect(findings.allSatisfy { $0.count < 1_500 }, "\(findings.map(\.count))")
    }

    /// The Markdown and LaTeX reports of a large study leave the tables by series and fraction to points.csv and
    /// say so once, under the summary, each such section pointing to it; a small study's show them.
    @Test func aLargeStudysReportLeavesTheTablesByFractionToPointsCSV() throws {
        for (count, large) in [(largeStudySeries + 1, true), (3, false)] {
            let results = Self.results(seriesCount: count)
            #expect((ReportModel(results, command: "make-report").pointTablesNote != nil) == large)
            for format in [ReportFormat.markdown, .latex] {
                let template = format.definition.shippedTemplate
                let context = reportContext(for: results, format: format, settings: ReportSettings(command: "make-report", figureExtension: "png"))
                let text = try renderReport(template: template.text, fileName: template.fileName, context: context, strict: true).text
                // The note is said once, before the first section; each section of a left-out table points to it.
                let notes = text.components(separatedBy: "are left to points.csv").count - 1
                #expect(notes == (large ? 1 : 0), "\(format): \(notes)")
                let pointers = text.components(separatedBy: ReportModel.pointTablesPointer).count - 1
                #expect(pointers == (large ? 2 : 0), "\(format): \(pointers)")
                if large, let note = text.range(of: "are left to points.csv"),
                   let section = text.range(of: format == .latex ? "\\section{" : "\n## ") {
                    #expect(note.lowerBound < section.lowerBound, "\(format): the note comes before the first section")
                }
            }
        }
    }

    @Test func aSmallStudyListsEverySeriesAndEveryDifference() throws {
        let results = Self.results(seriesCount: 3)
        let model = ReportModel(results, command: "make-report")
        #expect(model.differenceRows.count == shownDifferences(results).count)
        #expect(model.differencesNote?.contains("differences.csv") != true)
        let clean = try #require(findingSentences(results).first { $0.hasPrefix("Clean test accuracy") })
        #expect(results.series.allSatisfy { clean.contains("(\($0.label))") } && !clean.contains("over the 3 series"))
    }
}
