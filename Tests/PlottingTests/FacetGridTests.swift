import Foundation
import Testing
@testable import Plotting

/// Issue 22 (review r22c): y ranges shared within a column or a row only, and the headers of a facet grid's
/// columns and rows, each written once, on every page.
struct FacetGridTests {
    let font: Font
    init() throws { font = try Font() }

    /// A panel of one series through (0, 0) and (1, `top`).
    static func panel(_ title: String?, top: Double) -> Panel {
        Panel(title: title, series: [Series(label: "s", points: [Point(0, 0), Point(1, top)], color: .black, marker: .circle)])
    }

    /// The texts drawn left of `area` and within 40 points of it, at its height: its y tick labels.
    static func yTickLabels(_ rendered: RenderedChart, _ area: Rect) -> [String] {
        rendered.textBoxes.filter { $0.rect.maxX <= area.x && $0.rect.x >= area.x - 40 && $0.rect.y >= area.y - 8 && $0.rect.maxY <= area.maxY + 8 }
            .map(\.text)
    }

    /// Two columns whose data differ a hundredfold (1 and 0.01 at the top) and two rows: with a range per column,
    /// the panels of a column share one range and the columns differ (the small one spans less than 0.05, not 1),
    /// every panel draws its y tick labels, no texts overlap, and pages of one row keep the whole chart's ranges.
    /// Shared by every panel (the default), all four have the large column's range.
    @Test func columnsOfTheirOwnYRangeKeepThemOnEveryPage() throws {
        let panels = [Self.panel("a", top: 1), Self.panel("b", top: 0.01), Self.panel("c", top: 0.9), Self.panel("d", top: 0.012)]
        var chart = Chart(title: "Free y", x: Axis(label: "x"), y: Axis(label: "y"), panels: panels, legend: [],
                          panelWidth: 200, panelHeight: 150, maxColumns: 2, ySharing: .columns)
        let rendered = try chart.render(format: .png, font: font)
        let ranges = rendered.transforms.map(\.yRange)
        #expect(ranges[0] == ranges[2] && ranges[1] == ranges[3] && ranges[0] != ranges[1])
        #expect(ranges[1].upperBound - ranges[1].lowerBound < 0.05 && ranges[0].upperBound >= 1)
        for area in rendered.transforms.map(\.area) { #expect(Self.yTickLabels(rendered, area).count >= 2) }
        let boxes = rendered.textBoxes
        for (i, a) in boxes.enumerated() { for b in boxes[(i + 1)...] { #expect(!a.rect.intersects(b.rect), "'\(a.text)' '\(b.text)'") } }
        chart.maxRows = 1
        let pages = chart.paged()
        #expect(pages.count == 2)
        for (page, rows) in zip(pages, [0..<2, 2..<4]) {
            #expect(try page.render(format: .png, font: font).transforms.map(\.yRange) == Array(ranges[rows]))
        }
        chart.ySharing = .all
        chart.maxRows = nil
        #expect(Set(try chart.render(format: .png, font: font).transforms.map(\.yRange)) == [ranges[0]])
    }

    /// Rows of their own y range: the panels of a row share it, the rows differ.
    @Test func rowsOfTheirOwnYRange() throws {
        let panels = [Self.panel(nil, top: 1), Self.panel(nil, top: 0.8), Self.panel(nil, top: 0.01), Self.panel(nil, top: 0.02)]
        let chart = Chart(title: "Free y by row", x: Axis(label: "x"), y: Axis(label: "y"), panels: panels, legend: [],
                          panelWidth: 200, panelHeight: 150, maxColumns: 2, ySharing: .rows)
        let ranges = try chart.render(format: .png, font: font).transforms.map(\.yRange)
        #expect(ranges[0] == ranges[1] && ranges[2] == ranges[3] && ranges[0] != ranges[2])
    }

    /// A 2 × 3 grid with headers: each column's header once, in a strip above the top row within its column, each
    /// row's once, in a strip right of the row within its height (turned to read downwards), no texts overlapping
    /// or off the canvas; split into pages of one row, every page keeps the column headers and its own row's header.
    @Test func headersStandOnceAboveTheColumnsAndRightOfTheRows() throws {
        let columns = ["no defense", "loss filter", "k-NN filter (k = 10)"], rows = ["random label flip", "backdoor → 0"]
        let panels = (0..<6).map { Self.panel(nil, top: Double($0 + 1)) }
        var chart = Chart(title: "Headed", x: Axis(label: "x"), y: Axis(label: "y"), panels: panels,
                          legend: [LegendEntry(label: "s", color: .black, marker: .circle)], panelWidth: 150, panelHeight: 140,
                          maxColumns: 3, columnHeaders: columns, rowHeaders: rows)
        let rendered = try chart.render(format: .png, font: font)
        #expect(rendered.columns == 3)
        let areas = rendered.transforms.map(\.area), boxes = rendered.textBoxes
        for (column, header) in columns.enumerated() {
            let drawn = boxes.filter { $0.text == header }
            #expect(drawn.count == 1)
            let box = try #require(drawn.first).rect
            #expect(box.maxY <= areas[column].y && box.x >= areas[column].x && box.maxX <= areas[column].maxX)
        }
        for (row, header) in rows.enumerated() {
            let drawn = boxes.filter { $0.text == header }
            #expect(drawn.count == 1)
            let box = try #require(drawn.first).rect, last = areas[row * 3 + 2]
            #expect(box.x >= last.maxX && box.y >= last.y && box.maxY <= last.maxY && box.height > box.width)
        }
        let canvas = Rect(x: 0, y: 0, width: rendered.canvas.width, height: rendered.canvas.height)
        for (i, a) in boxes.enumerated() {
            #expect(canvas.contains(Point(a.rect.x, a.rect.y)) && canvas.contains(Point(a.rect.maxX, a.rect.maxY)))
            for b in boxes[(i + 1)...] { #expect(!a.rect.intersects(b.rect), "'\(a.text)' overlaps '\(b.text)'") }
        }
        chart.maxRows = 1
        let pages = chart.paged()
        #expect(pages.map(\.columnHeaders) == [columns, columns] && pages.map(\.rowHeaders) == [[rows[0]], [rows[1]]])
        for (page, header) in zip(pages, rows) {
            let texts = try page.render(format: .png, font: font).textBoxes.map(\.text)
            #expect(columns.allSatisfy(texts.contains) && texts.contains(header) && !texts.contains(rows.first { $0 != header }!))
        }
    }

    /// A grid with headers keeps its columns even where its panels must narrow below `Chart.minimumPanelWidth`
    /// to fit the width: four columns of panels asked 300 points wide within 612.
    @Test func headersKeepTheirColumns() throws {
        let panels = (0..<8).map { Self.panel(nil, top: Double($0 + 1)) }
        let chart = Chart(title: "Four", x: Axis(label: "x"), y: Axis(label: "y"), panels: panels, legend: [], panelWidth: 300,
                          panelHeight: 140, maxColumns: 4, columnHeaders: ["a", "b", "c", "d"], rowHeaders: ["first row", "second row"])
        let rendered = try chart.render(format: .png, font: font)
        #expect(rendered.columns == 4 && rendered.canvas.width <= Chart.defaultMaxWidth + 1e-9)
    }
}
