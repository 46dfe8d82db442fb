import Foundation
import Testing
@testable import Plotting

/// The final check of direct-label placement (review r22d m6; two committed figures' leader lines crossed): no two
/// leader lines cross, no label lies over an error bar or marker, and a label with no such position is left out and
/// reported (`Chart.unplacedLabels`), each checked against exact expected boxes and the brute-force `labelConflicts`.
struct LabelPlacementTests {
    let font: Font
    init() throws { font = try Font() }

    let chart = Chart(title: "Labels", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1), panels: [Panel(series: [])], legend: [],
                      panelWidth: 400, panelHeight: 300)
    let area = Rect(x: 0, y: 0, width: 400, height: 300)
    let size = 7.5

    /// Squares of 2 points covering `area` except where they lie wholly inside one of `free` (grown by 2 points):
    /// obstacles that leave a label only the positions inside `free`.
    func obstacles(leaving free: [Rect]) -> [Rect] {
        stride(from: 0.0, to: area.width, by: 2).flatMap { x in
            stride(from: 0.0, to: area.height, by: 2).compactMap { y -> Rect? in
                let cell = Rect(x: x, y: y, width: 2, height: 2)
                let inside = free.contains { cell.x >= $0.x - 2 && cell.maxX <= $0.maxX + 2 && cell.y >= $0.y - 2 && cell.maxY <= $0.maxY + 2 }
                return inside ? nil : cell
            }
        }
    }

    func markerBox(_ point: Point) -> Rect { Rect(x: point.x - 5.25, y: point.y - 5.25, width: 10.5, height: 10.5) }

    /// A above B; A's only room is below right (its leader runs down to the right), B's first room above right, whose
    /// leader would cross A's: B takes its next room, below right, its leader parallel to A's.
    @Test func twoLeaderLinesThatWouldCrossAreUncrossed() {
        let a = Point(100, 100), b = Point(100, 130)
        let height = (font.ascent + font.descent) * size
        let widthA = font.width(of: "a", size: size), widthB = font.width(of: "b", size: size)
        let slotA = Rect(x: 140, y: 140, width: widthA, height: height)             // A's position below right at 40 points
        let crossing = Rect(x: 140, y: 90 - height, width: widthB, height: height)  // B's above right at 40 points
        let slotB = Rect(x: 140, y: 170, width: widthB, height: height)             // B's below right at 40 points
        let placed = chart.placeLabels([PointLabel("a", at: a, color: .black), PointLabel("b", at: b, color: .black)], at: [a, b],
                                       markers: [a, b], markerBoxes: [markerBox(a), markerBox(b)], lines: [], area: area,
                                       obstacles: obstacles(leaving: [slotA, crossing, slotB]), font: font, size: size)
        #expect(placed.map(\.text) == ["a", "b"])
        #expect(placed.map(\.box) == [slotA, slotB])
        #expect(placed.allSatisfy { $0.leader })
        let (first, second) = (placed[0].leaderSegment!, placed[1].leaderSegment!)
        #expect(!segmentsCross(first, second))
        #expect(Chart.labelConflicts(placed, markers: [markerBox(a), markerBox(b)], bars: [], dataLines: []) == [])
        // The position refused: its leader line, from (100, 130) up to (140, 90), crosses A's, from (100, 100) down to (140, 140).
        let refused = Chart.PlacedLabel(index: 1, text: "b", color: .black, point: b, box: crossing, leader: true, backed: false)
        #expect(segmentsCross(first, refused.leaderSegment!))
        #expect(Chart.labelConflicts([placed[0], refused], markers: [], bars: [], dataLines: []) == ["the leader lines of 'a' and 'b' cross"])
    }

    /// A point with a vertical error bar (100 points tall) and a horizontal one ending 25 points to its right, room left
    /// only in a band to the right at its height: the label neither starts on the bar's cap (26 points out, where its
    /// box would touch the cap's box) nor goes 40 points out, its leader line hidden along the bar, so it is left out;
    /// with room above right too, it goes there (40 points out, its leader line clear of both bars).
    @Test func aLabelIsNeverPlacedOverOrAgainstAnErrorBar() {
        let point = Point(200, 150)
        let height = (font.ascent + font.descent) * size, width = font.width(of: "early stopping", size: size)
        let vertical = Rect(x: point.x - 5.25, y: 100, width: 10.5, height: 100)
        let horizontal = Rect(x: 139, y: 147, width: 87, height: 6)  // the bar from 140 to 225, its caps 3 points up and down
        let band = Rect(x: 226, y: point.y - height / 2, width: 174, height: height)
        let place = { (free: [Rect]) in
            chart.placeLabels([PointLabel("early stopping", at: point, color: .black)], at: [point], markers: [point],
                              markerBoxes: [vertical], horizontalBars: [(point, horizontal)], lines: [], area: area,
                              obstacles: obstacles(leaving: free), font: font, size: size)
        }
        #expect(place([band]).isEmpty)
        let upperRight = Rect(x: 240, y: point.y - 40 - height, width: width, height: height)
        let placed = place([band, upperRight])
        #expect(placed.count == 1)
        #expect(placed.first?.box == upperRight)
        #expect(placed.first?.leader == true)
        let strokes = [Rect(x: 199.5, y: 100, width: 1, height: 100), Rect(x: 140, y: 149.5, width: 85, height: 1),
                       Rect(x: 224.5, y: 147, width: 1, height: 6)]
        #expect(Chart.labelConflicts(placed, markers: [markerBox(point)], bars: strokes, dataLines: []) == [])
        #expect(!placed.contains { $0.box.x < horizontal.maxX + Style.labelBarGap })
    }

    /// A point on its own data line (review r22e M1: "λ 1" was drawn through its own line), room left only in a band to the
    /// right along the line: every position there meets the line, so the label is left out; with room above right too, it
    /// goes there (40 points out, with a leader line). The brute-force check finds the refused position over the line.
    @Test func aLabelIsNeverPlacedOverADataLine() {
        let point = Point(200, 150)
        let height = (font.ascent + font.descent) * size, width = font.width(of: "λ 1", size: size)
        let line = (Point(0, 150), Point(400, 150))
        let band = Rect(x: 206, y: point.y - height / 2, width: 194, height: height)
        let place = { (free: [Rect]) in
            chart.placeLabels([PointLabel("λ 1", at: point, color: .black)], at: [point], markers: [point],
                              markerBoxes: [markerBox(point)], dataLines: [(line.0, point), (point, line.1)], lines: [], area: area,
                              obstacles: obstacles(leaving: free), font: font, size: size)
        }
        #expect(place([band]).isEmpty)
        let upperRight = Rect(x: 240, y: point.y - 40 - height, width: width, height: height)
        let placed = place([band, upperRight])
        #expect(placed.map(\.box) == [upperRight])
        #expect(Chart.labelConflicts(placed, markers: [markerBox(point)], bars: [], dataLines: [line]) == [])
        let refused = Chart.PlacedLabel(index: 0, text: "λ 1", color: .black, point: point, box: Rect(x: 206, y: point.y - height / 2,
                                        width: width, height: height), leader: false, backed: false)
        #expect(Chart.labelConflicts([refused], markers: [], bars: [], dataLines: [line])
            == ["'λ 1' lies over the data line from \(line.0) to \(line.1)"])
    }

    /// Review r22e m2: a label centred above its point's vertical bar (which ends 30 points up), its leader line hidden along
    /// the bar, read as the bar's. With room only there (40 points above) the label is left out; with room above right
    /// too, it goes there, its leader line clear of the bar.
    @Test func aLeaderLineNeverRunsAlongItsOwnVerticalBar() {
        let point = Point(200, 150)
        let height = (font.ascent + font.descent) * size, width = font.width(of: "λ 0.3", size: size)
        let barred = Rect(x: point.x - 5.25, y: 120, width: 10.5, height: 60)  // the marker with its bar from 120 to 180
        let above = Rect(x: point.x - width / 2, y: point.y - 40 - height, width: width, height: height)
        let place = { (free: [Rect]) in
            chart.placeLabels([PointLabel("λ 0.3", at: point, color: .black)], at: [point], markers: [point], markerBoxes: [barred],
                              lines: [], area: area, obstacles: obstacles(leaving: free), font: font, size: size)
        }
        #expect(place([above]).isEmpty)
        let upperRight = Rect(x: 240, y: point.y - 40 - height, width: width, height: height)
        let placed = place([above, upperRight])
        #expect(placed.map(\.box) == [upperRight])
        #expect(placed.first?.leader == true)
    }

    /// Review r22f M1: a bar shorter than the marker's radius (1 point each way): a label centred below its point would
    /// take a leader line straight down its point's vertical line, past the cap (and across a zero line), read as the bar
    /// reaching there. With room only there the label is left out; with room below right too, it goes there.
    @Test func aLeaderLineNeverContinuesAShortBarsLine() {
        let point = Point(200, 150)
        let height = (font.ascent + font.descent) * size, width = font.width(of: "λ 1", size: size)
        let barred = Rect(x: point.x - 5.25, y: point.y - 5.25, width: 10.5, height: 10.5)  // the marker; its bar ends inside it
        let below = Rect(x: point.x - width / 2, y: point.y + 40, width: width, height: height)
        let place = { (free: [Rect]) in
            chart.placeLabels([PointLabel("λ 1", at: point, color: .black)], at: [point], markers: [point], markerBoxes: [barred],
                              lines: [], area: area, obstacles: obstacles(leaving: free), font: font, size: size)
        }
        #expect(place([below]).isEmpty)
        let lowerRight = Rect(x: 240, y: point.y + 40, width: width, height: height)
        let placed = place([below, lowerRight])
        #expect(placed.map(\.box) == [lowerRight])
        #expect(placed.first?.leader == true)
    }

    /// Review r22f m1: a label whose only room is far from its point, less than half as far from another point's marker as
    /// from its own, or whose
    /// leader line would cross a data line, is left out (and named in the caption), not drawn where it reads as the other's.
    @Test func aLeaderedLabelIsNeverNearerAnotherMarkerNorAcrossADataLine() {
        let point = Point(100, 150), other = Point(150, 215)
        let height = (font.ascent + font.descent) * size, width = font.width(of: "λ 0.3", size: size)
        let boxes = [point, other].map { Rect(x: $0.x - 5.25, y: $0.y - 5.25, width: 10.5, height: 10.5) }
        let nearOther = Rect(x: point.x + 40, y: point.y + 40, width: width, height: height)  // about 15 points above the other marker, 57 from its own
        let place = { (free: [Rect], dataLines: [(Point, Point)]) in
            chart.placeLabels([PointLabel("λ 0.3", at: point, color: .black)], at: [point], markers: [point, other], markerBoxes: boxes,
                              dataLines: dataLines, lines: [], area: area, obstacles: obstacles(leaving: free), font: font, size: size)
        }
        #expect(place([nearOther], []).isEmpty)
        let fartherOut = Rect(x: point.x + 40, y: point.y - 40 - height, width: width, height: height)
        #expect(place([fartherOut], []).map(\.box) == [fartherOut])
        // A data line at y 125 lies between the point and that box's nearest corner (140, 110).
        let across = (Point(100, 125), Point(200, 125))
        #expect(place([fartherOut], [across]).isEmpty)
    }

    /// In a rendered chart: a point with error bars both ways among other points; its name is placed clear of
    /// every bar (2 points or more from each bar's box) and of every marker, as the brute-force check finds.
    @Test func aRenderedLabelKeepsClearOfEveryErrorBar() throws {
        let points = [Point(0.5, 0.5), Point(0.62, 0.5), Point(0.5, 0.62)]
        let series = Series(label: "s", points: points, intervals: points.map { ($0.y - 0.2)...($0.y + 0.2) },
                            xIntervals: points.map { ($0.x - 0.2)...($0.x + 0.2) }, color: .black, marker: .circle)
        let panel = Panel(series: [series], labels: points.enumerated().map { PointLabel("defense \($0.offset + 1)", at: $0.element, color: .black) })
        let chart = Chart(title: "Bars", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1), panels: [panel],
                          legend: [], panelWidth: 300, panelHeight: 220)
        let rendered = try chart.render(format: .png, font: font)
        let transform = rendered.transforms[0]
        let bars = points.flatMap { point -> [Rect] in
            let device = transform.device(point)
            let top = transform.deviceY(point.y + 0.2), bottom = transform.deviceY(point.y - 0.2)
            let left = transform.deviceX(point.x - 0.2), right = transform.deviceX(point.x + 0.2)
            return [Rect(x: device.x - 3, y: top - 1, width: 6, height: bottom - top + 2), Rect(x: left - 1, y: device.y - 3, width: right - left + 2, height: 6)]
        }
        let markers = points.map { markerBox(transform.device($0)) }
        #expect(!rendered.labels[0].isEmpty && rendered.labels[0].count + chart.unplacedLabels(font: font)[0].count == 3)
        #expect(Chart.labelConflicts(rendered.labels[0], markers: markers, bars: bars, dataLines: []) == [])
    }

    /// A labelled point inside a lattice of markers 6 points apart: every position meets a marker, so the label (and its
    /// key) is left out rather than drawn over them, and `unplacedLabels` names it for the caption.
    @Test func aLabelWithNoRoomIsLeftOutAndReported() throws {
        let lattice = stride(from: 0.02, through: 0.98, by: 0.02).flatMap { x in stride(from: 0.02, through: 0.98, by: 0.02).map { Point(x, $0) } }
        let label = PointLabel("no room here", at: Point(0.5, 0.5), color: .black, key: "1")
        let panel = Panel(series: [Series(label: "lattice", points: lattice, color: .black, marker: .circle)], labels: [label])
        let chart = Chart(title: "Crowded", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1), panels: [panel],
                          legend: [], panelWidth: 300, panelHeight: 300)
        let rendered = try chart.render(format: .png, font: font)
        #expect(rendered.labels[0].isEmpty)
        #expect(!rendered.textBoxes.contains { $0.text == "no room here" || $0.text == "1" })
        #expect(chart.unplacedLabels(font: font).map { $0.map(\.text) } == [["no room here"]])
        // With the lattice gone the same label is placed, and nothing is reported.
        var open = chart
        open.panels[0].series[0].points = [Point(0.5, 0.5)]
        #expect(open.unplacedLabels(font: font).map { $0.map(\.text) } == [[]])
        #expect(try open.render(format: .png, font: font).labels[0].map(\.text) == ["no room here"])
    }

    /// The reference check's geometry: an X crosses, parallel segments do not, collinear ones only where they overlap;
    /// a segment meets a box it passes through or ends in, not one it passes by.
    @Test func segmentGeometryIsExact() {
        #expect(segmentsCross((Point(0, 0), Point(10, 10)), (Point(0, 10), Point(10, 0))))
        #expect(!segmentsCross((Point(0, 0), Point(10, 0)), (Point(0, 1), Point(10, 1))))
        #expect(segmentsCross((Point(0, 0), Point(10, 0)), (Point(5, 0), Point(15, 0))))
        #expect(!segmentsCross((Point(0, 0), Point(4, 0)), (Point(5, 0), Point(15, 0))))
        let box = Rect(x: 10, y: 10, width: 10, height: 10)
        #expect(segment((Point(0, 15), Point(30, 15)), meets: box))
        #expect(segment((Point(0, 0), Point(12, 12)), meets: box))
        #expect(!segment((Point(0, 0), Point(30, 5)), meets: box))
        #expect(!segment((Point(0, 25), Point(25, 0)), meets: Rect(x: 14, y: 14, width: 5, height: 5)))
    }
}
