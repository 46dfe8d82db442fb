import Foundation
import Testing
@testable import Plotting

/// Text boxes, text fitting, the facet grid, direct labels and the palette.
struct LayoutTests {
    let font: Font

    init() throws { font = try Font() }

    @Test func aCanvasRecordsEveryTextBoxInDeviceUnits() throws {
        let canvas = try Canvas(width: 300, height: 200, format: .png, dpi: 150, font: font)
        canvas.drawText("Hello", at: Point(20, 40), size: 12, anchor: .topLeft)
        canvas.drawText("Up", at: Point(100, 100), size: 10, anchor: .top, degrees: 90)
        let width = font.width(of: "Hello", size: 12), height = (font.ascent + font.descent) * 12
        #expect(canvas.textBoxes.map(\.text) == ["Hello", "Up"] && canvas.textBoxes.map(\.size) == [12, 10])
        #expect(canvas.textBoxes[0].rect == Rect(x: 20, y: 40, width: width, height: height))
        // Rotated a quarter turn counter-clockwise with its top-centre at (100, 100): the text runs
        // upward, its top faces left, so the box spans x 100...100 + line height, y 100 ± width / 2.
        let up = canvas.textBoxes[1].rect, upWidth = font.width(of: "Up", size: 10), upHeight = (font.ascent + font.descent) * 10
        #expect(abs(up.x - 100) < 1e-9 && abs(up.width - upHeight) < 1e-9)
        #expect(abs(up.y - (100 - upWidth / 2)) < 1e-9 && abs(up.height - upWidth) < 1e-9)
    }

    @Test func fittedTextIsShortenedWithAnEllipsisToItsWidth() {
        #expect(fitted("short", width: 100, size: 10, font: font) == "short")
        let long = "clean-label backdoor → 0 (ε 0.5), spectral signature (ε = 0.1 per class)"
        let shortened = fitted(long, width: 80, size: 10, font: font)
        #expect(shortened.hasSuffix("…") && long.hasPrefix(String(shortened.dropLast()).trimmingCharacters(in: .whitespaces)))
        #expect(font.width(of: shortened, size: 10) <= 80)
        // One more character would not fit.
        let kept = shortened.dropLast().count
        #expect(font.width(of: String(Array(long)[...kept]) + "…", size: 10) > 80)
        #expect(fitted("Wide", width: 1, size: 10, font: font) == "…")
    }

    @Test func wrappingPrefersCommasAndKeepsParenthesesWhole() {
        let width = font.width(of: "random label flip, k-NN", size: 10)
        #expect(wrapped("random label flip, k-NN filter (k = 10)", width: width, size: 10, maxLines: 2, font: font)
            == ["random label flip,", "k-NN filter (k = 10)"])
        let narrow = font.width(of: "k-NN filter", size: 10)
        #expect(wrapped("k-NN filter (k = 10)", width: narrow, size: 10, maxLines: 2, font: font) == ["k-NN filter", "(k = 10)"])
        // A comma inside parentheses is no place to break.
        let dp = wrapped("random label flip, DP-SGD (C = 1.0, σ = 1.0)", width: font.width(of: "DP-SGD (C = 1.0, σ = 1.0)xx", size: 10),
                         size: 10, maxLines: 2, font: font)
        #expect(dp == ["random label flip,", "DP-SGD (C = 1.0, σ = 1.0)"])
        let three = wrapped("a b c d e f g h", width: font.width(of: "a b", size: 10), size: 10, maxLines: 2, font: font)
        #expect(three.count == 2 && three[0] == "a b" && three[1].hasSuffix("…"))
        // Without a line limit nothing is shortened: a word wider than a line is cut between its characters.
        let title = "linear SVM (C = 1.0), svm-gradient 1→0 (linear, victim without validation rows)"
        let narrow140 = wrapped(title, width: 140, size: 10.5, maxLines: .max, font: font)
        #expect(narrow140.joined(separator: " ").replacingOccurrences(of: ", ", with: " ") == title.replacingOccurrences(of: ", ", with: " "))
        #expect(narrow140.allSatisfy { font.width(of: $0, size: 10.5) <= 140 && !$0.hasSuffix("…") } && narrow140.count > 2)
        let word = wrapped(String(repeating: "a", count: 16), width: font.width(of: "aaaaa", size: 10), size: 10, maxLines: .max, font: font)
        #expect(word.count >= 4 && word.dropLast().allSatisfy { $0.hasSuffix("-") && font.width(of: $0, size: 10) <= font.width(of: "aaaaa", size: 10) })
        #expect(word.map { $0.hasSuffix("-") ? String($0.dropLast()) : $0 }.joined() == String(repeating: "a", count: 16))
        // Review s7: a word wider than a line breaks after its last "_" that fits, never mid-word without a hyphen, and
        // a parenthesised group stays whole even when another word of the title must be cut.
        let tissue = wrapped("malignant_ductal_carcinoma (k = 10)", width: font.width(of: "malignant_ductal_carci", size: 10.5),
                             size: 10.5, maxLines: .max, font: font)
        #expect(tissue == ["malignant_ductal_", "carcinoma (k = 10)"])
        let cut = wrapped("benign_fibroadenomatissue (k = 10)", width: font.width(of: "benign_fibro", size: 10.5), size: 10.5,
                          maxLines: .max, font: font)
        // Read back, a line ending in "_" runs on into the next and one ending in "-" does without its hyphen: the title, whole.
        let readBack = cut.reduce("") { text, line in
            text.isEmpty || text.hasSuffix("_") ? text + line : text.hasSuffix("-") ? text.dropLast() + line : text + " " + line
        }
        #expect(cut.first == "benign_" && cut.count >= 3 && readBack == "benign_fibroadenomatissue (k = 10)", "\(cut)")
        #expect(cut.allSatisfy { font.width(of: $0, size: 10.5) <= font.width(of: "benign_fibro", size: 10.5) })
    }

    /// Review r22d m2 and m5: a wrapped title breaks only at spaces between words, a line that ends at a comma keeps it,
    /// no line ends with an arrow (nor starts with one) and no name is parted from its value. Each width is that of the
    /// longest expected line, so that one more word would not fit.
    @Test func wrappingKeepsCommasArrowsAndValuesWithTheirWords() {
        func lines(_ text: String, fitting widest: String) -> [String] {
            wrapped(text, width: font.width(of: widest, size: 10.5), size: 10.5, maxLines: .max, font: font)
        }
        // The comma stays at the end of a line that holds a whole part (defenses' train_vs_test_part7 read "MLP 64,
        // backdoor → 0" then "weight decay 0.001").
        #expect(lines("MLP 64, backdoor → 0, weight decay 0.001", fitting: "MLP 64, backdoor → 0,")
            == ["MLP 64, backdoor → 0,", "weight decay 0.001"])
        // A part wider than a line: spaces, but never after "→" nor between "decay" and "0.001" (the old fallback wrote
        // "MLP 128, backdoor →" then "0, early stopping").
        #expect(lines("MLP 128, backdoor → 0, early stopping (patience 10)", fitting: "MLP 128, backdoor →")
            == ["MLP 128,", "backdoor → 0, early", "stopping", "(patience 10)"])
        #expect(lines("svm-gradient class 7 → class 1 (linear, replace, together)", fitting: "svm-gradient class 7 →")
            == ["svm-gradient", "class 7 → class 1", "(linear, replace,", "together)"])
        // A name keeps its value: "penalty 0.0;", "rate 0.00", "gradpc 0.25)", "λ 0.3", "C = 1.0".
        #expect(lines("input-gradient penalty 0.0; clean model's rate 0.00", fitting: "input-gradient penalty")
            == ["input-gradient", "penalty 0.0; clean", "model's rate 0.00"])
        #expect(lines("gradient canceling (gradpc 0.25)", fitting: "gradient (gradpc")
            == ["gradient", "canceling", "(gradpc 0.25)"])
        #expect(lines("input-gradient penalty λ 0.3, MLP 64", fitting: "input-gradient penalty")
            == ["input-gradient penalty", "λ 0.3, MLP 64"])
        #expect(lines("linear SVM (C = 1.0)", fitting: "SVM (C =") == ["linear", "SVM", "(C = 1.0)"])
        // The rule itself.
        #expect(bound("class 7", "→") && bound("→", "class") && bound("a ->", "b") && bound("λ", "0.3") && bound("rate", "−5.7")
            && bound("C", "=") && bound("=", "1.0") && bound("at", "10.0%,"))
        #expect(!bound("label", "flip") && !bound("MLP", "(k") && !bound("a", "-") && !bound("a", "x2"))
    }

    /// A long panel title takes the lines it needs, its row (and only its row) growing to hold them.
    @Test func panelTitlesWrapWholeAndOnlyTheirRowGrows() throws {
        let series = [Series(label: "s", points: [Point(0, 0), Point(1, 1)], color: .black, marker: .circle)]
        let long = "kernel ridge rbf (ℓ = 8.0, λ = 1.0), svm-gradient 1→0 (linear, victim without validation rows)"
        let panels = [Panel(title: "a", series: series), Panel(title: "b", series: series), Panel(title: long, series: series)]
        let chart = Chart(title: "Titles", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1), panels: panels,
                          legend: [], panelWidth: 140, panelHeight: 100, maxColumns: 2)
        let rendered = try chart.render(format: .png, font: font)
        let lines = wrapped(long, width: 140, size: 10.5, maxLines: .max, font: font)
        #expect(lines.count >= 4)
        let drawn = rendered.textBoxes.filter { lines.contains($0.text) }
        #expect(drawn.count == lines.count && !drawn.contains { $0.text.hasSuffix("…") })
        // The first row holds one-line titles; the second row's top leaves room for all the lines.
        let lineHeight = (font.ascent + font.descent) * 10.5
        let firstGap = rendered.transforms[0].area.y - rendered.titleBox.maxY
        let secondGap = rendered.transforms[2].area.y - rendered.transforms[0].area.maxY
        #expect(firstGap < 2 * lineHeight + 12)
        #expect(secondGap > Double(lines.count) * lineHeight)
        #expect(drawn.allSatisfy { $0.rect.maxY <= rendered.transforms[2].area.y && $0.rect.y >= rendered.transforms[0].area.maxY })
    }

    /// A chart width of 2,400 pixels at 150 dpi, in points: wide enough for 4 columns of 190-point panels.
    static let wide = 2400.0 * 72 / 150

    /// 60 panels of 4 columns are 15 rows: three pages of 5 rows (pages of at most 6 rows, as wide as 2,400
    /// pixels, so that the paging is tested apart from the printed page's bounds), each within 3,000 pixels high at
    /// 150 dpi, with the whole chart's fitted ranges and the legend; a chart of 6 rows is one page.
    @Test func aTallGridIsSplitIntoPagesOfWholeRows() throws {
        let panels = (0..<60).map { index in
            Panel(title: "panel \(index)", series: [Series(label: "s", points: [Point(0, 0), Point(Double(index), Double(index) / 2)],
                                                          color: .black, marker: .circle)])
        }
        let chart = Chart(title: "Many", x: Axis(label: "x"), y: Axis(label: "y"), panels: panels,
                          legend: [LegendEntry(label: "s", color: .black, marker: .circle)], panelWidth: 190, panelHeight: 140, maxRows: 6, maxWidth: Self.wide)
        let pages = chart.paged()
        #expect(pages.map(\.panels.count) == [20, 20, 20])
        #expect(pages.map(\.title) == ["Many (1 of 3)", "Many (2 of 3)", "Many (3 of 3)"])
        #expect(pages.map { $0.panels.first!.title } == ["panel 0", "panel 20", "panel 40"])
        let whole = chart.layOut(font: font)
        for page in pages {
            #expect(page.x.range == whole.transforms[0].xRange && page.y.range == whole.transforms[0].yRange)
            #expect(page.legend.count == 1)
            let rendered = try page.render(format: .png, font: font)
            #expect(rendered.canvas.height * 150 / 72 <= 3000 && rendered.canvas.height <= 2 * rendered.canvas.width)
        }
        // Uneven: 7 rows go to pages of 4 and 3; 6 rows stay one page.
        #expect(Chart(title: "t", x: chart.x, y: chart.y, panels: Array(panels.prefix(28)), legend: [], panelWidth: 190, panelHeight: 140, maxRows: 6, maxWidth: Self.wide)
            .paged().map(\.panels.count) == [16, 12])
        #expect(Chart(title: "t", x: chart.x, y: chart.y, panels: Array(panels.prefix(24)), legend: [], panelWidth: 190, panelHeight: 140, maxRows: 6, maxWidth: Self.wide)
            .paged().map(\.title) == ["t"])
    }

    /// Review r22e m1: a page's legend listed quantities only other pages draw. Two pages of one panel, the first drawing
    /// "a" (circles, solid), the second "b" (squares, dashed) and an "a" of circles on a dotted line (not the entry's
    /// style): each page lists its own series and the chance line (which no series names), and the whole chart all three.
    @Test func eachPageListsOnlyTheSeriesItDraws() {
        let legend = [LegendEntry(label: "a", color: .black, line: .solid, marker: .circle),
                      LegendEntry(label: "b", color: .black, line: .dashed, marker: .square),
                      LegendEntry(label: "chance", color: .black, line: .dashDot)]
        let panels = [Panel(series: [Series(label: "a", points: [Point(0, 0), Point(1, 1)], color: .black, line: .solid, marker: .circle)]),
                      Panel(series: [Series(label: "b", points: [Point(0, 1), Point(1, 0)], color: .black, line: .dashed, marker: .square),
                                     Series(label: "a", points: [Point(0, 0)], color: .black, line: .dotted, marker: .circle)])]
        let chart = Chart(title: "t", x: Axis(label: "x"), y: Axis(label: "y"), panels: panels, legend: legend, panelWidth: 190,
                          panelHeight: 140, maxColumns: 1, maxRows: 1)
        let pages = chart.paged()
        #expect(pages.map { $0.legend.map(\.label) } == [["a", "chance"], ["b", "chance"]])
        #expect(chart.legend.count == 3)
    }

    /// Review r22e m1: a legend's dash-dotted line with a diamond read as solid (in 24 points the marker hid the dot). The
    /// sample's dashes, as Cairo strokes them at 1.4 points from its left end, leave a whole dot and a piece of dash visible
    /// on each side of the 6.5-point marker at its centre; a legend without such an entry keeps the short sample.
    @Test func aDashDottedLegendSampleShowsItsDotBesideItsMarker() {
        let entry = LegendEntry(label: "both", color: .black, line: .dashDot, marker: .diamond)
        let chart = Chart(title: "t", x: Axis(label: "x"), y: Axis(label: "y"), panels: [Panel(series: [])], legend: [entry], panelWidth: 190, panelHeight: 140)
        let length = chart.legendSampleLength
        // The stroked stretches of [0, length]: the pattern repeated, dash and dot alternating with gaps.
        let pattern = LineStyle.dashDot.dashes(width: 1.4)
        var stretches = [ClosedRange<Double>](), start = 0.0, index = 0
        while start < length {
            if index % 2 == 0 { stretches.append(start...min(length, start + pattern[index % pattern.count])) }
            start += pattern[index % pattern.count]
            index += 1
        }
        let marker = (length / 2 - 3.25)...(length / 2 + 3.25)
        for side in [0...marker.lowerBound, marker.upperBound...length] {
            let visible = stretches.compactMap { stretch -> Double? in
                let low = max(stretch.lowerBound, side.lowerBound), high = min(stretch.upperBound, side.upperBound)
                return high > low ? high - low : nil
            }
            #expect(visible.contains { abs($0 - 1.4) < 1e-9 } && visible.contains { $0 > 1.4 + 1e-9 }, "\(side): \(visible)")
        }
        var plain = chart
        plain.legend = [LegendEntry(label: "chance", color: .black, line: .dashDot), LegendEntry(label: "a", color: .black, line: .dashed, marker: .circle)]
        #expect(plain.legendSampleLength == 24)
    }

    /// Issue 22's cold review: a split figure ended its first part with one attack's first panels and
    /// put the rest in the second. Split between groups, 28 panels of 4 columns (pages of at most 6
    /// rows, 24 panels) in groups of 2, 14 and 12 go to pages of 16 (the first two groups) and 12,
    /// never splitting a group, with the whole chart's ranges; a group larger than a page falls back
    /// to splitting by rows, and a chart that fits a page stays whole.
    @Test func aTallGridIsSplitBetweenGroupsWhenItsGroupsFitAPage() throws {
        let panels = (0..<28).map { index in
            Panel(title: "panel \(index)", series: [Series(label: "s", points: [Point(0, 0), Point(Double(index), Double(index) / 2)],
                                                          color: .black, marker: .circle)])
        }
        let chart = Chart(title: "t", x: Axis(label: "x"), y: Axis(label: "y"), panels: panels, legend: [], panelWidth: 190, panelHeight: 140, maxRows: 6, maxWidth: Self.wide)
        let groups = Array(repeating: 0, count: 2) + Array(repeating: 1, count: 14) + Array(repeating: 2, count: 12)
        let pages = chart.paged(groups: groups)
        #expect(pages.map(\.panels.count) == [16, 12])
        #expect(pages.map { $0.panels.first!.title } == ["panel 0", "panel 16"])
        let whole = chart.layOut(font: font)
        #expect(pages.allSatisfy { $0.x.range == whole.transforms[0].xRange && $0.y.range == whole.transforms[0].yRange })
        // Groups of 10, 10 and 8: the rows split 16 + 12 would cut the second group; by groups, 20 and 8.
        let tens = Array(repeating: 0, count: 10) + Array(repeating: 1, count: 10) + Array(repeating: 2, count: 8)
        #expect(chart.paged().map(\.panels.count) == [16, 12])
        #expect(chart.paged(groups: tens).map(\.panels.count) == [20, 8])
        // A group of 25 panels needs more than a page: rows, as paged() splits them.
        #expect(chart.paged(groups: Array(repeating: 0, count: 25) + [1, 1, 1]).map(\.panels.count) == [16, 12])
        #expect(Chart(title: "t", x: chart.x, y: chart.y, panels: Array(panels.prefix(24)), legend: [], panelWidth: 190, panelHeight: 140, maxRows: 6, maxWidth: Self.wide)
            .paged(groups: Array(repeating: 0, count: 12) + Array(repeating: 1, count: 12)).map(\.title) == ["t"])
    }

    /// Issue 22 (review s7): 16 panels of 250 points in 4 columns (3 rows per page by row count alone) with a
    /// legend of 16 entries made pages taller than report.tex's image height allows at 7-point text. Split by
    /// measured height, every page is at most `Chart.defaultMaxHeight` (620 points) tall, so its 9-point text
    /// prints at 7 points or more (`Chart.printedScale`); the rows-only split leaves a page taller; a short
    /// chart stays one page.
    @Test func aGridIsSplitIntoPagesThatPrintItsTextAtSevenPoints() throws {
        let panels = (0..<16).map { index in
            Panel(title: "panel \(index)", series: [Series(label: "s", points: [Point(0, 0), Point(Double(index), Double(index) / 2)],
                                                          color: .black, marker: .circle)])
        }
        let legend = (0..<16).map { LegendEntry(label: "a series with a long name \($0)", color: .black, marker: .circle) }
        let chart = Chart(title: "Tall", x: Axis(label: "x"), y: Axis(label: "y"), panels: panels, legend: legend,
                          panelWidth: 190, panelHeight: 250)
        #expect(chart.rowsPerPage == 3)
        #expect(chart.paged().contains { $0.layOut(font: font).height > Chart.defaultMaxHeight })
        let pages = chart.paged(font: font)
        #expect(pages.count > chart.paged().count)
        #expect(pages.flatMap(\.panels).map(\.title) == panels.map(\.title))
        for page in pages {
            let layout = page.layOut(font: font)
            #expect(layout.height <= Chart.defaultMaxHeight)
            #expect(Style.tickSize * Chart.printedScale(width: layout.width, height: layout.height) >= Chart.smallestPrintedText - 1e-9)
        }
        #expect(abs(Chart.defaultMaxHeight * Chart.smallestPrintedText / Style.tickSize - Chart.printedHeight) < 1e-9)
        let short = Chart(title: "t", x: chart.x, y: chart.y, panels: Array(panels.prefix(4)), legend: [], panelWidth: 190, panelHeight: 250)
        #expect(short.paged(font: font).map(\.title) == ["t"])
    }

    /// Three single points on one spot and a fourth apart, in a dodging panel: the three are drawn a
    /// marker's width plus a point apart (in order at 0, +1 and -1 steps), the fourth where it is, each
    /// label beside its own marker, except the middle one's: between its neighbours' bars, its only room is centred
    /// above or below its own bar, its leader line hidden along the bar (review r22e m2), so it is left out and reported.
    /// Without dodging all three sit on the spot.
    @Test func dodgingSetsCoincidentMarkersAndTheirLabelsApart() throws {
        let spot = Point(0.5, 0.5), apart = Point(0.9, 0.1)
        let points = [spot, spot, spot, apart]
        let series = points.enumerated().map { index, point in
            Series(label: "s\(index)", points: [point], intervals: [(point.y - 0.1)...(point.y + 0.2)], color: .black, marker: .square)
        }
        let labels = points.enumerated().map { PointLabel("defense \($0.offset)", at: $0.element, color: .black) }
        func chart(dodge: Bool) -> Chart {
            Chart(title: "Dodge", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1),
                  panels: [Panel(series: series, labels: labels, dodge: dodge)], legend: [], panelWidth: 300, panelHeight: 200)
        }
        func render(dodge: Bool) throws -> RenderedChart { try chart(dodge: dodge).render(format: .png, font: font) }
        let dodged = try render(dodge: true), transform = dodged.transforms[0]
        let center = transform.device(spot)
        let offsets = dodged.points[0].map { $0[0].x - center.x }
        #expect(zip(offsets, [0, 7.5, -7.5, transform.device(apart).x - center.x]).allSatisfy { abs($0 - $1) < 1e-9 }, "\(offsets)")
        #expect(dodged.points[0].allSatisfy { abs($0[0].y - transform.deviceY($0 == dodged.points[0][3] ? apart.y : spot.y)) < 1e-9 })
        #expect(dodged.labels[0].map(\.point) == dodged.points[0].dropFirst().map { $0[0] })
        #expect(dodged.labels[0].map(\.text) == ["defense 1", "defense 2", "defense 3"])
        #expect(chart(dodge: true).unplacedLabels(font: font)[0].map(\.text) == ["defense 0"])
        let plain = try render(dodge: false)
        #expect(plain.points[0].prefix(3).allSatisfy { $0[0] == center })
    }

    /// Nine panels with tick labels: four columns, three rows; y tick labels on the first column
    /// only, x tick labels on the lowest panel of each column only.
    @Test func panelsWrapIntoAGridWithTickLabelsOnTheOuterPanels() throws {
        let panel = Panel(title: "a panel", series: [Series(label: "s", points: [Point(0, 0), Point(1, 1)], color: .black, marker: .circle)])
        let chart = Chart(title: "Grid", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1),
                          panels: Array(repeating: panel, count: 9), legend: [], panelWidth: 150, panelHeight: 120)
        let rendered = try chart.render(format: .png, font: font)
        #expect(rendered.columns == 4)
        let areas = rendered.transforms.map(\.area)
        #expect(Set(areas.map(\.y)).count == 3 && Set(areas.map(\.x)).count == 4)
        let ticks = rendered.textBoxes.filter { Double($0.text) != nil }
        let yTicks = ticks.filter { $0.rect.maxX <= areas[0].x }, xTicks = ticks.filter { $0.rect.maxX > areas[0].x }
        // Each of the 3 rows has its y ticks at its left; 4 columns have x ticks, under panel 8 (row 3) or 5, 6, 7 (row 2).
        let yCount = Set(yTicks.map(\.text)).count, xCount = Set(xTicks.map(\.text)).count
        #expect(yCount >= 2 && yTicks.count == 3 * yCount)
        #expect(xCount >= 2 && xTicks.count == 4 * xCount)
        let lowest = [areas[8], areas[5], areas[6], areas[7]]
        #expect(xTicks.allSatisfy { tick in lowest.contains { abs(tick.rect.y - ($0.maxY + 7)) < 1e-9 } })
    }

    @Test func aGridStaysWithinItsWidestFigureWhateverThePanelCount() throws {
        let panel = Panel(title: "p", series: [Series(label: "s", points: [Point(0, 0), Point(1, 1)], color: .black, marker: .circle)])
        for count in [1, 2, 4, 5, 17, 60] {
            let chart = Chart(title: "Wide", x: Axis(label: "x"), y: Axis(label: "y"), panels: Array(repeating: panel, count: count),
                              legend: [], panelWidth: 900, panelHeight: 100)
            let rendered = try chart.render(format: .png, font: font)
            #expect(rendered.canvas.width <= Chart.defaultMaxWidth + 1e-9, "\(count) panels")
            #expect(rendered.columns == min(count, 4))
            #expect(rendered.transforms.allSatisfy { $0.area.width >= Chart.minimumPanelWidth })
        }
    }

    @Test func directLabelsNeverOverlapEachOtherOrTheMarkers() throws {
        // Twenty points in a tight cluster: every label placed keeps clear of the others and of every marker.
        // (Markers 3 points apart: a label without a leader must be 4 points nearer its own marker than
        // any other, which few positions here are; with one, it may neither run straight up or down its point's line nor end
        // less than half as far from another marker as from its own (review r22f M1, m1): a fifth of the labels find a place.)
        let points = (0..<20).map { Point(0.5 + 0.01 * Double($0 % 5), 0.5 + 0.01 * Double($0 / 5)) }
        let panel = Panel(series: [Series(label: "s", points: points, color: .black, marker: .circle)],
                          labels: points.enumerated().map { PointLabel("point \($0.offset)", at: $0.element, color: .black) })
        let chart = Chart(title: "Labels", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1), panels: [panel],
                          legend: [], panelWidth: 300, panelHeight: 200)
        let rendered = try chart.render(format: .png, font: font)
        let labels = rendered.textBoxes.filter { $0.text.hasPrefix("point") }
        #expect(labels.count >= 4, "\(labels.count) of 20 labels placed")
        for (i, a) in labels.enumerated() {
            for b in labels[(i + 1)...] { #expect(!a.rect.intersects(b.rect)) }
            let markers = points.map { rendered.transforms[0].device($0) }
            #expect(!markers.contains { a.rect.intersects(Rect(x: $0.x - 5.25, y: $0.y - 5.25, width: 10.5, height: 10.5)) })
            #expect(a.rect.x >= rendered.transforms[0].area.x && a.rect.maxX <= rendered.transforms[0].area.maxX)
        }
    }

    /// Issue 22: the penalty trade-off figure, 612 points wide, drew its λ labels at 7.5 points, which report.tex,
    /// scaling the figure to its 476-point line, printed at 5.8. A figure as wide as the widest draws its direct
    /// labels at 9 points, which print at 7; a figure narrower than the printed line keeps 7.5.
    @Test func directLabelsPrintAtSevenPointsOrMoreWhateverTheFigureWidth() throws {
        for (panels, expected) in [(4, 9.0), (1, 7.5)] {
            let chart = Chart(title: "Labels", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1),
                              panels: (0..<panels).map { _ in
                                  Panel(series: [Series(label: "s", points: [Point(0.5, 0.5)], color: .black, marker: .circle)],
                                        labels: [PointLabel("λ 0.1", at: Point(0.5, 0.5), color: .black)])
                              }, legend: [], panelWidth: 200, panelHeight: 150)
            let rendered = try chart.render(format: .png, font: font)
            let labels = rendered.textBoxes.filter { $0.text == "λ 0.1" }
            #expect(labels.count == panels)
            #expect(labels.allSatisfy { abs($0.size - expected) < 0.01 }, "\(rendered.canvas.width) points wide: \(labels.map(\.size))")
            let printed = labels.map { $0.size * Chart.printedScale(width: rendered.canvas.width, height: rendered.canvas.height) }
            #expect(printed.allSatisfy { $0 >= Chart.smallestPrintedText - 1e-9 }, "\(printed)")
        }
    }

    @Test func everyPointWithAKeyIsLabelledByItsTextOrItsKey() throws {
        // The same cluster of twenty points, each label with a key: every point gets its text or its key, or, where no
        // position is clear (a leader line from inside the cluster would pass other markers), is reported by
        // `unplacedLabels` for a caption; no two labels overlap, and every label lies in the plot area.
        let points = (0..<20).map { Point(0.5 + 0.01 * Double($0 % 5), 0.5 + 0.01 * Double($0 / 5)) }
        let labels = points.enumerated().map { PointLabel("point \($0.offset)", at: $0.element, color: .black, key: "\($0.offset + 1)") }
        let panel = Panel(series: [Series(label: "s", points: points, color: .black, marker: .circle)], labels: labels)
        let chart = Chart(title: "Labels", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1), panels: [panel],
                          legend: [], panelWidth: 300, panelHeight: 200)
        let rendered = try chart.render(format: .png, font: font)
        let area = rendered.transforms[0].area
        let placed = rendered.textBoxes.filter { area.contains(Point($0.rect.x, $0.rect.y)) }
        let unplaced = Set(chart.unplacedLabels(font: font)[0].map(\.text))
        for (index, label) in labels.enumerated() {
            let count = placed.filter { $0.text == label.text || $0.text == label.key }.count + (unplaced.contains(label.text) ? 1 : 0)
            #expect(count == 1, "point \(index)")
        }
        #expect(placed.count + unplaced.count == 20 && placed.count >= 4 && placed.contains { $0.text == "point 0" })
        #expect(Chart.labelConflicts(rendered.labels[0], markers: points.map { rendered.transforms[0].device($0) }.map {
            Rect(x: $0.x - 3.25, y: $0.y - 3.25, width: 6.5, height: 6.5)
        }, bars: [], dataLines: []) == [])
        for (i, a) in placed.enumerated() {
            for b in placed[(i + 1)...] { #expect(!a.rect.intersects(b.rect), "'\(a.text)' and '\(b.text)'") }
            #expect(a.rect.x >= area.x && a.rect.maxX <= area.maxX && a.rect.y >= area.y && a.rect.maxY <= area.maxY)
        }
    }

    @Test func anInsideLegendAvoidsReferenceLinesOrGoesBelow() throws {
        // Points along the rising diagonal leave the upper-left and lower-right corners free; a
        // reference line near the top crosses the upper-left one, so the legend takes the lower right.
        let points = (0...10).map { Point(Double($0) / 10, Double($0) / 10) }
        let series = Series(label: "s", points: points, color: .black, line: .solid, marker: .circle)
        let legend = [LegendEntry(label: "data", color: .black, line: .solid, marker: .circle),
                      LegendEntry(label: "chance", color: .reference, line: .dashDot)]
        func legendBox(_ lines: [Double]) throws -> (Rect?, Transform) {
            let panel = Panel(series: [series], referenceLines: lines.map { ReferenceLine(.horizontal, at: $0, color: .reference, style: .dashDot) })
            let rendered = try Chart(title: "Legend", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1), panels: [panel],
                                     legend: legend, panelWidth: 300, panelHeight: 200).render(format: .png, font: font)
            return (rendered.legendBox, rendered.transforms[0])
        }
        let (upper, transform) = try legendBox([0.95])
        let box = try #require(upper)
        #expect(transform.area.contains(Point(box.x, box.y)) && box.x > transform.area.x + transform.area.width / 2 && box.y > transform.area.y + transform.area.height / 2, "\(box)")
        // A line near the bottom too: no free corner avoids both, so the legend goes below the panel.
        let (below, lowTransform) = try legendBox([0.95, 0.05])
        #expect(try #require(below).y > lowTransform.area.maxY)
    }

    @Test func fittedRangesKeepEveryMarkerTwelvePointsInsideTheFrame() throws {
        // Two points at the data's extremes in a small panel, where the usual 4% and 5% paddings would be under 12 points.
        let panel = Panel(series: [Series(label: "s", points: [Point(-0.223, 0.152), Point(0, 0)], color: .black, marker: .circle)])
        let rendered = try Chart(title: "Corner", x: Axis(label: "x"), y: Axis(label: "y"), panels: [panel], legend: [],
                                 panelWidth: 200, panelHeight: 150).render(format: .png, font: font)
        let transform = rendered.transforms[0], area = transform.area
        for point in panel.series[0].points.map(transform.device) {
            #expect(min(point.x - area.x, area.maxX - point.x) >= 12 - 1e-9 && min(point.y - area.y, area.maxY - point.y) >= 12 - 1e-9, "\(point) in \(area)")
        }
        // The x padding is exactly the inset at this width: the leftmost marker sits 12 points in.
        #expect(abs(transform.device(Point(-0.223, 0)).x - area.x - 12) < 1e-9)
    }

    /// A given y range (accuracy's 0 to 1) is padded so that values at its ends sit 12 points inside
    /// the frame, not on it, while its ticks stay within it (0 to 1).
    @Test func givenRangesKeepMarkersAtTheirEndsTwelvePointsInsideTheFrame() throws {
        let points = [Point(0, 1), Point(0.5, 0.5), Point(1, 0)]
        let panel = Panel(series: [Series(label: "s", points: points, color: .black, marker: .circle)])
        let chart = Chart(title: "Ends", x: Axis(label: "x"), y: Axis(label: "y", range: 0...1), panels: [panel], legend: [],
                          panelWidth: 200, panelHeight: 150)
        let rendered = try chart.render(format: .png, font: font)
        let transform = rendered.transforms[0], area = transform.area
        for point in points.map(transform.device) {
            #expect(min(point.y - area.y, area.maxY - point.y) >= 12 - 1e-9, "\(point) in \(area)")
        }
        #expect(abs(transform.device(Point(0, 1)).y - area.y - 12) < 1e-9 && abs(area.maxY - transform.device(Point(0, 0)).y - 12) < 1e-9)
        let ticks = chart.layOut(font: font).yTicks.values
        #expect(ticks.first == 0 && ticks.last == 1, "\(ticks)")
    }

    /// An interval open on one side stops at the given end with an arrowhead, not at the frame: nothing of
    /// it is drawn beyond that end, and the arrowhead's barbs stand behind it; a closed end gets a cap.
    @Test func anOpenSpanEndsInAnArrowAtItsGivenEnd() throws {
        let red = Color(hex: 0xD00000)
        let panel = Panel(series: [Series(label: "s", points: [Point(0.5, 0.5)], color: .black, marker: .circle)],
                          spans: [Span(from: 0.2, to: 0.6, color: red, lane: 0, opensTo: true)])
        let rendered = try Chart(title: "Open", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1), panels: [panel],
                                 legend: [], panelWidth: 300, panelHeight: 200).render(format: .png, font: font)
        let transform = rendered.transforms[0], area = transform.area
        let middle = area.maxY - 6 + 2
        #expect(rendered.canvas.pixel(at: Point(transform.deviceX(0.4), middle)).isClose(to: red, tolerance: 0.2))
        for x in [0.65, 0.8, 0.95] {
            #expect(!rendered.canvas.pixel(at: Point(transform.deviceX(x), middle)).isClose(to: red, tolerance: 0.4), "\(x)")
        }
        // The barbs: 4 points behind the end, 3 above and below the line; the closed start has a cap across the line.
        let end = transform.deviceX(0.6)
        #expect(rendered.canvas.pixel(at: Point(end - 2, middle - 1.5)).isClose(to: red, tolerance: 0.45))
        #expect(rendered.canvas.pixel(at: Point(transform.deviceX(0.2), middle - 2.5)).isClose(to: red, tolerance: 0.45))
        #expect(!rendered.canvas.pixel(at: Point(end, middle - 2.5)).isClose(to: red, tolerance: 0.45), "no cap at the open end")
    }

    /// A fitted range narrower than the axis's `minimumSpan` widens about its middle to it (x exactly,
    /// y then out to nice steps), so that a difference of a fifth of a point does not fill the panel;
    /// a wider one is left as it is.
    @Test func aFittedRangeSpansAtLeastTheAxisMinimum() throws {
        let narrow = Panel(series: [Series(label: "s", points: [Point(-0.223, 0.152), Point(0, 0)], color: .black, marker: .circle)])
        func ranges(_ panel: Panel, minimumSpan: Double?) throws -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
            let transform = try Chart(title: "Span", x: Axis(label: "x", minimumSpan: minimumSpan), y: Axis(label: "y", minimumSpan: minimumSpan),
                                      panels: [panel], legend: [], panelWidth: 200, panelHeight: 150).render(format: .png, font: font).transforms[0]
            return (transform.xRange, transform.yRange)
        }
        let plain = try ranges(narrow, minimumSpan: nil), wide = try ranges(narrow, minimumSpan: 4)
        #expect(plain.x.upperBound - plain.x.lowerBound < 0.5 && plain.y.upperBound - plain.y.lowerBound < 0.5)
        #expect(abs(wide.x.upperBound - wide.x.lowerBound - 4) < 1e-9)
        #expect(abs((wide.x.lowerBound + wide.x.upperBound) / 2 - (plain.x.lowerBound + plain.x.upperBound) / 2) < 1e-9)
        #expect(wide.y.upperBound - wide.y.lowerBound >= 4 && wide.y.upperBound - wide.y.lowerBound < 5, "\(wide.y)")
        #expect(wide.y.lowerBound < -1.5 && wide.y.upperBound > 1.5, "\(wide.y)")
        let broad = Panel(series: [Series(label: "s", points: [Point(-10, -8), Point(10, 8)], color: .black, marker: .circle)])
        let broadPlain = try ranges(broad, minimumSpan: nil), broadWide = try ranges(broad, minimumSpan: 4)
        #expect(broadPlain.x == broadWide.x && broadPlain.y == broadWide.y)
    }

    /// A point at the right edge whose name has room only to the left, across a vertical reference
    /// line: the name goes there, on white (no pixel of the grey line shows through its box), rather
    /// than its key; with no line in the way it goes there without a backing.
    @Test func aNameCrossesAReferenceLineOnWhiteBeforeItsKeyIsUsed() throws {
        let point = Point(0.93, 0.5), name = "a defense with a long name (k = 10)"
        let grey = Color(hex: 0x777777)
        func render(line: Double?) throws -> RenderedChart {
            let panel = Panel(series: [Series(label: "s", points: [point], color: Color(hex: 0x0072B2), marker: .circle)],
                              referenceLines: line.map { [ReferenceLine(.vertical, at: $0, color: grey, style: .solid)] } ?? [],
                              labels: [PointLabel(name, at: point, color: Color(hex: 0x0072B2), key: "1")])
            return try Chart(title: "Across", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1), panels: [panel],
                             legend: [], panelWidth: 300, panelHeight: 200).render(format: .png, font: font)
        }
        let crossed = try render(line: 0.8)
        let label = try #require(crossed.labels[0].first)
        #expect(label.text == name && label.backed)
        let lineX = crossed.transforms[0].deviceX(0.8)
        #expect(label.box.x < lineX && label.box.maxX > lineX, "\(label.box)")
        let inside = stride(from: label.box.y + 0.5, to: label.box.maxY - 0.5, by: 0.5).map { crossed.canvas.pixel(at: Point(lineX, $0)) }
        #expect(!inside.contains { $0.isClose(to: grey, tolerance: 0.06) })
        #expect(crossed.canvas.pixel(at: Point(lineX, label.box.y - 6)).isClose(to: grey, tolerance: 0.06))
        let free = try #require(try render(line: nil).labels[0].first)
        #expect(free.text == name && !free.backed)
    }

    @Test func styleSequenceStaysDistinctBeyondTheSixteenColours() {
        // Colour and marker together: 112 (16 × 7) distinct styles before the first repeats.
        let styles = (0..<113).map(SeriesStyle.init(index:))
        #expect(Set(styles.prefix(112).map { "\($0.color)|\($0.marker)" }).count == 112 && styles[112] == styles[0])
        // The first 16 have 16 colours; a colour that comes round (the seventeenth style) has another marker, and its
        // line stays solid: a dashed line means a fitted curve (issue 22, r22b).
        #expect(Set(styles.prefix(16).map { "\($0.color)" }).count == 16)
        #expect(styles[16].color == styles[0].color && styles[16].marker != styles[0].marker)
        #expect(styles[5].marker == .pentagon && styles[12].marker == .pentagon)
        #expect(styles.allSatisfy { $0.line == .solid } && Set(styles.prefix(12).map { "\($0.color)" }).count == 12)
    }
}
