import Foundation
import PoisoningAnalysis
import PoisoningEngine
@testable import PoisoningReport
import Testing
import TestSupport

/// The report of `results` in `format`, rendered from its shipped template.
private func report(_ results: StudyResults, _ format: ReportFormat) throws -> String {
    try renderReport(template: format.definition.shippedTemplate.text, fileName: format.reportFileName,
                     context: reportContext(for: results, format: format, settings: ReportSettings(command: "make-report", figureExtension: "png")),
                     strict: true).text
}

/// A censored threshold (beyond the largest swept fraction) reads "> x%" in every output: the
/// Markdown, LaTeX and HTML reports' tables (Markdown no longer writes "\>" in a table's cell) and the
/// findings the terminal prints (issue 21 #8).
struct CensoredThresholdWordingTests {
    @Test func aThresholdBeyondTheSweepReadsAsABoundEverywhere() throws {
        let results = try censoredSlopeResults()
        #expect(results.fits[0].threshold.status == .aboveRange && results.config.fractions.max() == 0.5)
        let markdown = try report(results, .markdown)
        let row = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| MLP 32 | ") })
        #expect(row.contains(" | > 50.0% | ") || row.contains(" | > 50.0% ["), "\(row)")
        #expect(!markdown.contains("\\> 50.0%") && !markdown.contains("\\>"), "no escaped bound in report.md")
        let latex = try report(results, .latex)
        #expect(latex.contains("& > 50.0\\%") && !latex.contains("\\textgreater"))
        let html = try report(results, ReportFormat(rawValue: "html")!)
        #expect(html.contains("&gt; 50.0%"))
        let thresholds = try #require(findingSentences(results).first { $0.hasPrefix("Critical thresholds") })
        #expect(thresholds.contains("> 50.0%"), "\(thresholds)")
    }

    /// Escaping for a cell: a bound keeps its ">", which starts no block in a table's cell; a text that
    /// would start a quote anywhere else (a user's label) is still escaped.
    @Test func onlyABoundKeepsItsLeadingSignInACell() {
        let markdown = ReportFormat.markdown.definition
        #expect(markdown.escapeCell("> 20.0% [12.6% or more]") == "> 20.0% [12.6% or more]")
        #expect(markdown.escapeCell("> +15.0 pp") == "> +15.0 pp" && markdown.escapeCell("> -2.0 pp") == "> -2.0 pp")
        #expect(markdown.escapeCell("> quote") == "\\> quote" && markdown.escapeCell(">20%") == "\\>20%")
        #expect(markdown.escape("> 20.0%") == "\\> 20.0%", "outside a cell a leading > would start a quote")
        #expect(markdown.escapeCell("> 1 *x*") == "> 1 \\*x\\*", "the rest of a bound is escaped as any text")
        let latex = ReportFormat.latex.definition
        #expect(latex.escapeCell("> 20.0%") == latex.escape("> 20.0%"))
    }
}

/// A value that rounds to zero has no sign ("0.000", never "-0.000" or "+0.000"), and a "<" before a
/// blank ("< -15.0 pp", "< 0.001") is written as it is in Markdown, where it cannot start HTML
/// (issue 21 #9).
struct ZeroAndLessThanWordingTests {
    @Test func aValueThatRoundsToZeroHasNoSign() {
        #expect(fixed(-0.0004, decimals: 3) == "0.000" && fixed(-0.0, decimals: 2) == "0.00" && fixed(-0.0006, decimals: 3) == "-0.001")
        #expect(signedFixed(-0.0004, decimals: 3) == "0.000" && signedFixed(0.0004, decimals: 3) == "0.000" && signedFixed(0, decimals: 3) == "0.000")
        #expect(signedFixed(0.0123, decimals: 3) == "+0.012" && signedFixed(-0.0123, decimals: 3) == "-0.012")
        #expect(signedFixed(-0.00004, decimals: 1) == "0.0" && signedFixed(10, decimals: 1) == "+10.0")
        #expect(percentagePoints(-0.0004) == "0.0 pp" && percentagePoints(0.0004) == "0.0 pp" && percentagePoints(0.03) == "+3.0 pp")
        #expect(percent(-0.00001) == "0.0%" && percent(0.434) == "43.4%")
        #expect(signedPlusMinus(MeanStd(of: [-0.0031, 0.0029])) == "0.000 ± 0.004")
        #expect(signedPlusMinus(MeanStd(of: [0.717])) == "+0.717 ± 0.000")
        #expect(plusMinus(MeanStd(of: [-0.0002])) == "0.000 ± 0.000")
        // A gradient ratio at 1e-5 (r24f minor) keeps its signal: exponents where three decimals would print 0.000 ± 0.000.
        #expect(magnitudePlusMinus(MeanStd(of: [1e-5, 2e-5])) == "1.5e-05 ± 7.1e-06")
        #expect(magnitudePlusMinus(MeanStd(of: [0, 0])) == "0.000 ± 0.000" && magnitudePlusMinus(MeanStd(of: [0.0005, 0.0007])) == "0.001 ± 0.000")
        #expect(magnitudePlusMinus(MeanStd(of: [0.092, 0.05])) == plusMinus(MeanStd(of: [0.092, 0.05])))
        let interval = Interval(lower: -0.00001, upper: 0.02)
        #expect(intervalText(interval, percentagePoints) == "0.0 pp to +2.0 pp")
        // An interval end keeps its side of zero (review r21n m1: a resolved trend read "at most 0.0 pp"),
        // up to three decimals; zero, and what rounds to it at three, read "0.0 pp".
        #expect(percentagePointsEnd(-0.00038) == "-0.04 pp" && percentagePointsEnd(0.00004) == "+0.004 pp")
        #expect(percentagePointsEnd(0.000004) == "0.0 pp" && percentagePointsEnd(0) == "0.0 pp" && percentagePointsEnd(-0.0) == "0.0 pp")
        #expect(percentagePointsEnd(0.0312) == percentagePoints(0.0312) && percentagePointsEnd(-0.2) == "-20.0 pp")
        #expect(intervalText(Interval(lower: nil, upper: -0.00038), percentagePointsEnd) == "at most -0.04 pp")
    }

    @Test func aLessThanSignBeforeABlankIsWrittenAsItIsInMarkdown() {
        let markdown = ReportFormat.markdown
        #expect(markdown.escape("< -11.3 pp") == "< -11.3 pp" && markdown.escape("p < 0.001") == "p < 0.001")
        #expect(markdown.escape("<b>") == "&lt;b>" && markdown.escape("a <") == "a &lt;", "a < that may open a tag is still escaped")
        #expect(markdown.definition.escapeCell("< -11.3 pp [at most -7.3 pp]") == "< -11.3 pp [at most -7.3 pp]")
    }

    /// examples/defenses/README.md quotes clean-accuracy costs that round to zero as "0.000".
    @Test func theDefensesExampleQuotesZeroWithoutASign() throws {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/defenses/README.md"), encoding: .utf8)
        #expect(!readme.contains("-0.000") && !readme.contains("+0.000"))
    }
}
