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
    /// ends included, with two decimals; an interval end at the fit's bound reads as open: the
    /// reference study's L intervals reach 1.5 and read "or more", never ", 1.50]".
    @Test func aPoorlyIdentifiedFitWritesTwoDecimalsWithItsInterval() throws {
        let results = try referenceResults()
        let model = ReportModel(results, command: "make-report")
        let twoDecimals = #/^\d\.\d\d \[(\d\.\d\d, \d\.\d\d|\d\.\d\d or more|at most \d\.\d\d|unbounded)\]$/#
        var openUpperEnds = 0
        for (fit, row) in zip(results.fits, model.fits) {
            #expect(row.poorlyIdentified)
            #expect(row.L.wholeMatch(of: twoDecimals) != nil && row.b.wholeMatch(of: twoDecimals) != nil, "\(row.L); \(row.b)")
            let s = results.statistics.series[fit.series]
            let amplitude = try #require(s.amplitude.interval)
            if let upper = amplitude.upper, abs(upper - 1.5) < 1.5e-3 {
                openUpperEnds += 1
                #expect(row.L == "\(String(format: "%.2f", try #require(fit.parameters).amplitude)) [\(String(format: "%.2f", try #require(amplitude.lower))) or more]", "\(row.L)")
            } else {
                #expect(row.L == Self.cell(try #require(fit.parameters).amplitude, amplitude, decimals: 2))
            }
            #expect(!row.L.contains("1.50]") && !row.b.contains("[0.00,") && !row.x0.contains("[0.00,"), "\(row.L); \(row.x0); \(row.b)")
        }
        #expect(openUpperEnds == 3, "the committed reference results have every L interval at the bound 1.5")
    }

    /// An end at the fit's bound on its own side opens, with its Monte Carlo error, for every
    /// parameter; an end near but not at the bound (beyond 10⁻³ of the span), or at the other side's
    /// bound, stays.
    @Test func endsAtTheFitsBoundsOpen() {
        let bounds = SigmoidFitBounds.study(largestFraction: 0.5)   // L [0, 1.5], k [0.1, 100], x0 [0, 1], b [0, 1]
        let errors = EndErrors(lower: 0.01, upper: 0.02)
        let cases: [(parameter: Int, interval: Interval, expected: Interval)] = [
            (0, Interval(lower: 0.39, upper: 1.5, monteCarloError: errors), Interval(lower: 0.39, upper: nil, monteCarloError: EndErrors(lower: 0.01, upper: nil))),
            (0, Interval(lower: 0.39, upper: 1.49), Interval(lower: 0.39, upper: 1.49)),
            (1, Interval(lower: 2.3, upper: 99.95), Interval(lower: 2.3, upper: nil)),
            (1, Interval(lower: 0.1, upper: 99.95, monteCarloError: errors), Interval(lower: nil, upper: nil)),
            (2, Interval(lower: 0.0004, upper: 0.39), Interval(lower: nil, upper: 0.39)),
            (2, Interval(lower: 0.2, upper: 1.0), Interval(lower: 0.2, upper: nil)),
            (3, Interval(lower: 0, upper: 0.57), Interval(lower: nil, upper: 0.57)),
            (3, Interval(lower: 0.002, upper: 0.57), Interval(lower: 0.002, upper: 0.57)),
            (3, Interval(lower: 0, upper: 0.0005), Interval(lower: nil, upper: 0.0005)),
        ]
        for (parameter, interval, expected) in cases {
            #expect(bounds.openingEndsAtBounds(interval, parameter: parameter) == expected, "\(parameter): \(interval)")
        }
        // The fit table's cells: "or more", "at most", "unbounded", and x0's own open end beyond the sweep.
        let cell = { (parameter: Int, interval: Interval, value: Double) in
            openAtFitBounds(Estimate(value: value, interval: interval), parameter: parameter, bounds)
        }
        #expect(midpointText(cell(2, Interval(lower: 0, upper: 0.39), 0.22), largest: 0.5) == "0.22 [at most 0.39]")
        #expect(midpointText(cell(2, Interval(lower: 0, upper: 0.7), 0.22), largest: 0.5) == "0.22 [unbounded]")
        #expect(midpointText(cell(2, Interval(lower: 0.1, upper: 0.39), 0.22), largest: 0.5) == "0.22 [0.10, 0.39]")
    }

    /// The Markdown, LaTeX and HTML reports all write an L interval that reaches the bound as open.
    @Test func everyFormatWritesTheOpenEnd() throws {
        let results = try referenceResults()
        let row = ReportModel(results, command: "make-report").fits[0]
        #expect(row.L.hasSuffix(" or more]"), "\(row.L)")
        for format in [ReportFormat.markdown, .latex, ReportFormat(rawValue: "html")!] {
            let context = reportContext(for: results, format: format, settings: ReportSettings(command: "make-report", figureExtension: "png"))
            let fits = try #require(context["fits"]?.list)
            #expect(fits[0]["L"]?.text == format.escape(row.L), "\(format)")
            #expect(fits.allSatisfy { $0["L"]?.text?.contains("1.50") == false }, "\(format)")
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
