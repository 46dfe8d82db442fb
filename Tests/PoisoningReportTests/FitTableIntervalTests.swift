import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// The fit table shows every sigmoid parameter with its bootstrap interval, L and b as it already
/// showed k and x0 (issue 21): a referee reads how well the runs determine the plateau and the floor
/// from the table, not only from the poorly-identified caveat.
struct FitTableIntervalTests {
    /// "estimate [lower, upper]" with `decimals`, from the central fit's value and the statistics'
    /// interval, written here without the report's helpers.
    static func cell(_ value: Double, _ interval: Interval?, decimals: Int) -> String {
        let number = { (x: Double) in String(format: "%.\(decimals)f", x) }
        guard let lower = interval?.lower, let upper = interval?.upper else { return number(value) }
        return "\(number(value)) [\(number(lower)), \(number(upper))]"
    }

    /// The fixed study's runs follow sigmoids of L = 0.7 and b = 0.2, shifted by ±0.01 per seed: the
    /// cells show the central fit's L and b with their intervals, which hold the estimates and the
    /// curves' true L and b.
    @Test func lAndBCarryTheirBootstrapIntervals() throws {
        let results = fixedResults()
        let model = ReportModel(results, command: "make-report")
        #expect(model.fits.count == 2)
        for (fit, row) in zip(results.fits, model.fits) {
            let p = try #require(fit.parameters)
            let s = results.statistics.series[fit.series]
            let decimals = row.poorlyIdentified ? 2 : 3
            #expect(row.L == Self.cell(p.amplitude, s.amplitude.interval, decimals: decimals), "\(row.L)")
            #expect(row.b == Self.cell(p.floor, s.floor.interval, decimals: decimals), "\(row.b)")
            let amplitude = try #require(s.amplitude.interval), floor = try #require(s.floor.interval)
            let (aLow, aHigh) = (try #require(amplitude.lower), try #require(amplitude.upper))
            let (bLow, bHigh) = (try #require(floor.lower), try #require(floor.upper))
            #expect(aLow <= p.amplitude && p.amplitude <= aHigh && bLow <= p.floor && p.floor <= bHigh)
            #expect(aLow <= 0.7 && 0.7 <= aHigh && aHigh > aLow, "\(amplitude)")
            #expect(bLow <= 0.2 && 0.2 <= bHigh && bHigh > bLow, "\(floor)")
            #expect(row.L.contains(" [") && row.b.contains(" ["), "both cells have an interval")
        }
        // The Markdown row, cell by cell.
        let report = try markdownReport(results)
        for row in model.fits {
            #expect(report.contains("| \(row.series) | \(row.cleanAccuracy) | \(row.L) | \(row.k) | \(row.x0) | \(row.b) | "), "\(row.series)")
        }
    }

    /// A poorly identified fit (the reference study's: its L + b above 1) writes L and b, interval
    /// ends included, with two decimals; an interval that reaches the fit's bound of L (1.5) shows it.
    @Test func aPoorlyIdentifiedFitWritesTwoDecimalsWithItsInterval() throws {
        let results = try referenceResults()
        let model = ReportModel(results, command: "make-report")
        let twoDecimals = #/^\d\.\d\d \[\d\.\d\d, \d\.\d\d\]$/#
        for (fit, row) in zip(results.fits, model.fits) {
            #expect(row.poorlyIdentified)
            #expect(row.L.wholeMatch(of: twoDecimals) != nil && row.b.wholeMatch(of: twoDecimals) != nil, "\(row.L); \(row.b)")
            let s = results.statistics.series[fit.series]
            #expect(row.L == Self.cell(try #require(fit.parameters).amplitude, s.amplitude.interval, decimals: 2))
            if s.parametersAtBounds.contains("L") { #expect(row.L.hasSuffix(", 1.50]"), "\(row.L)") }
        }
    }

    /// The LaTeX and HTML reports escape the new brackets like every other cell's.
    @Test func theIntervalsAreEscapedForEveryFormat() throws {
        let results = fixedResults()
        let row = ReportModel(results, command: "make-report").fits[0]
        for format in [ReportFormat.latex, ReportFormat(rawValue: "html")!] {
            let context = reportContext(for: results, format: format, settings: ReportSettings(command: "make-report", figureExtension: "png"))
            let fits = try #require(context["fits"]?.list)
            let text = try #require(fits[0]["L"]?.text)
            #expect(text == format.escape(row.L), "\(format): \(text)")
            #expect(format != .latex || text.contains("{[}"), "\(text)")
        }
    }
}
