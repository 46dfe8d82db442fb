import Foundation
import Testing
@testable import Plotting

struct LogAxisTests {
    /// A log transform puts x at left + (log10 x - log10 xmin) / (log10 xmax - log10 xmin) · width,
    /// written out here with the decades counted by hand.
    @Test func logTransformMapsByTheClosedForm() {
        let transform = Transform(area: Rect(x: 50, y: 20, width: 400, height: 300), xRange: 1e-4...1, yRange: 1e-2...1e1,
                                  xScale: .log10, yScale: .log10)
        // x: 4 decades over 400 points, 100 points a decade; y: 3 decades over 300 points.
        #expect(abs(transform.deviceX(1e-4) - 50) < 1e-9)
        #expect(abs(transform.deviceX(1e-3) - 150) < 1e-9)
        #expect(abs(transform.deviceX(1e-2) - 250) < 1e-9)
        #expect(abs(transform.deviceX(1) - 450) < 1e-9)
        #expect(abs(transform.deviceX(2e-2) - (250 + 100 * log10(2.0))) < 1e-9)
        #expect(abs(transform.deviceY(1e-2) - 320) < 1e-9)
        #expect(abs(transform.deviceY(1) - 120) < 1e-9)
        #expect(abs(transform.deviceY(10) - 20) < 1e-9)
        for point in [Point(3e-4, 0.05), Point(0.7, 7)] {
            let back = transform.data(transform.device(point))
            #expect(abs(back.x / point.x - 1) < 1e-12 && abs(back.y / point.y - 1) < 1e-12)
        }
    }

    /// A value a log scale cannot show maps a whole axis length outside the area, a finite number.
    @Test func nonPositiveValuesMapOutsideTheAreaNeverToNaN() {
        let transform = Transform(area: Rect(x: 50, y: 20, width: 400, height: 300), xRange: 1e-4...1, yRange: 1e-2...1e1,
                                  xScale: .log10, yScale: .log10)
        for value in [0.0, -1, -1e-300] {
            #expect(transform.deviceX(value) == 50 - 400)
            #expect(transform.deviceY(value) == 320 + 300)
        }
    }

    @Test func symmetricLogIsLinearToItsThresholdThenLogarithmic() {
        let scale = AxisScale.symmetricLog(linearWithin: 0.5)
        #expect(scale.scaled(0) == 0)
        #expect(scale.scaled(0.25) == 0.5)
        #expect(scale.scaled(0.5) == 1)
        #expect(abs(scale.scaled(5) - 2) < 1e-12)
        #expect(abs(scale.scaled(1000) - (1 + log10(2000.0))) < 1e-12)
        #expect(abs(scale.scaled(-5) + 2) < 1e-12)
        for value in [-40.0, -0.3, 0, 0.1, 0.5, 3, 1000] { #expect(abs(scale.unscaled(scale.scaled(value)) - value) < 1e-9 * max(1, abs(value))) }
    }

    @Test func logTicksSitAtPowersOfTenWithMinorTicksBetween() {
        let ticks = logTicks(lower: 2e-5, upper: 3, maxTicks: 8)
        #expect(ticks.major == [1e-4, 1e-3, 1e-2, 1e-1, 1])
        #expect(ticks.major[0] == 0.0001, "10^-4 is the double nearest 0.0001")
        // 2..9 × 10^n inside the range: 2e-5…9e-5, then 8 a decade for 4 decades, then 2 and 3.
        #expect(ticks.minor.count == 8 + 4 * 8 + 2)
        #expect(ticks.minor.first == 2e-5 && ticks.minor.last == 3)
        // Many decades: every other one labelled, the rest minor.
        let wide = logTicks(lower: 1e-12, upper: 1, maxTicks: 7)
        #expect(wide.major == [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1])
        #expect(wide.minor == [1e-11, 1e-9, 1e-7, 1e-5, 1e-3, 1e-1])
        // Less than a decade: 1, 2 and 5 × 10^n.
        #expect(logTicks(lower: 0.15, upper: 0.9, maxTicks: 8).major == [0.2, 0.5])
        // Two powers of ten: 1, 2 and 5 × 10^n when they fit, else the powers alone.
        #expect(logTicks(lower: 0.015, upper: 1.3, maxTicks: 8).major == [0.02, 0.05, 0.1, 0.2, 0.5, 1])
        #expect(logTicks(lower: 0.015, upper: 1.3, maxTicks: 5).major == [0.1, 1])
    }

    @Test func logTickLabelsAreDecimalsNearOneAndPowersOfTenBeyond() {
        #expect(logTickLabel(1e-4, ticks: [1e-6, 1e-4, 1e-2, 1]) == "10⁻⁴")
        #expect(logTickLabel(1, ticks: [1e-6, 1e-4, 1e-2, 1]) == "10⁰")
        #expect(logTickLabel(2e-5, ticks: [1e-5, 2e-5, 5e-5]) == "2×10⁻⁵")
        #expect(logTickLabel(0.001, ticks: [0.001, 0.01, 0.1, 1, 10, 100, 1000]) == "0.001")
        #expect(logTickLabel(1000, ticks: [0.001, 1, 1000]) == "1000")
        #expect(logTickLabel(0.5, ticks: [0.2, 0.5]) == "0.5")
        #expect(logTickLabel(0, ticks: [0, 1, 10]) == "0")
        let font = try! Font()
        for label in ["10⁻⁴", "2×10⁻⁵", "10¹²"] {
            #expect(font.shape(label, size: 9).glyphs.allSatisfy { $0.index != 0 }, "\(label) has a glyph for every character")
        }
    }

    /// A chart on log axes draws its markers at the closed-form positions, and leaves out the points
    /// at 0 or below (counted), never drawing at a NaN or infinite coordinate.
    @Test func aLogChartDrawsPositivePointsExactlyAndLeavesOutTheRest() throws {
        let points = [Point(1e-3, 1), Point(1e-2, 0.1), Point(0, 0.5), Point(1e-1, 0), Point(1, -2), Point(10, 1e-3)]
        let series = Series(label: "ratio", points: points, errors: [0.1, 0.01, 0.1, 0.1, 0.1, 5e-4], color: .ink,
                            line: .solid, marker: .circle)
        let chart = Chart(title: "log", x: Axis(label: "d", range: 1e-3...10, scale: .log10),
                          y: Axis(label: "r", range: 1e-4...10, scale: .log10),
                          panels: [Panel(series: [series], referenceLines: [ReferenceLine(.vertical, at: 0, color: .reference, style: .dashed),
                                                                            ReferenceLine(.horizontal, at: 1, color: .reference, style: .dashed)],
                                         labels: [PointLabel("zero", at: Point(0, 1), color: .ink)])],
                          legend: [], panelWidth: 400, panelHeight: 250)
        #expect(chart.pointsOffScale == 3)
        let rendered = try chart.render(format: .png, font: try Font())
        #expect(rendered.pointsOffScale == 3)
        let drawn = rendered.points[0][0], area = rendered.transforms[0].area
        #expect(drawn.count == 3)
        // 4 decades of x over the panel's width, 5 of y over its height.
        for (device, point) in zip(drawn, [Point(1e-3, 1), Point(1e-2, 0.1), Point(10, 1e-3)]) {
            #expect(abs(device.x - (area.x + (log10(point.x) + 3) / 4 * area.width)) < 1e-9)
            #expect(abs(device.y - (area.maxY - (log10(point.y) + 4) / 5 * area.height)) < 1e-9)
        }
        #expect(rendered.labels[0].isEmpty, "the label at x = 0 is left out")
        #expect(rendered.textBoxes.allSatisfy { $0.rect.x.isFinite && $0.rect.y.isFinite })
        #expect(rendered.textBoxes.contains { $0.text == "10⁻⁴" } && rendered.textBoxes.contains { $0.text == "10¹" })
        #expect(rendered.canvas.pixel(at: drawn[1]).isClose(to: .ink, tolerance: 0.05), "a marker is drawn at 10^-2, 10^-1")
    }

    /// A fitted log range pads by a share of the decades the data span, and shows only positive values.
    @Test func aFittedLogRangeIsPositiveAndHoldsTheData() throws {
        let series = Series(label: "s", points: [Point(0, 0.2), Point(0.001, 1e-5), Point(0.5, 1), Point(0.3, 0)], color: .ink, marker: .circle)
        let chart = Chart(title: "fit", x: Axis(label: "x", scale: .symmetricLog(linearWithin: 0.001)), y: Axis(label: "y", scale: .log10),
                          panels: [Panel(series: [series])], legend: [], panelWidth: 300, panelHeight: 200)
        let rendered = try chart.render(format: .png, font: try Font())
        let transform = rendered.transforms[0]
        #expect(transform.yRange.lowerBound > 0 && transform.yRange.lowerBound < 1e-5 && transform.yRange.upperBound > 1)
        #expect(transform.xRange.lowerBound < 0 && transform.xRange.upperBound > 0.5, "a symmetric log axis shows 0")
        #expect(rendered.pointsOffScale == 1, "only (0.3, 0) is off the log y axis")
        #expect(rendered.textBoxes.contains { $0.text == "0" }, "the symmetric log axis labels 0")
    }
}

struct SeriesStyleTests {
    /// 30 series, more than the palette's 16 colours: no two share colour and marker, and all draw
    /// solid lines (dashed lines are fits).
    @Test func thirtySeriesNeverShareAStyle() {
        let styles = (0..<30).map { SeriesStyle(index: $0) }
        #expect(Set(styles.map { "\($0.color) \($0.marker)" }).count == 30)
        #expect(styles.allSatisfy { $0.line == .solid })
        // A colour comes round after 16, with another marker.
        #expect(styles[16].color == styles[0].color && styles[16].marker != styles[0].marker)
    }
}
